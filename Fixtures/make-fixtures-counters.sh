#!/bin/bash
# Recreate the counter fixtures from scratch (run as root): scenarios whose truth is the capturing
# kernel's own counters, nstat's (SNMP) and ip -s -s link's (per device).
#
# Usage: make-fixtures-counters.sh [OUT_DIR] [FIXTURE...]   (FIXTURE: transfer, closed, forward, embryonic, icmp,
#        ipv6_off, frag, pmtu, badhdr, rp_filter, loopback, synretrans, synackretrans, syncookies, fastretrans, rto, frto, twreuse)
# Writes OUT_DIR/ctr_<name>.pcap, OUT_DIR/ctr_<name>.host.json, OUT_DIR/truth/ctr_<name>.kfree_skb.txt,
#        OUT_DIR/truth/ctr_<name>.nstat.txt, OUT_DIR/truth/ctr_<name>.link.txt
#
# Namespaces (fresh per fixture, removed on exit): pk-cdut, the capturing host, with veth-dut
# (02:00:00:00:0d:00, 10.77.0.1/24) to pk-cpeer's veth-peer (02:00:00:00:0e:00, 10.77.0.2/24); for
# forward also veth-dut2 (02:00:00:00:0d:01, 10.78.0.1/24) to pk-cfar's veth-far (02:00:00:00:0f:01,
# 10.78.0.2/24). Offloads off, IPv6 off, icmp_ratelimit=0 in pk-cdut. tcpdump runs in pk-cdut on
# veth-dut (forward: -i any, Linux cooked v2). All traffic stays between the namespaces.
#   transfer  a TCP connection: ARP, handshake, 20,000 bytes to the host and 6,000 back, both closes
#   closed    a SYN to a closed port (RST), a datagram to a closed port (port unreachable), frames to
#             another host's MAC (rx_otherhost_dropped), an echo request answered
#   forward   the host forwards pings and a TCP exchange between pk-cpeer and pk-cfar
#   embryonic a SYN crafted with scapy in pk-cpeer to the host's listener: pk-cpeer's kernel, which
#             has no socket for it, answers the SYN-ACK with a RST, ending the request socket
#   icmp      a connection to the host's server, which sends 6 bytes; then two host unreachables from
#             pk-cpeer (scapy) quoting the host's segment: one at snd_una (in window), one 100,000
#             bytes beyond snd_nxt (TcpExtOutOfWindowIcmps)
#   ipv6_off  three IPv6 echo requests crafted in pk-cpeer (IPv6 is off in pk-cdut): to the host's MAC,
#             to another MAC, to the host's MAC again
#   frag      two pings of 3,000 bytes: fragments reassembled by the host, its replies fragmented
#   pmtu      the host forwards to pk-cfar over a 1,280-byte MTU: a 1,328-byte ping without DF (the host
#             fragments it) and one with DF (the host answers fragmentation needed); captured on veth-dut
#   badhdr    frames crafted in pk-cpeer: a bad IP checksum, an IHL of 4, a total length beyond the
#             frame, a SYN and a datagram with bad checksums, then a good echo request
#   rp_filter strict reverse-path filtering on veth-dut: echo requests from a source routed through
#             veth-dut2, from one with no route back, then a good one (craft-state.py rp-filter)
#   loopback  the host talking to itself on lo (captured there): two pings and a TCP exchange
#   synretrans the host connects to pk-cpeer's server, which has no route back for the first 0.5 s (a
#             blackhole route: no SYN-ACK leaves); the host's retransmission timer sends the SYN again
#             after 1 s, and the handshake and a short exchange follow
#   synackretrans a SYN crafted with scapy in pk-cpeer from 10.77.0.3 (an address no namespace owns) to
#             the host's server: nothing answers the SYN-ACK, so the host's request socket timer sends it
#             again after 1 s; 1.6 s after the SYN scapy's data completes the handshake, then a RST ends it
#   fastretrans the host uploads 100,000 bytes to a server in pk-cfar through pk-cpeer, which routes
#             between them and queues towards pk-cfar behind a 20 Mbit/s htb class with a 10-packet pfifo:
#             the queue overflows, the server's ACKs carry SACK blocks, the host retransmits
#   rto       the host sends 100 bytes to pk-cpeer's server, then 7,000 while pk-cpeer's route back is a
#             blackhole (its ACKs never leave) for 1.5 s: loss probe, retransmission timer, then the ACKs
#             of data that had arrived all along, with D-SACKs of the copies
#   frto      rto with the host's TCP timestamps off (net.ipv4.tcp_timestamps=0): the ACK after the
#             timeouts can only prove them spurious by F-RTO (never-retransmitted data acknowledged)
#   syncookies a SYN flood in small: net.core.somaxconn=2 in pk-cdut before its server listens, so its
#             SYN queue holds two request sockets; five SYNs crafted with scapy from 10.77.0.3 (an address
#             no namespace owns: nothing answers the SYN-ACKs) fill it, and the last three are answered
#             with SYN cookies (TcpExtTCPReqQFullDoCookies, TcpExtSyncookiesSent), keeping no state
#   twreuse   with net.ipv4.tcp_tw_reuse=1 the host connects to pk-cpeer's server from 10.77.0.1:40090 and
#             closes first (TIME_WAIT), then connects again from the same port 1.5 s later (TWRecycled)
# NS_PREFIX (default pk-c) names the namespaces NS_PREFIXdut, NS_PREFIXpeer and NS_PREFIXfar, and the
# tracefs instance, so that two recordings can run side by side.
# Needs: iproute2 (ip, nstat), ethtool, tcpdump, Debian python3 + python3-scapy, tracefs.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "must be run as root" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}; shift || true
mkdir -p "$OUT/truth"; OUT=$(cd "$OUT" && pwd)
ALL=(transfer closed forward embryonic icmp ipv6_off frag pmtu badhdr rp_filter loopback synretrans synackretrans syncookies fastretrans rto frto twreuse)
[ $# -gt 0 ] && SEL=("$@") || SEL=("${ALL[@]}")
CRAFT="$HERE/craft.py"
NS=${NS_PREFIX:-pk-c}; DUT=${NS}dut; PEER=${NS}peer; FAR=${NS}far
DUT_MAC=02:00:00:00:0d:00; PEER_MAC=02:00:00:00:0e:00; DUT2_MAC=02:00:00:00:0d:01; FAR_MAC=02:00:00:00:0f:01
DUT_IP=10.77.0.1; PEER_IP=10.77.0.2; DUT2_IP=10.78.0.1; FAR_IP=10.78.0.2

. "$HERE/netns.sh"
. "$HERE/capture.sh"
capture_session pktpath-counter-fixtures-$NS $DUT $PEER $FAR
PY=/usr/bin/python3
CAP_NS=$DUT; CAP_IF=veth-dut
# add_far (netns.sh) with the DUT forwarding between the peer and the far namespace.
add_far_forwarding() {
  add_far 1500
  dx sysctl -qw net.ipv4.ip_forward=1
}

ifindex() { ip -n $DUT -j link show "$1" | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])'; }

# A TCP server on 8080 in the namespace that $1 (fx, px) runs commands in: it answers one request
# with "pong", then closes; returns once it listens.
pong_server() {
  "$1" $PY - <<'EOF' & BG+=($!)
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8080)); s.listen(4)
s.settimeout(20)
c, _ = s.accept(); c.settimeout(5); c.recv(100); c.sendall(b"pong\n"); c.close()
time.sleep(3); s.close()
EOF
  for _ in $(seq 50); do "$1" ss -H -n -l -t "sport = :8080" | grep -q . && break; sleep 0.1; done
}

fx_transfer() {
  dx $PY - <<'EOF' & BG+=($!)
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8080)); s.listen(4)
s.settimeout(20)
c, _ = s.accept(); c.settimeout(5)
got = 0
while True:
    d = c.recv(65536)
    if not d: break
    got += len(d)
c.sendall(b"r" * 6000); c.close()
time.sleep(3); s.close()
EOF
  wait_listen t 8080
  start_capture ctr_transfer
  px $PY - <<'EOF'
import socket
c = socket.socket(); c.bind(("10.77.0.2", 40010)); c.settimeout(5); c.connect(("10.77.0.1", 8080))
c.sendall(b"s" * 20000); c.shutdown(socket.SHUT_WR)
while c.recv(65536): pass
c.close()
EOF
  stop_capture ctr_transfer
  cat > "$OUT/ctr_transfer.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "veth-dut", "driver": "veth", "mac": "$DUT_MAC", "mtu": 1500, "addresses": ["$DUT_IP/24"], "captured": true } ],
  "sockets": [ { "proto": "tcp", "addr": "0.0.0.0", "port": 8080, "state": "listen" } ],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0 } }
EOF
}

fx_closed() {
  static_neigh
  start_capture ctr_closed
  px $PY "$CRAFT" tcp-closed
  px $PY -c 'import socket,time; u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.bind(("10.77.0.2",40020)); u.sendto(b"closed port\n",("10.77.0.1",9)); time.sleep(0.3)'
  px $PY "$CRAFT" otherhost
  stop_capture ctr_closed
  dut_host ctr_closed '[]'
}

fx_forward() {
  add_far_forwarding
  static_neigh
  dx ip neigh replace $FAR_IP lladdr $FAR_MAC dev veth-dut2 nud permanent
  fx ip neigh replace $DUT2_IP lladdr $DUT2_MAC dev veth-far nud permanent
  pong_server fx
  CAP_IF=any; TCPDUMP_ARGS="-y LINUX_SLL2"
  start_capture ctr_forward
  px ping -n -c 2 -i 0.2 $FAR_IP
  px $PY -c 'import socket; c=socket.create_connection(("10.78.0.2",8080)); c.sendall(b"ping\n"); c.recv(100); c.close()'
  stop_capture ctr_forward
  CAP_IF=veth-dut; TCPDUMP_ARGS=""
  cat > "$OUT/ctr_forward.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [
    { "name": "veth-dut", "driver": "veth", "mac": "$DUT_MAC", "mtu": 1500, "addresses": ["$DUT_IP/24"], "captured": true, "ifindex": $(ifindex veth-dut) },
    { "name": "veth-dut2", "driver": "veth", "mac": "$DUT2_MAC", "mtu": 1500, "addresses": ["$DUT2_IP/24"], "captured": true, "ifindex": $(ifindex veth-dut2) } ],
  "neighbours": [ { "ip": "$PEER_IP", "mac": "$PEER_MAC", "dev": "veth-dut", "state": "permanent" },
                  { "ip": "$FAR_IP", "mac": "$FAR_MAC", "dev": "veth-dut2", "state": "permanent" } ],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0, "net.ipv4.ip_forward": 1 } }
EOF
}

# The host profile of fixture NAME: the host with its peer's MAC as a permanent neighbour and a TCP
# listener on 8080.
# The host profile of veth-dut alone, its peer a permanent neighbour: dut_host NAME SOCKETS (a JSON array)
# [SYSCTL] (more "name": value pairs).
dut_host() {
  cat > "$OUT/$1.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "veth-dut", "driver": "veth", "mac": "$DUT_MAC", "mtu": 1500, "addresses": ["$DUT_IP/24"], "captured": true } ],
  "neighbours": [ { "ip": "$PEER_IP", "mac": "$PEER_MAC", "dev": "veth-dut", "state": "permanent" } ],
  "sockets": $2,
  "sysctl": { "net.ipv4.icmp_ratelimit": 0${3:+, $3} } }
EOF
}

fx_embryonic() {
  static_neigh
  dx $PY -c 'import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(("0.0.0.0",8080)); s.listen(4); time.sleep(4)' & BG+=($!)
  wait_listen t 8080
  start_capture ctr_embryonic
  px $PY -c 'from scapy.all import IP,TCP,send; import time; send(IP(src="10.77.0.2",dst="10.77.0.1")/TCP(sport=40030,dport=8080,flags="S",seq=1000),verbose=False); time.sleep(0.3)'
  stop_capture ctr_embryonic
  dut_host ctr_embryonic '[ { "proto": "tcp", "addr": "0.0.0.0", "port": 8080, "state": "listen" } ]'
}

fx_icmp() {
  static_neigh
  dx $PY -c 'import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(("0.0.0.0",8080)); s.listen(4); s.settimeout(20)
c,_=s.accept(); c.sendall(b"hello\n"); c.settimeout(10); c.recv(100); c.close(); time.sleep(2)' & BG+=($!)
  wait_listen t 8080
  start_capture ctr_icmp
  px $PY - <<'EOF'
import socket, time
from scapy.all import AsyncSniffer, IP, TCP, ICMP, send
sniffer = AsyncSniffer(iface="veth-peer", filter="tcp and src port 8080", store=True)
sniffer.start(); time.sleep(0.5)
c = socket.socket(); c.bind(("10.77.0.2", 40040)); c.settimeout(5); c.connect(("10.77.0.1", 8080))
c.recv(100); time.sleep(0.3)
sniffer.stop()
last = [p[TCP] for p in sniffer.results if TCP in p][-1]
nxt = (last.seq + len(bytes(last.payload))) & 0xffffffff
for seq in (nxt, (nxt + 100000) & 0xffffffff):
    quoted = IP(src="10.77.0.1", dst="10.77.0.2") / TCP(sport=8080, dport=40040, seq=seq, ack=0, flags="A")
    send(IP(src="10.77.0.2", dst="10.77.0.1") / ICMP(type=3, code=1) / bytes(quoted)[:28], verbose=False)
    time.sleep(0.2)
c.close(); time.sleep(0.5)
EOF
  stop_capture ctr_icmp
  dut_host ctr_icmp '[ { "proto": "tcp", "addr": "0.0.0.0", "port": 8080, "state": "listen" } ]'
}

fx_ipv6_off() {
  static_neigh
  start_capture ctr_ipv6_off
  px $PY -c 'from scapy.all import Ether, IPv6, ICMPv6EchoRequest, sendp; import time
for dst in ("02:00:00:00:0d:00", "02:00:00:00:0f:00", "02:00:00:00:0d:00"):
    sendp(Ether(src="02:00:00:00:0e:00", dst=dst) / IPv6(src="fd00:77::2", dst="fd00:77::1") / ICMPv6EchoRequest(data=b"pktpath ipv6 off"), iface="veth-peer", verbose=False)
    time.sleep(0.2)'
  stop_capture ctr_ipv6_off
  cat > "$OUT/ctr_ipv6_off.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "veth-dut", "driver": "veth", "mac": "$DUT_MAC", "mtu": 1500, "addresses": ["$DUT_IP/24"], "captured": true } ],
  "neighbours": [ { "ip": "$PEER_IP", "mac": "$PEER_MAC", "dev": "veth-dut", "state": "permanent" } ],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0, "net.ipv6.conf.all.disable_ipv6": 1, "net.ipv6.conf.default.disable_ipv6": 1 } }
EOF
}

fx_frag() {
  static_neigh
  start_capture ctr_frag
  px ping -n -c 2 -i 0.2 -s 3000 $DUT_IP
  stop_capture ctr_frag
  cat > "$OUT/ctr_frag.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "veth-dut", "driver": "veth", "mac": "$DUT_MAC", "mtu": 1500, "addresses": ["$DUT_IP/24"], "captured": true } ],
  "neighbours": [ { "ip": "$PEER_IP", "mac": "$PEER_MAC", "dev": "veth-dut", "state": "permanent" } ],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0 } }
EOF
}

fx_pmtu() {
  add_far_forwarding
  dx ip link set veth-dut2 mtu 1280; fx ip link set veth-far mtu 1280
  static_neigh
  dx ip neigh replace $FAR_IP lladdr $FAR_MAC dev veth-dut2 nud permanent
  fx ip neigh replace $DUT2_IP lladdr $DUT2_MAC dev veth-far nud permanent
  start_capture ctr_pmtu
  px ping -n -c 1 -M dont -s 1300 $FAR_IP
  px ping -n -c 1 -M do -s 1300 -W 1 $FAR_IP || true
  stop_capture ctr_pmtu
  cat > "$OUT/ctr_pmtu.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [
    { "name": "veth-dut", "driver": "veth", "mac": "$DUT_MAC", "mtu": 1500, "addresses": ["$DUT_IP/24"], "captured": true },
    { "name": "veth-dut2", "driver": "veth", "mac": "$DUT2_MAC", "mtu": 1280, "addresses": ["$DUT2_IP/24"], "captured": false } ],
  "neighbours": [ { "ip": "$PEER_IP", "mac": "$PEER_MAC", "dev": "veth-dut", "state": "permanent" },
                  { "ip": "$FAR_IP", "mac": "$FAR_MAC", "dev": "veth-dut2", "state": "permanent" } ],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0, "net.ipv4.ip_forward": 1 } }
EOF
}

fx_badhdr() {
  static_neigh
  start_capture ctr_badhdr
  px $PY - <<'EOF'
from scapy.all import Ether, IP, TCP, UDP, ICMP, Raw, sendp
import time
e = Ether(src="02:00:00:00:0e:00", dst="02:00:00:00:0d:00")
frames = [
    e / IP(src="10.77.0.2", dst="10.77.0.1", chksum=0x1234) / ICMP(id=1, seq=1) / Raw(b"bad ip checksum"),
    Ether(src="02:00:00:00:0e:00", dst="02:00:00:00:0d:00", type=0x0800)
        / Raw(b"\x44" + bytes(IP(src="10.77.0.2", dst="10.77.0.1") / ICMP(id=1, seq=2) / Raw(b"ihl 4"))[1:]),
    e / IP(src="10.77.0.2", dst="10.77.0.1", len=200) / ICMP(id=1, seq=3) / Raw(b"longer than the frame"),
    e / IP(src="10.77.0.2", dst="10.77.0.1") / TCP(sport=40050, dport=81, flags="S", seq=5000, chksum=0x1111),
    e / IP(src="10.77.0.2", dst="10.77.0.1") / UDP(sport=40051, dport=9, chksum=0x2222) / Raw(b"bad udp checksum"),
    e / IP(src="10.77.0.2", dst="10.77.0.1") / ICMP(id=1, seq=4) / Raw(b"a good one at the end"),
]
for f in frames:
    sendp(f, iface="veth-peer", verbose=False)
    time.sleep(0.2)
EOF
  stop_capture ctr_badhdr
  cat > "$OUT/ctr_badhdr.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "veth-dut", "driver": "veth", "mac": "$DUT_MAC", "mtu": 1500, "addresses": ["$DUT_IP/24"], "captured": true } ],
  "neighbours": [ { "ip": "$PEER_IP", "mac": "$PEER_MAC", "dev": "veth-dut", "state": "permanent" } ],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0 } }
EOF
}

fx_rp_filter() {
  add_far_forwarding
  static_neigh
  dx sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.veth-dut.rp_filter=1
  start_capture ctr_rp_filter
  px $PY "$HERE/craft-state.py" rp-filter
  stop_capture ctr_rp_filter
  cat > "$OUT/ctr_rp_filter.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [
    { "name": "veth-dut", "driver": "veth", "mac": "$DUT_MAC", "mtu": 1500, "addresses": ["$DUT_IP/24"], "captured": true },
    { "name": "veth-dut2", "driver": "veth", "mac": "$DUT2_MAC", "mtu": 1500, "addresses": ["$DUT2_IP/24"], "captured": false } ],
  "neighbours": [ { "ip": "$PEER_IP", "mac": "$PEER_MAC", "dev": "veth-dut", "state": "permanent" } ],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0, "net.ipv4.ip_forward": 1, "net.ipv4.conf.all.rp_filter": 1,
              "net.ipv4.conf.veth-dut.rp_filter": 1 } }
EOF
}

fx_loopback() {
  CAP_IF=lo
  start_capture ctr_loopback
  dx ping -n -c 2 -i 0.2 127.0.0.1 >/dev/null
  dx $PY - <<'EOF'
import socket, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 8080)); s.listen(4)
def serve():
    c, _ = s.accept(); c.recv(100); c.sendall(b"ok\n"); c.close()
threading.Thread(target=serve, daemon=True).start()
c = socket.create_connection(("127.0.0.1", 8080)); c.sendall(b"hello"); c.recv(100); c.close()
time.sleep(0.3)
EOF
  stop_capture ctr_loopback
  CAP_IF=veth-dut
  cat > "$OUT/ctr_loopback.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "lo", "driver": "loopback", "mac": "00:00:00:00:00:00", "mtu": 65536, "addresses": ["127.0.0.1/8"], "captured": true } ],
  "sockets": [ { "proto": "tcp", "addr": "127.0.0.1", "port": 8080, "state": "listen" } ] }
EOF
}

fx_synretrans() {
  static_neigh
  pong_server px
  px ip route add blackhole $DUT_IP/32
  start_capture ctr_synretrans
  dx $PY -c 'import socket; c=socket.socket(); c.bind(("10.77.0.1",40050)); c.settimeout(5); c.connect(("10.77.0.2",8080)); c.sendall(b"ping\n"); c.recv(100); c.close()' &
  local client=$!
  sleep 0.5
  px ip route del blackhole $DUT_IP/32
  wait $client
  sleep 0.3
  stop_capture ctr_synretrans
  dut_host ctr_synretrans '[]'
}

fx_synackretrans() {
  static_neigh
  dx ip neigh replace 10.77.0.3 lladdr $PEER_MAC dev veth-dut nud permanent
  pong_server dx
  start_capture ctr_synackretrans
  # The client is scapy at 10.77.0.3, an address pk-cpeer's kernel does not own: it drops the SYN-ACKs
  # (no RST), and scapy answers none of them until it sends its data 1.6 s later; a RST ends it.
  px $PY - <<'PYEOF'
import time
from scapy.all import IP, TCP, conf, send, sr1
conf.verb = 0
ip = IP(src="10.77.0.3", dst="10.77.0.1")
synack = sr1(ip / TCP(sport=40060, dport=8080, flags="S", seq=5000, options=[("MSS", 1460), ("SAckOK", b"")]), timeout=2)
time.sleep(1.6)
send(ip / TCP(sport=40060, dport=8080, flags="PA", seq=5001, ack=synack[TCP].seq + 1) / b"ping\n")
time.sleep(0.1)
send(ip / TCP(sport=40060, dport=8080, flags="R", seq=5006))
time.sleep(0.2)
PYEOF
  stop_capture ctr_synackretrans
  crafted_client_host ctr_synackretrans
}

# NAME [SYSCTL...]: the host profile of a fixture whose client is scapy at 10.77.0.3 (a permanent
# neighbour behind the peer's MAC) talking to the host's listener on 8080; SYSCTL entries ("key": value)
# join icmp_ratelimit's.
crafted_client_host() {
  local extra=""
  [ $# -gt 1 ] && extra=", $2"
  cat > "$OUT/$1.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "veth-dut", "driver": "veth", "mac": "$DUT_MAC", "mtu": 1500, "addresses": ["$DUT_IP/24"], "captured": true } ],
  "neighbours": [ { "ip": "$PEER_IP", "mac": "$PEER_MAC", "dev": "veth-dut", "state": "permanent" },
                  { "ip": "10.77.0.3", "mac": "$PEER_MAC", "dev": "veth-dut", "state": "permanent" } ],
  "sockets": [ { "proto": "tcp", "addr": "0.0.0.0", "port": 8080, "state": "listen" } ],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0$extra } }
EOF
}

fx_syncookies() {
  static_neigh
  dx ip neigh replace 10.77.0.3 lladdr $PEER_MAC dev veth-dut nud permanent
  # listen() takes min(backlog, somaxconn): the SYN queue is full at two request sockets.
  dx sysctl -qw net.core.somaxconn=2
  pong_server dx
  start_capture ctr_syncookies
  px $PY - <<'PYEOF'
import time
from scapy.all import IP, TCP, conf, send
conf.verb = 0
for i in range(5):
    send(IP(src="10.77.0.3", dst="10.77.0.1") / TCP(sport=41000 + i, dport=8080, flags="S", seq=7000 + i,
                                                    options=[("MSS", 1460), ("SAckOK", b"")]))
    time.sleep(0.05)
time.sleep(0.3)
PYEOF
  stop_capture ctr_syncookies
  crafted_client_host ctr_syncookies '"net.core.somaxconn": 2'
}

# A TCP server on 8080 in the namespace that $1 (px, fx) runs commands in: reads until the client
# shuts down, answers "ok", closes; returns once it listens.
sink_server() {
  "$1" $PY - <<'EOF' & BG+=($!)
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8080)); s.listen(4)
s.settimeout(20)
c, _ = s.accept(); c.settimeout(10)
while c.recv(65536): pass
c.sendall(b"ok\n"); c.close()
time.sleep(3); s.close()
EOF
  for _ in $(seq 50); do "$1" ss -H -n -l -t "sport = :8080" | grep -q . && break; sleep 0.1; done
}

fx_fastretrans() {
  static_neigh
  ip netns add $FAR
  fx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link add veth-rtr netns $PEER address 02:00:00:00:0e:01 type veth peer name veth-far netns $FAR address $FAR_MAC
  px ip addr add 10.78.0.1/24 dev veth-rtr; fx ip addr add $FAR_IP/24 dev veth-far
  px ethtool -K veth-rtr tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
  fx ethtool -K veth-far tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
  fx ip link set lo up; px ip link set veth-rtr up; fx ip link set veth-far up
  wait_up $PEER veth-rtr; wait_up $FAR veth-far
  px sysctl -qw net.ipv4.ip_forward=1
  dx ip route add 10.78.0.0/24 via $PEER_IP
  fx ip route add default via 10.78.0.1
  # The bottleneck: 20 Mbit/s towards the server, at most 10 packets queued.
  px tc qdisc add dev veth-rtr root handle 1: htb default 1
  px tc class add dev veth-rtr parent 1: classid 1:1 htb rate 20mbit 2>/dev/null
  px tc qdisc add dev veth-rtr parent 1:1 pfifo limit 10
  sink_server fx
  start_capture ctr_fastretrans
  dx $PY -c 'import socket
c = socket.socket(); c.bind(("10.77.0.1", 40070)); c.settimeout(10); c.connect(("10.78.0.2", 8080))
c.sendall(b"u" * 100000); c.shutdown(socket.SHUT_WR)
while c.recv(65536): pass
c.close()'
  stop_capture ctr_fastretrans
  cat > "$OUT/ctr_fastretrans.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "veth-dut", "driver": "veth", "mac": "$DUT_MAC", "mtu": 1500, "addresses": ["$DUT_IP/24"], "captured": true } ],
  "routes": [ { "dst": "10.78.0.0/24", "via": "$PEER_IP", "dev": "veth-dut" } ],
  "neighbours": [ { "ip": "$PEER_IP", "mac": "$PEER_MAC", "dev": "veth-dut", "state": "permanent" } ],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0 } }
EOF
}

# rto_scenario NAME: the host sends 100 bytes to pk-cpeer's server, then 7,000 while pk-cpeer's route
# back is a blackhole for 1.5 s.
rto_scenario() {
  static_neigh
  sink_server px
  start_capture $1
  local go=$WORK/$1.go
  dx $PY -c 'import socket, sys, time
c = socket.socket(); c.bind(("10.77.0.1", 40080)); c.settimeout(10); c.connect(("10.77.0.2", 8080))
c.sendall(b"a" * 100); time.sleep(0.3)
open(sys.argv[1], "w").close(); time.sleep(0.2)
c.sendall(b"b" * 7000); time.sleep(2.5)
c.shutdown(socket.SHUT_WR)
while c.recv(65536): pass
c.close()' "$go" &
  local client=$!
  for _ in $(seq 100); do [ -e "$go" ] && break; sleep 0.02; done
  px ip route add blackhole $DUT_IP/32
  sleep 1.5
  px ip route del blackhole $DUT_IP/32
  wait $client
  sleep 0.3
  stop_capture $1
}

fx_rto() {
  rto_scenario ctr_rto
  dut_host ctr_rto '[]'
}

fx_frto() {
  dx sysctl -qw net.ipv4.tcp_timestamps=0
  rto_scenario ctr_frto
  dut_host ctr_frto '[]' '"net.ipv4.tcp_timestamps": 0'
}

fx_twreuse() {
  static_neigh
  dx sysctl -qw net.ipv4.tcp_tw_reuse=1
  px $PY - <<'EOF' & BG+=($!)
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8080)); s.listen(4)
s.settimeout(20)
for _ in range(2):
    c, _ = s.accept(); c.settimeout(5); c.recv(100); c.sendall(b"pong\n")
    while c.recv(100): pass
    c.close()
s.close()
EOF
  for _ in $(seq 50); do px ss -H -n -l -t "sport = :8080" | grep -q . && break; sleep 0.1; done
  start_capture ctr_twreuse
  # The host closes first (TIME_WAIT), waits past the one-second granularity of tcp_twsk_unique's
  # timestamp check, and connects again from the same port.
  dx $PY -c 'import socket, time
for i in range(2):
    c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); c.bind(("10.77.0.1", 40090))
    c.settimeout(5); c.connect(("10.77.0.2", 8080)); c.sendall(b"ping\n"); c.recv(100); c.close()
    time.sleep(1.5 if i == 0 else 0.3)'
  stop_capture ctr_twreuse
  dut_host ctr_twreuse '[]' '"net.ipv4.tcp_tw_reuse": 1'
}

for f in "${SEL[@]}"; do
  setup_ns
  "fx_$f"
  for p in "${BG[@]}"; do wait "$p" 2>/dev/null || true; done
  BG=()
  for ns in $DUT $PEER $FAR; do ip netns del $ns 2>/dev/null || true; done
done
echo "fixtures written to $OUT"
