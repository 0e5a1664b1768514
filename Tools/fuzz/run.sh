#!/usr/bin/env bash
# Builds pktpath's libFuzzer target (Tools/fuzz/PktpathFuzz, linked with -sanitize=fuzzer,address) and
# runs it for a while on a corpus.
#
#   Tools/fuzz/run.sh [capture|frame|all] [SECONDS] [CORPUS_DIR]
#
# capture: arbitrary bytes as a whole capture file (HostInference + ReplaySession, every renderer).
# frame:   arbitrary bytes as one Ethernet frame through the model on both drivers (veth, iwlwifi).
# all:     capture, then frame, SECONDS each.
#
# The build goes to .build-fuzz (ignored by git), separate from the normal .build. The corpus grows in
# CORPUS_DIR (default .build-fuzz/corpus/TARGET), seeded from Fixtures/ and from tcpdump's regression
# captures in ../shared/captures/tcpdump-tests when present. Crashes, timeouts and leaks land in
# .build-fuzz/findings/TARGET/; minimize one with
#   PKTPATH_FUZZ_TARGET=TARGET .build-fuzz/pktpath-fuzz -minimize_crash=1 -runs=10000 FILE
# then copy it to Tests/EndToEndTests/FuzzCorpus/ (FuzzRegressionTests replays that folder).
#
# Environment: CONFIG=release|debug (default release), SWIFT (default swift), SWIFTC (default swiftc),
# FUZZ_ARGS (extra libFuzzer flags, e.g. FUZZ_ARGS=-jobs=2).
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

case $target in
  capture|frame|all) ;;
  *) echo "usage: $0 [capture|frame|all] [SECONDS] [CORPUS_DIR]" >&2; exit 2 ;;
esac

build() {
  echo "fuzz: building ($config, -sanitize=fuzzer,address) in $scratch" >&2
  "$swift" build -c "$config" --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address --target PktpathFuzz
  # SwiftPM links only executables, and an executable needs a main, which libFuzzer provides; so link
  # the library's objects (and its dependencies') here.
  local objects=()
  for module in Capture Wire Trace KernelNet KernelVeth KernelMac80211 KernelIwlMvm Replay TraceRender PktpathFuzz; do
    objects+=("$scratch/$config/$module.build"/*.o)
  done
  "$swiftc" -sanitize=fuzzer,address "${objects[@]}" -lpcap -o "$binary" 2> >(grep -v "Cannot export local symbol" >&2)
}

# Seeds: the fixture captures and the small tcpdump captures as they are (capture target), and every
# Ethernet frame of the fixture captures (frame target).
seed() {
  local which=$1 dir=$scratch/seeds/$1
  rm -rf "$dir"
  mkdir -p "$dir"
  local captures=()
  while IFS= read -r f; do captures+=("$f"); done < <(
    find Fixtures -name '*.pcap' -type f
    [ -d ../shared/captures/tcpdump-tests ] && find ../shared/captures/tcpdump-tests -type f -size -16k
  )
  if [ "$which" = capture ]; then
    local i=0
    for f in "${captures[@]}"; do cp "$f" "$dir/$(printf %04d $i)-$(basename "$f")"; i=$((i + 1)); done
  else
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

run() {
  local which=$1
  local corpus=${corpus_arg:-$scratch/corpus/$which}
  local findings=$scratch/findings/$which
  mkdir -p "$corpus" "$findings"
  seed "$which"
  local max_len=16384
  [ "$which" = frame ] && max_len=4096
  echo "fuzz: $which for ${seconds}s, corpus $corpus, findings $findings/" >&2
  # shellcheck disable=SC2086
  PKTPATH_FUZZ_TARGET=$which "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$findings/" ${FUZZ_ARGS:-} \
    "$corpus" "$scratch/seeds/$which"
}

build
if [ "$target" = all ]; then
  run capture
  run frame
else
  run "$target"
fi
