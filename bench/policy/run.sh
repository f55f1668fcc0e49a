#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/policy: run.sh BUILD_DIR [N_CASES] — on one core (taskset -c 0), side by side:
#  (a) end to end: N generated JSON-line cases through `bulwark policy evaluate` (each case
#      parsed and compiled) and through @cloud-copilot/iam-simulate; prints the ratio;
#  (b) compiled: bench_policy (10 identity policies x 20 statements, 5 SCP levels).
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [N_CASES]}
n=${2:-5000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pin="taskset -c 0"
command -v taskset >/dev/null || pin=""
if [ ! -d "$root/tests/diff/node_modules/@cloud-copilot/iam-simulate" ]; then
  (cd "$root/tests/diff" && npm install --no-audit --no-fund --no-package-lock --loglevel=error >&2)
fi
cases=$(mktemp /tmp/bw-policy-bench.XXXXXX.jsonl)
trap 'rm -f "$cases"' EXIT
node "$here/gen_cases.mjs" "$n" >"$cases"
# Wall time and CPU time (user+sys) of each side: on a shared machine the CPU figure is
# the one that does not depend on what else runs.
# Our side takes well under a second, so it runs 5 times: the median wall time and the mean
# CPU time count (the peer's single run lasts long enough to average out the machine's noise).
cpu=$(mktemp)
runs=$(mktemp)
for _ in 1 2 3 4 5; do
  t0=$(date +%s%N)
  $pin /usr/bin/time -f "%U %S" -o "$cpu" "$build/src/cmd/bulwark" policy evaluate <"$cases" >/dev/null
  t1=$(date +%s%N)
  echo "$(awk '{ print $1 + $2 }' "$cpu") $((t1 - t0))" >>"$runs"
done
# CPU time: the mean of the 5 runs (the tool's 10 ms resolution is ~6% of one run).
ours_cpu=$(awk '{ s += $1 } END { printf "%.3f", s / NR }' "$runs")
wall_ns=$(sort -n -k2 "$runs" | sed -n 3p | cut -d' ' -f2)
rm -f "$runs"
t0=0
t1=$wall_ns
ours=$(awk -v n="$n" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')
ours_c=$(awk -v n="$n" -v c="$ours_cpu" 'BEGIN { printf "%.0f", n / (c > 0 ? c : 0.001) }')
echo "bulwark: cases=$n wall_seconds=$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f", ns / 1e9 }') cases_per_second=$ours cpu_seconds=$ours_cpu cases_per_cpu_second=$ours_c"
$pin /usr/bin/time -f "%U %S" -o "$cpu" node "$here/e2e_oracle.mjs" "$cases" >"$cpu.out"
peer_cpu=$(awk '{ print $1 + $2 }' "$cpu")
peer=$(cat "$cpu.out")
rm -f "$cpu" "$cpu.out"
peer_rate=$(echo "$peer" | sed -n 's/.*cases_per_second=\([0-9]*\).*/\1/p')
peer_c=$(awk -v n="$n" -v c="$peer_cpu" 'BEGIN { printf "%.0f", n / c }')
echo "$peer cpu_seconds=$peer_cpu cases_per_cpu_second=$peer_c"
awk -v a="$ours" -v b="$peer_rate" -v ac="$ours_c" -v bc="$peer_c" \
  'BEGIN { printf "ratio (a) end to end: bulwark / iam-simulate = %.0fx wall, %.0fx cpu\n", a / b, ac / bc }'
echo "(b) compiled:"
$pin "$build/bench/policy/bench_policy" 2000000
