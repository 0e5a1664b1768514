#!/bin/bash
# Sourced by make-oracle.sh and make-oracle-state.sh: which kernel the oracle boots and where its
# runs go.
#
# Env:
#   ORACLE_KVER    kernel ABI name of the Debian package to boot (linux-image-<ORACLE_KVER>-unsigned),
#                  e.g. 6.12.117+deb12-amd64. Unset: the 6.1 kernel of the shared oracle's default
#                  cache, and the runs go to Fixtures/oracle/ as before.
#   ORACLE_CACHE   the oracle's cache folder for that kernel (one per kernel; default
#                  <tmp>/oracle-cache when ORACLE_KVER is unset, else <tmp>/oracle-cache-<ORACLE_KVER>).
#   ORACLE_OUT     folder that receives <fixture>/ (default: Fixtures/oracle for 6.1,
#                  Fixtures/oracle-<major.minor> otherwise, e.g. Fixtures/oracle-6.12).
#
# Kernels later than 6.1 (Debian's 6.12) need two things the shared oracle's cache builder does not do
# by itself: virtio_pci is built in (so it must not be asked for as a module), and modules ship
# xz-compressed, which busybox's insmod cannot load. oracle_prepare_cache builds the cache, leaves
# built-in modules out of ORACLE_MODULES and unpacks the modules the initramfs takes.

# oracle_begin ORACLE_DIR: the start every make-oracle script shares, once HERE (this folder) is set:
# ORACLE (the shared oracle's folder, absolute), FIX (the fixtures folder), WORK (a scratch folder
# removed on exit), the output folder (oracle_setup) and the kernel cache (oracle_prepare_cache).
oracle_begin() {
  ORACLE=$(cd "$1" && pwd)
  FIX=$(cd "$HERE/.." && pwd)
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  oracle_setup "$HERE"
  oracle_prepare_cache "$ORACLE"
}

# oracle_capture NAME DIR: DIR/capture.pcap, the frames of Fixtures/NAME.pcap the host received (none
# sent from a MAC of its profile Fixtures/NAME.host.json).
oracle_capture() {
  local macs
  macs=$(python3 -c 'import json,sys; print(" and ".join("not ether src " + i["mac"] for i in json.load(open(sys.argv[1]))["interfaces"]))' "$FIX/$1.host.json")
  tcpdump -r "$FIX/$1.pcap" --time-stamp-precision=nano -w "$2/capture.pcap" "$macs" 2>/dev/null
}

# oracle_run DIR: the oracle on DIR's capture.pcap and scenario.json, its output copied into DIR. A TCG
# boot on a loaded host now and then panics early ("IO-APIC + timer doesn't work"): tried three times.
oracle_run() {
  local attempt
  for attempt in 1 2 3; do
    rm -rf "$WORK/out"
    "$ORACLE/run.sh" "$1" "$WORK/out" && break
    echo "$(basename "$1"): attempt $attempt failed" >&2
  done
  cp "$WORK/out/oracle.jsonl" "$WORK/out/responses.pcap" "$WORK/out/run_meta.json" "$1/"
}

oracle_setup() {  # $1 = this folder (Fixtures/oracle)
  local here=$1 tmp=${TMPDIR:-/tmp}
  if [ -n "${ORACLE_KVER:-}" ]; then
    export ORACLE_CACHE=${ORACLE_CACHE:-$tmp/oracle-cache-$ORACLE_KVER}
    local mm; mm=$(echo "$ORACLE_KVER" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
    if [ "$mm" = 6.1 ]; then OUT_BASE=${ORACLE_OUT:-$here}; else OUT_BASE=${ORACLE_OUT:-$here/../oracle-$mm}; fi
  else
    export ORACLE_CACHE=${ORACLE_CACHE:-$tmp/oracle-cache}
    OUT_BASE=${ORACLE_OUT:-$here}
  fi
  mkdir -p "$OUT_BASE"; OUT_BASE=$(cd "$OUT_BASE" && pwd)
}

oracle_prepare_cache() {  # $1 = the shared oracle's folder
  local oracle=$1
  # first pass: fetch and unpack the kernel package (veth is a module in every Debian kernel)
  ORACLE_MODULES=veth "$oracle/lib/build_cache.sh"
  local kver; kver=$(cat "$ORACLE_CACHE/KVER")
  local moddir=$ORACLE_CACHE/kpkg/lib/modules/$kver
  local want=${ORACLE_MODULES:-"virtio_pci 9pnet_virtio 9p veth"} mods=() m rel
  for m in $want; do
    grep -qE "(^|/)$m\.ko(\.[a-z]+)?$" "$moddir/modules.builtin" 2>/dev/null || mods+=("$m")
  done
  export ORACLE_MODULES="${mods[*]}"
  # unpack each wanted module and its dependencies
  local todo=() rels=()
  for m in "${mods[@]}"; do
    rel=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -1 | cut -d: -f1)
    [ -n "$rel" ] && todo+=("$rel")
  done
  while [ ${#todo[@]} -gt 0 ]; do
    rel=${todo[0]}; todo=("${todo[@]:1}")
    case " ${rels[*]} " in *" $rel "*) continue;; esac
    rels+=("$rel")
    for m in $(grep "^$rel:" "$moddir/modules.dep" | cut -d: -f2); do todo+=("$m"); done
  done
  local unpacked=0
  for rel in "${rels[@]}"; do
    case $rel in *.ko.xz) unxz -f "$moddir/$rel"; unpacked=1;; esac
  done
  [ $unpacked = 0 ] || depmod -b "$ORACLE_CACHE/kpkg" "$kver"
  # rebuild the initramfs unless it already holds exactly these (unpacked) modules
  local have expect
  have=$(sort "$ORACLE_CACHE/initramfs-root/oracle/modules.order" 2>/dev/null | tr '\n' ' ')
  expect=$(for rel in "${rels[@]}"; do basename "${rel%.xz}"; done | sort | tr '\n' ' ')
  if [ "$have" != "$expect" ]; then
    rm -f "$ORACLE_CACHE/initramfs-base.cpio.gz"
    "$oracle/lib/build_cache.sh"
  fi
}
