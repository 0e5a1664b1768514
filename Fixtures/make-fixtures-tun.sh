#!/bin/bash
# Recreate the capture of a tun device (run as root): `tcpdump -i` on a tun device alone writes raw IP
# (LINKTYPE_RAW), as a capture on a VPN client's tun0 does.
#
# Usage: make-fixtures-tun.sh [OUT_DIR]
# Writes OUT_DIR/tun_raw.pcap, OUT_DIR/tun_raw.host.json,
#        OUT_DIR/truth/tun_raw.kfree_skb.txt, OUT_DIR/truth/tun_raw.nstat.txt, OUT_DIR/truth/tun_raw.link.txt
#
# Topology (fresh namespaces, removed on exit):
#   ptu-h  ptu-th 10.97.0.1/24 fd00:97::1/64, a tun device (IFF_TUN | IFF_NO_PI) whose file descriptor
#          a relay joins to ptu-tp in ptu-p (a point-to-point wire made of two tun devices)   (the host)
#   ptu-p  ptu-tp 10.97.0.2/24 fd00:97::2/64, a TCP server on 8080 answering 'ok' on IPv4 and IPv6
# Addresses without duplicate address detection, no router solicitations. All traffic stays between
# the two namespaces.
# Needs: iproute2 (ip, nstat), tcpdump, python3, tracefs, /dev/net/tun.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "must be run as root" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
mkdir -p "$OUT/truth"; OUT=$(cd "$OUT" && pwd)
. "$HERE/capture.sh"
capture_session pktpath-tun-fixtures ptu-h ptu-p

hx() { ip netns exec ptu-h "$@"; }
px() { ip netns exec ptu-p "$@"; }

for ns in ptu-h ptu-p; do
  ip netns del $ns 2>/dev/null || true
  ip netns add $ns
  ip -n $ns link set lo up
  ip netns exec $ns sysctl -qw net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.default.router_solicitations=0 \
    net.ipv6.conf.all.accept_ra=0
done
ip -n ptu-h tuntap add dev ptu-th mode tun
ip -n ptu-p tuntap add dev ptu-tp mode tun
ip -n ptu-h addr add 10.97.0.1/24 dev ptu-th
ip -n ptu-h addr add fd00:97::1/64 dev ptu-th nodad
ip -n ptu-p addr add 10.97.0.2/24 dev ptu-tp
ip -n ptu-p addr add fd00:97::2/64 dev ptu-tp nodad
# The relay (tun-relay.py): each side opens its namespace's tun device; packets cross over a socket pair.
hx $PY "$HERE/tun-relay.py" main ptu-th ptu-p ptu-tp & BG+=($!)
sleep 1
ip -n ptu-h link set ptu-th up; ip -n ptu-p link set ptu-tp up
# Multicast listener reports and the like that link-up sends are over before the capture starts.
sleep 3
px $PY - <<'PYEOF' & BG+=($!)
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
for _ in $(seq 50); do px ss -H -ltn 'sport = :8080' | grep -q '\[::\]' && break; sleep 0.1; done

CAP_NS=ptu-h; CAP_IF=ptu-th
KFREE_FILTER='protocol == 2048 || protocol == 34525'

exchange() {  # address port: 'hello' over TCP, the answer read, closed
  hx $PY - "$1" "$2" <<'PYEOF'
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2]))); c.sendall(b'hello'); c.recv(64); c.close()
PYEOF
}

start_capture tun_raw
hx ping -c 1 -W 1 10.97.0.2 >/dev/null
hx ping -6 -c 1 -W 1 fd00:97::2 >/dev/null
exchange 10.97.0.2 8080
exchange fd00:97::2 8080
# The peer to the host's closed ports: a UDP datagram (port unreachable) and a TCP SYN (reset).
px $PY - <<'PYEOF'
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.sendto(b'x', ('10.97.0.1', 9999))
try:
    socket.create_connection(('10.97.0.1', 9), timeout=1)
except OSError:
    pass
PYEOF
sleep 0.5
stop_capture tun_raw
# The relay's two sides outlive the jobs that started them: end what runs in these namespaces.
kill $(ip netns pids ptu-h) $(ip netns pids ptu-p) 2>/dev/null || true

cat > "$OUT/tun_raw.host.json" <<JSON
{ "kernel": "6.1",
  "interfaces": [
    { "name": "ptu-th", "driver": "tun", "mtu": 1500, "addresses": ["10.97.0.1/24", "fd00:97::1/64"], "captured": true } ],
  "sysctl": { "net.ipv4.ip_forward": 0 } }
JSON
