#!/bin/bash
# Recreate the IPv6 receive fixture and its real-kernel truth.
#
# Usage: make-fixtures-ipv6core.sh [ORACLE_DIR]
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
