#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/orgs: requests per second of DescribeOrganization, a paginated ListAccounts over
# 500 accounts (MaxResults 20, following NextToken round and round),
# CreateOrganizationalUnit, and an SCP-guarded IAM call (GetUser) by a member account
# four OUs deep — side by side with its peer, the same call by an account outside any
# organization, in the same run and with the same load generator. The ratio
# member/outsider says what loading and evaluating the SCP chain costs per request.
#
# usage: bench/orgs/run.sh BUILD_DIR     (a release build, e.g. build/release)
# env:   BW_BENCH_DURATION (s, default 5)  BW_BENCH_THREADS (connections, default 16)
#        BW_BENCH_ROUNDS (default 3; the SCP pair is measured once per round, interleaved,
#        and the medians compared)  BW_BENCH_ACCOUNTS (default 500)
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
dur=${BW_BENCH_DURATION:-5}
threads=${BW_BENCH_THREADS:-16}
rounds=${BW_BENCH_ROUNDS:-3}
lg=$build/bench/orgs/orgs_loadgen
bulwarkd=$build/src/cmd/bulwarkd
[ -x "$lg" ] || { echo "orgs bench: $lg not built" >&2; exit 2; }

tmp=$(mktemp -d /tmp/bw-bench-orgs.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bulwarkd" --listen "127.0.0.1:$port" --data-dir "$tmp/data" --log-level warn >"$tmp/log" 2>&1 &
pid=$!
/usr/bin/python3 - "$port" <<'PY' || { echo "orgs bench: bulwarkd did not start" >&2; cat "$tmp/log" >&2; exit 1; }
import sys, time, urllib.request
deadline = time.time() + 60
while time.time() < deadline:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=1) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY

echo "orgs bench: $(nproc) cores, ${dur}s per measurement, $threads connections, load average $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(date +%s)
eval "$(/usr/bin/python3 "$here/setup.py" "http://127.0.0.1:$port" "$tmp/data" "$build/src/cmd")"
# Creating OUs for the whole run would pass AWS's 1,000-OU quota: raise it for the bench.
/usr/bin/python3 -c "import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute(\"UPDATE org_quotas SET value=1000000 WHERE name='max_ous'\"); d.commit()" "$tmp/data/bulwark.db"
echo "setup: $ACCOUNTS accounts, OU chain 4 deep, in $(( $(date +%s) - t0 ))s"

run() { # name akid secret loadgen-args...
  local name=$1 akid=$2 secret=$3
  shift 3
  BW_AKID=$akid BW_SECRET=$secret "$lg" --port "$port" --threads "$threads" --duration "$dur" "$@"
}
rps_of() { sed -n 's/.*rps=\([0-9.]*\).*/\1/p' <<<"$1"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

r=$(run describe "$MGMT_AKID" "$MGMT_SECRET" --mode json --op DescribeOrganization --body '{}')
echo "DescribeOrganization (management):      $r"
r=$(run list "$MGMT_AKID" "$MGMT_SECRET" --mode json --op ListAccounts --body '{"MaxResults":20}' --paginate)
echo "ListAccounts page of 20 ($ACCOUNTS accounts): $r"
r=$(run create "$MGMT_AKID" "$MGMT_SECRET" --mode json --op CreateOrganizationalUnit \
      --body "{\"ParentId\":\"$ROOT\",\"Name\":\"bench-{seq}\"}")
echo "CreateOrganizationalUnit:                $r"

scp=() solo=()
for i in $(seq 1 "$rounds"); do
  a=$(run member "$MEMBER_AKID" "$MEMBER_SECRET" --mode query --body 'Action=GetUser&Version=2010-05-08')
  b=$(run solo "$SOLO_AKID" "$SOLO_SECRET" --mode query --body 'Action=GetUser&Version=2010-05-08')
  echo "round $i: iam:GetUser member 4 OUs deep (SCPs): $a"
  echo "round $i: iam:GetUser outside any organization: $b"
  scp+=("$(rps_of "$a")") solo+=("$(rps_of "$b")")
done
ms=$(median "${scp[@]}") mo=$(median "${solo[@]}")
awk -v s="$ms" -v o="$mo" -v t="$threads" 'BEGIN {
  printf "median rps: with SCP chain %.0f, without %.0f; ratio %.3f; SCP evaluation adds %.1f us per request (1/rps difference at %s connections)\n",
         s, o, s / o, (1e6 / s - 1e6 / o), t }'
