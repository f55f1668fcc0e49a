#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# FastNetMon beside bench/net. Debian's FastNetMon 1.2.4 has no offline pcap input (its
# capture plugins are live only: pcap, AF_PACKET, AF_XDP, netmap, sFlow/NetFlow), so this
# measures the honest alternative: inside a private network namespace, FastNetMon captures
# a veth with AF_PACKET (mirror_afpacket) while net_bench --replay sends the same capture
# into the other end as fast as it can; FastNetMon's own Prometheus counters
# (fastnetmon_total_simple_packets_processed, _unparsed_packets) then say how many frames it
# processed, and in what time.
# That is a capture-and-count rate bounded by the veth and the sender, not FastNetMon's
# pure per-packet compute: see docs/benchmarks.md. Usage: fastnetmon.sh NET_BENCH PCAP
set -euo pipefail
bin=${1:?NET_BENCH}
pcap=${2:?PCAP}
if [ "${BW_FNM_INNER:-0}" != 1 ]; then
  exec env BW_FNM_INNER=1 unshare --net -- bash "$0" "$@"
fi

dir=$(mktemp -d /tmp/bw-fnm.XXXXXX)
fnm_pid=""
cleanup() { [ -n "$fnm_pid" ] && kill "$fnm_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

ip link set lo up
ip link add fnm0 type veth peer name fnm1
for i in fnm0 fnm1; do
  echo 1 >/proc/sys/net/ipv6/conf/$i/disable_ipv6
  ip link set $i mtu 1504 # room for the capture's 802.1Q-tagged full-size frames
  ip link set $i up
done
# Drop every frame right after the AF_PACKET taps (tc ingress runs after them), so the
# namespace's IP stack does not spend the CPU FastNetMon and the sender need.
# (Best effort: the matchall or u32 classifier may be missing from the kernel.)
tc qdisc add dev fnm1 clsact 2>/dev/null &&
  { tc filter add dev fnm1 ingress matchall action drop 2>/dev/null ||
    tc filter add dev fnm1 ingress protocol all u32 match u32 0 0 action drop 2>/dev/null ||
    echo "fastnetmon: no tc classifier here; frames also cross the namespace's IP stack"; } || true
printf '203.0.113.0/24\n2001:db8:5::/64\n' >"$dir/networks"
: >"$dir/whitelist"
cat >"$dir/fastnetmon.conf" <<CONF
logging_level = info
enable_ban = off
enable_ban_ipv6 = off
process_incoming_traffic = on
process_outgoing_traffic = on
networks_list_path = $dir/networks
white_list_path = $dir/whitelist
mirror_afpacket = on
mirror_af_packet_fanout_mode = cpu
interfaces = fnm1
average_calculation_time = 5
speed_calculation_delay = 1
monitor_local_ip_addresses = off
pid_path = $dir/fastnetmon.pid
cli_stats_file_path = $dir/fastnetmon.dat
cli_stats_ipv6_file_path = $dir/fastnetmon_ipv6.dat
enable_api = off
prometheus = on
prometheus_port = 9209
prometheus_host = 127.0.0.1
disable_usage_report = on
CONF

# FastNetMon on CPU 1, the sender on CPU 0 (this machine may have only two).
taskset -c 1 fastnetmon --configuration_file "$dir/fastnetmon.conf" --log_file "$dir/fnm.log" \
  --disable_pid_logic >/dev/null 2>&1 &
fnm_pid=$!
metric() { # metric NAME: the value of a Prometheus counter, 0 if absent
  curl -s --max-time 2 http://127.0.0.1:9209/metrics 2>/dev/null |
    awk -v n="$1" '$1 == n || index($1, n "{") == 1 { v = $2 } END { print v + 0 }'
}
for _ in $(seq 1 50); do
  curl -s --max-time 1 http://127.0.0.1:9209/metrics >/dev/null 2>&1 && break
  sleep 0.2
done
if ! kill -0 "$fnm_pid" 2>/dev/null; then
  echo "fastnetmon: did not start; its log:"; tail -20 "$dir/fnm.log" 2>/dev/null; exit 1
fi
sleep 2
parsed0=$(metric fastnetmon_total_simple_packets_processed)
unparsed0=$(metric fastnetmon_total_unparsed_packets)
cpu() { awk '{ print $14 + $15 }' "/proc/$fnm_pid/stat"; } # its user+system ticks
c0=$(cpu)
t0=$(date +%s.%N)
taskset -c 0 "$bin" --pcap "$pcap" --replay fnm0 --cpu 0
# Wait until FastNetMon's counters stop moving.
last=-1
for _ in $(seq 1 60); do
  cur=$(metric fastnetmon_total_simple_packets_processed)
  [ "$cur" = "$last" ] && break
  last=$cur
  sleep 1
done
t1=$(date +%s.%N)
c1=$(cpu)
parsed=$(( $(metric fastnetmon_total_simple_packets_processed) - parsed0 ))
unparsed=$(( $(metric fastnetmon_total_unparsed_packets) - unparsed0 ))
echo "fastnetmon: processed $parsed frames, could not parse $unparsed"
awk -v p="$((parsed + unparsed))" -v a="$t0" -v b="$t1" 'BEGIN { printf "fastnetmon: %.3f Mpps over %.1f s from the first frame sent to its counters settling (includes the sender and the veth: a lower bound of its rate)\n", p / (b - a) / 1e6, b - a }'
awk -v p="$((parsed + unparsed))" -v t="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" 'BEGIN {
  if (t > 0) printf "fastnetmon: %.2f Mpps per CPU-second of FastNetMon (%d frames in %.2f s of its user+system CPU time, all threads)\n", p / (t / hz) / 1e6, p, t / hz }'
