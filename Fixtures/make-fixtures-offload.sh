#!/bin/bash
# Record the offload fixtures: captures of a short TCP transfer and a few UDP datagrams over a veth
# pair with its offloads LEFT ON, taken on both ends at once (run as root).
#
# Usage: make-fixtures-offload.sh [OUT_DIR] [FIXTURE...]   (FIXTURE: tso, gro, gro6; default tso gro)
# Writes OUT_DIR/offload_<f>_rx.pcap (the receiver's capture), OUT_DIR/offload_<f>_tx.pcap (the
# sender's), their .host.json, and OUT_DIR/truth/offload_<f>.events.txt (tracefs net: events and
# skb:kfree_skb while the captures ran; the function tracer is not permitted in the sandbox this was
# recorded in).
#
# Namespaces pc-rcv (veth-dut, 02:00:00:00:0d:00, 10.77.0.1/24: TCP listener on 8080, UDP socket on
# 7000) and pc-snd (veth-peer, 02:00:00:00:0e:00, 10.77.0.2/24: the client sending 40000 bytes and
# three 200-byte datagrams). IPv6 off, static neighbours. Offloads are the veth defaults (TX checksum,
# TSO, GSO on) with GRO switched on at the receiver, which gives veth_xmit its NAPI path:
#   tso: the sender keeps TSO: its TCP super-packets cross the pair whole (veth_xmit does not use
#        NAPI for them: veth_skb_is_eligible_for_gro), so both captures show frames above the MTU.
#   gro: the sender's TSO is off (GSO still on): validate_xmit_skb segments in software before the
#        sender's tap; each segment takes the receiver's NAPI path and GRO merges them before the
#        receiver's tap.
#   gro6: as gro, over IPv6 (fd77::1/64 and fd77::2/64, no DAD, no router solicitations, static
#        neighbours): the receiver's GRO merges TCP over IPv6 (ipv6_gro_receive).
# Namespace names can be changed (OFFLOAD_RCV_NS, OFFLOAD_SND_NS) so that two recordings can run at once.
# All traffic stays between the two namespaces; everything made here is removed on exit.
# Needs: iproute2, ethtool, tcpdump, python3, tracefs.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "must be run as root" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}; shift || true
mkdir -p "$OUT/truth"; OUT=$(cd "$OUT" && pwd)
[ $# -gt 0 ] && SEL=("$@") || SEL=(tso gro)
RCV=${OFFLOAD_RCV_NS:-pc-rcv}; SND=${OFFLOAD_SND_NS:-pc-snd}
RCV_MAC=02:00:00:00:0d:00; SND_MAC=02:00:00:00:0e:00
RCV_IP=10.77.0.1; SND_IP=10.77.0.2
RCV_IP6=fd77::1; SND_IP6=fd77::2
TR=/sys/kernel/tracing
TRI=$TR/instances/pktpath-offload-$RCV
WORK=$(mktemp -d)
BG=()
EVENTS="net/napi_gro_receive_entry net/netif_receive_skb_list_entry net/netif_receive_skb net/netif_rx
        net/net_dev_start_xmit skb/kfree_skb"

cleanup() {
  set +e
  for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ -d "$TRI" ]; then
    for e in $EVENTS; do echo 0 > "$TRI/events/$e/enable"; done
    rmdir "$TRI"
  fi
  ip netns del $RCV 2>/dev/null; ip netns del $SND 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

rx() { ip netns exec $RCV "$@"; }
sx() { ip netns exec $SND "$@"; }

setup_ns() {  # fixture
  for ns in $RCV $SND; do
    ip netns del $ns 2>/dev/null || true; ip netns add $ns
    if [ "$1" = gro6 ]; then
      ip netns exec $ns sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0
    else
      ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    fi
    ip -n $ns link set lo up
  done
  ip link add veth-dut netns $RCV address $RCV_MAC mtu 1500 type veth \
     peer name veth-peer netns $SND address $SND_MAC mtu 1500
  rx ip addr add $RCV_IP/24 dev veth-dut; sx ip addr add $SND_IP/24 dev veth-peer
  if [ "$1" = gro6 ]; then
    rx ip addr add $RCV_IP6/64 dev veth-dut nodad; sx ip addr add $SND_IP6/64 dev veth-peer nodad
  fi
  rx ethtool -K veth-dut gro on
  [ "$1" != tso ] && sx ethtool -K veth-peer tso off
  rx ip link set veth-dut up; sx ip link set veth-peer up
  for _ in $(seq 50); do ip -n $RCV link show veth-dut | grep -q LOWER_UP && break; sleep 0.1; done
  rx ip neigh replace $SND_IP lladdr $SND_MAC dev veth-dut nud permanent
  sx ip neigh replace $RCV_IP lladdr $RCV_MAC dev veth-peer nud permanent
  if [ "$1" = gro6 ]; then
    rx ip neigh replace $SND_IP6 lladdr $SND_MAC dev veth-dut nud permanent
    sx ip neigh replace $RCV_IP6 lladdr $RCV_MAC dev veth-peer nud permanent
    sleep 3  # the MLD reports that joining the address's groups sends are over before the capture
  fi
  { echo "# ethtool -k veth-dut (receiver)"; rx ethtool -k veth-dut
    echo "# ethtool -k veth-peer (sender)"; sx ethtool -k veth-peer; } > "$WORK/ethtool.txt"
}

start_trace() {
  [ -d "$TR/events" ] || mount -t tracefs nodev $TR
  mkdir -p "$TRI"
  echo > "$TRI/trace"
  echo 4096 > "$TRI/buffer_size_kb"
  for e in $EVENTS; do echo 1 > "$TRI/events/$e/enable"; done
}

stop_trace() {  # fixture
  for e in $EVENTS; do echo 0 > "$TRI/events/$e/enable"; done
  {
    echo "# tracefs while offload_$1 was captured (kernel $(uname -r)): net: events of veth-dut/veth-peer"
    echo "# and skb:kfree_skb (all namespaces: lines of tasks other than python3/tcpdump/ksoftirqd/<idle>"
    echo "# belong to other traffic)."
    echo "# ip_summed: 0 NONE, 1 UNNECESSARY, 2 COMPLETE, 3 PARTIAL."
    grep -v '^#' "$TRI/trace" | grep -E 'veth-(dut|peer)|kfree_skb' || true
    sed 's/^/# /' "$WORK/ethtool.txt" | grep -E 'ethtool|checksumming|segmentation-offload|receive-offload|tx-tcp-segmentation'
  } > "$OUT/truth/offload_$1.events.txt"
}

host_json() {  # name mac ip peer_mac peer_ip sockets
  cat > "$OUT/$1.host.json" <<EOF
{ "kernel": "6.12",
  "interfaces": [ { "name": "$7", "driver": "veth", "mac": "$2", "mtu": 1500, "addresses": ["$3/24"], "captured": true } ],
  "neighbours": [ { "ip": "$5", "mac": "$4", "dev": "$7", "state": "permanent" } ],
  "sockets": $6 }
EOF
}

host_json6() {  # name mac ip ip6 peer_mac peer_ip peer_ip6 dev: the receiver of gro6, listening on [::]
  local ll; ll=$(rx ip -6 -o addr show dev "$8" scope link | awk '{print $4}')
  cat > "$OUT/$1.host.json" <<EOF
{ "kernel": "6.12",
  "interfaces": [ { "name": "$8", "driver": "veth", "mac": "$2", "mtu": 1500,
                    "addresses": ["$3/24", "$4/64", "$ll"], "captured": true } ],
  "neighbours": [ { "ip": "$6", "mac": "$5", "dev": "$8", "state": "permanent" },
                  { "ip": "$7", "mac": "$5", "dev": "$8", "state": "permanent" } ],
  "sockets": [ { "proto": "tcp", "addr": "::", "port": 8080, "state": "listen" }, { "proto": "udp", "addr": "::", "port": 7000 } ] }
EOF
}

record() {  # fixture
  local f=$1 n=offload_$1
  setup_ns "$f"
  local dst=$RCV_IP family=AF_INET any=0.0.0.0
  [ "$f" = gro6 ] && { dst=$RCV_IP6; family=AF_INET6; any=::; }
  rx python3 -c '
import socket
u = socket.socket(socket.'$family', socket.SOCK_DGRAM); u.bind(("'$any'", 7000))
s = socket.socket(socket.'$family'); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'$any'", 8080)); s.listen(1); c, _ = s.accept()
while c.recv(65536): pass
c.close()
u.settimeout(2)
for _ in range(3): u.recv(2048)
' & BG+=($!)
  for _ in $(seq 50); do rx ss -Hnlt 'sport = :8080' | grep -q . && break; sleep 0.1; done
  start_trace
  rx tcpdump -i veth-dut -nn -U --immediate-mode -Z root --time-stamp-precision=nano -w "$WORK/rx.pcap" \
     2> "$WORK/rx.log" & BG+=($!)
  sx tcpdump -i veth-peer -nn -U --immediate-mode -Z root --time-stamp-precision=nano -w "$WORK/tx.pcap" \
     2> "$WORK/tx.log" & BG+=($!)
  for l in rx tx; do for _ in $(seq 50); do grep -q listening "$WORK/$l.log" && break; sleep 0.1; done; done
  sleep 0.3
  sx python3 -c '
import socket, time
c = socket.create_connection(("'$dst'", 8080)); c.sendall(bytes(range(256)) * 156 + bytes(64)); c.close()
time.sleep(0.2)
u = socket.socket(socket.'$family', socket.SOCK_DGRAM)
for i in range(3): u.sendto(bytes([i]) * 200, ("'$dst'", 7000)); time.sleep(0.05)
'
  sleep 0.7
  for p in "${BG[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  BG=()
  stop_trace "$f"
  cp "$WORK/rx.pcap" "$OUT/${n}_rx.pcap"; cp "$WORK/tx.pcap" "$OUT/${n}_tx.pcap"
  if [ "$f" = gro6 ]; then
    host_json6 "${n}_rx" $RCV_MAC $RCV_IP $RCV_IP6 $SND_MAC $SND_IP $SND_IP6 veth-dut
  else
    host_json "${n}_rx" $RCV_MAC $RCV_IP $SND_MAC $SND_IP \
      '[ { "proto": "tcp", "addr": "0.0.0.0", "port": 8080, "state": "listen" }, { "proto": "udp", "addr": "0.0.0.0", "port": 7000 } ]' veth-dut
    host_json "${n}_tx" $SND_MAC $SND_IP $RCV_MAC $RCV_IP '[]' veth-peer
  fi
  echo "== $n: rx $(tcpdump -r "$OUT/${n}_rx.pcap" 2>/dev/null | wc -l) frames, tx $(tcpdump -r "$OUT/${n}_tx.pcap" 2>/dev/null | wc -l) frames"
  ip netns del $RCV; ip netns del $SND
}

for f in "${SEL[@]}"; do record "$f"; done
echo "fixtures written to $OUT"
