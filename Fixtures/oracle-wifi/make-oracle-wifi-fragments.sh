#!/bin/bash
# Make the Wi-Fi oracle's fragments fixture: an echo request of 1000 bytes and one of 100, replayed by
# the real-kernel Wi-Fi oracle (Debian 6.1 mac80211 over mac80211_hwsim, IBSS) with the peer radio's
# fragmentation threshold at 256 bytes, so that the first arrives at the DUT in 802.11 fragments.
#
# Usage: make-oracle-wifi-fragments.sh ORACLE_WIFI_DIR
#   ORACLE_WIFI_DIR: the Wi-Fi oracle (the folder holding run.sh and lib/).
# Writes fragments/{capture.pcap,scenario.json,oracle.jsonl,responses.pcap,summary.json}.
# Needs python3 (standard library only) and what the oracle needs (qemu, its cache).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 ORACLE_WIFI_DIR" >&2; exit 2; }
ORACLE=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

D=$HERE/fragments
mkdir -p "$D"
# Echo requests from the peer radio's address (192.0.2.1) to the DUT (192.0.2.2), written as a pcap.
python3 - "$D/capture.pcap" <<'PY'
import struct, sys

def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF

def ping(seq, size):
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x77, seq) + bytes(i % 251 for i in range(size))
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64, 1, 0, bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return bytes.fromhex("020000000001" + "0200000000aa") + b"\x08\x00" + ip + icmp

with open(sys.argv[1], "wb") as out:
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, frame in enumerate([ping(1, 1000), ping(2, 100)]):
        out.write(struct.pack("<IIII", 1700000000 + i, 0, len(frame), len(frame)) + frame)
PY
# The DUT's script runs in its network namespace; the peer radio (phy#1) is in the first one.
cat > "$D/scenario.json" <<'JSON'
{"ip": "192.0.2.2/24", "mac": "02:00:00:00:00:01", "mtu": 1500, "dut_commands": ["nsenter -t 1 -n iw 'phy#1' set frag 256 || true", "nsenter -t 1 -n iw 'phy#1' info | grep -i frag || true"]}
JSON
"$ORACLE/run.sh" "$D" "$WORK/out"
cp "$WORK/out/oracle.jsonl" "$WORK/out/responses.pcap" "$WORK/out/summary.json" "$D/"
