#!/usr/bin/env bash
# `make bench` (issue 5, "Speed"): builds pktpath release and a bare libpcap loop, makes a large
# realistic capture once (cached), then measures frames/s and peak RSS of the libpcap loop, tcpdump,
# tshark and pktpath on that same capture, and prints a table, the target ratios and a linearity check.
#
# Environment (all optional):
#   BENCH_DIR=bench-data        scratch folder (relative to the repo; in .gitignore)
#   BENCH_FRAMES=2000000        frames in the generated capture
#   BENCH_SEED=5                generator seed
#   BENCH_SLICE=200000          the 10x smaller prefix (linearity; slices for slow runs)
#   BENCH_JSON_SLICE=100000     prefix that `tshark -T json` runs on
#   BENCH_MAX_FULL_SECONDS=180  a pktpath run projected to take longer on the full capture is
#                               measured on the BENCH_SLICE prefix only (frames/s from the slice)
#   BENCH_REPS=3                rounds of every measurement that enters a ratio (the fastest run of
#                               each is kept; a run varies by a third on a shared 2-core VM)
#   BENCH_SET=1                 then Tools/bench-shapes.sh: the bench set of other shapes (BENCH_SET=0: not)
#   SWIFT=swift
# The commands it needs (cc, libpcap-dev, python3, tcpdump, tshark, editcap, /usr/bin/time) are
# installed by `make bench` (editcap comes with tshark).
set -euo pipefail

cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-bench-data}
FRAMES=${BENCH_FRAMES:-2000000}
SEED=${BENCH_SEED:-5}
SLICE=${BENCH_SLICE:-200000}
JSON_SLICE=${BENCH_JSON_SLICE:-100000}
MAX_FULL=${BENCH_MAX_FULL_SECONDS:-180}
REPS=${BENCH_REPS:-3}
SWIFT=${SWIFT:-swift}
PKTPATH=.build/release/pktpath
HOST_JSON=Tools/bench-host.json
RESULTS=$BENCH_DIR/results.md

for tool in cc python3 tcpdump tshark editcap /usr/bin/time; do
    command -v "$tool" > /dev/null || { echo "bench: $tool is missing (make bench installs it)" >&2; exit 2; }
done
mkdir -p "$BENCH_DIR"
say() { printf '%s\n' "$*" >&2; }

# Where every tool's output goes. Some machines (containers) have /dev/null as a regular file: output
# written there is copied into the page cache, a cost that grows with output size and that no real
# use pays. Then a null device of our own is made (needs root), or the bench stops.
SINK=/dev/null
if [ ! -c "$SINK" ]; then
    SINK=$BENCH_DIR/null
    [ -c "$SINK" ] || mknod -m 666 "$SINK" c 1 3 2> /dev/null || true
    if [ ! -c "$SINK" ]; then
        echo "bench: /dev/null is not a character device here and one could not be made (mknod needs root);" \
            "output would be written to a file, which distorts every row" >&2
        exit 2
    fi
    say "bench: /dev/null is not a character device on this machine; output goes to the null device $SINK"
fi

# ---- 1. builds -------------------------------------------------------------------------------------
say "bench: building pktpath (release)"
"$SWIFT" build -c release 2>&1 | tail -n 1 >&2
LOOP=$BENCH_DIR/pcap-loop
if [ ! -x "$LOOP" ] || [ Tools/pcap-loop.c -nt "$LOOP" ]; then
    cc -O2 -Wall -o "$LOOP" Tools/pcap-loop.c -lpcap
fi

# ---- 2. the capture (made once; its name changes with the generator, the size and the seed) ----------
GEN_ID=$(sha256sum Tools/gen-capture.py | cut -c1-10)
CAP=$BENCH_DIR/capture-$FRAMES-s$SEED-$GEN_ID.pcap
if [ ! -s "$CAP" ]; then
    say "bench: generating $CAP ($FRAMES frames; cached for later runs)"
    start=$(date +%s)
    python3 Tools/gen-capture.py "$CAP.part" --frames "$FRAMES" --seed "$SEED"
    mv "$CAP.part" "$CAP"
    say "bench: generated in $(( $(date +%s) - start )) s"
fi
# A prefix of N frames of the capture, cached beside it.
prefix() {
    local n=$1 out=${CAP%.pcap}-first$1.pcap
    if [ ! -s "$out" ]; then
        editcap -F pcap -r "$CAP" "$out.part" "1-$n"
        mv "$out.part" "$out"
    fi
    printf '%s\n' "$out"
}
SLICE_CAP=$(prefix "$SLICE")
JSON_CAP=$(prefix "$JSON_SLICE")
read -r CAP_FRAMES CAP_BYTES < <("$LOOP" "$CAP")      # also warms the page cache
read -r SLICE_FRAMES _ < <("$LOOP" "$SLICE_CAP")
read -r JSON_FRAMES _ < <("$LOOP" "$JSON_CAP")

# ---- 3. measurements -------------------------------------------------------------------------------
# Each row: name, frames, seconds, peak KiB, note, exit status.
ROWS=()
# time_once KEY -- COMMAND...: runs COMMAND once (stdout to $SINK) under /usr/bin/time and keeps, per
# KEY, the fastest run's seconds and peak KiB (BEST_S, BEST_K) and a failing run's exit status (RCS).
declare -A BEST_S=() BEST_K=() RCS=()
time_once() {
    local key=$1 rc=0 tf=$BENCH_DIR/time.out s k
    shift 2
    /usr/bin/time -o "$tf" -f '%e %M' "$@" > "$SINK" 2> "$BENCH_DIR/last-stderr.txt" || rc=$?
    read -r s k < <(tail -n 1 "$tf")
    if [ -z "${BEST_S[$key]:-}" ] || awk -v a="$s" -v b="${BEST_S[$key]}" 'BEGIN { exit !(a < b) }'; then
        BEST_S[$key]=$s BEST_K[$key]=$k
    fi
    RCS[$key]=${RCS[$key]:-0}
    [ "$rc" = 0 ] || { RCS[$key]=$rc; say "bench: $key exited $rc: $(tail -n 2 "$BENCH_DIR/last-stderr.txt")"; }
}
# row KEY NAME FRAMES NOTE: appends KEY's fastest run as a row; LAST_SECS and LAST_KIB are set to it.
LAST_SECS=0 LAST_KIB=0
row() {
    LAST_SECS=${BEST_S[$1]} LAST_KIB=${BEST_K[$1]}
    ROWS+=("$2|$3|$LAST_SECS|$LAST_KIB|$4|${RCS[$1]}")
}
# measure REPS NAME FRAMES NOTE -- COMMAND...: the fastest of REPS runs of COMMAND, as a row.
measure() {
    local reps=$1 name=$2 frames=$3 note=$4 i
    shift 5
    say "bench: $name ($frames frames)"
    for ((i = 0; i < reps; i++)); do
        time_once "$name/$frames" -- "$@"
        [ "${RCS[$name/$frames]}" = 0 ] || break
    done
    row "$name/$frames" "$name" "$frames" "$note"
}
fps() { awk -v f="$1" -v s="$2" 'BEGIN { if (s < 0.01) s = 0.01; printf "%.0f", f / s }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
human() { awk -v n="$1" 'BEGIN { if (n >= 1e6) printf "%.2fM", n / 1e6; else if (n >= 1e3) printf "%.0fk", n / 1e3; else printf "%d", n }'; }

# tshark's plain output is in no ratio: one run.
say "bench: tshark -n -r ($CAP_FRAMES frames)"
time_once tshark -- tshark -n -r "$CAP"

# pktpath's modes run on the 10x smaller prefix and on the full capture (unless the full run is
# projected to take more than MAX_FULL seconds; then frames/s come from the prefix).
declare -A FPS_PP=() KIB_PP=() SEC_SLICE=() KIB_SLICE=() SEC_FULL=() KIB_FULL=()
PP_MODES=("chain:trace --format chain" "json:trace --format json" "text:trace")
if "$PKTPATH" --help 2>&1 | grep -qE '^[[:space:]]+stats([[:space:]]|$)'; then
    PP_MODES+=("stats:stats")
    HAVE_STATS=1
else
    HAVE_STATS=0
    say "bench: pktpath has no 'stats' subcommand yet; skipping it"
fi
PP=()
pp_cmd() {  # pp_cmd "SUBCOMMAND [FLAGS]" CAPTURE: sets PP to the pktpath command line
    local words
    read -r -a words <<< "$1"
    if [ "${words[0]}" = trace ]; then
        PP=("$PKTPATH" trace "$2" --host "$HOST_JSON" "${words[@]:1}" -o "$SINK")
    else
        PP=("$PKTPATH" "${words[@]}" "$2" --host "$HOST_JSON")
    fi
}
# Rounds: in each, the libpcap loop, tcpdump, tshark -T json and every pktpath mode (on the prefix and on
# the full capture) run once, so that a slow minute of the machine does not fall on one side of a ratio
# only; each keeps its fastest run. A mode projected (from its first prefix run) to need more than
# MAX_FULL seconds on the full capture runs on the prefix only.
declare -A SKIP_FULL=()
for ((round = 1; round <= REPS; round++)); do
    say "bench: round $round of $REPS: libpcap loop, tcpdump -nn -r"
    time_once loop -- "$LOOP" "$CAP"
    time_once tcpdump -- tcpdump -nn -r "$CAP"
    for entry in "${PP_MODES[@]}"; do
        mode=${entry%%:*} args=${entry#*:}
        say "bench: pktpath $mode, round $round of $REPS"
        pp_cmd "$args" "$SLICE_CAP"
        time_once "$mode/slice" -- "${PP[@]}"
        if [ "$round" = 1 ]; then
            projected=$(awk -v s="${BEST_S[$mode/slice]}" -v a="$CAP_FRAMES" -v b="$SLICE_FRAMES" 'BEGIN { printf "%.0f", s * a / b }')
            if [ "$projected" -gt "$MAX_FULL" ]; then
                SKIP_FULL[$mode]=$projected
                say "bench: pktpath $mode would take ~${projected} s on the full capture; measured on the prefix only"
            fi
        fi
        if [ -z "${SKIP_FULL[$mode]:-}" ]; then
            pp_cmd "$args" "$CAP"
            time_once "$mode/full" -- "${PP[@]}"
        fi
    done
    # Last in the round: the pktpath run right after it was slower than the others.
    say "bench: round $round of $REPS: tshark -n -T json -r"
    time_once tshark-json -- tshark -n -T json -r "$JSON_CAP"
done
row loop "libpcap loop (C, floor)" "$CAP_FRAMES" ""
FPS_LOOP=$(fps "$CAP_FRAMES" "$LAST_SECS")
row tcpdump "tcpdump -nn -r" "$CAP_FRAMES" ""
FPS_TCPDUMP=$(fps "$CAP_FRAMES" "$LAST_SECS")
row tshark "tshark -n -r" "$CAP_FRAMES" ""
row tshark-json "tshark -n -T json -r" "$JSON_FRAMES" "$(human "$JSON_FRAMES")-frame prefix"
FPS_TSHARK_JSON=$(fps "$JSON_FRAMES" "$LAST_SECS")
for entry in "${PP_MODES[@]}"; do
    mode=${entry%%:*} args=${entry#*:}
    label="pktpath $args"
    [ "$mode" = text ] && label="pktpath trace (text)"
    if [ -n "${SKIP_FULL[$mode]:-}" ]; then
        row "$mode/slice" "$label" "$SLICE_FRAMES" "$(human "$SLICE_FRAMES")-frame prefix only (full run est. ${SKIP_FULL[$mode]} s)"
    else
        row "$mode/slice" "$label" "$SLICE_FRAMES" "$(human "$SLICE_FRAMES")-frame prefix"
    fi
    SEC_SLICE[$mode]=$LAST_SECS KIB_SLICE[$mode]=$LAST_KIB
    FPS_PP[$mode]=$(fps "$SLICE_FRAMES" "$LAST_SECS") KIB_PP[$mode]=$LAST_KIB
    if [ -z "${SKIP_FULL[$mode]:-}" ]; then
        row "$mode/full" "$label" "$CAP_FRAMES" ""
        SEC_FULL[$mode]=$LAST_SECS KIB_FULL[$mode]=$LAST_KIB
        FPS_PP[$mode]=$(fps "$CAP_FRAMES" "$LAST_SECS") KIB_PP[$mode]=$LAST_KIB
    fi
done

# Linearity: chain on the full capture vs its 10x smaller prefix (or, if the full run was skipped,
# the prefix vs a 10x smaller one again).
if [ -n "${SEC_FULL[chain]:-}" ]; then
    LIN_BIG_N=$CAP_FRAMES LIN_BIG_S=${SEC_FULL[chain]} LIN_BIG_K=${KIB_FULL[chain]}
    LIN_SMALL_N=$SLICE_FRAMES LIN_SMALL_S=${SEC_SLICE[chain]} LIN_SMALL_K=${KIB_SLICE[chain]}
else
    SMALL_CAP=$(prefix $(( SLICE / 10 )))
    read -r LIN_SMALL_N _ < <("$LOOP" "$SMALL_CAP")
    pp_cmd "trace --format chain" "$SMALL_CAP"
    measure 1 "pktpath trace --format chain" "$LIN_SMALL_N" "$(human "$LIN_SMALL_N")-frame prefix (linearity)" -- "${PP[@]}"
    LIN_SMALL_S=$LAST_SECS LIN_SMALL_K=$LAST_KIB
    LIN_BIG_N=$SLICE_FRAMES LIN_BIG_S=${SEC_SLICE[chain]} LIN_BIG_K=${KIB_SLICE[chain]}
fi

# ---- 4. report -------------------------------------------------------------------------------------
PP_PEAK=0 PP_PEAK_WHAT=""
for i in "${!ROWS[@]}"; do
    IFS='|' read -r name frames secs kib note rc <<< "${ROWS[$i]}"
    if [[ $name == pktpath* ]] && [ "$kib" -gt "$PP_PEAK" ]; then PP_PEAK=$kib PP_PEAK_WHAT="$name, $(human "$frames") frames"; fi
done
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? (v >= t) : (v <= t); print ok ? "PASS" : "FAIL" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.3g", a / b }'; }
{
    echo "## pktpath benchmark"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo)."
    echo "Capture: $(basename "$CAP"), $CAP_FRAMES frames, $(awk -v b="$CAP_BYTES" 'BEGIN { printf "%.0f MiB", b / 1048576 }') of frame data (Tools/gen-capture.py, seed $SEED); host profile $HOST_JSON."
    echo "Versions: $(tcpdump --version 2>&1 | head -n 1); $(tshark --version 2>/dev/null | head -n 1 | sed 's/ (Git.*//'); $("$SWIFT" --version 2>&1 | grep -m1 -o 'Swift version [0-9.]*')."
    echo
    echo "| tool | frames | seconds | frames/s | peak MiB | note |"
    echo "| --- | ---: | ---: | ---: | ---: | --- |"
    for row in "${ROWS[@]}"; do
        IFS='|' read -r name frames secs kib note rc <<< "$row"
        [ "$rc" = 0 ] || note="${note:+$note; }FAILED (exit $rc)"
        printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$frames" "$secs" "$(fps "$frames" "$secs")" "$(mib "$kib")" "$note"
    done
    echo
    echo "| target (issue 5) | measured | target | result |"
    echo "| --- | ---: | ---: | --- |"
    r=$(ratio "${FPS_PP[chain]}" "$FPS_TCPDUMP")
    echo "| trace --format chain vs tcpdump -nn (frames/s) | ${r}x | >= 1x | $(verdict "$r" 1 '>=') |"
    r=$(ratio "${FPS_PP[json]}" "$FPS_TSHARK_JSON")
    echo "| trace --format json vs tshark -T json (frames/s) | ${r}x | >= 20x | $(verdict "$r" 20 '>=') |"
    if [ "$HAVE_STATS" = 1 ]; then
        r=$(ratio "${FPS_PP[stats]}" "$FPS_LOOP")
        echo "| stats vs bare libpcap loop (frames/s) | ${r}x | >= 0.25x | $(verdict "$r" 0.25 '>=') |"
    else
        echo "| stats vs bare libpcap loop (frames/s) | n/a | >= 0.25x | SKIPPED (no \`pktpath stats\` yet) |"
    fi
    m=$(mib "$PP_PEAK")
    echo "| pktpath peak memory (largest of its runs: $PP_PEAK_WHAT) | $m MiB | <= 64 MiB | $(verdict "$m" 64 '<=') |"
    echo
    tr=$(ratio "$LIN_BIG_S" "$LIN_SMALL_S") nr=$(ratio "$LIN_BIG_N" "$LIN_SMALL_N") mr=$(ratio "$LIN_BIG_K" "$LIN_SMALL_K")
    lin=$(awk -v t="$tr" -v n="$nr" -v m="$mr" 'BEGIN { print (t / n >= 0.8 && t / n <= 1.25 && m <= 1.25) ? "PASS" : "FAIL" }')
    echo "Linearity (trace --format chain): $(human "$LIN_BIG_N") vs $(human "$LIN_SMALL_N") frames (${nr}x): time ${LIN_BIG_S} s vs ${LIN_SMALL_S} s = ${tr}x; peak memory $(mib "$LIN_BIG_K") vs $(mib "$LIN_SMALL_K") MiB = ${mr}x. $lin (time ratio within 0.8-1.25 of the frame ratio, memory ratio <= 1.25)."
} | tee "$RESULTS"
say "bench: results written to $RESULTS"

# ---- 5. the bench set: captures of other shapes, and this one, with paired medians (issue 13) --------
if [ "${BENCH_SET:-1}" = 1 ]; then
    BENCH_DIR=$BENCH_DIR BENCH_REPS=$REPS bash Tools/bench-shapes.sh "$CAP" "$HOST_JSON"
fi
