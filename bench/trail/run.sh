#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench/trail/run.sh BUILD_DIR — the audit trail's benchmarks, each beside its peer:
#   1. a write call's p50 latency with its audit event vs the same build without
#      recording (BUILD_DIR-norecord, compiled with -DBW_TRAIL_BENCH_NO_RECORD);
#   2. events per second end to end (signed API call -> fsynced log file);
#   3. `bulwark trail validate` MB/s beside `sha256sum` over the same files.
set -eu
BUILD=${1:?usage: bench/trail/run.sh BUILD_DIR (a release build)}
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
NOREC="${BUILD}-norecord"
if [ ! -x "$NOREC/src/cmd/bulwarkd" ]; then
  cmake -S "$SRC" -B "$NOREC" -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_C_FLAGS=-DBW_TRAIL_BENCH_NO_RECORD -Wno-error=maybe-uninitialized" >/dev/null
  cmake --build "$NOREC" -j"$(nproc)" --target bulwarkd >/dev/null
fi
exec /usr/bin/python3 "$SRC/bench/trail/bench.py" "$BUILD/src/cmd" "$NOREC/src/cmd" "${2:-}"
