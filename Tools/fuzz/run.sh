#!/usr/bin/env bash
# Builds pktpath's libFuzzer target (Tools/fuzz/PktpathFuzz, linked with -sanitize=fuzzer,address) and
# runs it for a while on a corpus.
#
#   Tools/fuzz/run.sh [TARGET|all] [SECONDS] [CORPUS_DIR]
#   Tools/fuzz/run.sh merge TARGET        (the grown corpus into the regression corpus)
#
# Targets (Tools/fuzz/PktpathFuzz/FuzzTargets.swift; PKTPATH_FUZZ_TARGET selects one in the binary):
# capture: arbitrary bytes as a whole capture file (HostInference + ReplaySession, every renderer).
#          Seeds: the fixture captures, tcpdump's small regression captures, and pcapng made from
#          fixtures with two interfaces in each link type pktpath reads (one with interfaces of two link types, and an 802.11 one it refuses).
# frame:   arbitrary bytes as one Ethernet frame through the model on both drivers (veth, iwlwifi) and
#          every kernel version (4.14, 6.1, 6.12).
# host:    arbitrary bytes as a host profile (--host); one that parses replays frames of every fixture.
# set:     arbitrary bytes as --set KEY=VALUE lines, applied to fixtures' profiles, then a replay.
# diff:    arbitrary bytes as a trace file for `pktpath diff`, diffed against a fixture's real trace.
# filter:  arbitrary bytes as a pcap-filter expression, compiled for a capture of each link type and
#          applied to it to the end (with the dictionary filter.dict of pcap-filter words: libpcap is
#          not instrumented, so coverage cannot guide the fuzzer through its grammar).
# all:     each of them in turn, SECONDS each.
#
# libFuzzer runs in fork mode (-fork=1, one worker: the machine is shared; FORK=N for more) and goes on
# after a crash, timeout or out-of-memory (-ignore_crashes etc.), so one finding does not end a campaign.
# The build goes to .build-fuzz (ignored by git), separate from the normal .build. The corpus grows in
# CORPUS_DIR (default .build-fuzz/corpus/TARGET), starting from the regression corpus
# Tests/EndToEndTests/FuzzCorpus/TARGET and the seeds (written by the fuzz binary itself, with
# PKTPATH_FUZZ_SEEDS=DIR, into .build-fuzz/seeds/TARGET). Findings land in .build-fuzz/findings/TARGET/,
# each minimized there (minimized-*) at the end of the run: copy one to
# Tests/EndToEndTests/FuzzCorpus/known-crashes/TARGET/ until it is fixed, then to FuzzCorpus/TARGET/
# (FuzzRegressionTests replays every folder through its target).
#
# Environment: CONFIG=release|debug (default release), SWIFT (default swift), SWIFTC (default swiftc),
# FORK (default 1), FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail

target=${1:-all}
seconds=${2:-600}
corpus_arg=${3:-}
config=${CONFIG:-release}
swift=${SWIFT:-swift}
swiftc=${SWIFTC:-swiftc}

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
scratch=.build-fuzz
binary=$scratch/pktpath-fuzz

targets="capture frame host set diff filter"
case " $targets all merge " in
  *" $target "*) ;;
  *) echo "usage: $0 [${targets// /|}|all] [SECONDS] [CORPUS_DIR], or $0 merge TARGET" >&2; exit 2 ;;
esac

build() {
  echo "fuzz: building ($config, -sanitize=fuzzer,address) in $scratch" >&2
  "$swift" build -c "$config" --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address --target PktpathFuzz
  # SwiftPM links only executables, and an executable needs a main, which libFuzzer provides; so link
  # the library's objects (and its dependencies') here.
  local objects=()
  for module in Capture Wire Trace KernelNet KernelVeth KernelMac80211 KernelIwlMvm Replay TraceRender TraceDiff \
    TestSupport PktpathFuzz; do
    objects+=("$scratch/$config/$module.build"/*.o)
  done
  "$swiftc" -sanitize=fuzzer,address "${objects[@]}" -lpcap -o "$binary" 2> >(grep -v "Cannot export local symbol" >&2)
}

# Seeds: what the fuzz binary writes for the target (FuzzSeeds.swift); for capture also the fixture
# captures and the small tcpdump captures as they are, for frame every Ethernet frame of those captures.
seed() {
  local which=$1 dir=$scratch/seeds/$1
  rm -rf "$dir"
  mkdir -p "$dir"
  PKTPATH_FUZZ_TARGET=$which PKTPATH_FUZZ_SEEDS=$dir "$binary"
  local captures=()
  while IFS= read -r f; do captures+=("$f"); done < <(
    find Fixtures -name '*.pcap' -type f
    [ -d ../shared/captures/tcpdump-tests ] && find ../shared/captures/tcpdump-tests -type f -size -16k
  )
  if [ "$which" = capture ]; then
    local i=0
    for f in "${captures[@]}"; do cp "$f" "$dir/$(printf %04d $i)-$(basename "$f")"; i=$((i + 1)); done
  elif [ "$which" = frame ]; then
    python3 - "$dir" "${captures[@]}" <<'PY'
import hashlib, struct, sys
out, files = sys.argv[1], sys.argv[2:]
for path in files:
    data = open(path, "rb").read()
    if len(data) < 24:
        continue
    magic = data[:4]
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if endian is None or struct.unpack(endian + "I", data[20:24])[0] != 1:  # classic pcap, Ethernet only
        continue
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if len(frame) == caplen:
            open(f"{out}/{hashlib.sha1(frame).hexdigest()}", "wb").write(frame)
PY
  fi
  echo "fuzz: $(ls "$dir" | wc -l) $which seeds" >&2
}

# The longest input each target is given: its seeds fit (a trace file is the longest).
max_len() {
  case $1 in
    capture) echo 16384 ;;
    frame) echo 4096 ;;
    host) echo 8192 ;;
    set) echo 1024 ;;
    diff) echo 65536 ;;
    filter) echo 512 ;;
  esac
}

run() {
  local which=$1
  local corpus=${corpus_arg:-$scratch/corpus/$which}
  local findings=$scratch/findings/$which
  local regression=Tests/EndToEndTests/FuzzCorpus/$which
  mkdir -p "$corpus" "$findings"
  seed "$which"
  echo "fuzz: $which for ${seconds}s, corpus $corpus, findings $findings/" >&2
  local dirs=("$corpus" "$scratch/seeds/$which") dict=()
  [ -f "Tools/fuzz/$which.dict" ] && dict=(-dict="Tools/fuzz/$which.dict")
  [ -d "$regression" ] && dirs+=("$regression")
  # shellcheck disable=SC2086
  PKTPATH_FUZZ_TARGET=$which "$binary" -fork="${FORK:-1}" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$which")" \
    -print_final_stats=1 -artifact_prefix="$findings/" "${dict[@]}" ${FUZZ_ARGS:-} "${dirs[@]}" || true
  minimize "$which"
}

# Minimizes each crash, timeout or out-of-memory of the target not minimized yet (minimized-NAME beside it).
minimize() {
  local which=$1 findings=$scratch/findings/$1 f
  for f in "$findings"/crash-* "$findings"/timeout-* "$findings"/oom-*; do
    [ -e "$f" ] || continue
    [ -e "$findings/minimized-$(basename "$f")" ] && continue
    PKTPATH_FUZZ_TARGET=$which "$binary" -minimize_crash=1 -runs=10000 -timeout=10 -max_len="$(max_len "$which")" \
      -exact_artifact_path="$findings/minimized-$(basename "$f")" "$f" >/dev/null 2>&1 || true
    [ -e "$findings/minimized-$(basename "$f")" ] || cp "$f" "$findings/minimized-$(basename "$f")"
    echo "fuzz: finding $findings/minimized-$(basename "$f") ($(wc -c < "$findings/minimized-$(basename "$f")") bytes)" >&2
  done
}

# Adds to Tests/EndToEndTests/FuzzCorpus/TARGET the inputs of the grown corpus that cover something the
# folder does not (libFuzzer's -merge=1), files of at most 4 KiB.
merge() {
  local which=$1 regression=Tests/EndToEndTests/FuzzCorpus/$1
  mkdir -p "$regression"
  PKTPATH_FUZZ_TARGET=$which "$binary" -merge=1 -max_len=4096 "$regression" "$scratch/corpus/$which"
}

build
case $target in
  all) for t in $targets; do run "$t"; done ;;
  merge)
    case " $targets " in *" $seconds "*) merge "$seconds" ;; *) echo "usage: $0 merge TARGET" >&2; exit 2 ;; esac ;;
  *) run "$target" ;;
esac
