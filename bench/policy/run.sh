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
t0=$(date +%s%N)
$pin "$build/src/cmd/bulwark" policy evaluate <"$cases" >/dev/null
t1=$(date +%s%N)
ours=$(awk -v n="$n" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')
echo "bulwark: cases=$n seconds=$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f", ns / 1e9 }') cases_per_second=$ours"
peer=$($pin node "$here/e2e_oracle.mjs" "$cases")
echo "$peer"
peer_rate=$(echo "$peer" | sed -n 's/.*cases_per_second=\([0-9]*\).*/\1/p')
awk -v a="$ours" -v b="$peer_rate" 'BEGIN { printf "ratio (a) end to end: bulwark / iam-simulate = %.0fx\n", a / b }'
echo "(b) compiled:"
$pin "$build/bench/policy/bench_policy" 2000000
