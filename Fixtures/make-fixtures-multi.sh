#!/bin/bash
# Recreate the capture of several interfaces (run as root): a host with an Ethernet (veth) interface, a
# tun device (no link-layer header: LINKTYPE_RAW) and lo, captured on all three at once by dumpcap into
# one pcapng whose interfaces differ in link type, as `dumpcap -i eth0 -i wg0 -i lo` writes.
#
# Usage: make-fixtures-multi.sh [OUT_DIR]
# Writes OUT_DIR/multi_if.pcapng, OUT_DIR/multi_if.host.json,
#        OUT_DIR/truth/multi_if.kfree_skb.txt, OUT_DIR/truth/multi_if.nstat.txt
#
# Topology (fresh namespaces, removed on exit):
#   pc-mh  veth-mh 02:00:00:00:3c:01 10.89.1.1/24 fd00:89:1::1/64      (the capturing host)
#          tun-mh  10.89.2.1/24 fd00:89:2::1/64, a tun device whose file descriptor a relay joins to
#                  tun-mp in pc-mp (a point-to-point wire made of two tun devices)
#          lo      127.0.0.1, ::1, a TCP server on [::1]:8081 answering 'ok'
#   pc-mp  veth-mp 02:00:00:00:3c:02 10.89.1.2/24 fd00:89:1::2/64, tun-mp 10.89.2.2/24 fd00:89:2::2/64,
#          a TCP server on 8080 answering 'ok' on IPv4 and IPv6
# Addresses are added without duplicate address detection, router solicitations are off, and
# neighbours are not resolved before the capture (the first pings resolve them: ARP on IPv4, neighbour
# discovery on IPv6). All traffic stays between the two namespaces.
# Needs: iproute2 (ip, nstat), dumpcap (wireshark-common), tshark, python3, tracefs, /dev/net/tun.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "must be run as root" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
mkdir -p "$OUT/truth"; OUT=$(cd "$OUT" && pwd)
. "$HERE/capture.sh"
capture_session pktpath-multi-fixtures pc-mh pc-mp

hx() { ip netns exec pc-mh "$@"; }

for ns in pc-mh pc-mp; do
  ip netns del $ns 2>/dev/null || true
  ip netns add $ns
  ip -n $ns link set lo up
  # No router solicitations or autoconfiguration: only the traffic below.
  ip netns exec $ns sysctl -qw net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.default.router_solicitations=0 \
    net.ipv6.conf.all.accept_ra=0
done
ip link add veth-mh netns pc-mh address 02:00:00:00:3c:01 type veth peer name veth-mp netns pc-mp address 02:00:00:00:3c:02
ip -n pc-mh addr add 10.89.1.1/24 dev veth-mh
ip -n pc-mh addr add fd00:89:1::1/64 dev veth-mh nodad
ip -n pc-mp addr add 10.89.1.2/24 dev veth-mp
ip -n pc-mp addr add fd00:89:1::2/64 dev veth-mp nodad
ip -n pc-mh link set veth-mh up; ip -n pc-mp link set veth-mp up
ip -n pc-mh tuntap add dev tun-mh mode tun
ip -n pc-mp tuntap add dev tun-mp mode tun
ip -n pc-mh addr add 10.89.2.1/24 dev tun-mh
ip -n pc-mh addr add fd00:89:2::1/64 dev tun-mh nodad
ip -n pc-mp addr add 10.89.2.2/24 dev tun-mp
ip -n pc-mp addr add fd00:89:2::2/64 dev tun-mp nodad
# The relay (tun-relay.py): each side opens its namespace's tun device; packets cross over a socket pair.
ip netns exec pc-mh $PY "$HERE/tun-relay.py" main tun-mh pc-mp tun-mp & BG+=($!)
sleep 1
ip -n pc-mh link set tun-mh up; ip -n pc-mp link set tun-mp up
ip netns exec pc-mh $PY - <<'PYEOF' & BG+=($!)
import socket
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('::1', 8081)); s.listen(8)
while True:
    c, _ = s.accept(); c.recv(64); c.sendall(b'ok'); c.close()
PYEOF
# Multicast listener reports and the like that link-up sends are over before the capture starts.
sleep 3
ip netns exec pc-mp $PY - <<'PYEOF' & BG+=($!)
import socket, threading
def serve(family, addr):
    s = socket.socket(family); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, 8080)); s.listen(8)
    while True:
        c, _ = s.accept(); c.recv(64); c.sendall(b'ok'); c.close()
threading.Thread(target=serve, args=(socket.AF_INET6, '::'), daemon=True).start()
serve(socket.AF_INET, '0.0.0.0')
PYEOF
for _ in $(seq 50); do ip netns exec pc-mp ss -H -ltn 'sport = :8080' | grep -q '\[::\]' && break; sleep 0.1; done

CAP_NS=pc-mh; CAP_IF="veth-mh tun-mh lo"; CAP_DUMPCAP=1
# IPv4, ARP and IPv6
KFREE_FILTER='protocol == 2048 || protocol == 2054 || protocol == 34525'

exchange() {  # address port: 'hello' over TCP, the answer read, closed
  hx $PY - "$1" "$2" <<'PYEOF'
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2]))); c.sendall(b'hello'); c.recv(64); c.close()
PYEOF
}

start_capture multi_if
hx ping -c 1 -W 1 10.89.1.2 >/dev/null
hx ping -6 -c 1 -W 1 fd00:89:1::2 >/dev/null
exchange 10.89.1.2 8080
hx ping -c 1 -W 1 10.89.2.2 >/dev/null
hx ping -6 -c 1 -W 1 fd00:89:2::2 >/dev/null
exchange fd00:89:2::2 8080
hx ping -c 1 -W 1 127.0.0.1 >/dev/null
exchange ::1 8081
stop_capture multi_if

cat > "$OUT/multi_if.host.json" <<JSON
{ "kernel": "6.1",
  "interfaces": [
    { "name": "veth-mh", "driver": "veth", "mac": "02:00:00:00:3c:01", "mtu": 1500,
      "addresses": ["10.89.1.1/24", "fd00:89:1::1/64"], "captured": true },
    { "name": "tun-mh", "driver": "tun", "mtu": 1500,
      "addresses": ["10.89.2.1/24", "fd00:89:2::1/64"], "captured": true },
    { "name": "lo", "driver": "loopback", "mac": "00:00:00:00:00:00", "mtu": 65536,
      "addresses": ["127.0.0.1/8", "::1/128"], "captured": true } ],
  "sockets": [ { "proto": "tcp", "addr": "::", "port": 8081, "state": "listen" } ],
  "sysctl": { "net.ipv4.ip_forward": 0 } }
JSON
