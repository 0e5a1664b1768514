#!/usr/bin/env bash
# The bench set (issue 13): pktpath against tcpdump and tshark on captures of several shapes of traffic,
# whole processes as a user runs them, each pktpath run paired with its yardstick's run in the same
# round, the median of the rounds' ratios reported.
#
# Usage: Tools/bench-shapes.sh [CAPTURE HOST_JSON]   (run by Tools/bench.sh, which passes its capture)
# Shapes (Tools/gen-shapes.sh, real traffic between network namespaces; root needed to make them, cached
# in $BENCH_DIR/shapes): lo, router, bulk, bulk6 (bulk over IPv6), synflood, frag; plus CAPTURE (the generated bench capture) and
# wifi, the same capture as a monitor interface beside the Wi-Fi station sees it (radiotap and 802.11,
# Tools/gen-wifi-shape.py; made from CAPTURE, so only when one is given).
# Environment: BENCH_DIR (bench-data), BENCH_SHAPE_FRAMES (500000), BENCH_REPS (3), BENCH_SHAPES (all),
# BENCH_JSON_SLICE_SHAPES (20000: the prefix tshark -T json and trace --format json run on).
# Per shape: frames/s of trace --format chain and of stats over tcpdump -nn -r (target >= 2x and >= 3x),
# of trace --format json over tshark -n -T json (>= 40x), pktpath's peak resident set over all its
# runs (<= 64 MiB), and time per frame of chain on a tenth of the capture and on all of it (flat).
set -euo pipefail

cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-bench-data}
FRAMES=${BENCH_SHAPE_FRAMES:-500000}
REPS=${BENCH_REPS:-3}
JSON_SLICE=${BENCH_JSON_SLICE_SHAPES:-20000}
read -r -a SHAPES <<< "${BENCH_SHAPES:-lo router bulk bulk6 synflood frag wifi}"
PKTPATH=.build/release/pktpath
DIR=$BENCH_DIR/shapes
RESULTS=$BENCH_DIR/results-shapes.md
mkdir -p "$DIR"
say() { printf '%s\n' "$*" >&2; }
SINK=/dev/null
[ -c "$SINK" ] || SINK=$BENCH_DIR/null
[ -c "$SINK" ] || { say "bench-shapes: no null character device (see Tools/bench.sh)"; exit 2; }

# The captures: NAME|PCAP|HOST
CAPTURES=()
[ $# -ge 2 ] && CAPTURES+=("bench (generated)|$1|$2")
for shape in "${SHAPES[@]}"; do
    if [ "$shape" = wifi ]; then
        [ $# -ge 2 ] || { say "bench-shapes: the wifi shape is made from the bench capture, and none was given; skipped"; continue; }
        pcap=$DIR/shape-wifi-$(basename "$1" .pcap).pcap host=$DIR/shape-wifi-$(basename "$1" .pcap).host.json
        [ -s "$pcap" ] && [ -s "$host" ] || python3 Tools/gen-wifi-shape.py "$1" "$2" "$pcap" "$host"
        CAPTURES+=("wifi (802.11)|$pcap|$host")
        continue
    fi
    pcap=$DIR/shape-$shape-$FRAMES.pcap host=$DIR/shape-$shape-$FRAMES.host.json
    if [ ! -s "$pcap" ] || [ ! -s "$host" ]; then
        if [ "$(id -u)" != 0 ]; then
            say "bench-shapes: $pcap is missing and making it needs root (network namespaces); skipped"
            continue
        fi
        bash Tools/gen-shapes.sh "$DIR" "$FRAMES" "$shape"
    fi
    CAPTURES+=("$shape|$pcap|$host")
done

# A prefix of N frames of a capture, cached beside it.
prefix() {
    local out=${1%.pcap}-first$2.pcap
    [ -s "$out" ] || { editcap -F pcap -r "$1" "$out.part" "1-$2" && mv "$out.part" "$out"; }
    printf '%s\n' "$out"
}
# run COMMAND...: runs it once, output to the null device; sets SECS and KIB (peak resident set).
run() {
    local tf=$BENCH_DIR/time-shapes.out
    /usr/bin/time -o "$tf" -f '%e %M' "$@" > "$SINK" 2> /dev/null || say "bench-shapes: exit $? from $*"
    read -r SECS KIB < <(tail -n 1 "$tf")
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b < 0.005) b = 0.005; printf "%.3f", a / b }'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? (v >= t) : (v <= t); print ok ? "PASS" : "FAIL" }'; }

TABLE=()
for entry in "${CAPTURES[@]}"; do
    IFS='|' read -r name pcap host <<< "$entry"
    frames=$(tcpdump -r "$pcap" -nn 2> /dev/null | wc -l)   # also warms the page cache
    tenth=$(prefix "$pcap" $(( frames / 10 )))
    jsonp=$(prefix "$pcap" "$JSON_SLICE")
    PP=("$PKTPATH")
    HOSTARGS=(--host "$host")
    chainR="" statsR="" jsonR="" linR="" tcpS="" chainS="" statsS="" peak=0
    for ((round = 1; round <= REPS; round++)); do
        say "bench-shapes: $name ($frames frames), round $round of $REPS"
        run tcpdump -nn -r "$pcap"; t=$SECS; tcpS+=" $t"
        run "${PP[@]}" trace "$pcap" "${HOSTARGS[@]}" --format chain; c=$SECS; chainS+=" $c"
        peak=$(( KIB > peak ? KIB : peak ))
        chainR+=" $(ratio "$t" "$c")"
        run tcpdump -nn -r "$pcap"; t=$SECS; tcpS+=" $t"
        run "${PP[@]}" stats "$pcap" "${HOSTARGS[@]}"; s=$SECS; statsS+=" $s"
        peak=$(( KIB > peak ? KIB : peak ))
        statsR+=" $(ratio "$t" "$s")"
        run tshark -n -T json -r "$jsonp"; t=$SECS
        run "${PP[@]}" trace "$jsonp" "${HOSTARGS[@]}" --format json; j=$SECS
        peak=$(( KIB > peak ? KIB : peak ))
        jsonR+=" $(ratio "$t" "$j")"
        run "${PP[@]}" trace "$tenth" "${HOSTARGS[@]}" --format chain; p=$SECS
        # Time per frame on all of it over time per frame on a tenth (1: flat).
        linR+=" $(awk -v c="$c" -v p="$p" 'BEGIN { if (p < 0.005) p = 0.005; printf "%.3f", c / (10 * p) }')"
    done
    # Memory in the modes not timed above: JSON and text on the whole capture, once.
    run "${PP[@]}" trace "$pcap" "${HOSTARGS[@]}" --format json; peak=$(( KIB > peak ? KIB : peak ))
    run "${PP[@]}" trace "$pcap" "${HOSTARGS[@]}"; peak=$(( KIB > peak ? KIB : peak ))
    cr=$(median <<< "$chainR") sr=$(median <<< "$statsR") jr=$(median <<< "$jsonR") lr=$(median <<< "$linR")
    pm=$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')
    TABLE+=("| $name | $frames | $(median <<< "$tcpS") | $(median <<< "$chainS") | ${cr}x $(verdict "$cr" 2 '>=') | $(median <<< "$statsS") | ${sr}x $(verdict "$sr" 3 '>=') | ${jr}x $(verdict "$jr" 40 '>=') | $pm $(verdict "$pm" 64 '<=') | $lr $(awk -v l="$lr" 'BEGIN { print (l >= 0.8 && l <= 1.25) ? "PASS" : "FAIL" }') |")
done
{
    echo "## pktpath on the bench set (medians of $REPS paired rounds)"
    echo
    echo "Seconds are medians of whole-process wall times; each ratio is the median of the rounds' ratios, each"
    echo "round running the yardstick and pktpath one after the other. JSON: the first $JSON_SLICE frames."
    echo
    echo "| capture | frames | tcpdump -nn -r s | chain s | chain vs tcpdump (>= 2x) | stats s | stats vs tcpdump (>= 3x) | json vs tshark -T json (>= 40x) | peak MiB (<= 64) | time/frame all vs tenth |"
    echo "| --- | ---: | ---: | ---: | --- | ---: | --- | --- | --- | --- |"
    printf '%s\n' "${TABLE[@]}"
} | tee "$RESULTS"
say "bench-shapes: results written to $RESULTS"
