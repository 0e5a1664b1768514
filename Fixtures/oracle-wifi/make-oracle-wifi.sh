#!/bin/bash
# Make the Wi-Fi oracle fixtures: a capture crafted with scapy, replayed by the real-kernel Wi-Fi
# oracle (Debian 6.1 mac80211 over mac80211_hwsim, IBSS), its per-frame paths kept beside it.
#
# Usage: make-oracle-wifi.sh ORACLE_WIFI_DIR
#   ORACLE_WIFI_DIR: the Wi-Fi oracle (the folder holding run.sh and lib/).
# Writes broadcast_arp/{capture.pcap,scenario.json,oracle.jsonl,responses.pcap,summary.json}.
# Needs python3 with scapy (Debian's python3-scapy), and what the oracle needs (qemu, its cache).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 ORACLE_WIFI_DIR" >&2; exit 2; }
ORACLE=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Debian's python3 (with python3-scapy) when present, as the oracle's run.sh.
PYTHON=python3; [ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
D=$HERE/broadcast_arp
mkdir -p "$D"
# A broadcast ARP request from the peer radio's address for the DUT's address: the peer's mac80211
# sends it as a group-addressed 802.11 data frame, which the DUT takes through its RX handlers.
"$PYTHON" - "$D/capture.pcap" <<'PY'
import sys
from scapy.all import ARP, Ether, wrpcap
frame = Ether(src="02:00:00:00:00:aa", dst="ff:ff:ff:ff:ff:ff") / ARP(
    op=1, hwsrc="02:00:00:00:00:aa", psrc="192.0.2.1", hwdst="00:00:00:00:00:00", pdst="192.0.2.2")
wrpcap(sys.argv[1], [frame])
PY
printf '{\n "ip": "192.0.2.2/24",\n "mac": "02:00:00:00:00:01",\n "mtu": 1500\n}\n' > "$D/scenario.json"
"$ORACLE/run.sh" "$D" "$WORK/out"
cp "$WORK/out/oracle.jsonl" "$WORK/out/responses.pcap" "$WORK/out/summary.json" "$D/"
