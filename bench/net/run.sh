#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/net: decode+classify and decode->classify->detect packets/s on one core over a
# capture in memory, beside a plain walk of the records, and FastNetMon on the same
# capture. Usage: bench/net/run.sh BUILD_DIR [FRAMES]   (BUILD_DIR: a release build)
# FastNetMon (Debian's 1.2.4) cannot read a pcap offline: it only captures live (pcap,
# AF_PACKET, AF_XDP). So the capture is replayed onto a veth inside a private network
# namespace and FastNetMon counts it with AF_PACKET, see bench/net/fastnetmon.sh.
set -euo pipefail
build=${1:?usage: bench/net/run.sh BUILD_DIR [FRAMES]}
frames=${2:-2000000}
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/bench/net/net_bench
[ -x "$bin" ] || { echo "bench/net: $bin missing; build $build first" >&2; exit 1; }
pcap=$(mktemp /tmp/bw-net-bench.XXXXXX.pcap)
trap 'rm -f "$pcap"' EXIT
echo "== bench/net: $frames frames, one core (CPU time of the pinned thread) =="
"$bin" --gen "$frames" --passes 5 --write "$pcap"
if command -v fastnetmon >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  bash "$here/fastnetmon.sh" "$bin" "$pcap" || echo "fastnetmon: run failed (see above)"
else
  echo "fastnetmon: not installed or not root; skipped (BW_DEPS_BENCH=1 scripts/deps.sh)"
fi
