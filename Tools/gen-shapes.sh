#!/usr/bin/env bash
# Makes the bench set's real captures (issue 13): traffic of one shape between network namespaces made
# here (all named pq-*; the bulk shapes' prefix is SHAPES_NS, default pq), captured with tcpdump on the capturing host's interface until it holds FRAMES
# frames, with that host's profile (pktpath host snapshot, taken while the traffic runs).
#
# Usage: Tools/gen-shapes.sh OUTDIR [FRAMES] [SHAPE...]    (root; FRAMES default 500000)
# Shapes: lo (many short TCP connections on lo), router (a client behind a router talking IPv4 and IPv6),
# bulk (bulk TCP received through GRO), bulk6 (the same over IPv6), synflood (SYNs from many sources to a listener), frag
# (fragmented pings and UDP datagrams). Writes OUTDIR/shape-SHAPE-FRAMES.pcap and .host.json.
# Needs ip, tcpdump, ethtool, ping, python3 and a built pktpath (PKTPATH, default .build/release/pktpath).
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${1:?usage: gen-shapes.sh OUTDIR [FRAMES] [SHAPE...]}
FRAMES=${2:-500000}
shift $(( $# >= 2 ? 2 : 1 ))
SHAPES=("$@")
[ ${#SHAPES[@]} -gt 0 ] || SHAPES=(lo router bulk synflood frag)
PKTPATH=$(realpath "${PKTPATH:-.build/release/pktpath}")
TRAFFIC=$(realpath Tools/shape-traffic.py)
mkdir -p "$OUT"
say() { printf '%s\n' "$*" >&2; }

NAMESPACES=()
JOBS=()
cleanup() {
    set +e
    for p in "${JOBS[@]}"; do kill "$p" 2> /dev/null; done
    wait 2> /dev/null
    for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2> /dev/null; done
    NAMESPACES=() JOBS=()
}
trap cleanup EXIT

namespaces() {  # the shape's namespaces, made anew with lo up
    local ns
    for ns in "$@"; do
        ip netns del "$ns" 2> /dev/null || true
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        NAMESPACES+=("$ns")
    done
}

veth() {  # NS_A IF_A NS_B IF_B: a veth pair between two namespaces, both ends up
    ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
    ip -n "$1" link set "$2" up
    ip -n "$3" link set "$4" up
}

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

background() {  # NS COMMAND...: runs in the namespace, in the background, ended at cleanup
    local ns=$1
    shift
    # Not through a shell function, so that $! is the command itself ('ip netns exec' execs it).
    ip netns exec "$ns" "$@" > /dev/null 2>&1 &
    JOBS+=("$!")
}

# Captures FRAMES frames on IF in NS into the shape's file, snapshots the host meanwhile, then ends the
# traffic. The traffic must already be starting (background).
capture() {  # SHAPE NS IF
    local shape=$1 ns=$2 dev=$3 pcap=$OUT/shape-$1-$FRAMES.pcap
    local host=$OUT/shape-$1-$FRAMES.host.json
    sleep 1
    in_ns "$ns" "$PKTPATH" host snapshot 2> /dev/null | python3 -c '
import json, sys
profile = json.load(sys.stdin)
for i in profile["interfaces"]:
    i["captured"] = i["name"] == sys.argv[1]
json.dump(profile, sys.stdout, indent=1)
' "$dev" > "$host.part"
    mv "$host.part" "$host"
    in_ns "$ns" tcpdump -i "$dev" -nn -s 262144 -c "$FRAMES" -w "$pcap.part" 2> /dev/null
    mv "$pcap.part" "$pcap"
    cleanup
    say "gen-shapes: $pcap ($(stat -c %s "$pcap") bytes), $host"
}

for shape in "${SHAPES[@]}"; do
    say "gen-shapes: $shape, $FRAMES frames"
    case $shape in
    lo)
        namespaces pq-lo
        background pq-lo python3 "$TRAFFIC" lo
        capture lo pq-lo lo
        ;;
    router)
        # pq-cli (10.91.1.2, fd91:1::2) - pq-rtr - pq-srv (10.91.2.2, fd91:2::2)
        namespaces pq-cli pq-rtr pq-srv
        veth pq-cli pq-c0 pq-rtr pq-r0
        veth pq-rtr pq-r1 pq-srv pq-s0
        ip -n pq-cli addr add 10.91.1.2/24 dev pq-c0
        ip -n pq-cli addr add fd91:1::2/64 dev pq-c0 nodad
        ip -n pq-rtr addr add 10.91.1.1/24 dev pq-r0
        ip -n pq-rtr addr add fd91:1::1/64 dev pq-r0 nodad
        ip -n pq-rtr addr add 10.91.2.1/24 dev pq-r1
        ip -n pq-rtr addr add fd91:2::1/64 dev pq-r1 nodad
        ip -n pq-srv addr add 10.91.2.2/24 dev pq-s0
        ip -n pq-srv addr add fd91:2::2/64 dev pq-s0 nodad
        in_ns pq-rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
        ip -n pq-cli route add default via 10.91.1.1
        ip -n pq-cli -6 route add default via fd91:1::1
        ip -n pq-srv route add default via 10.91.2.1
        ip -n pq-srv -6 route add default via fd91:2::1
        background pq-srv python3 "$TRAFFIC" router-server
        sleep 0.5
        background pq-cli python3 "$TRAFFIC" router-client 10.91.2.2 fd91:2::2
        capture router pq-cli pq-c0
        ;;
    bulk | bulk6)
        # The sender (-bp) sends to the receiver (-bd) in MTU-sized segments (no TSO/GSO); the
        # receiver's veth aggregates them (GRO, at most 4 KiB an aggregate, two segments, so that the
        # capture stays near a GB; gro_max_size bounds IPv6 aggregates, and IPv4 ones through
        # gro_ipv4_max_size, which it sets too). bulk6 runs over IPv6 (fd92::/64, no DAD).
        d=${SHAPES_NS:-pq}-bd p=${SHAPES_NS:-pq}-bp
        [ "$shape" = bulk6 ] && { d=$d'6' p=$p'6'; }
        namespaces "$d" "$p"
        veth "$d" "${d}0" "$p" "${p}0"
        ip -n "$d" addr add 10.92.0.1/24 dev "${d}0"
        ip -n "$p" addr add 10.92.0.2/24 dev "${p}0"
        addr=10.92.0.1 any=0.0.0.0
        if [ "$shape" = bulk6 ]; then
            ip -n "$d" addr add fd92::1/64 dev "${d}0" nodad
            ip -n "$p" addr add fd92::2/64 dev "${p}0" nodad
            addr=fd92::1 any=::
        fi
        in_ns "$p" ethtool -K "${p}0" tso off gso off > /dev/null
        in_ns "$d" ethtool -K "${d}0" gro on > /dev/null
        ip -n "$d" link set "${d}0" gro_max_size 4096
        background "$d" python3 "$TRAFFIC" bulk-server $any
        sleep 0.5
        background "$p" python3 "$TRAFFIC" bulk-client $addr
        capture "$shape" "$d" "${d}0"
        ;;
    synflood)
        # SYNs from 10.93.128.0/17 (behind pq-sp, the default route) to pq-sd's listener on :80.
        namespaces pq-sd pq-sp
        veth pq-sd pq-sd0 pq-sp pq-sp0
        ip -n pq-sd addr add 10.93.0.1/24 dev pq-sd0
        ip -n pq-sp addr add 10.93.0.2/24 dev pq-sp0
        ip -n pq-sd route add default via 10.93.0.2
        background pq-sd python3 "$TRAFFIC" listen 80
        sleep 0.5
        background pq-sp python3 "$TRAFFIC" synflood 10.93.0.1 80
        capture synflood pq-sd pq-sd0
        ;;
    frag)
        # Pings of 3,000 bytes (three fragments each way) and UDP datagrams of 4,000 bytes to pq-fd.
        namespaces pq-fd pq-fp
        veth pq-fd pq-fd0 pq-fp pq-fp0
        ip -n pq-fd addr add 10.94.0.1/24 dev pq-fd0
        ip -n pq-fp addr add 10.94.0.2/24 dev pq-fp0
        background pq-fd python3 "$TRAFFIC" udp-sink 7000
        background pq-fp ping -q -f -s 3000 10.94.0.1
        background pq-fp python3 "$TRAFFIC" udp-frag 10.94.0.1 7000
        capture frag pq-fd pq-fd0
        ;;
    *)
        say "gen-shapes: unknown shape $shape (lo, router, bulk, bulk6, synflood, frag)"
        exit 2
        ;;
    esac
done
