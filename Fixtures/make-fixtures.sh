#!/bin/bash
# Recreate the packet-capture fixtures from scratch (run as root).
#
# Usage: make-fixtures.sh [OUT_DIR] [FIXTURE...]
#   OUT_DIR defaults to the directory of this script; FIXTURE defaults to all.
# Writes OUT_DIR/<name>.pcap, OUT_DIR/<name>.host.json,
#        OUT_DIR/truth/<name>.kfree_skb.txt, OUT_DIR/truth/<name>.nstat.txt
#
# Every fixture gets fresh network namespaces pp-dut / pp-peer joined by the veth
# pair veth-dut (02:00:00:00:0d:00, 10.77.0.1/24) <-> veth-peer (02:00:00:00:0e:00,
# 10.77.0.2/24); offloads off, IPv6 off, icmp_ratelimit=0 in pp-dut. tcpdump on
# veth-dut (inside pp-dut) records the capture. All traffic stays between the two
# namespaces. Everything created here is removed on exit (trap).
# Needs: iproute2 (ip, nstat), ethtool, tcpdump, Debian python3 + python3-scapy, tracefs.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "must be run as root" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}; shift || true
mkdir -p "$OUT/truth"; OUT=$(cd "$OUT" && pwd)
ALL=(tcp_handshake tcp_syn_closed udp_ports ping ping_fragmented arp_resolution bad_ip_checksum otherhost)
[ $# -gt 0 ] && SEL=("$@") || SEL=("${ALL[@]}")
PY=/usr/bin/python3
CRAFT="$HERE/craft.py"
DUT=pp-dut; PEER=pp-peer
DUT_MAC=02:00:00:00:0d:00; PEER_MAC=02:00:00:00:0e:00
DUT_IP=10.77.0.1; PEER_IP=10.77.0.2
TR=/sys/kernel/tracing
TRI=$TR/instances/pktpath-fixtures
WORK=$(mktemp -d)
export NSTAT_HISTORY=$WORK/nstat.hist
BG=()          # pids of helpers started here (servers, tcpdump)

cleanup() {
  set +e
  for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -d "$TRI" ] && { echo 0 > "$TRI/events/skb/kfree_skb/enable"; rmdir "$TRI"; }
  ip netns del $DUT 2>/dev/null; ip netns del $PEER 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

. "$HERE/netns.sh"

. "$HERE/capture.sh"
CAP_NS=$DUT; CAP_IF=veth-dut

host_json() {  # name neigh(0/1) sockets-json
  local nb=""
  [ "$2" = 1 ] && nb='
  "neighbours": [ { "ip": "'$PEER_IP'", "mac": "'$PEER_MAC'", "dev": "veth-dut", "state": "permanent" } ],'
  cat > "$OUT/$1.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "veth-dut", "driver": "veth", "mac": "$DUT_MAC", "mtu": 1500, "addresses": ["$DUT_IP/24"], "captured": true } ],$nb
  "sockets": $3,
  "sysctl": { "net.ipv4.icmp_ratelimit": 0 } }
EOF
}

fx_tcp_handshake() {   # ARP at the start: no static neighbours
  ip netns exec $DUT $PY "$CRAFT" tcp-server & BG+=($!)
  wait_listen t 8080
  start_capture tcp_handshake
  px $PY "$CRAFT" tcp-client
  stop_capture tcp_handshake
  host_json tcp_handshake 0 '[ { "proto": "tcp", "addr": "0.0.0.0", "port": 8080, "state": "listen" } ]'
}

fx_tcp_syn_closed() {
  static_neigh
  start_capture tcp_syn_closed
  px $PY "$CRAFT" tcp-closed
  stop_capture tcp_syn_closed
  host_json tcp_syn_closed 1 '[]'
}

fx_udp_ports() {
  static_neigh
  ip netns exec $DUT $PY "$CRAFT" udp-server & BG+=($!)
  wait_listen u 7000
  start_capture udp_ports
  px $PY "$CRAFT" udp-client
  stop_capture udp_ports
  host_json udp_ports 1 '[ { "proto": "udp", "addr": "0.0.0.0", "port": 7000 } ]'
}

fx_ping() {
  static_neigh
  start_capture ping
  px ping -n -c 3 -i 0.2 $DUT_IP
  stop_capture ping
  host_json ping 1 '[]'
}

fx_ping_fragmented() {
  static_neigh
  start_capture ping_fragmented
  px ping -n -c 1 -s 3000 $DUT_IP
  stop_capture ping_fragmented
  host_json ping_fragmented 1 '[]'
}

fx_arp_resolution() {
  start_capture arp_resolution
  px ping -n -c 1 $DUT_IP
  stop_capture arp_resolution
  host_json arp_resolution 0 '[]'
}

fx_bad_ip_checksum() {
  static_neigh
  start_capture bad_ip_checksum
  px $PY "$CRAFT" bad-ip-checksum
  stop_capture bad_ip_checksum
  host_json bad_ip_checksum 1 '[]'
}

fx_otherhost() {
  static_neigh
  start_capture otherhost
  px $PY "$CRAFT" otherhost
  stop_capture otherhost
  host_json otherhost 1 '[]'
}

for f in "${SEL[@]}"; do
  setup_ns
  "fx_$f"
  for p in "${BG[@]}"; do wait "$p" 2>/dev/null || true; done   # servers end by themselves
  BG=()
  ip netns del $DUT; ip netns del $PEER
done
echo "fixtures written to $OUT"
