#!/usr/bin/env bash
# Counts where pktpath spends its instructions (issue 5): runs the release binary under
# valgrind --tool=callgrind on a prefix of the bench capture and writes the top functions, inclusive
# and self, with Swift names demangled.
#
# Usage: Tools/profile.sh [FORMAT] [FRAMES]     (defaults: chain 50000; json and text are ~10x slower
#                                                 per frame, 5000 frames are enough for them)
# Needs valgrind (apt-get install valgrind). Output in $BENCH_DIR (default bench-data/).
set -euo pipefail

cd "$(dirname "$0")/.."
FORMAT=${1:-chain}
FRAMES=${2:-50000}
BENCH_DIR=${BENCH_DIR:-bench-data}
SEED=${BENCH_SEED:-5}
SWIFT=${SWIFT:-swift}
command -v valgrind > /dev/null || { echo "profile: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
mkdir -p "$BENCH_DIR"

"$SWIFT" build -c release 2>&1 | tail -n 1 >&2
# The generator is deterministic and sequential: N frames of it are the first N frames of the bench capture.
CAP=$BENCH_DIR/profile-$FRAMES-s$SEED-$(sha256sum Tools/gen-capture.py | cut -c1-10).pcap
[ -s "$CAP" ] || python3 Tools/gen-capture.py "$CAP" --frames "$FRAMES" --seed "$SEED"

OUT=$BENCH_DIR/callgrind.$FORMAT.$FRAMES
# Valgrind 3.19 (Debian 12) gives up on the DWARF 5 debug information Swift writes: profile a copy
# without it (the symbol table, which names the functions, stays).
BIN=$BENCH_DIR/pktpath-nodebug
cp .build/release/pktpath "$BIN"
strip --strip-debug "$BIN"
valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$OUT.out" \
    "$BIN" trace "$CAP" --host Tools/bench-host.json --format "$FORMAT" -o /dev/null 2> "$OUT.log"
demangle() { if command -v swift-demangle > /dev/null; then swift-demangle --simplified; else "$SWIFT" demangle --simplified; fi; }
# One file per thread: -01 the output thread (the calling thread), -02 the model thread.
for part in "$OUT".out-*; do
    t=${part##*-}
    callgrind_annotate --inclusive=yes --threshold=99 "$part" | demangle > "$OUT.$t.inclusive.txt"
    callgrind_annotate --auto=no --threshold=100 "$part" | demangle > "$OUT.$t.self.txt"
done
grep -m1 'Collected' "$OUT.log" >&2 || true
echo "profile: $OUT.NN.inclusive.txt and $OUT.NN.self.txt, NN = 01 (output thread), 02 (model thread); open $OUT.out-NN in kcachegrind for the call graph" >&2
