#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/detect/run.sh BUILD_DIR: generates labelled captures with tests/edge/gen.py and
# runs detect_bench (one core) on the benign mix, a SYN flood over capacity and an SSDP
# reflection, printing each side by side with the plain walk of the same records.
set -euo pipefail
build=${1:?usage: bench/detect/run.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
caps=$build/bench-detect-caps
bin=$build/bench/detect/detect_bench
mkdir -p "$caps"
/usr/bin/python3 "$here/../../tests/edge/gen.py" "$caps" benign capacity SSDP_REFLECTION
pin=()
command -v taskset >/dev/null && pin=(taskset -c 1)
for name in benign capacity SSDP_REFLECTION; do
  echo "== $name"
  extra=()
  [ "$name" = capacity ] && extra=(--capacity-pps 1000)
  "${pin[@]}" "$bin" --pcap "$caps/$name.pcap" --protect 198.51.100.10 \
    --protect 2001:db8:100::10/64 --passes 15 "${extra[@]}"
done
