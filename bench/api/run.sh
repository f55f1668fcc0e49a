#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/api: signed GetCallerIdentity and ListUsers (1,000 users) against bulwarkd, and
# nginx from Debian answering a static 200 on loopback as the ceiling, one after the
# other in the same run with the same load generator (bench/api/loadgen: N keep-alive
# connections, every AWS request freshly signed with SigV4). Prints each measurement and
# the ratio GetCallerIdentity rps / nginx rps (target >= 0.30 on 2 cores).
#
# usage: bench/api/run.sh BUILD_DIR     (a release build, e.g. build/release)
# env:   BW_BENCH_DURATION (s, default 10)  BW_BENCH_CONNECTIONS (default 64)
#        BW_BENCH_THREADS (load generator threads, default 1)  BW_BENCH_USERS (default 1000)
#        BW_BENCH_ROUNDS (default 3: each measurement runs once per round, interleaved, and
#        the medians are compared, which damps noise from other work on the machine)
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
dur=${BW_BENCH_DURATION:-10}
conns=${BW_BENCH_CONNECTIONS:-64}
threads=${BW_BENCH_THREADS:-1}
users=${BW_BENCH_USERS:-1000}
rounds=${BW_BENCH_ROUNDS:-3}
loadgen=$build/bench/api/loadgen
bulwarkd=$build/src/cmd/bulwarkd
[ -x "$loadgen" ] || { echo "api bench: $loadgen not built" >&2; exit 2; }
command -v nginx >/dev/null || { echo "api bench: nginx missing (BW_DEPS_BENCH=1 scripts/deps.sh)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/bw-bench-api.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something accepts connections on 127.0.0.1:$1.
wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "api bench: nothing listening on port $1" >&2
  return 1
}

# Prints the rps=... value of a loadgen result line.
rps_of() { sed -n 's/.* rps=\([0-9.]*\).*/\1/p' <<<"$1"; }

# The median of the numbers given.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

lg() { "$loadgen" --connections "$conns" --threads "$threads" --duration "$dur" "$@"; }

echo "api bench: $(nproc) cores, ${rounds} rounds of ${dur}s per measurement, $conns connections, $threads load generator thread(s), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- nginx: static 200 on loopback, 2 workers ------------------------------------------
nport=$(free_port)
mkdir -p "$tmp/nginx/logs"
cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nport;
    location / { return 200 "ok\n"; }
  }
}
CONF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' >"$tmp/nginx/out.log" 2>&1 &
pids+=($!)
wait_port "$nport"

# --- bulwarkd, with 1,000 users for ListUsers -------------------------------------------
have_bw=0
if [ -x "$bulwarkd" ]; then
  bport=$(free_port)
  "$bulwarkd" --listen "127.0.0.1:$bport" --data-dir "$tmp/data" >"$tmp/bulwarkd.log" 2>&1 &
  pids+=($!)
  wait_port "$bport"
  for _ in $(seq 1 50); do [ -s "$tmp/data/credentials" ] && break; sleep 0.1; done
  creds=(--credentials "$tmp/data/credentials" --profile bulwark --port "$bport")
  "$loadgen" --mode create-users --requests "$users" --connections 4 --duration 300 \
    "${creds[@]}" >"$tmp/create.txt" || { cat "$tmp/create.txt"; echo "api bench: creating users failed" >&2; exit 1; }
  echo "setup: $(cat "$tmp/create.txt")"
  have_bw=1
else
  echo "api bench: $bulwarkd not built; measuring nginx only" >&2
fi

# --- the measurements, interleaved round by round; medians are compared ----------------
sts_r=() iam_r=() ng_r=()
for r in $(seq 1 "$rounds"); do
  if [ $have_bw = 1 ]; then
    line=$(lg --mode sts "${creds[@]}") || true
    echo "round $r sts GetCallerIdentity: $line"; sts_r+=("$(rps_of "$line")")
    line=$(lg --mode iam --max-items 1000 "${creds[@]}") || true
    echo "round $r iam ListUsers ($users users, MaxItems=1000): $line"; iam_r+=("$(rps_of "$line")")
  fi
  line=$(lg --mode static --port "$nport" --path /)
  echo "round $r nginx static 200: $line"; ng_r+=("$(rps_of "$line")")
done
# The generator's own ceiling when signing: signed GetCallerIdentity sent to nginx (which
# ignores the signature). If bulwarkd's rate comes near it, the run is generator-bound.
echo "load generator ceiling (signed sts requests to nginx): $(lg --mode sts --port "$nport" --access-key AKIDEXAMPLE --secret-key bench-only-secret)"
if command -v wrk >/dev/null; then
  echo "nginx static 200 (wrk cross-check): $(wrk -t"$threads" -c"$conns" -d"${dur}s" "http://127.0.0.1:$nport/" | grep -E 'Requests/sec')"
fi

ng=$(median "${ng_r[@]}")
echo "median nginx static rps = $ng"
if [ $have_bw = 1 ]; then
  sts=$(median "${sts_r[@]}") iam=$(median "${iam_r[@]}")
  echo "median GetCallerIdentity rps = $sts; median ListUsers rps = $iam"
  awk -v a="$sts" -v b="$ng" 'BEGIN { r = a / b; printf "ratio GetCallerIdentity/nginx = %.3f (%.1f%%), target >= 30%%: %s\n", r, 100 * r, (r >= 0.30 ? "MET" : "NOT MET") }'
else
  echo "ratio GetCallerIdentity/nginx: not measured (no bulwarkd)"
  exit 1
fi
