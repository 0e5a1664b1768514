#!/bin/bash
# Recreate the IPv6 core fixtures: ipv6_ping (a capture between namespaces) and ipv6_rx (crafted
# frames) with its real-kernel truth.
#
# Usage: make-fixtures-ipv6core.sh [ORACLE_DIR]      (as root)
# Writes Fixtures/ipv6_ping.pcap: namespaces p6a-dut (p6a-d, 02:00:00:00:6a:01, fd00:6a::1/64) and
# p6a-peer (p6a-p, 02:00:00:00:6a:02, fd00:6a::2/64), addresses without DAD, each neighbour entry
# permanent (no neighbour discovery in the capture), offloads off; tcpdump in p6a-dut on p6a-d
# records two pings from the peer, a datagram to closed UDP 4000 and a connection attempt to closed
# TCP 4001 (with the MLD reports the peer's link sends meanwhile). The namespaces are removed on exit.
# Writes Fixtures/ipv6_rx.pcap: frames crafted with scapy (craft-ipv6.py says what each one tests),
# sent by a peer to the host veth1 (02:00:00:00:6a:01, fd00:6a::1/64; its link-local address is
# fe80::ff:fe00:6a01). Its host profile is Fixtures/ipv6_rx.host.json (written by hand).
# With ORACLE_DIR (the shared real-kernel oracle), also replays the frames into Debian's 6.1 kernel
# under qemu (ORACLE_KVER=6.12.117+deb12-amd64: Debian's 6.12) with IPv6 on, and writes
# Fixtures/oracle[-6.12]/ipv6_rx/ (capture.pcap, scenario.json, oracle.jsonl, responses.pcap,
# run_meta.json). The oracle's host has the address without DAD, a permanent neighbour entry for the
# peer, IPv6 ICMP rate limiting off, and checksum offloads off.
# Needs Debian python3 + python3-scapy; the oracle needs what its README lists.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
D6=p6a-dut; P6=p6a-peer
cleanup() { ip netns del $D6 2>/dev/null || true; ip netns del $P6 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add $D6; ip netns add $P6
ip link add p6a-d netns $D6 address 02:00:00:00:6a:01 type veth peer name p6a-p netns $P6 address 02:00:00:00:6a:02
for ns in $D6 $P6; do
  ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.icmp.ratelimit=0
  ip netns exec $ns ip link set lo up
done
ip netns exec $D6 ethtool -K p6a-d tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
ip netns exec $P6 ethtool -K p6a-p tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
ip netns exec $D6 ip addr add fd00:6a::1/64 dev p6a-d nodad
ip netns exec $P6 ip addr add fd00:6a::2/64 dev p6a-p nodad
ip netns exec $D6 ip link set p6a-d up; ip netns exec $P6 ip link set p6a-p up
ip netns exec $D6 ip -6 neigh replace fd00:6a::2 lladdr 02:00:00:00:6a:02 dev p6a-d nud permanent
ip netns exec $P6 ip -6 neigh replace fd00:6a::1 lladdr 02:00:00:00:6a:01 dev p6a-p nud permanent
sleep 2
ip netns exec $D6 tcpdump -i p6a-d -w "$HERE/ipv6_ping.pcap" -U ip6 2>/dev/null &
TD=$!; sleep 1
ip netns exec $P6 ping -6 -c 2 -i 0.2 fd00:6a::1 >/dev/null
ip netns exec $P6 bash -c 'echo hi > /dev/udp/fd00:6a::1/4000' || true
ip netns exec $P6 timeout 1 bash -c 'echo > /dev/tcp/fd00:6a::1/4001' 2>/dev/null || true
sleep 1; kill $TD; wait $TD 2>/dev/null || true
cleanup
/usr/bin/python3 "$HERE/craft-ipv6.py" "$HERE/ipv6_rx.pcap"
[ $# -ge 1 ] || exit 0
ORACLE=$(cd "$1" && pwd)
. "$HERE/oracle/oracle-kernel.sh"
oracle_setup "$HERE/oracle"
oracle_prepare_cache "$ORACLE"
D=$OUT_BASE/ipv6_rx; mkdir -p "$D"
cp "$HERE/ipv6_rx.pcap" "$D/capture.pcap"
cat > "$D/scenario.json" <<'JSON'
{ "ip": "fd00:6a::1/64 nodad", "mac": "02:00:00:00:6a:01", "ipv6": true, "auto_neigh": false,
  "offload": {"tx": "off", "rx": "off"},
  "sysctl": {"net.ipv6.icmp.ratelimit": 0},
  "dut_commands": ["ip -6 neigh replace fd00:6a::2 lladdr 02:00:00:00:6a:02 dev veth1 nud permanent"],
  "filter_extra": ["ipv6_*", "udpv6_*", "__udp6_*", "udp6_*", "udp_v6_*", "tcp_v6_*", "raw6_*", "icmp6_*", "__udpv6_*",
                   "fib6_*", "rt6_*", "inet6_*", "__inet6_*", "igmp6_*", "__icmpv6_*", "nf_hook_slow"],
  "gap_ms": 30 }
JSON
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
"$ORACLE/run.sh" "$D" "$WORK/out"
cp "$WORK/out/oracle.jsonl" "$WORK/out/responses.pcap" "$WORK/out/run_meta.json" "$D/"
