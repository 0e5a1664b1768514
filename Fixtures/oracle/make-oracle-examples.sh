#!/bin/bash
# Replay the shared oracle's examples (kept in ../oracle-examples/) on another kernel.
#
# Usage: make-oracle-examples.sh ORACLE_DIR [CASE...]
#   ORACLE_DIR: the shared real-kernel oracle (the folder holding run.sh and lib/).
#   CASE defaults to every folder of ../oracle-examples/.
# Env: ORACLE_KVER, ORACLE_CACHE, ORACLE_OUT as for make-oracle.sh (oracle-kernel.sh). The runs go to
#   <fixture output folder>-examples/<case>/ (ORACLE_KVER=6.12.117+deb12-amd64: ../oracle-6.12-examples/),
#   or back into ../oracle-examples/ for 6.1.
# For each case this writes capture.pcap and scenario.json (copied from ../oracle-examples/<case>/)
# and oracle.jsonl, responses.pcap, run_meta.json from the oracle's output.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 ORACLE_DIR [CASE...]" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../oracle-examples" && pwd)
. "$HERE/oracle-kernel.sh"
oracle_begin "$1"; shift
if [ "$OUT_BASE" = "$HERE" ]; then OUT=$SRC; else OUT=$OUT_BASE-examples; fi
if [ $# -gt 0 ]; then SEL=("$@"); else
  SEL=(); for d in "$SRC"/*/; do SEL+=("$(basename "$d")"); done
fi

for c in "${SEL[@]}"; do
  echo "== $c" >&2
  D=$OUT/$c; mkdir -p "$D"
  [ "$D" = "$SRC/$c" ] || cp "$SRC/$c/capture.pcap" "$SRC/$c/scenario.json" "$D/"
  oracle_run "$D"
done
