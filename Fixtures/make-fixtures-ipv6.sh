#!/bin/bash
# Recreate the IPv6 fixtures from scratch (run as root, issue 11).
#
# Usage: make-fixtures-ipv6.sh [OUT_DIR] [FIXTURE...]
#   FIXTURE: ping tcp_udp linkup ndisc ra ra_route redirect mld frag exthdr forward tcp_mid tcp_mapped pmtu tcp_err dad mdns
#            fwd_redirect ra_rio mcloop nft (default: all)
# Env: FIXTURE_PREFIX (default p6b) names the namespaces and interfaces (<prefix>-dut, <prefix>-peer,
#      <prefix>-far): tcp_mid and tcp_mapped were made with FIXTURE_PREFIX=p6t, pmtu, tcp_err, fwd_redirect and ra_rio
#      with FIXTURE_PREFIX=pv6, ra_route and redirect with FIXTURE_PREFIX=pra, dad and mdns with FIXTURE_PREFIX=pm1,
#      mcloop with FIXTURE_PREFIX=pl6, nft with FIXTURE_PREFIX=pn6.
# Writes OUT_DIR/v6_<name>.pcap, OUT_DIR/v6_<name>.host.json, OUT_DIR/truth/v6_<name>.kfree_skb.txt,
#        OUT_DIR/truth/v6_<name>.nstat.txt, OUT_DIR/truth/v6_<name>.link.txt
#
# Namespaces (fresh per fixture, removed on exit): p6b-dut, the capturing host, with the interface
# p6b-dut (02:00:00:00:0d:00, fd77::1/64, link-local fe80::ff:fe00:d00) paired with p6b-peer's p6b-peer
# (02:00:00:00:0e:00, fd77::2/64, fe80::ff:fe00:e00); for forward also p6b-dut2 (02:00:00:00:0d:01,
# fd78::1/64, MTU 1280) paired with p6b-far's p6b-far (02:00:00:00:0f:01, fd78::2/64, MTU 1280).
# IPv6 on, IPv4 without addresses, offloads off, net.ipv6.icmp.ratelimit=0 and router solicitations off
# (router_solicitations=0) in every namespace unless a fixture says otherwise. Every interface is up
# and its addresses past DAD, and the unsolicited MLD reports sent, before the capture starts.
# tcpdump runs in p6b-dut on p6b-dut. All traffic stays between the namespaces.
#   ping     ping6 twice, neighbours not cached: the peer's NS, the host's NA, echo, echo
#   tcp_udp  static neighbours: TCP handshake, 14 bytes, 3 back, close; SYN to closed port 81 (RST);
#            UDP to open 7000 and closed 7001 (port unreachable)
#   linkup   IPv6 on the host's interface is switched off before and on during the capture (DAD of
#            its link-local address, MLD reports, router solicitations), then fd77::1 is added again
#            (DAD, MLD); then the peer adds fd77::20 (its DAD probe) and tries fd77::1 (the host
#            defends it with an NA)
#   ndisc    craft-ipv6-fixtures.py ndisc: valid and invalid NS/NA, DAD probes, RS, redirect
#   dad      DAD fails twice on the host (router_solicitation_delay 0 on both sides: each probe leaves at once):
#            it adds fd77::5, which the peer has (the peer's NA), then fd77::6, which the peer adds 0.3 s
#            later (the peer's own probe); `ip -6 addr` of the host after the capture goes to
#            truth/v6_dad.addr.txt (both dadfailed tentative)
#   mdns     an mDNS responder on the host (craft-ipv6-fixtures.py mdns-responder: [::]:5353 joined to
#            ff02::fb) answers the peer's two queries to ff02::fb (mdns-query) with datagrams to ff02::fb;
#            the profile names the responder's socket and its group
#   mcloop   the host's UDP sockets send to link-local groups (craft-ipv6-fixtures.py mcloop-sender):
#            [::]:7400, joined to ff02::7400, to its own group (the copy looped back to it) and to
#            ff02::7401; [::]:7401, multicast loop off, to ff02::7400 (no copy)
#   ra       craft-ipv6-fixtures.py ra: invalid and valid router advertisements (accept_ra=1, forwarding=0)
#   ra_route the peer, with fd99::5 on its loopback, advertises itself as the default router
#            (craft-ipv6-fixtures.py ra-route on: MTU 1400, on-link prefix fd79::/64), the host pings fd99::5
#            (through the router) with 56 and 1400 bytes (in two fragments: the MTU option lowered the
#            link's IPv6 MTU), the peer withdraws (ra-route off: lifetimes 0), the host's third ping
#            fails locally (no route, nothing sent); the peer has a permanent entry for the host
#   redirect as ra_route's start (the peer the default router, a ping to fd99::5 through it), then
#            craft-ipv6-fixtures.py redirect (fd99::5 through fe80::99, 02:00:00:00:0e:99, quoting the
#            request), refused (the route carries the RA's MTU), a ping through the router again; the
#            router withdraws and comes back without the MTU option, a ping, the same redirect, taken
#            now: the last ping goes to 02:00:00:00:0e:99 (nobody answers)
#   mld      craft-ipv6-fixtures.py mld, the host a member of ff12::7777 on p6b-dut
#   frag     static neighbours, ip6frag_time=1: ping6 of 3000 bytes (fragments both ways), then
#            craft-ipv6-fixtures.py frag (overlap, atomic, bad length, a fragment left to time out)
#   exthdr   static neighbours: craft-ipv6-fixtures.py exthdr
#   tcp_mid  static neighbours: a TCP connection to [::]:8080 set up and used before the capture
#            starts; the capture shows a second request, its answer and the close
#   tcp_mapped  static neighbours, IPv4 addresses 10.77.0.1/24 and 10.77.0.2/24 too: the listener on
#            [::]:8080 (dual-stack) reached over IPv4 (an IPv4-mapped socket): handshake, 14 bytes,
#            3 back, close
#   forward  the host forwards (net.ipv6.conf.all.forwarding=1) between the peer and p6b-far: two
#            pings, one with hop limit 1 (time exceeded), one of 1300 bytes (packet too big, MTU 1280),
#            the same again (the peer now fragments it; the host forwards the fragments)
#   ra_rio   accept_ra_rt_info_max_plen=64 on the host; the peer (fd98::5 on its loopback, not a default
#            router) advertises route information (craft-ipv6-fixtures.py ra-rio on: fd98::/48 taken, two
#            options refused), the host pings fd98::5 through it, the peer withdraws fd98::/48 (ra-rio off),
#            the host's second ping fails locally (no route); truth/v6_ra_rio.routes.txt holds the host's
#            routes after each advertisement
#   fwd_redirect  static neighbours, the host forwards (forwarding=1) and routes fd99::/64 back out its
#            one link through fe80::99 (02:00:00:00:0e:99, permanent, nobody); the peer
#            (accept_redirects=0) routes fd99::/64 through the host and pings fd99::5 15 times, 0.1 s
#            apart: the host forwards every request back out and sends the peer redirects (target
#            fe80::99 with its link-layer address), six at once, then one a second (inet_peer_xrlim_allow)
#   pmtu     the peer routes (forwarding=1) between the host and p6b-far (fd78::2, ::3 and ::4 on p6b-far;
#            the peer's route to fd78::/64 has MTU 1280, every link 1500), static neighbours; the host
#            sends from [::]:7001 two UDP datagrams of 1400 bytes to fd78::2 (packet too big for the
#            first; the second leaves in fragments), 6000 bytes over TCP to [fd78::3]:8080 (packet too
#            big, the connection's MSS falls, it retransmits), then ping6 -s 3000 twice to fd78::4
#            (packet too big about the first fragment; the second request in fragments of 1280)
#   tcp_err  static neighbours, fd77::7 and fd77::9 reached through the peer's MAC (the peer, not a router,
#            never answers for them): craft-ipv6-fixtures.py tcp-err against a listener on [::]:8080
#            (tcp-err-server) and the host's tcp-err-connect: ICMPv6 errors about an open connection's
#            segments (soft errors, one out of window), about the host's SYN to fd77::9 (the attempt
#            fails), about a request socket's SYN-ACK (kept, out of window, removed; the ACK after it
#            gets a reset), and the port unreachable and an address unreachable about a datagram of the
#            host's UDP socket connected to [fd77::2]:7001
#   nft      the host forwards to p6b-far as in forward, static neighbours, nftables rules (an inet
#            table's input, forward and output chains, an ip6 table's input chain; nft_ruleset below):
#            craft-ipv6-fixtures.py nft: rejects with a TCP reset and with ICMPv6 (icmpv6 and icmpx
#            types), drops (by source, past extension headers, the ip6 table's, a first fragment),
#            rules of IPv4 (ip saddr, reject with icmp) that never match IPv6, a forwarded datagram
#            dropped and a forwarded SYN rejected with a reset, a forwarded echo; the host's own
#            answers pass the output chain; `nft list ruleset` goes to truth/v6_nft.ruleset.txt, `nft -j
#            list ruleset` to truth/v6_nft.ruleset.json (host snapshot's input)
# Needs: iproute2 (ip, nstat), ethtool, tcpdump, nft (nftables), Debian python3 + python3-scapy, tracefs.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "must be run as root" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}; shift || true
mkdir -p "$OUT/truth"; OUT=$(cd "$OUT" && pwd)
ALL=(ping tcp_udp linkup ndisc ra ra_route redirect mld frag exthdr forward tcp_mid tcp_mapped pmtu tcp_err dad mdns fwd_redirect ra_rio mcloop nft)
[ $# -gt 0 ] && SEL=("$@") || SEL=("${ALL[@]}")
CRAFT="$HERE/craft-ipv6-fixtures.py"
PFX=${FIXTURE_PREFIX:-p6b}; DUT=$PFX-dut; PEER=$PFX-peer; FAR=$PFX-far
DUT_MAC=02:00:00:00:0d:00; PEER_MAC=02:00:00:00:0e:00; DUT2_MAC=02:00:00:00:0d:01; FAR_MAC=02:00:00:00:0f:01
DUT_IP=fd77::1; PEER_IP=fd77::2; DUT2_IP=fd78::1; FAR_IP=fd78::2
DUT_LL=fe80::ff:fe00:d00; PEER_LL=fe80::ff:fe00:e00; DUT2_LL=fe80::ff:fe00:d01; FAR_LL=fe80::ff:fe00:f01

. "$HERE/capture.sh"
capture_session pktpath-$PFX-fixtures $DUT $PEER $FAR
PY=/usr/bin/python3
CAP_NS=$DUT; CAP_IF=$DUT
KFREE_FILTER="protocol == 34525"
dx() { ip netns exec $DUT "$@"; }
px() { ip netns exec $PEER "$@"; }
fx() { ip netns exec $FAR "$@"; }

wait_up() {  # ns dev: until the device has carrier
  for _ in $(seq 50); do ip -n "$1" link show "$2" | grep -q LOWER_UP && return 0; sleep 0.1; done
}

quiet_ns() {  # ns: IPv6 on, no router solicitations, no ICMPv6 rate limit, before any interface exists
  ip netns add "$1"
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
    net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
    net.ipv6.icmp.ratelimit=0
  ip -n "$1" link set lo up
}

link() {  # ns1 dev1 mac1 addr1 ns2 dev2 mac2 addr2 mtu
  ip link add "$2" netns "$1" address "$3" mtu "$9" type veth peer name "$6" netns "$5" address "$7" mtu "$9"
  ip -n "$1" addr add "$4/64" dev "$2"; ip -n "$5" addr add "$8/64" dev "$6"
  ip netns exec "$1" ethtool -K "$2" tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
  ip netns exec "$5" ethtool -K "$6" tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
}

settle() {  # until no address of the namespaces is tentative, then the unsolicited MLD reports
  for _ in $(seq 60); do
    local t=0 ns
    for ns in "$@"; do ip -n "$ns" -6 addr | grep -q tentative && t=1; done
    [ $t = 0 ] && break; sleep 0.1
  done
  sleep 2.5
}

setup() {  # [far]: fresh namespaces, the host-peer link, and with "far" the second link
  local ns
  for ns in $DUT $PEER $FAR; do ip netns del $ns 2>/dev/null || true; done
  quiet_ns $DUT; quiet_ns $PEER
  link $DUT $DUT $DUT_MAC $DUT_IP $PEER $PEER $PEER_MAC $PEER_IP 1500
  if [ "${1:-}" = far ]; then
    quiet_ns $FAR
    dx sysctl -qw net.ipv6.conf.all.forwarding=1
    link $DUT ${DUT}2 $DUT2_MAC $DUT2_IP $FAR $FAR $FAR_MAC $FAR_IP 1280
    dx ip link set ${DUT}2 up; fx ip link set $FAR up
  fi
  dx ip link set $DUT up; px ip link set $PEER up
  wait_up $DUT $DUT; wait_up $PEER $PEER
  if [ "${1:-}" = far ]; then
    wait_up $FAR $FAR
    px ip -6 route add fd78::/64 via $DUT_IP
    fx ip -6 route add fd77::/64 via $DUT2_IP
  fi
  settle $DUT $PEER ${1:+$FAR}
  dx ip neigh flush all; px ip neigh flush all
}

static_neigh() {  # permanent entries both ways, global and link-local
  dx ip neigh replace $PEER_IP lladdr $PEER_MAC dev $DUT nud permanent
  dx ip neigh replace $PEER_LL lladdr $PEER_MAC dev $DUT nud permanent
  px ip neigh replace $DUT_IP lladdr $DUT_MAC dev $PEER nud permanent
  px ip neigh replace $DUT_LL lladdr $DUT_MAC dev $PEER nud permanent
}

wait_listen() {  # proto port
  for _ in $(seq 50); do dx ss -H -n -l "-$1" "sport = :$2" | grep -q . && return 0; sleep 0.1; done
  echo "no listener on $1/$2" >&2; return 1
}

# host profile: host NAME [SOCKETS_JSON] [SYSCTL_JSON_EXTRA] [NEIGH=static|none]
host() {
  local n=$1 socks=${2:-} sys=${3:-} nb=${4:-none}
  local neigh=""
  [ "$nb" = static ] && neigh='"neighbours": [ { "ip": "'$PEER_IP'", "mac": "'$PEER_MAC'", "dev": "'$DUT'", "state": "permanent" },
                  { "ip": "'$PEER_LL'", "mac": "'$PEER_MAC'", "dev": "'$DUT'", "state": "permanent" } ],'
  cat > "$OUT/$n.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [ { "name": "$DUT", "driver": "veth", "mac": "$DUT_MAC", "mtu": 1500, "addresses": ["$DUT_IP/64", "$DUT_LL/64"], "captured": true } ],
  $neigh
  "sockets": [ $socks ],
  "sysctl": { "net.ipv6.icmp.ratelimit": 0, "net.ipv6.conf.all.router_solicitations": 0, "net.ipv6.conf.default.router_solicitations": 0${sys:+, $sys} } }
EOF
  $PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT/$n.host.json"
}

fx_ping() {
  setup
  start_capture v6_ping
  px ping -6 -n -c 2 -i 0.2 $DUT_IP
  stop_capture v6_ping
  host v6_ping
}

fx_tcp_udp() {
  setup; static_neigh
  dx $PY "$CRAFT" tcp-server & BG+=($!)
  dx $PY "$CRAFT" udp-server & BG+=($!)
  wait_listen t 8080; wait_listen u 7000
  start_capture v6_tcp_udp
  px $PY "$CRAFT" tcp-client
  px $PY "$CRAFT" udp-client
  stop_capture v6_tcp_udp
  host v6_tcp_udp '{ "proto": "tcp", "addr": "::", "port": 8080, "state": "listen" }, { "proto": "udp", "addr": "::", "port": 7000 }' "" static
}

fx_linkup() {
  setup
  dx sysctl -qw net.ipv6.conf.$DUT.router_solicitations=1
  # tcpdump ends when its interface goes down: IPv6 is switched off and on on the interface instead,
  # which removes its addresses and starts it over (link-local address, DAD, MLD, RS)
  dx sysctl -qw net.ipv6.conf.$DUT.disable_ipv6=1
  start_capture v6_linkup
  dx sysctl -qw net.ipv6.conf.$DUT.disable_ipv6=0
  settle $DUT
  dx ip addr add $DUT_IP/64 dev $DUT
  settle $DUT
  px ip addr add fd77::20/64 dev $PEER
  sleep 2
  px ip addr add $DUT_IP/128 dev $PEER
  sleep 2
  stop_capture v6_linkup
  host v6_linkup "" '"net.ipv6.conf.$DUT.router_solicitations": 1'
}

fx_dad() {
  setup
  dx sysctl -qw net.ipv6.conf.$DUT.router_solicitation_delay=0; px sysctl -qw net.ipv6.conf.$PEER.router_solicitation_delay=0
  px ip addr add fd77::5/64 dev $PEER
  settle $PEER
  start_capture v6_dad
  dx ip addr add fd77::5/64 dev $DUT
  sleep 2
  dx ip addr add fd77::6/64 dev $DUT
  sleep 0.3
  px ip addr add fd77::6/64 dev $PEER
  sleep 2
  stop_capture v6_dad
  dx ip -6 addr show dev $DUT > "$OUT/truth/v6_dad.addr.txt"
  host v6_dad "" '"net.ipv6.conf.'$DUT'.router_solicitation_delay": 0'
  # the addresses the host adds during the capture, after its own (as fx_linkup's fd77::1)
  $PY - "$OUT/v6_dad.host.json" <<'PYEOF'
import json, sys
p = json.load(open(sys.argv[1]))
p["interfaces"][0]["addresses"] += ["fd77::5/64", "fd77::6/64"]
json.dump(p, open(sys.argv[1], "w"), indent=1)
PYEOF
}

fx_mdns() {
  setup; static_neigh
  dx $PY "$CRAFT" mdns-responder & BG+=($!)
  wait_listen u 5353
  start_capture v6_mdns
  px $PY "$CRAFT" mdns-query
  sleep 0.5
  stop_capture v6_mdns
  host v6_mdns '{ "proto": "udp", "addr": "::", "port": 5353, "groups": ["ff02::fb"], "multicast_loop": false }' "" static
}

fx_mcloop() {
  setup; static_neigh
  dx $PY "$CRAFT" mcloop-sender & local sender=$!; BG+=($sender)
  sleep 3
  start_capture v6_mcloop
  wait $sender
  stop_capture v6_mcloop
  host v6_mcloop '{ "proto": "udp", "addr": "::", "port": 7400, "groups": ["ff02::7400"] },
                  { "proto": "udp", "addr": "::", "port": 7401, "multicast_loop": false }' "" static
}

fx_scapy() {  # fixture craft-command [static] [sysctl-extra]
  setup; [ "${3:-}" = static ] && static_neigh
  start_capture "$1"
  px $PY "$CRAFT" "$2"
  stop_capture "$1"
  host "$1" "" "${4:-}" "${3:-none}"
}

fx_ndisc() { fx_scapy v6_ndisc ndisc; }
fx_ra() { fx_scapy v6_ra ra "" '"net.ipv6.conf.all.accept_ra": 1, "net.ipv6.conf.all.forwarding": 0'; }
fx_exthdr() { fx_scapy v6_exthdr exthdr static; }

fx_redirect() {
  setup
  px ip addr add fd99::5/128 dev lo
  px ip neigh replace $DUT_IP lladdr $DUT_MAC dev $PEER nud permanent
  start_capture v6_redirect
  px $PY "$CRAFT" ra-route on
  sleep 0.3
  dx ping -6 -n -c 1 fd99::5
  px $PY "$CRAFT" redirect
  sleep 0.3
  dx ping -6 -n -c 1 fd99::5
  px $PY "$CRAFT" ra-route off
  px $PY "$CRAFT" ra-route no-mtu
  sleep 0.3
  dx ping -6 -n -c 1 fd99::5
  px $PY "$CRAFT" redirect
  sleep 0.3
  ! dx ping -6 -n -c 1 -W 1 fd99::5
  stop_capture v6_redirect
  host v6_redirect "" '"net.ipv6.conf.all.accept_ra": 1, "net.ipv6.conf.all.forwarding": 0'
}

fx_ra_route() {
  setup
  px ip addr add fd99::5/128 dev lo
  px ip neigh replace $DUT_IP lladdr $DUT_MAC dev $PEER nud permanent
  start_capture v6_ra_route
  px $PY "$CRAFT" ra-route on
  sleep 0.3
  dx ping -6 -n -c 1 fd99::5
  dx ping -6 -n -c 1 -s 1400 fd99::5
  px $PY "$CRAFT" ra-route off
  sleep 0.3
  ! dx ping -6 -n -c 1 -W 1 fd99::5
  stop_capture v6_ra_route
  host v6_ra_route "" '"net.ipv6.conf.all.accept_ra": 1, "net.ipv6.conf.all.forwarding": 0'
}

fx_mld() {
  setup
  dx ip addr add ff12::7777/128 dev $DUT autojoin
  settle $DUT
  start_capture v6_mld
  px $PY "$CRAFT" mld
  sleep 1
  stop_capture v6_mld
  host v6_mld
  # autojoin made ff12::7777 an address and a group of the interface (ip -6 maddr: its solicited-node group first)
  sed -i 's|"addresses": \["'$DUT_IP'/64", "'$DUT_LL'/64"\],|"addresses": ["'$DUT_IP'/64", "'$DUT_LL'/64", "ff12::7777/128"],\n                    "groups": ["ff02::1:ff00:7777", "ff12::7777"],|' "$OUT/v6_mld.host.json"
}

fx_frag() {
  setup; static_neigh
  dx sysctl -qw net.ipv6.ip6frag_time=1
  start_capture v6_frag
  px ping -6 -n -c 1 -s 3000 $DUT_IP
  px $PY "$CRAFT" frag
  stop_capture v6_frag
  host v6_frag "" '"net.ipv6.ip6frag_time": 1' static
}

forward_host() {  # NAME [MEMBERS]: the profile of the forwarding host (v6_forward, v6_nft): both interfaces,
  # the static neighbours, forwarding on; MEMBERS, more of the profile's members (starting with a comma)
  cat > "$OUT/$1.host.json" <<EOF
{ "kernel": "6.1",
  "interfaces": [
    { "name": "$DUT", "driver": "veth", "mac": "$DUT_MAC", "mtu": 1500, "addresses": ["$DUT_IP/64", "$DUT_LL/64"], "captured": true },
    { "name": "${DUT}2", "driver": "veth", "mac": "$DUT2_MAC", "mtu": 1280, "addresses": ["$DUT2_IP/64", "$DUT2_LL/64"] } ],
  "neighbours": [ { "ip": "$PEER_IP", "mac": "$PEER_MAC", "dev": "$DUT", "state": "permanent" },
                  { "ip": "$PEER_LL", "mac": "$PEER_MAC", "dev": "$DUT", "state": "permanent" },
                  { "ip": "$FAR_IP", "mac": "$FAR_MAC", "dev": "${DUT}2", "state": "permanent" } ],
  "sockets": [],
  "sysctl": { "net.ipv6.icmp.ratelimit": 0, "net.ipv6.conf.all.router_solicitations": 0, "net.ipv6.conf.default.router_solicitations": 0, "net.ipv6.conf.all.forwarding": 1 }${2:-} }
EOF
  $PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT/$1.host.json"
}

fx_forward() {
  setup far; static_neigh
  dx ip neigh replace $FAR_IP lladdr $FAR_MAC dev ${DUT}2 nud permanent
  fx ip neigh replace $DUT2_IP lladdr $DUT2_MAC dev $FAR nud permanent
  start_capture v6_forward
  px ping -6 -n -c 2 -i 0.2 $FAR_IP
  px ping -6 -n -c 1 -t 1 $FAR_IP || true
  px ping -6 -n -c 1 -s 1300 -W 1 $FAR_IP || true
  px ping -6 -n -c 1 -s 1300 -W 1 $FAR_IP || true
  stop_capture v6_forward
  forward_host v6_forward
}

fx_tcp_mid() {
  setup; static_neigh
  dx $PY "$CRAFT" tcp-mid-server & BG+=($!)
  wait_listen t 8080
  rm -f "$WORK/mid.ready" "$WORK/mid.go"
  px $PY "$CRAFT" tcp-mid-client "$WORK/mid" & BG+=($!)
  for _ in $(seq 50); do [ -e "$WORK/mid.ready" ] && break; sleep 0.1; done
  start_capture v6_tcp_mid
  touch "$WORK/mid.go"
  sleep 1.5
  stop_capture v6_tcp_mid
  host v6_tcp_mid '{ "proto": "tcp", "addr": "::", "port": 8080, "state": "listen" },
    { "proto": "tcp", "addr": "'$DUT_IP'", "port": 8080, "state": "established", "remote": "['$PEER_IP']:40000" }' "" static
}

fx_tcp_mapped() {
  setup; static_neigh
  dx ip addr add 10.77.0.1/24 dev $DUT; px ip addr add 10.77.0.2/24 dev $PEER
  dx ip neigh replace 10.77.0.2 lladdr $PEER_MAC dev $DUT nud permanent
  px ip neigh replace 10.77.0.1 lladdr $DUT_MAC dev $PEER nud permanent
  dx $PY "$CRAFT" tcp-server & BG+=($!)
  wait_listen t 8080
  start_capture v6_tcp_mapped
  px $PY "$CRAFT" tcp-mapped-client
  stop_capture v6_tcp_mapped
  host v6_tcp_mapped '{ "proto": "tcp", "addr": "::", "port": 8080, "state": "listen" }' "" static
  # the IPv4 address and neighbour beside the IPv6 ones
  $PY - "$OUT/v6_tcp_mapped.host.json" "$PEER_MAC" "$DUT" <<'PYEOF'
import json, sys
p, mac, dev = sys.argv[1:]
h = json.load(open(p))
h["interfaces"][0]["addresses"].insert(0, "10.77.0.1/24")
h["neighbours"].insert(0, {"ip": "10.77.0.2", "mac": mac, "dev": dev, "state": "permanent"})
json.dump(h, open(p, "w"), indent=1)
PYEOF
}

fx_pmtu() {
  local ns
  for ns in $DUT $PEER $FAR; do ip netns del $ns 2>/dev/null || true; done
  quiet_ns $DUT; quiet_ns $PEER; quiet_ns $FAR
  link $DUT $DUT $DUT_MAC $DUT_IP $PEER $PEER $PEER_MAC $PEER_IP 1500
  link $PEER ${PEER}2 $DUT2_MAC $DUT2_IP $FAR $FAR $FAR_MAC $FAR_IP 1500
  fx ip addr add fd78::3/64 dev $FAR; fx ip addr add fd78::4/64 dev $FAR
  px sysctl -qw net.ipv6.conf.all.forwarding=1
  dx ip link set $DUT up; px ip link set $PEER up; px ip link set ${PEER}2 up; fx ip link set $FAR up
  wait_up $DUT $DUT; wait_up $PEER $PEER; wait_up $FAR $FAR
  px ip -6 route del fd78::/64 dev ${PEER}2; px ip -6 route add fd78::/64 dev ${PEER}2 mtu 1280
  dx ip -6 route add fd78::/64 via $PEER_IP
  fx ip -6 route add fd77::/64 via $DUT2_IP
  settle $DUT $PEER $FAR
  static_neigh
  px ip neigh replace $FAR_IP lladdr $FAR_MAC dev ${PEER}2 nud permanent
  for a in fd78::3 fd78::4; do px ip neigh replace $a lladdr $FAR_MAC dev ${PEER}2 nud permanent; done
  fx ip neigh replace $DUT2_IP lladdr $DUT2_MAC dev $FAR nud permanent
  fx $PY "$CRAFT" pmtu-server & BG+=($!)
  for _ in $(seq 50); do fx ss -H -n -l -t "sport = :8080" | grep -q . && break; sleep 0.1; done
  start_capture v6_pmtu
  dx $PY "$CRAFT" pmtu-client
  dx ping -6 -n -c 2 -i 0.5 -s 3000 -W 1 fd78::4 || true
  stop_capture v6_pmtu
  host v6_pmtu '{ "proto": "udp", "addr": "::", "port": 7001 }' "" static
  # the route to the far network through the peer
  $PY - "$OUT/v6_pmtu.host.json" "$PEER_IP" "$DUT" <<'PYEOF'
import json, sys
p, via, dev = sys.argv[1:]
h = json.load(open(p))
h["routes"] = [{"dst": "fd78::/64", "via": via, "dev": dev}]
json.dump(h, open(p, "w"), indent=1)
PYEOF
}

fx_tcp_err() {
  setup; static_neigh
  for a in fd77::7 fd77::9; do dx ip neigh replace $a lladdr $PEER_MAC dev $DUT nud permanent; done
  dx $PY "$CRAFT" tcp-err-server & BG+=($!)
  wait_listen t 8080
  start_capture v6_tcp_err
  px $PY "$CRAFT" tcp-err & local peer=$!
  sleep 3.5
  dx $PY "$CRAFT" tcp-err-connect
  wait $peer
  stop_capture v6_tcp_err
  host v6_tcp_err '{ "proto": "tcp", "addr": "::", "port": 8080, "state": "listen" },
    { "proto": "udp", "addr": "::", "port": 7002, "remote": "['$PEER_IP']:7001" }' "" static
  $PY - "$OUT/v6_tcp_err.host.json" "$PEER_MAC" "$DUT" <<'PYEOF'
import json, sys
p, mac, dev = sys.argv[1:]
h = json.load(open(p))
h["neighbours"] += [{"ip": a, "mac": mac, "dev": dev, "state": "permanent"} for a in ("fd77::7", "fd77::9")]
json.dump(h, open(p, "w"), indent=1)
PYEOF
}

nft_ruleset() {
  cat <<EOF
table inet filter {
  chain input {
    type filter hook input priority 0; policy accept;
    ip saddr 10.0.0.0/8 drop
    udp dport 7008 reject with icmp type host-unreachable
    tcp dport 81 reject with tcp reset
    udp dport 7001 reject with icmpv6 type admin-prohibited
    udp dport 7002 reject with icmpx type port-unreachable
    udp dport 7003 reject with icmpv6 type addr-unreachable
    udp dport 7005 reject with icmpv6 type no-route
    ip6 saddr $PEER_IP tcp dport 82 drop
    tcp dport 83 drop
    udp dport 7007 drop
  }
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip6 daddr $FAR_IP udp dport 9 drop
    ip6 daddr $FAR_IP tcp dport 80 reject with tcp reset
  }
  chain output {
    type filter hook output priority 0; policy accept;
    ip6 daddr $PEER_IP accept
  }
}
table ip6 filter6 {
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport 7004 drop
  }
}
EOF
}

fx_nft() {
  setup far; static_neigh
  dx ip neigh replace $FAR_IP lladdr $FAR_MAC dev ${DUT}2 nud permanent
  fx ip neigh replace $DUT2_IP lladdr $DUT2_MAC dev $FAR nud permanent
  nft_ruleset | dx nft -f -
  dx nft list ruleset > "$OUT/truth/v6_nft.ruleset.txt"
  dx nft -j list ruleset | $PY -m json.tool --indent 1 > "$OUT/truth/v6_nft.ruleset.json"
  start_capture v6_nft
  px $PY "$CRAFT" nft
  stop_capture v6_nft
  forward_host v6_nft ",
  \"netfilter\": [
    { \"hook\": \"input\", \"saddr\": \"10.0.0.0/8\", \"verdict\": \"drop\" },
    { \"hook\": \"input\", \"proto\": \"udp\", \"dport\": 7008, \"verdict\": \"reject\", \"with\": \"icmp host-unreachable\" },
    { \"hook\": \"input\", \"proto\": \"tcp\", \"dport\": 81, \"verdict\": \"reject\", \"with\": \"tcp reset\" },
    { \"hook\": \"input\", \"proto\": \"udp\", \"dport\": 7001, \"verdict\": \"reject\", \"with\": \"icmpv6 admin-prohibited\" },
    { \"hook\": \"input\", \"proto\": \"udp\", \"dport\": 7002, \"verdict\": \"reject\", \"with\": \"icmpx port-unreachable\" },
    { \"hook\": \"input\", \"proto\": \"udp\", \"dport\": 7003, \"verdict\": \"reject\", \"with\": \"icmpv6 addr-unreachable\" },
    { \"hook\": \"input\", \"proto\": \"udp\", \"dport\": 7005, \"verdict\": \"reject\", \"with\": \"icmpv6 no-route\" },
    { \"hook\": \"input\", \"saddr\": \"$PEER_IP\", \"proto\": \"tcp\", \"dport\": 82, \"verdict\": \"drop\" },
    { \"hook\": \"input\", \"proto\": \"tcp\", \"dport\": 83, \"verdict\": \"drop\" },
    { \"hook\": \"input\", \"proto\": \"udp\", \"dport\": 7007, \"verdict\": \"drop\" },
    { \"hook\": \"forward\", \"daddr\": \"$FAR_IP\", \"proto\": \"udp\", \"dport\": 9, \"verdict\": \"drop\" },
    { \"hook\": \"forward\", \"daddr\": \"$FAR_IP\", \"proto\": \"tcp\", \"dport\": 80, \"verdict\": \"reject\", \"with\": \"tcp reset\" },
    { \"hook\": \"output\", \"daddr\": \"$PEER_IP\", \"verdict\": \"accept\" },
    { \"family\": \"ip6\", \"hook\": \"input\", \"proto\": \"udp\", \"dport\": 7004, \"verdict\": \"drop\" } ]"
}

fx_ra_rio() {
  setup
  dx sysctl -qw net.ipv6.conf.$DUT.accept_ra_rt_info_max_plen=64
  px ip addr add fd98::5/128 dev lo
  px ip neigh replace $DUT_IP lladdr $DUT_MAC dev $PEER nud permanent
  local routes=$OUT/truth/v6_ra_rio.routes.txt
  echo "# ip -6 route in $DUT after each router advertisement of v6_ra_rio (kernel $(uname -r))" > "$routes"
  start_capture v6_ra_rio
  px $PY "$CRAFT" ra-rio on
  sleep 0.3
  { echo "## after frame 1 (ra-rio on)"; dx ip -6 route show dev $DUT; } >> "$routes"
  dx ping -6 -n -c 1 fd98::5
  px $PY "$CRAFT" ra-rio off
  sleep 0.3
  { echo "## after the second advertisement (ra-rio off)"; dx ip -6 route show dev $DUT; } >> "$routes"
  ! dx ping -6 -n -c 1 -W 1 fd98::5
  stop_capture v6_ra_rio
  host v6_ra_rio "" '"net.ipv6.conf.all.accept_ra": 1, "net.ipv6.conf.all.forwarding": 0, "net.ipv6.conf.'$DUT'.accept_ra_rt_info_max_plen": 64'
}

fx_fwd_redirect() {
  setup; static_neigh
  dx sysctl -qw net.ipv6.conf.all.forwarding=1
  px sysctl -qw net.ipv6.conf.all.accept_redirects=0 net.ipv6.conf.$PEER.accept_redirects=0
  dx ip neigh replace fe80::99 lladdr 02:00:00:00:0e:99 dev $DUT nud permanent
  dx ip -6 route add fd99::/64 via fe80::99 dev $DUT
  px ip -6 route add fd99::/64 via $DUT_IP
  settle $DUT  # the MLD report of all-routers (forwarding) is sent before the capture
  start_capture v6_fwd_redirect
  px ping -6 -n -c 15 -i 0.1 -W 1 fd99::5 || true
  stop_capture v6_fwd_redirect
  host v6_fwd_redirect "" '"net.ipv6.conf.all.forwarding": 1' static
  # the route back out through fe80::99, and its permanent entry
  $PY - "$OUT/v6_fwd_redirect.host.json" "$DUT" <<'PYEOF2'
import json, sys
p, dev = sys.argv[1:]
h = json.load(open(p))
h["routes"] = [{"dst": "fd99::/64", "via": "fe80::99", "dev": dev}]
h["neighbours"].append({"ip": "fe80::99", "mac": "02:00:00:00:0e:99", "dev": dev, "state": "permanent"})
json.dump(h, open(p, "w"), indent=1)
PYEOF2
}

for f in "${SEL[@]}"; do
  echo "== v6_$f" >&2
  "fx_$f"
  for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; done; BG=()
done
