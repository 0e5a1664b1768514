#!/bin/bash
# Regenerate the real-kernel oracle results for the stateful fixtures (s_*).
#
# Usage: make-oracle-state.sh ORACLE_DIR [FIXTURE...]
#   ORACLE_DIR: the shared real-kernel oracle (the folder holding run.sh and lib/).
#   FIXTURE defaults to every s_*.host.json next to this folder that the oracle can replay
#   (s_netfilter is left out: the oracle's initramfs has no nft, see ../README.md).
# Env: ORACLE_KVER, ORACLE_CACHE, ORACLE_OUT pick the kernel, its cache and the output folder
#   (oracle-kernel.sh; default the 6.1 kernel into this folder; ORACLE_KVER=6.12.117+deb12-amd64
#   writes ../oracle-6.12/).
# For each fixture <name> this writes <output folder>/<name>/:
#   capture.pcap    the frames of ../<name>.pcap NOT sent by the DUT (any of its MACs)
#   scenario.json   derived from ../<name>.host.json by ../craft-state.py oracle-scenario: every
#                   interface (the captured one first: the oracle injects there), addresses, MACs,
#                   MTUs, tx/rx checksum offload off, listening sockets, sysctls (ip_forward as its
#                   own key), routes, the profile's neighbours (auto_neigh off)
#   oracle.jsonl, responses.pcap, run_meta.json   copied from the oracle's output
#   s_frag_timeout gets "gap_ms": 1700 (its frames were 1.6 s apart, ipfrag_time 1): the reassembly
#   timer then fires inside the window of the frame that armed it, as in the capture
# Needs tcpdump and python3.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 ORACLE_DIR [FIXTURE...]" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/oracle-kernel.sh"
oracle_begin "$1"; shift
if [ $# -gt 0 ]; then SEL=("$@"); else
  SEL=(); for h in "$FIX"/s_*.host.json; do
    b=$(basename "$h" .host.json)
    case $b in s_netfilter|s_forward_out) continue;; esac
    SEL+=("$b")
  done
fi

for n in "${SEL[@]}"; do
  echo "== $n" >&2
  D=$OUT_BASE/$n; mkdir -p "$D"
  oracle_capture "$n" "$D"
  /usr/bin/python3 "$FIX/craft-state.py" oracle-scenario "$FIX/$n.host.json" > "$D/scenario.json"
  case $n in   # timers that must fire inside a frame's window: space the frames as the capture did
    s_frag_timeout) /usr/bin/python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d["gap_ms"]=1700; json.dump(d, open(p,"w"), indent=1)' "$D/scenario.json";;
  esac
  oracle_run "$D"
done
