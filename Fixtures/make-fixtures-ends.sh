#!/bin/bash
# Record the veth-ends fixtures: the same traffic between a client and a server namespace, captured
# on the client's end and on the server's end of one veth pair at once (run as root), for host
# inference (issue 10: which end took a veth capture).
#
# Usage: make-fixtures-ends.sh [OUT_DIR]
# Writes OUT_DIR/ends_{client,server,any}.pcap (offloads on: the veth defaults) and
# OUT_DIR/ends_bulk_{client,server}.pcap (offloads off).
#
# Namespaces pin-c (pin-c0, 02:00:00:00:71:01, 10.91.0.1/24, fd00:91::1/64: the client) and pin-s
# (pin-s0, 02:00:00:00:71:02, 10.91.0.2/24, fd00:91::2/64: python3 -m http.server on [::]:8080).
# IPv6 addresses without duplicate address detection, no router solicitations, neighbours unresolved.
#   ends_*: offloads on (TX checksum, TSO, GSO): one ping and one ping -6 from the client, then an
#           HTTP GET of a 15-byte page over IPv4 and over IPv6 (curl). ends_client.pcap is tcpdump on
#           pin-c0, ends_server.pcap on pin-s0 (the same frames byte for byte), ends_any.pcap
#           tcpdump -i any in pin-c (Linux cooked v2).
#   ends_bulk_*: offloads off on both ends: one HTTP GET of a 30000-byte file over IPv4.
# All traffic stays between the two namespaces; everything made here is removed on exit.
# Needs: iproute2, ethtool, tcpdump, python3, curl, ping.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "must be run as root" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
C=pin-c; S=pin-s
WORK=$(mktemp -d)
BG=()

cleanup() {
  set +e
  for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
  ip netns del $C 2>/dev/null; ip netns del $S 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

cx() { ip netns exec $C "$@"; }
sx() { ip netns exec $S "$@"; }

# setup OFFLOADS(on|off): fresh namespaces, the veth pair, the server.
setup() {
  ip netns del $C 2>/dev/null || true; ip netns del $S 2>/dev/null || true
  ip netns add $C; ip netns add $S
  for ns in $C $S; do
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
      net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0
    ip -n $ns link set lo up
  done
  ip link add pin-c0 netns $C address 02:00:00:00:71:01 mtu 1500 type veth \
     peer name pin-s0 netns $S address 02:00:00:00:71:02 mtu 1500
  ip -n $C addr add 10.91.0.1/24 dev pin-c0; ip -n $S addr add 10.91.0.2/24 dev pin-s0
  ip -n $C addr add fd00:91::1/64 dev pin-c0 nodad; ip -n $S addr add fd00:91::2/64 dev pin-s0 nodad
  if [ "$1" = off ]; then
    cx ethtool -K pin-c0 tx off rx off gso off tso off gro off >/dev/null
    sx ethtool -K pin-s0 tx off rx off gso off tso off gro off >/dev/null
  fi
  ip -n $C link set pin-c0 up; ip -n $S link set pin-s0 up
  sleep 2   # the link-up MLD reports pass before the capture
  sx python3 -m http.server 8080 --bind :: --directory "$WORK" >/dev/null 2>&1 & BG+=($!)
  for _ in $(seq 50); do sx ss -Hltn 'sport = :8080' | grep -q . && break; sleep 0.1; done
}

# capture NAME... : one tcpdump per "NAME:NS:DEV"; stop with stop_captures.
CAPS=()
capture() {
  CAPS=()
  for spec in "$@"; do
    IFS=: read -r name ns dev <<<"$spec"
    ip netns exec "$ns" tcpdump -i "$dev" -U --immediate-mode --time-stamp-precision=nano -w "$OUT/$name.pcap" 2>/dev/null &
    CAPS+=($!)
  done
  sleep 1
}
stop_captures() { sleep 0.5; kill "${CAPS[@]}"; wait "${CAPS[@]}" 2>/dev/null || true; }

echo "pktpath" > "$WORK/index.html"
head -c 30000 /dev/zero | tr '\0' 'x' > "$WORK/bulk.txt"

setup on
capture ends_client:$C:pin-c0 ends_server:$S:pin-s0 ends_any:$C:any
cx ping -c 1 10.91.0.2 >/dev/null
cx ping -6 -c 1 fd00:91::2 >/dev/null
cx curl -s http://10.91.0.2:8080/ >/dev/null
cx curl -s 'http://[fd00:91::2]:8080/' >/dev/null
stop_captures
kill "${BG[@]}"; BG=()

setup off
capture ends_bulk_client:$C:pin-c0 ends_bulk_server:$S:pin-s0
cx curl -s http://10.91.0.2:8080/bulk.txt >/dev/null
stop_captures
for f in ends_client ends_server ends_any ends_bulk_client ends_bulk_server; do
  echo "$f: $(tcpdump -r "$OUT/$f.pcap" 2>/dev/null | wc -l) frames"
done
