#!/usr/bin/env bash
# Counts where pktpath spends its instructions (issue 5): runs the release binary under
# valgrind --tool=callgrind on a prefix of the bench capture and writes the top functions, inclusive
# and self, with Swift names demangled.
#
# Usage: Tools/profile.sh [FORMAT] [FRAMES]     (defaults: chain 50000; json and text are ~10x slower
#                                                 per frame, 5000 frames are enough for them; FORMAT
#                                                 stats profiles `pktpath stats`)
# PROFILE_CAPTURE and PROFILE_HOST profile the first FRAMES frames of another capture (a bench-set shape,
# with its host profile; editcap cuts the prefix). Each thread's instructions a frame are printed: the run
# on FRAMES frames less a run on the first 10 (start-up and the end of the capture), over FRAMES - 10.
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
HOST=${PROFILE_HOST:-Tools/bench-host.json}
# capture N: the first N frames of the capture profiled.
capture() {
    if [ -n "${PROFILE_CAPTURE:-}" ]; then
        local out=$BENCH_DIR/profile-$(basename "${PROFILE_CAPTURE%.*}")-$1.pcap
        [ -s "$out" ] || editcap -F pcap -r "$PROFILE_CAPTURE" "$out" "1-$1"
    else
        # The generator is deterministic and sequential: N frames of it are the first N of the bench capture.
        local out=$BENCH_DIR/profile-$1-s$SEED-$(sha256sum Tools/gen-capture.py | cut -c1-10).pcap
        [ -s "$out" ] || python3 Tools/gen-capture.py "$out" --frames "$1" --seed "$SEED" > /dev/null
    fi
    printf '%s\n' "$out"
}
CAP=$(capture "$FRAMES")
CAP10=$(capture 10)

NAME=$(basename "${PROFILE_CAPTURE:-bench}" .pcap)
OUT=$BENCH_DIR/callgrind.$NAME.$FORMAT.$FRAMES
# Valgrind 3.19 (Debian 12) gives up on the DWARF 5 debug information Swift writes: profile a copy
# without it (the symbol table, which names the functions, stays).
BIN=$BENCH_DIR/pktpath-nodebug
cp .build/release/pktpath "$BIN"
strip --strip-debug "$BIN"
if [ "$FORMAT" = stats ]; then ARGS=(stats); else ARGS=(trace --format "$FORMAT" -o /dev/null); fi
# run CAPTURE OUT: the binary under callgrind, one output file per thread (OUT.out-01, OUT.out-02).
run() {
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$2.out" \
        "$BIN" "${ARGS[@]}" "$1" --host "$HOST" > /dev/null 2> "$2.log"
}
run "$CAP" "$OUT"
run "$CAP10" "$OUT.10"
total() { grep -m1 '^summary:' "$1" | cut -d' ' -f2; }
for t in 02 01; do
    what=$([ $t = 02 ] && echo "model thread" || echo "output thread")
    echo "profile: $what: $(( ($(total "$OUT.out-$t") - $(total "$OUT.10.out-$t")) / (FRAMES - 10) )) instructions a frame" >&2
done
demangle() { if command -v swift-demangle > /dev/null; then swift-demangle --simplified; else "$SWIFT" demangle --simplified; fi; }
# One file per thread: -01 the output thread (the calling thread), -02 the model thread.
for part in "$OUT".out-*; do
    t=${part##*-}
    callgrind_annotate --inclusive=yes --threshold=99 "$part" | demangle > "$OUT.$t.inclusive.txt"
    callgrind_annotate --auto=no --threshold=100 "$part" | demangle > "$OUT.$t.self.txt"
done
grep -m1 'Collected' "$OUT.log" >&2 || true
echo "profile: $OUT.NN.inclusive.txt and $OUT.NN.self.txt, NN = 01 (output thread), 02 (model thread); open $OUT.out-NN in kcachegrind for the call graph" >&2
