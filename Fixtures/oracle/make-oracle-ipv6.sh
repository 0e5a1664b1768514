#!/bin/bash
# Regenerate the real-kernel oracle results for the IPv6 fixtures (v6_*, issue 11).
#
# Usage: make-oracle-ipv6.sh ORACLE_DIR [FIXTURE...]
#   ORACLE_DIR: the shared real-kernel oracle (the folder holding run.sh and lib/).
#   FIXTURE defaults to every v6_*.host.json next to this folder.
# Env: ORACLE_KVER, ORACLE_CACHE, ORACLE_OUT as for make-oracle.sh (oracle-kernel.sh).
# For each fixture <name> this writes <output folder>/<name>/:
#   capture.pcap    the frames of ../<name>.pcap NOT sent by the DUT (any of its MACs)
#   scenario.json   derived from ../<name>.host.json by ../craft-ipv6-fixtures.py oracle-scenario: IPv6 on,
#                   every interface with its global addresses (the link-local ones come from the MAC),
#                   offload off, sysctls, neighbours (auto_neigh off), listeners as busybox nc
#                   (the oracle's own listener is IPv4 only), v6_mld's group ff12::7777 joined with
#                   `ip addr add ... autojoin` (the host profile cannot hold it), the trace filter widened to the IPv6 functions,
#                   IPv6 off on the root-namespace injection ends (no DAD/MLD/RS of theirs in the
#                   windows) and 3 s to settle (the DUT's own DAD and MLD reports end before frame 1)
#   oracle.jsonl, responses.pcap, run_meta.json   copied from the oracle's output
#   Frames are replayed 20 ms apart (the oracle's default): v6_frag's last fragment therefore times
#   out after the run (a longer gap would expire the ping's fragment queues between its fragments)
# Needs tcpdump and python3.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 ORACLE_DIR [FIXTURE...]" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/oracle-kernel.sh"
oracle_begin "$1"; shift
if [ $# -gt 0 ]; then SEL=("$@"); else
  SEL=(); for h in "$FIX"/v6_*.host.json; do SEL+=("$(basename "$h" .host.json)"); done
fi

for n in "${SEL[@]}"; do
  echo "== $n" >&2
  D=$OUT_BASE/$n; mkdir -p "$D"
  oracle_capture "$n" "$D"
  groups=(); [ "$n" = v6_mld ] && groups=(ff12::7777@p6b-dut)   # see make-fixtures-ipv6.sh
  /usr/bin/python3 "$FIX/craft-ipv6-fixtures.py" oracle-scenario "$FIX/$n.host.json" "${groups[@]}" > "$D/scenario.json"
  oracle_run "$D"
done
