#!/bin/bash
# Records a real ftrace `function` tracer trace, with the skb and net tracepoints, of traffic between
# two network namespaces, and the capture of the same traffic: the recorded fixture of
# `pktpath import ftrace` (Fixtures/README.md, "import/").
#
#   Fixtures/import/make-fixtures-import.sh [PREFIX]      (root; PREFIX default pim)
#
# Namespaces PREFIX-dut (interface PREFIX-dut0, 10.79.0.1/24) and PREFIX-peer (PREFIX-peer0,
# 10.79.0.2/24), static neighbours, IPv6 and offloads off, a UDP socket on 7000 in the DUT. tcpdump on
# PREFIX-dut0 writes tracepoints.pcap. A tracefs instance of its own (instances/PREFIX-import)
# records skb:kfree_skb, skb:consume_skb,
# net:netif_receive_skb, net:netif_rx, net:net_dev_queue and net:net_dev_xmit (and with FUNCTIONS=1 the function
# tracer on the network functions below), limited to the sending process (set_event_pid,
# set_ftrace_pid: the receive runs in its softirq on a veth). From the peer:
# two echo requests, UDP to 7000 (open) and 7001 (closed), a TCP SYN to port 81 (closed).
# Everything made is removed at the end.
# Needs: iproute2, ethtool, tcpdump, python3, tracefs with the function tracer.
set -euo pipefail
P=${1:-pim}
export FUNCTIONS=${FUNCTIONS:-0}
DUT=$P-dut; PEER=$P-peer; DEV=$P-dut0; PDEV=$P-peer0
DUT_MAC=02:00:00:00:4f:01; PEER_MAC=02:00:00:00:4f:02; DUT_IP=10.79.0.1; PEER_IP=10.79.0.2
OUT=$(cd "$(dirname "$0")" && pwd)
T=/sys/kernel/tracing; [ -d $T/instances ] || T=/sys/kernel/debug/tracing
I=$T/instances/$P-import
BG=()
cleanup() {
  for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -d "$I" ] && { echo 0 > "$I/tracing_on"; echo nop > "$I/current_tracer"; rmdir "$I"; } 2>/dev/null || true
  ip netns del $DUT 2>/dev/null || true; ip netns del $PEER 2>/dev/null || true
}
trap cleanup EXIT

ip netns add $DUT; ip netns add $PEER
for ns in $DUT $PEER; do
  ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n $ns link set lo up
done
ip netns exec $DUT sysctl -qw net.ipv4.icmp_ratelimit=0
ip link add $DEV netns $DUT address $DUT_MAC mtu 1500 type veth peer name $PDEV netns $PEER address $PEER_MAC mtu 1500
ip -n $DUT addr add $DUT_IP/24 dev $DEV; ip -n $PEER addr add $PEER_IP/24 dev $PDEV
ip netns exec $DUT ethtool -K $DEV tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
ip netns exec $PEER ethtool -K $PDEV tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
ip -n $DUT link set $DEV up; ip -n $PEER link set $PDEV up
sleep 1
ip -n $DUT neigh replace $PEER_IP lladdr $PEER_MAC dev $DEV nud permanent
ip -n $PEER neigh replace $DUT_IP lladdr $DUT_MAC dev $PDEV nud permanent
ip netns exec $DUT python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 7000)); time.sleep(30)' &
BG+=($!)
ip netns exec $DUT tcpdump -i $DEV -w "$OUT/tracepoints.pcap" -U -s 0 2>/dev/null &
BG+=($!)

mkdir "$I"
echo 0 > "$I/tracing_on"
# The function tracer where the kernel lets us (FUNCTIONS=1): the network functions of the paths.
# On the machine these fixtures were made on, ftrace's function filter and tracer are refused
# (EPERM) and only the tracepoints are recorded.
if [ "$FUNCTIONS" = 1 ]; then
  printf '%s\n' '__dev_queue_xmit' 'dev_hard_start_xmit' 'veth_xmit' '__dev_forward_skb*' 'eth_type_trans' \
    '__netif_rx' 'netif_rx_internal' 'enqueue_to_backlog' 'process_backlog' '__netif_receive_skb*' \
    'ip_rcv*' 'ip_route_input*' 'fib_validate_source' 'ip_local_deliver*' 'ip_protocol_deliver_rcu' \
    'raw_local_deliver' 'icmp_rcv' 'icmp_echo' 'icmp_reply' '__icmp_send' 'udp_rcv' '__udp4_lib_rcv' \
    '__udp4_lib_lookup' 'udp_queue_rcv_skb' 'tcp_v4_rcv' 'tcp_v4_send_reset' '__inet_lookup_listener' \
    'ip_output' 'ip_finish_output*' 'ip_local_out' '__ip_local_out' 'ip_send_skb' 'ip_push_pending_frames' \
    'neigh_resolve_output' 'kfree_skb_reason' 'sk_skb_reason_drop' 'consume_skb' > "$I/set_ftrace_filter"
  echo function > "$I/current_tracer"
  echo 1 > "$I/options/function-fork"
fi
for e in skb/kfree_skb skb/consume_skb net/netif_receive_skb net/netif_rx net/net_dev_queue net/net_dev_xmit; do
  echo 1 > "$I/events/$e/enable"
done
echo 1 > "$I/options/event-fork"
sleep 1
# Each sender writes its own pid as the instance's filter, then becomes the sender (exec keeps the pid).
send() { sh -c 'echo $$ > "$0/set_event_pid"; [ "${FUNCTIONS:-0}" != 1 ] || echo $$ > "$0/set_ftrace_pid"; ns=$1; shift; exec ip netns exec "$ns" "$@"' "$I" $PEER "$@"; sleep 0.3; }
echo 1 > "$I/tracing_on"
send ping -c 2 -i 0.3 -W 1 $DUT_IP >/dev/null
send python3 -c "import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('$PEER_IP',40001)); s.sendto(b'open port',('$DUT_IP',7000)); s.sendto(b'closed port',('$DUT_IP',7001))"
send python3 -c "
import socket
s=socket.socket(); s.settimeout(1); s.bind(('$PEER_IP',40002))
try: s.connect(('$DUT_IP',81))
except OSError: pass"
sleep 0.5
echo 0 > "$I/tracing_on"
cat "$I/trace" > "$OUT/tracepoints.ftrace.txt"
echo "wrote $OUT/tracepoints.pcap and tracepoints.ftrace.txt ($(grep -vc '^#' "$OUT/tracepoints.ftrace.txt") lines)"
