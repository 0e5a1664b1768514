#!/usr/bin/env bash
# Fetches the network parts of a Debian kernel source tree for Tools/check-kernel-edges.
#
# Usage: Tools/fetch-kernel-tree.sh VERSION DIR
#   VERSION: 6.1 or 6.12 (Debian's linux-source-VERSION package, the newest apt offers).
#   DIR: where to put the tree; prints the tree's path (DIR/linux-source-VERSION) on success.
# Only net/, include/ and drivers/net/ are extracted (what the checker reads). Exits 3 when the
# package cannot be had (no apt, no network): callers treat that as "tree not present".
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 VERSION DIR" >&2; exit 2; }
V=$1; DIR=$2
TREE=$DIR/linux-source-$V
if [ -d "$TREE/net" ] && [ -d "$TREE/include" ] && [ -d "$TREE/drivers/net" ]; then echo "$TREE"; exit 0; fi
command -v apt-get >/dev/null || { echo "fetch-kernel-tree: no apt-get" >&2; exit 3; }
mkdir -p "$DIR"
WORK=$(mktemp -d "$DIR/.fetch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
if ! apt-get download "linux-source-$V" >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get download "linux-source-$V" >/dev/null 2>&1 || { echo "fetch-kernel-tree: linux-source-$V not available" >&2; exit 3; }
fi
dpkg-deb --fsys-tarfile linux-source-"$V"_*.deb | tar -x --wildcards './usr/src/linux-source-*.tar.xz'
tar -xJf usr/src/linux-source-"$V".tar.xz -C "$WORK" \
  "linux-source-$V/net" "linux-source-$V/include" "linux-source-$V/drivers/net"
rm -rf "$TREE"
mv "$WORK/linux-source-$V" "$TREE"
echo "$TREE"
