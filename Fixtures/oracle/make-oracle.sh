#!/bin/bash
# Regenerate the real-kernel oracle results for the fixtures.
#
# Usage: make-oracle.sh ORACLE_DIR [FIXTURE...]
#   ORACLE_DIR: the shared real-kernel oracle (the folder holding run.sh and lib/).
#   FIXTURE defaults to every <name>.host.json next to this folder.
# Env: ORACLE_KVER, ORACLE_CACHE, ORACLE_OUT pick the kernel, its cache and the output folder
#   (oracle-kernel.sh; default the 6.1 kernel into this folder; ORACLE_KVER=6.12.117+deb12-amd64
#   writes ../oracle-6.12/).
# For each fixture <name> this writes <output folder>/<name>/:
#   capture.pcap    the frames of ../<name>.pcap NOT sent by the DUT (the oracle replays
#                   only what the DUT received)
#   scenario.json   derived from ../<name>.host.json (address, MAC, MTU, listening sockets,
#                   sysctls, tx/rx checksum offload off, auto_neigh = neighbours were static)
#   oracle.jsonl, responses.pcap, run_meta.json   copied from the oracle's output
# Runs are done one at a time (each boots the oracle's VM, 10-30 s under TCG).
# Needs tcpdump and python3.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 ORACLE_DIR [FIXTURE...]" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/oracle-kernel.sh"
oracle_begin "$1"; shift
DUT_MAC=02:00:00:00:0d:00
if [ $# -gt 0 ]; then SEL=("$@"); else
  SEL=(); for h in "$FIX"/*.host.json; do b=$(basename "$h"); SEL+=("${b%.host.json}"); done
fi

for n in "${SEL[@]}"; do
  echo "== $n" >&2
  D=$OUT_BASE/$n; mkdir -p "$D"
  tcpdump -r "$FIX/$n.pcap" --time-stamp-precision=nano -w "$D/capture.pcap" "not ether src $DUT_MAC" 2>/dev/null
  python3 - "$FIX/$n.host.json" > "$D/scenario.json" <<'EOF'
import json, sys
h = json.load(open(sys.argv[1]))
itf = h["interfaces"][0]
socks = h.get("sockets", [])
sc = {
    "ip": itf["addresses"][0] if len(itf["addresses"]) == 1 else itf["addresses"],
    "mac": itf["mac"],
    "mtu": itf["mtu"],
    "listen_tcp": [s["port"] for s in socks if s["proto"] == "tcp" and s.get("state") == "listen"],
    "listen_udp": [s["port"] for s in socks if s["proto"] == "udp"],
    "sysctl": h.get("sysctl", {}),
    "offload": {"tx": "off", "rx": "off"},
    "auto_neigh": bool(h.get("neighbours")),
}
print(json.dumps(sc, indent=1))
EOF
  oracle_run "$D"
done
