#!/bin/bash
# Record the bridge fixtures (issue 10): a host whose address sits on a Linux bridge with two veth
# ports, each to a peer namespace (run as root).
#
# Usage: make-fixtures-bridge.sh [OUT_DIR] [FIXTURE...]   (FIXTURE: bridge_any, bridge_br0, bridge_rx)
#   bridge_rx needs ORACLE_DIR=<the shared oracle's folder> in the environment (see below).
# Writes OUT_DIR/<name>.pcap, OUT_DIR/<name>.host.json and OUT_DIR/truth/<name>.{kfree_skb,nstat,link}.txt
#
# Topology (fresh namespaces per fixture, removed on exit):
#   pktb-h   br0 02:00:00:00:0b:00 192.0.2.1/24 (a bridge, STP off), ports pktb0 02:00:00:00:0b:10
#            and pktb1 02:00:00:00:0b:11; a TCP server on 8080 that answers "hello"   (the capturing host)
#   pktb-p1  pktbp1 02:00:00:00:0b:01 192.0.2.2/24, the peer of pktb0
#   pktb-p2  pktbp2 02:00:00:00:0b:02 192.0.2.3/24, the peer of pktb1
# Traffic, in each fixture: pktb-p1 pings the host once, opens a TCP connection to 8080, sends "hi",
# reads the answer and closes; then pings pktb-p2 once (forwarded by the bridge). Neighbour caches
# and the bridge's FDB start empty. Offloads are the veth defaults (checksum offload and TSO on), as
# the model's veth has them; IPv6 is off.
# bridge_any: tcpdump -i any (Linux cooked v2) in pktb-h, so every frame is seen on the port and
#   again on br0 or the other port. bridge_br0: tcpdump -i br0 (promiscuous, tcpdump's default).
# bridge_rx: an oracle run (Debian 6.1 under qemu, the bridge module loaded): its DUT has br0
#   (02:00:00:00:0b:00, 192.0.2.1/24, STP off) with ports veth1 (02:00:00:00:0b:10) and veth2
#   (02:00:00:00:0b:11). Three frames from 02:00:00:00:0b:01 are injected on veth1: an ARP request for
#   192.0.2.1 (broadcast), an echo request to br0's MAC, an echo request to 02:00:00:00:0b:02 (not
#   learned: flooded). OUT_DIR/oracle/bridge_rx/ keeps the run; OUT_DIR/bridge_rx.pcap is what tcpdump
#   on veth1 would hold: each injected frame, then what the DUT sent out of veth1 in answer (the
#   oracle's responses on veth0, 100 us later).
# All traffic stays between the three namespaces (bridge_rx: inside the oracle's VM).
# Needs: iproute2 (ip, nstat), tcpdump, python3, tracefs.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "must be run as root" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}; shift || true
mkdir -p "$OUT/truth"; OUT=$(cd "$OUT" && pwd)
ALL=(bridge_any bridge_br0)
[ $# -gt 0 ] && SEL=("$@") || SEL=("${ALL[@]}")
# shellcheck source=capture.sh
. "$HERE/capture.sh"
capture_session pktpath-bridge pktb-h pktb-p1 pktb-p2

setup() {
  fresh_namespaces
  ip -n pktb-h link add br0 address 02:00:00:00:0b:00 type bridge stp_state 0
  ip link add pktb0 netns pktb-h address 02:00:00:00:0b:10 type veth peer name pktbp1 netns pktb-p1 address 02:00:00:00:0b:01
  ip link add pktb1 netns pktb-h address 02:00:00:00:0b:11 type veth peer name pktbp2 netns pktb-p2 address 02:00:00:00:0b:02
  ip -n pktb-h link set pktb0 master br0; ip -n pktb-h link set pktb1 master br0
  ip -n pktb-h addr add 192.0.2.1/24 dev br0
  ip -n pktb-p1 addr add 192.0.2.2/24 dev pktbp1
  ip -n pktb-p2 addr add 192.0.2.3/24 dev pktbp2
  for p in "pktb-h pktb0" "pktb-h pktb1" "pktb-p1 pktbp1" "pktb-p2 pktbp2"; do
    set -- $p
    ip -n "$1" link set "$2" up
  done
  ip -n pktb-h link set br0 up
  sleep 1.5
  ip netns exec pktb-h $PY - <<'EOF' & BG+=($!)
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', 8080)); s.listen(8)
while True:
    c, _ = s.accept(); c.recv(100); c.sendall(b'hello'); c.close()
EOF
  sleep 0.5
}

traffic() {
  ip netns exec pktb-p1 ping -c 1 -W 1 192.0.2.1 >/dev/null
  ip netns exec pktb-p1 $PY -c "
import socket
c = socket.create_connection(('192.0.2.1', 8080)); c.sendall(b'hi'); c.recv(100); c.close()"
  sleep 0.2
  ip netns exec pktb-p1 ping -c 1 -W 1 192.0.2.3 >/dev/null
}

host_json() {  # name captured-interfaces-json-flags
  local n=$1 any=$2 idx
  idx() { ip -n pktb-h -j link show "$1" | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])'; }
  cat > "$OUT/$n.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [
    { "name": "br0", "driver": "bridge", "mac": "02:00:00:00:0b:00", "mtu": 1500, "addresses": ["192.0.2.1/24"], "captured": true, "ifindex": $(idx br0) },
    { "name": "pktb0", "driver": "veth", "mac": "02:00:00:00:0b:10", "mtu": 1500, "addresses": [], "captured": $any, "ifindex": $(idx pktb0), "master": "br0" },
    { "name": "pktb1", "driver": "veth", "mac": "02:00:00:00:0b:11", "mtu": 1500, "addresses": [], "captured": $any, "ifindex": $(idx pktb1), "master": "br0" } ],
  "sockets": [ { "proto": "tcp", "addr": "0.0.0.0", "port": 8080, "state": "listen" } ] }
EOF
}

oracle_bridge_rx() {
  local case=$WORK/bridge_rx
  mkdir -p "$case"
  /usr/bin/python3 - "$case" <<'EOF'
import sys
from scapy.all import Ether, ARP, IP, ICMP, wrpcap
p1, br, p2 = "02:00:00:00:0b:01", "02:00:00:00:0b:00", "02:00:00:00:0b:02"
frames = [Ether(src=p1, dst="ff:ff:ff:ff:ff:ff")/ARP(op=1, hwsrc=p1, psrc="192.0.2.2", pdst="192.0.2.1"),
          Ether(src=p1, dst=br)/IP(src="192.0.2.2", dst="192.0.2.1", id=1)/ICMP(id=7, seq=1),
          Ether(src=p1, dst=p2)/IP(src="192.0.2.2", dst="192.0.2.3", id=2)/ICMP(id=7, seq=2)]
for i, f in enumerate(frames): f.time = 1700000000 + i
wrpcap(sys.argv[1] + "/capture.pcap", frames)
EOF
  cat > "$case/scenario.json" <<'JSON'
{"interfaces": [{"name": "veth1", "peer": "veth0", "mac": "02:00:00:00:0b:10"},
                {"name": "veth2", "peer": "veth3", "mac": "02:00:00:00:0b:11"}],
 "auto_neigh": false,
 "filter_extra": ["br_*", "__br_*", "nf_hook_bridge_pre", "deliver_clone", "maybe_deliver", "should_deliver", "netif_receive_skb*", "nbp_*"],
 "dut_commands": ["ip link add br0 address 02:00:00:00:0b:00 type bridge stp_state 0", "ip link set veth1 master br0",
   "ip link set veth2 master br0", "ip addr add 192.0.2.1/24 dev br0", "ip link set br0 up", "sleep 1"]}
JSON
  ORACLE_CACHE="$WORK/oracle-cache" ORACLE_MODULES="virtio_pci 9pnet_virtio 9p veth bridge" \
    "$ORACLE_DIR/run.sh" "$case" "$case/out"
  mkdir -p "$OUT/oracle/bridge_rx"
  cp "$case/capture.pcap" "$case/scenario.json" "$OUT/oracle/bridge_rx/"
  cp "$case/out/oracle.jsonl" "$case/out/responses.pcap" "$case/out/run_meta.json" "$OUT/oracle/bridge_rx/"
  # what left veth1 is what the peer veth0 received: responses.txt lists "FRAME DEVICE LEN HEX"
  /usr/bin/python3 - "$case" "$OUT/bridge_rx.pcap" <<'EOF'
import sys
from scapy.all import rdpcap, wrpcap, Ether
case, out = sys.argv[1], sys.argv[2]
frames = list(rdpcap(case + "/capture.pcap"))
answers = {}
for line in open(case + "/out/responses.txt"):
    n, dev, _, hexbytes = line.split()
    if dev == "veth0": answers.setdefault(int(n), []).append(Ether(bytes.fromhex(hexbytes)))
result = []
for i, f in enumerate(frames, 1):
    f.time = 1700000000 + i - 1
    result.append(f)
    for k, a in enumerate(answers.get(i, [])):
        a.time = 1700000000 + i - 1 + 0.0001 * (k + 1)
        result.append(a)
wrpcap(out, result)
EOF
  cat > "$OUT/bridge_rx.host.json" <<'EOF'
{ "kernel": "6.1",
  "interfaces": [
    { "name": "veth1", "driver": "veth", "mac": "02:00:00:00:0b:10", "mtu": 1500, "addresses": [], "captured": true, "master": "br0" },
    { "name": "veth2", "driver": "veth", "mac": "02:00:00:00:0b:11", "mtu": 1500, "addresses": [], "master": "br0" },
    { "name": "br0", "driver": "bridge", "mac": "02:00:00:00:0b:00", "mtu": 1500, "addresses": ["192.0.2.1/24"] } ] }
EOF
}

for n in "${SEL[@]}"; do
  if [ "$n" = bridge_rx ]; then
    [ -n "${ORACLE_DIR:-}" ] || { echo "bridge_rx needs ORACLE_DIR" >&2; exit 2; }
    oracle_bridge_rx; continue
  fi
  setup
  CAP_NS=pktb-h
  case $n in
    bridge_any) CAP_IF=any; TCPDUMP_ARGS="-y LINUX_SLL2 -B 16384" ;;
    bridge_br0) CAP_IF=br0; TCPDUMP_ARGS="" ;;
    *) echo "unknown fixture $n" >&2; exit 2 ;;
  esac
  start_capture "$n"
  traffic
  stop_capture "$n"
  host_json "$n" "$([ "$n" = bridge_any ] && echo true || echo false)"
  for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; done; BG=()
done
