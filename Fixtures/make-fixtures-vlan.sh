#!/bin/bash
# Record the VLAN and spanning-tree fixtures (issue 10): vlan_rx and stp_bpdu{,_bridge,_8021q}, with
# their oracle runs (run as root).
#
# Usage: make-fixtures-vlan.sh ORACLE_DIR
#   ORACLE_DIR: the shared real-kernel oracle (the folder holding run.sh and lib/).
#
# vlan_rx: the kernel this was made on had no 8021q (ip link add ... type vlan: "Unknown device
#   type"), so the VLAN capture comes from the oracle's Debian 6.1 kernel with 8021q loaded: its DUT
#   has veth1 (02:00:00:00:00:01, no address) and veth1.10 (VLAN 10 on veth1, 192.0.2.2/24, a TCP
#   listener on 8080, a permanent neighbour 192.0.2.1). Four crafted frames from 02:00:00:00:00:02
#   are injected on veth1: echo request, SYN to 8080, SYN to 81 (all VID 10), echo request on VID 20.
#   Fixtures/vlan_rx.pcap is what tcpdump on veth1 would hold: each injected frame, followed 100 us
#   later by the DUT's answer from the oracle's responses.pcap with its VID 10 tag put back (the
#   oracle's packet socket on the peer gets the tag out of band, in skb->vlan_tci, and writes the
#   frame without it; libpcap on veth1 would have put it back in the frame).
# stp_bpdu*: a real capture on this machine: namespaces pktv-a (pktv0, 02:00:00:00:00:02) and pktv-b
#   (pktv1, 02:00:00:00:00:01, 192.0.2.2/24) joined by a veth pair; scapy sends one IEEE 802.1D
#   configuration BPDU (802.3, LLC 42 42 03) from pktv0; tcpdump on pktv1 records it. The three
#   fixtures are the same capture with three host profiles: no modules, bridge, 8021q. The oracle
#   replays the BPDU into Debian 6.1 with the default modules, with bridge, and with 8021q loaded.
# All traffic stays inside namespaces (or the oracle's VM); everything made here is removed on exit.
# Needs: iproute2, tcpdump, python3 with scapy (Debian python3-scapy).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "must be run as root" >&2; exit 1; }
[ $# -eq 1 ] || { echo "usage: $0 ORACLE_DIR" >&2; exit 2; }
ORACLE=$(cd "$1" && pwd)
FIX=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
cleanup() { ip netns del pktv-a 2>/dev/null || true; ip netns del pktv-b 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
PY=${PYTHON:-python3}

# --- frames for the oracle
mkdir -p "$WORK"/{vlan_rx,stp_bpdu,stp_bpdu_bridge,stp_bpdu_8021q}
"$PY" - "$WORK" <<'PYEOF'
import sys
from scapy.all import Ether, Dot1Q, IP, ICMP, TCP, Dot3, LLC, STP, wrpcap
w = sys.argv[1]
peer, dut = "02:00:00:00:00:02", "02:00:00:00:00:01"
ip = lambda i: IP(src="192.0.2.1", dst="192.0.2.2", id=i)
frames = [Ether(src=peer, dst=dut)/Dot1Q(vlan=10)/ip(1)/ICMP(id=7, seq=1),
          Ether(src=peer, dst=dut)/Dot1Q(vlan=10)/ip(2)/TCP(sport=40000, dport=8080, flags="S", seq=1000),
          Ether(src=peer, dst=dut)/Dot1Q(vlan=10)/ip(3)/TCP(sport=40001, dport=81, flags="S", seq=2000),
          Ether(src=peer, dst=dut)/Dot1Q(vlan=20)/ip(4)/ICMP(id=7, seq=2)]
for i, f in enumerate(frames): f.time = 1700000000 + i
wrpcap(w + "/vlan_rx/capture.pcap", frames)
bpdu = Dot3(src=peer, dst="01:80:c2:00:00:00")/LLC(dsap=0x42, ssap=0x42, ctrl=3)/STP()
bpdu.time = 1700000000
for d in ["stp_bpdu", "stp_bpdu_bridge", "stp_bpdu_8021q"]: wrpcap(w + "/" + d + "/capture.pcap", [bpdu])
PYEOF
EXTRA='"filter_extra": ["vlan_*", "llc_*", "stp_*", "br_stp_*", "garp_*", "mrp_*"]'
cat > "$WORK/vlan_rx/scenario.json" <<JSON
{"mac": "02:00:00:00:00:01", "listen_tcp": [8080], "auto_neigh": false, $EXTRA,
 "dut_commands": ["ip link add link veth1 name veth1.10 type vlan id 10", "ip link set veth1.10 up",
   "ip addr add 192.0.2.2/24 dev veth1.10", "ip neigh add 192.0.2.1 lladdr 02:00:00:00:00:02 dev veth1.10 nud permanent"]}
JSON
for d in stp_bpdu stp_bpdu_bridge stp_bpdu_8021q; do
  echo "{\"mac\": \"02:00:00:00:00:01\", \"ip\": \"192.0.2.2/24\", $EXTRA}" > "$WORK/$d/scenario.json"
done

# --- oracle runs: one cache per set of modules (the initramfs loads its modules at boot)
BASE="virtio_pci 9pnet_virtio 9p veth"
run() {  # NAME MODULES
  ORACLE_CACHE="$WORK/cache-${2// /-}" ORACLE_MODULES="$BASE $2" "$ORACLE/run.sh" "$WORK/$1" "$WORK/$1/out"
  mkdir -p "$FIX/oracle/$1"
  cp "$WORK/$1/capture.pcap" "$WORK/$1/scenario.json" "$FIX/oracle/$1/"
  cp "$WORK/$1/out/oracle.jsonl" "$WORK/$1/out/responses.pcap" "$WORK/$1/out/run_meta.json" "$FIX/oracle/$1/"
}
run vlan_rx 8021q
run stp_bpdu ""
run stp_bpdu_bridge bridge
run stp_bpdu_8021q 8021q

# --- vlan_rx.pcap: the injected frames with the DUT's answers, tagged as on veth1
"$PY" - "$FIX" <<'PYEOF'
import sys
from scapy.all import rdpcap, wrpcap, Ether, Dot1Q
fix = sys.argv[1]
inj = rdpcap(fix + "/oracle/vlan_rx/capture.pcap")
resp = rdpcap(fix + "/oracle/vlan_rx/responses.pcap")
out = []
for i, f in enumerate(inj):
    f.time = 1700000000 + i
    out.append(f)
    if i < len(resp):
        e = resp[i][Ether]
        t = Ether(src=e.src, dst=e.dst, type=0x8100)/Dot1Q(vlan=10, type=e.type)/e.payload
        t.time = 1700000000 + i + 0.0001
        out.append(t)
wrpcap(fix + "/vlan_rx.pcap", out)
PYEOF

# --- stp_bpdu.pcap: a real capture across a veth pair
ip netns add pktv-a; ip netns add pktv-b
ip link add pktv0 netns pktv-a type veth peer name pktv1 netns pktv-b
ip -n pktv-a link set pktv0 address 02:00:00:00:00:02 up
ip -n pktv-b link set pktv1 address 02:00:00:00:00:01 up
ip -n pktv-b addr add 192.0.2.2/24 dev pktv1
ip netns exec pktv-b tcpdump -i pktv1 -c 1 --time-stamp-precision=nano -w "$WORK/stp.pcap" "ether dst 01:80:c2:00:00:00" 2>/dev/null &
sleep 1.5
ip netns exec pktv-a "$PY" -c "
from scapy.all import Dot3, LLC, STP, sendp
sendp(Dot3(src='02:00:00:00:00:02', dst='01:80:c2:00:00:00')/LLC(dsap=0x42, ssap=0x42, ctrl=3)/STP(), iface='pktv0', verbose=False)"
wait
for d in stp_bpdu stp_bpdu_bridge stp_bpdu_8021q; do cp "$WORK/stp.pcap" "$FIX/$d.pcap"; done
