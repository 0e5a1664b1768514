#!/bin/bash
# Recreate the client-side fixtures from scratch (run as root): a client behind a router, captured on
# the client with every offload left on, as a laptop's capture is.
#
# Usage: make-fixtures-client.sh [OUT_DIR] [FIXTURE...]   (FIXTURE: client_browse, client_midstream, router_any, loopback_lo,
#        loopback_mid, client_zerowindow, client_v6, client_v6_warm, client_refused, client_any, router_any6, router_any6_warm)
# Writes OUT_DIR/<name>.pcap, OUT_DIR/<name>.host.json,
#        OUT_DIR/truth/<name>.kfree_skb.txt, OUT_DIR/truth/<name>.nstat.txt
#
# Topology (fresh namespaces per fixture, removed on exit):
#   pc-cli  veth-cli 02:00:00:00:1c:01 10.88.1.2/24, default via 10.88.1.1   (the capturing host)
#   pc-rtr  veth-rc  02:00:00:00:1c:fe 10.88.1.1/24 | veth-rs 02:00:00:00:2c:fe 10.88.2.1/24, ip_forward=1
#   pc-srv  veth-srv 02:00:00:00:2c:02 10.88.2.2/24, default via 10.88.2.1: a UDP answerer on 53 and
#           a TCP server on 8080 (20,000 bytes for a request starting "GET", 10 bytes otherwise)
# Offloads are the veth defaults (checksum offload and TSO on); IPv6 is off (client_v6 turns it on:
# fd88:1::2/64 on the client, default via fd88:1::1; fd88:1::1 and fd88:2::1 on the router, forwarding;
# fd88:2::2 on the server, whose answerers then listen on [::] too). tcpdump runs on veth-cli
# inside pc-cli (router_any: tcpdump -i any in pc-rtr, Linux cooked v2). All traffic stays between the
# three namespaces.
# Needs: iproute2 (ip, nstat), tcpdump, python3, tracefs.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "must be run as root" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}; shift || true
mkdir -p "$OUT/truth"; OUT=$(cd "$OUT" && pwd)
ALL=(client_browse client_midstream router_any loopback_lo loopback_mid client_zerowindow client_v6 client_v6_warm client_refused client_any router_any6 router_any6_warm)
[ $# -gt 0 ] && SEL=("$@") || SEL=("${ALL[@]}")

cx() { ip netns exec pc-cli "$@"; }

answerers() {  # ADDRESS: the server's UDP answerer on 53 and TCP server on 8080, bound to ADDRESS (0.0.0.0 or
  # ::, which takes IPv4 too); its pid in BG_SERVER
  ip netns exec pc-srv $PY - "$1" <<'EOF' & BG+=($!)
import socket, sys, threading
bind = sys.argv[1]
family = socket.AF_INET6 if ':' in bind else socket.AF_INET
def udp():
    s = socket.socket(family, socket.SOCK_DGRAM); s.bind((bind, 53))
    while True:
        d, a = s.recvfrom(2048); s.sendto(b'answer:' + d, a)
def serve(c):
    while True:
        d = c.recv(4096)
        if not d: break
        c.sendall(b'x' * (20000 if d.startswith(b'GET') else 10))
    c.close()
threading.Thread(target=udp, daemon=True).start()
s = socket.socket(family); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((bind, 8080)); s.listen(8)
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
  BG_SERVER=$!
}

setup() {
  fresh_namespaces
  ip link add veth-cli netns pc-cli address 02:00:00:00:1c:01 type veth peer name veth-rc netns pc-rtr address 02:00:00:00:1c:fe
  ip link add veth-srv netns pc-srv address 02:00:00:00:2c:02 type veth peer name veth-rs netns pc-rtr address 02:00:00:00:2c:fe
  ip -n pc-cli addr add 10.88.1.2/24 dev veth-cli
  ip -n pc-rtr addr add 10.88.1.1/24 dev veth-rc
  ip -n pc-rtr addr add 10.88.2.1/24 dev veth-rs
  ip -n pc-srv addr add 10.88.2.2/24 dev veth-srv
  ip -n pc-cli link set veth-cli up; ip -n pc-rtr link set veth-rc up
  ip -n pc-rtr link set veth-rs up; ip -n pc-srv link set veth-srv up
  ip netns exec pc-rtr sysctl -qw net.ipv4.ip_forward=1
  ip -n pc-cli route add default via 10.88.1.1
  ip -n pc-srv route add default via 10.88.2.1
  sleep 1
  answerers 0.0.0.0
  for _ in $(seq 50); do ip netns exec pc-srv ss -H -ltn 'sport = :8080' | grep -q . && break; sleep 0.1; done
  # The client learns the router's MAC before the capture, as a laptop on its network has.
  cx ping -c 1 -W 1 10.88.1.1 >/dev/null
}

. "$HERE/capture.sh"
capture_session pktpath-client-fixtures pc-cli pc-rtr pc-srv
CAP_NS=pc-cli; CAP_IF=veth-cli

capture_when_ready() {  # NAME PID: once the client PID (in the background) wrote $WORK/ready, captures NAME
  # from $WORK/go, which lets it go on, to its end
  for _ in $(seq 100); do [ -f "$WORK/ready" ] && break; sleep 0.1; done
  start_capture "$1"
  touch "$WORK/go"; wait "$2" || true
  stop_capture "$1"
}

host_json() {  # name: the client's profile
  local n=$1
  # The UDP socket the client asked its name from (connected to the server's port 53), if it made one.
  local sockets=""
  [ -f "$WORK/udpport" ] && sockets=',
  "sockets": [ { "proto": "udp", "addr": "0.0.0.0", "port": '"$(cat "$WORK/udpport")"', "remote": "10.88.2.2:53" } ]'
  rm -f "$WORK/udpport"
  cat > "$OUT/$n.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "veth-cli", "driver": "veth", "mac": "02:00:00:00:1c:01", "mtu": 1500, "addresses": ["10.88.1.2/24"], "captured": true } ],
  "routes": [ { "dst": "default", "via": "10.88.1.1", "dev": "veth-cli" } ],
  "neighbours": [ { "ip": "10.88.1.1", "mac": "02:00:00:00:1c:fe", "dev": "veth-cli", "state": "reachable" } ]$sockets }
EOF
}

fx_client_browse() {  # a name lookup over UDP, then a 20,000-byte download
  start_capture client_browse
  cx $PY - "$WORK/udpport" <<'EOF'
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.connect(('10.88.2.2', 53))
open(sys.argv[1], 'w').write(str(u.getsockname()[1]))
u.send(b'www.example'); u.recv(2048); u.close()
c = socket.create_connection(('10.88.2.2', 8080)); c.sendall(b'GET / HTTP/1.0\r\n\r\n')
got = 0
while got < 20000: got += len(c.recv(65536))
c.close()
EOF
  stop_capture client_browse; host_json client_browse
}

fx_client_midstream() {  # the capture starts while a connection is open: three exchanges and the close
  cx $PY - "$WORK/ready" "$WORK/go" <<'EOF' & BG+=($!)
import os, socket, sys, time
c = socket.create_connection(('10.88.2.2', 8080)); c.sendall(b'ping'); c.recv(100)
open(sys.argv[1], 'w').close()
while not os.path.exists(sys.argv[2]): time.sleep(0.05)
for _ in range(3):
    c.sendall(b'ping'); c.recv(100); time.sleep(0.1)
c.close()
EOF
  capture_when_ready client_midstream $!
  host_json client_midstream
}

fx_client_zerowindow() {  # started while the client's receive window is closed: it connected to a sender on 9000 and
                          # reads nothing, the server's persist timer probes the window and the client answers
  ip netns exec pc-srv $PY - <<'EOF' & BG+=($!)
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', 9000)); s.listen(1)
c, _ = s.accept()
try:
    c.sendall(b'x' * 4_000_000)
except OSError:
    pass
EOF
  for _ in $(seq 50); do ip netns exec pc-srv ss -H -ltn 'sport = :9000' | grep -q . && break; sleep 0.1; done
  cx $PY - "$WORK/ready" "$WORK/go" <<'EOF' & BG+=($!)
import os, socket, sys, time
c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096); c.connect(('10.88.2.2', 9000))
time.sleep(1)
open(sys.argv[1], 'w').write(str(c.getsockname()[1]))
while not os.path.exists(sys.argv[2]): time.sleep(0.05)
time.sleep(2)
c.close()
EOF
  local client=$!
  for _ in $(seq 100); do [ -f "$WORK/ready" ] && break; sleep 0.1; done
  start_capture client_zerowindow
  sleep 1.5
  stop_capture client_zerowindow
  touch "$WORK/go"; wait "$client" || true
  # The client's profile with the connection it held when the capture began.
  cat > "$OUT/client_zerowindow.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "veth-cli", "driver": "veth", "mac": "02:00:00:00:1c:01", "mtu": 1500, "addresses": ["10.88.1.2/24"], "captured": true } ],
  "routes": [ { "dst": "default", "via": "10.88.1.1", "dev": "veth-cli" } ],
  "neighbours": [ { "ip": "10.88.1.1", "mac": "02:00:00:00:1c:fe", "dev": "veth-cli", "state": "reachable" } ],
  "sockets": [ { "proto": "tcp", "addr": "10.88.1.2", "port": $(cat "$WORK/ready"), "state": "established", "remote": "10.88.2.2:9000" } ] }
EOF
}

fx_router_any() {  # the router's view of every interface: a name lookup and a short exchange, forwarded
  CAP_NS=pc-rtr; CAP_IF=any
  TCPDUMP_ARGS="-y LINUX_SLL2"
  start_capture router_any
  cx $PY - <<'EOF'
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.connect(('10.88.2.2', 53)); u.send(b'www.example'); u.recv(2048); u.close()
c = socket.create_connection(('10.88.2.2', 8080)); c.sendall(b'ping'); c.recv(100); c.close()
EOF
  stop_capture router_any
  TCPDUMP_ARGS=""; CAP_NS=pc-cli; CAP_IF=veth-cli
  cat > "$OUT/router_any.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [
    { "name": "veth-rc", "driver": "veth", "mac": "02:00:00:00:1c:fe", "mtu": 1500, "addresses": ["10.88.1.1/24"], "captured": true, "ifindex": 2 },
    { "name": "veth-rs", "driver": "veth", "mac": "02:00:00:00:2c:fe", "mtu": 1500, "addresses": ["10.88.2.1/24"], "captured": true, "ifindex": 3 } ],
  "sysctl": { "net.ipv4.ip_forward": 1 } }
EOF
}

fx_loopback_lo() {  # the client talking to itself on lo: ping, a TCP exchange, a datagram to a closed port
  CAP_NS=pc-cli; CAP_IF=lo
  start_capture loopback_lo
  cx ping -c 1 -W 1 127.0.0.1 >/dev/null
  cx $PY - "$WORK/udpport" <<'EOF'
import socket, sys, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 8080)); s.listen(4)
def serve():
    c, _ = s.accept(); c.recv(100); c.sendall(b'ok\n'); c.close()
threading.Thread(target=serve, daemon=True).start()
c = socket.create_connection(('127.0.0.1', 8080)); c.sendall(b'hello'); c.recv(100); c.close()
time.sleep(0.2)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.sendto(b'x', ('127.0.0.1', 9999))
open(sys.argv[1], 'w').write(str(u.getsockname()[1])); time.sleep(0.2)
EOF
  stop_capture loopback_lo
  CAP_IF=veth-cli
  cat > "$OUT/loopback_lo.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "lo", "driver": "loopback", "mac": "00:00:00:00:00:00", "mtu": 65536, "addresses": ["127.0.0.1/8"], "captured": true } ],
  "sockets": [ { "proto": "tcp", "addr": "127.0.0.1", "port": 8080, "state": "listen" },
               { "proto": "udp", "addr": "0.0.0.0", "port": $(cat "$WORK/udpport") } ] }
EOF
  rm -f "$WORK/udpport"
}

fx_loopback_mid() {  # on lo, started while the client holds two connections to listeners of its own (127.0.0.1:8080,
                     # [::1]:8081): three exchanges on each, then the closes. The profile is what `pktpath host
                     # snapshot` gave before they opened: the listeners, no connection.
  CAP_NS=pc-cli; CAP_IF=lo
  cx sysctl -qw net.ipv6.conf.lo.disable_ipv6=0
  KFREE_FILTER="protocol == 2048 || protocol == 2054 || protocol == 34525"
  cx $PY - "$WORK/ready" "$WORK/go" <<'EOF' & BG+=($!)
import os, socket, sys, threading, time
def listen(family, addr, port):
    s = socket.socket(family); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((addr, port)); s.listen(4)
    def serve():
        c, _ = s.accept()
        while c.recv(100): c.sendall(b'pong')
        c.close()
    threading.Thread(target=serve, daemon=True).start()
listen(socket.AF_INET, '127.0.0.1', 8080); listen(socket.AF_INET6, '::', 8081)
cs = [socket.create_connection(('127.0.0.1', 8080)), socket.create_connection(('::1', 8081))]
for c in cs: c.sendall(b'ping'); c.recv(100)
open(sys.argv[1], 'w').close()
while not os.path.exists(sys.argv[2]): time.sleep(0.05)
for _ in range(3):
    for c in cs: c.sendall(b'ping'); c.recv(100)
    time.sleep(0.1)
for c in cs: c.close()
time.sleep(0.3)
EOF
  capture_when_ready loopback_mid $!
  unset KFREE_FILTER
  CAP_IF=veth-cli
  cat > "$OUT/loopback_mid.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "lo", "driver": "loopback", "mac": "00:00:00:00:00:00", "mtu": 65536, "addresses": ["127.0.0.1/8", "::1/128"], "captured": true } ],
  "sockets": [ { "proto": "tcp", "addr": "127.0.0.1", "port": 8080, "state": "listen" },
               { "proto": "tcp", "addr": "::", "port": 8081, "state": "listen" } ] }
EOF
}

ipv6_on() {  # IPv6 on in the three namespaces, with the addresses and routes of the header; the answerers on [::]
  local ns dev
  for ns in pc-cli pc-rtr pc-srv; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
    for dev in $(ip -n "$ns" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1); do
      ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=0"
    done
  done
  ip netns exec pc-rtr sysctl -qw net.ipv6.conf.all.forwarding=1
  ip -n pc-cli addr add fd88:1::2/64 dev veth-cli nodad
  ip -n pc-rtr addr add fd88:1::1/64 dev veth-rc nodad
  ip -n pc-rtr addr add fd88:2::1/64 dev veth-rs nodad
  ip -n pc-srv addr add fd88:2::2/64 dev veth-srv nodad
  ip -n pc-cli -6 route add default via fd88:1::1
  ip -n pc-srv -6 route add default via fd88:2::1
  # The answerers again, on [::] (taking IPv4 too), once the server has its IPv6 address.
  kill "$BG_SERVER"; wait "$BG_SERVER" 2>/dev/null || true
  answerers ::
  for _ in $(seq 50); do ip netns exec pc-srv ss -H -ltn 'sport = :8080' | grep -q . && break; sleep 0.1; done
}

host_json6() {  # NAME [NEIGHBOURS] [MORE]: the client's profile with IPv6 on (addresses, the default route via
  # the router); NEIGHBOURS are entries after the router's IPv4 one, MORE keys after them (",\n  " first)
  cat > "$OUT/$1.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "veth-cli", "driver": "veth", "mac": "02:00:00:00:1c:01", "mtu": 1500,
                    "addresses": ["10.88.1.2/24", "fd88:1::2/64", "fe80::ff:fe00:1c01/64"], "captured": true } ],
  "routes": [ { "dst": "default", "via": "10.88.1.1", "dev": "veth-cli" }, { "dst": "default", "via": "fd88:1::1", "dev": "veth-cli" } ],
  "neighbours": [ { "ip": "10.88.1.1", "mac": "02:00:00:00:1c:fe", "dev": "veth-cli", "state": "reachable" }${2:-} ]${3:-} }
EOF
}

fx_client_v6() {  # over IPv6 through the router: two pings, pings that expire (and one over IPv4), a name
                  # lookup over UDP, a 20,000-byte download
  ipv6_on
  # Link-local addresses, their duplicate address detection and MLD reports are over before the capture.
  sleep 2
  KFREE_FILTER="protocol == 2048 || protocol == 2054 || protocol == 34525"
  start_capture client_v6
  cx ping -6 -c 2 -i 0.2 -W 1 fd88:2::2 >/dev/null
  # A ping the router cannot pass on (hop limit, TTL 1), over each protocol: its time exceeded goes to the
  # ping's raw socket.
  cx ping -6 -c 1 -t 1 -W 1 fd88:2::2 >/dev/null || true
  cx ping -4 -c 1 -t 1 -W 1 10.88.2.2 >/dev/null || true
  cx $PY - "$WORK/udpport" <<'EOF'
import socket, sys
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.connect(('fd88:2::2', 53))
open(sys.argv[1], 'w').write(str(u.getsockname()[1]))
u.send(b'www.example'); u.recv(2048); u.close()
c = socket.create_connection(('fd88:2::2', 8080)); c.sendall(b'GET / HTTP/1.0\r\n\r\n')
got = 0
while got < 20000: got += len(c.recv(65536))
c.close()
EOF
  stop_capture client_v6; unset KFREE_FILTER
  host_json6 client_v6 "" ',
  "sockets": [ { "proto": "udp", "addr": "::", "port": '"$(cat "$WORK/udpport")"' } ]'
  rm -f "$WORK/udpport"
}

fx_client_v6_warm() {  # over IPv6 through the router with the router already resolved (a ping before the capture):
                       # no packet of the router's own in the capture; two pings and a short TCP exchange
  ipv6_on
  sleep 2
  cx ping -6 -c 1 -W 1 fd88:2::2 >/dev/null
  KFREE_FILTER="protocol == 2048 || protocol == 2054 || protocol == 34525"
  start_capture client_v6_warm
  cx ping -6 -c 2 -i 0.2 -W 1 fd88:2::2 >/dev/null
  cx $PY - <<'EOF'
import socket
c = socket.create_connection(('fd88:2::2', 8080)); c.sendall(b'ping'); c.recv(100); c.close()
EOF
  stop_capture client_v6_warm; unset KFREE_FILTER
  host_json6 client_v6_warm ',
                  { "ip": "fd88:1::1", "mac": "02:00:00:00:1c:fe", "dev": "veth-cli", "state": "reachable" }'
}

fx_client_refused() {  # connections refused: the client connects to a port nothing listens on at the server, over
                       # IPv4 and IPv6; the server's kernel answers each SYN with a RST
  ipv6_on
  sleep 2
  KFREE_FILTER="protocol == 2048 || protocol == 2054 || protocol == 34525"
  start_capture client_refused
  cx $PY - <<'EOF'
import socket
for addr in ('10.88.2.2', 'fd88:2::2'):
    try:
        socket.create_connection((addr, 8081), timeout=1).close()
    except ConnectionRefusedError:
        pass
EOF
  stop_capture client_refused; unset KFREE_FILTER
  host_json6 client_refused
}

fx_client_any() {  # the client's tcpdump -i any (Linux cooked v2): a ping over each protocol, a name lookup
  ipv6_on
  sleep 2
  CAP_IF=any; TCPDUMP_ARGS="-y LINUX_SLL2"
  KFREE_FILTER="protocol == 2048 || protocol == 2054 || protocol == 34525"
  start_capture client_any
  cx ping -4 -c 1 -W 1 10.88.2.2 >/dev/null
  cx ping -6 -c 1 -W 1 fd88:2::2 >/dev/null
  cx $PY - "$WORK/udpport" <<'EOF'
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.connect(('10.88.2.2', 53))
open(sys.argv[1], 'w').write(str(u.getsockname()[1]))
u.send(b'www.example'); u.recv(2048); u.close()
EOF
  stop_capture client_any; unset KFREE_FILTER
  TCPDUMP_ARGS=""; CAP_IF=veth-cli
  local index
  index=$(ip -n pc-cli -j link show veth-cli | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])')
  cat > "$OUT/client_any.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "veth-cli", "driver": "veth", "mac": "02:00:00:00:1c:01", "mtu": 1500, "ifindex": $index,
                    "addresses": ["10.88.1.2/24", "fd88:1::2/64", "fe80::ff:fe00:1c01/64"], "captured": true } ],
  "routes": [ { "dst": "default", "via": "10.88.1.1", "dev": "veth-cli" }, { "dst": "default", "via": "fd88:1::1", "dev": "veth-cli" } ],
  "neighbours": [ { "ip": "10.88.1.1", "mac": "02:00:00:00:1c:fe", "dev": "veth-cli", "state": "reachable" } ],
  "sockets": [ { "proto": "udp", "addr": "0.0.0.0", "port": $(cat "$WORK/udpport"), "remote": "10.88.2.2:53" } ] }
EOF
  rm -f "$WORK/udpport"
}

router_json6() {  # NAME [KEYS]: the router's profile with IPv6 on (both interfaces, forwarding), its interface
  # indexes read; KEYS (newline first, comma after) go before its sysctls
  local rc rs
  rc=$(ip -n pc-rtr -j link show veth-rc | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])')
  rs=$(ip -n pc-rtr -j link show veth-rs | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])')
  cat > "$OUT/$1.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [
    { "name": "veth-rc", "driver": "veth", "mac": "02:00:00:00:1c:fe", "mtu": 1500, "ifindex": $rc, "captured": true,
      "addresses": ["10.88.1.1/24", "fd88:1::1/64", "fe80::ff:fe00:1cfe/64"] },
    { "name": "veth-rs", "driver": "veth", "mac": "02:00:00:00:2c:fe", "mtu": 1500, "ifindex": $rs, "captured": true,
      "addresses": ["10.88.2.1/24", "fd88:2::1/64", "fe80::ff:fe00:2cfe/64"] } ],${2:-}
  "sysctl": { "net.ipv4.ip_forward": 1, "net.ipv6.conf.all.forwarding": 1 } }
EOF
}

fx_router_any6_warm() {  # the router's tcpdump -i any over IPv6 with every neighbour resolved before it (a ping
                         # through it first): it forwards the client's two pings and a name lookup to the server's
                         # UDP 53 and sends nothing of its own, so no packet shows its addresses
  ipv6_on
  sleep 2
  cx ping -6 -c 1 -W 1 fd88:2::2 >/dev/null
  CAP_NS=pc-rtr; CAP_IF=any; TCPDUMP_ARGS="-y LINUX_SLL2"
  KFREE_FILTER="protocol == 2048 || protocol == 2054 || protocol == 34525"
  start_capture router_any6_warm
  cx ping -6 -c 2 -i 0.2 -W 1 fd88:2::2 >/dev/null
  cx $PY - <<'EOF'
import socket
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.connect(('fd88:2::2', 53)); u.send(b'www.example'); u.recv(2048); u.close()
EOF
  stop_capture router_any6_warm; unset KFREE_FILTER
  TCPDUMP_ARGS=""; CAP_NS=pc-cli; CAP_IF=veth-cli
  router_json6 router_any6_warm '
  "neighbours": [ { "ip": "fd88:1::2", "mac": "02:00:00:00:1c:01", "dev": "veth-rc", "state": "reachable" },
                  { "ip": "fd88:2::2", "mac": "02:00:00:00:2c:02", "dev": "veth-rs", "state": "reachable" } ],'
}

fx_router_any6() {  # the router's tcpdump -i any over IPv6: the client's two pings and a 20,000-byte download,
                   # which the server sends with TSO (GSO packets over the MTU reach the router whole)
  ipv6_on
  sleep 2
  # A larger buffer: the download's bursts outran tcpdump's default one on a busy machine.
  CAP_NS=pc-rtr; CAP_IF=any; TCPDUMP_ARGS="-y LINUX_SLL2 -B 16384"
  KFREE_FILTER="protocol == 2048 || protocol == 2054 || protocol == 34525"
  start_capture router_any6
  cx ping -6 -c 2 -i 0.2 -W 1 fd88:2::2 >/dev/null
  cx $PY - <<'EOF'
import socket
c = socket.create_connection(('fd88:2::2', 8080)); c.sendall(b'GET / HTTP/1.0\r\n\r\n')
got = 0
while got < 20000: got += len(c.recv(65536))
c.close()
EOF
  stop_capture router_any6; unset KFREE_FILTER
  TCPDUMP_ARGS=""; CAP_NS=pc-cli; CAP_IF=veth-cli
  router_json6 router_any6
}

for n in "${SEL[@]}"; do
  setup
  "fx_$n"
  for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; done; BG=()
done
