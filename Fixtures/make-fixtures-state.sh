#!/bin/bash
# Recreate the stateful-host fixtures (s_*) from scratch (run as root).
#
# Usage: make-fixtures-state.sh [OUT_DIR] [FIXTURE...]
#   OUT_DIR defaults to the directory of this script; FIXTURE (without the s_ prefix, e.g. "frag")
#   defaults to all, in this order: rp_filter martian forward forward_off netfilter frag frag_timeout
#   frag_mem tcp tcp_seq udp udp_burst icmp arp ipopts
# Writes OUT_DIR/s_<name>.pcap, OUT_DIR/s_<name>.host.json, OUT_DIR/truth/s_<name>.kfree_skb.txt,
#        OUT_DIR/truth/s_<name>.nstat.txt (s_forward also s_forward_out.pcap/.host.json,
#        s_arp also truth/s_arp.neigh.txt)
#
# Topology as make-fixtures.sh (fresh namespaces per fixture): pp-dut (veth-dut 02:00:00:00:0d:00,
# 10.77.0.1/24) <-> pp-peer (veth-peer 02:00:00:00:0e:00, 10.77.0.2/24); where a fixture needs a
# second DUT interface: veth-dut2 (02:00:00:00:0d:01, 10.78.0.1/24) <-> pp-far (veth-far
# 02:00:00:00:0f:01, 10.78.0.2/24). Offloads off, IPv6 off, icmp_ratelimit=0 in pp-dut.
# tcpdump on veth-dut inside pp-dut records the capture. Drops are recorded with bpftrace on
# skb:kfree_skb (netns of skb->dev or skb->sk), counters with nstat in pp-dut.
# All traffic stays between the namespaces; everything created here is removed on exit (trap).
# Needs: iproute2 (ip, nstat), ethtool, tcpdump, nftables (nft), bpftrace, Debian python3 +
# python3-scapy, tracefs.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "must be run as root" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}; shift || true
mkdir -p "$OUT/truth"; OUT=$(cd "$OUT" && pwd)
ALL=(rp_filter martian forward forward_off netfilter frag frag_timeout frag_mem tcp tcp_seq udp udp_burst icmp arp ipopts)
[ $# -gt 0 ] && SEL=("$@") || SEL=("${ALL[@]}")
PY=/usr/bin/python3
CRAFT="$HERE/craft-state.py"
DUT=pp-dut; PEER=pp-peer; FAR=pp-far
DUT_MAC=02:00:00:00:0d:00; PEER_MAC=02:00:00:00:0e:00
DUT2_MAC=02:00:00:00:0d:01; FAR_MAC=02:00:00:00:0f:01
DUT_IP=10.77.0.1; PEER_IP=10.77.0.2; DUT2_IP=10.78.0.1; FAR_IP=10.78.0.2
TR=/sys/kernel/tracing
WORK=$(mktemp -d)
export NSTAT_HISTORY=$WORK/nstat.hist
BG=()          # pids of helpers started here (servers, tcpdump, bpftrace, loggers)
TCPDUMPS=()

cleanup() {
  set +e
  for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  for ns in $DUT $PEER $FAR; do ip netns del $ns 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

. "$HERE/netns.sh"
static_neigh_far() {
  dx ip neigh replace $FAR_IP lladdr $FAR_MAC dev veth-dut2 nud permanent
  fx ip neigh replace $DUT2_IP lladdr $DUT2_MAC dev veth-far nud permanent
}

inum() { stat -L -c %i "/run/netns/$1" 2>/dev/null || echo 1; }

start_capture() {  # name [second-interface second-name]
  local n=$1
  CAP=$n; CAP2=${3:-}
  dx nstat -asz > "$WORK/$n.nstat.before"
  [ -d "$TR/events" ] || mount -t tracefs nodev $TR
  cat > "$WORK/kfree.bt" <<'EOF'
tracepoint:skb:kfree_skb {
  $s = (struct sk_buff *)args->skbaddr;
  $d = $s->dev;
  if ($d != 0) {
    printf("K %lu %lu %s %u %d %lx %s\n", nsecs, (uint64)$d->nd_net.net->ns.inum, $d->name,
           args->protocol, args->reason, (uint64)args->location, comm);
  } else if ($s->sk != 0) {
    printf("K %lu %lu - %u %d %lx %s\n", nsecs, (uint64)$s->sk->__sk_common.skc_net.net->ns.inum,
           args->protocol, args->reason, (uint64)args->location, comm);
  } else {
    printf("K %lu 0 - %u %d %lx %s\n", nsecs, args->protocol, args->reason, (uint64)args->location, comm);
  }
}
EOF
  bpftrace "$WORK/kfree.bt" > "$WORK/$n.kfree.raw" 2> "$WORK/$n.bpftrace.log" &
  BPF=$!; BG+=("$BPF")
  for _ in $(seq 100); do grep -q Attaching "$WORK/$n.kfree.raw" "$WORK/$n.bpftrace.log" 2>/dev/null && break; sleep 0.1; done
  sleep 1
  $PY "$CRAFT" clock-offset > "$WORK/$n.clock"
  # 'ip netns exec' execs the command itself, so $! is tcpdump's pid
  TCPDUMPS=()
  ip netns exec $DUT tcpdump -i veth-dut -nn -U --immediate-mode -Z root --time-stamp-precision=nano \
     -w "$WORK/$n.pcap" 2> "$WORK/$n.tcpdump.log" &
  TCPDUMPS+=($!); BG+=($!)
  if [ -n "$CAP2" ]; then
    ip netns exec $DUT tcpdump -i "$2" -nn -U --immediate-mode -Z root --time-stamp-precision=nano \
       -w "$WORK/$CAP2.pcap" 2> "$WORK/$CAP2.tcpdump.log" &
    TCPDUMPS+=($!); BG+=($!)
  fi
  for _ in $(seq 50); do grep -q listening "$WORK/$n.tcpdump.log" && break; sleep 0.1; done
  sleep 0.5
}

stop_capture() {
  local n=$CAP
  sleep 0.5
  for p in "${TCPDUMPS[@]}"; do kill -TERM "$p"; wait "$p" || true; done
  kill -INT "$BPF"; wait "$BPF" || true
  for m in $n $CAP2; do
    sed "s/^/    /" "$WORK/$m.tcpdump.log" >&2
    cp "$WORK/$m.pcap" "$OUT/$m.pcap"
    echo "== $m: $(tcpdump -r "$OUT/$m.pcap" 2>/dev/null | wc -l) frames" >&2
  done
  local others="pp-peer=$(inum $PEER)"
  [ -e /run/netns/$FAR ] && others="$others pp-far=$(inum $FAR)"
  grep -v '^K' "$WORK/$n.kfree.raw" | grep . | sed 's/^/    bpftrace: /' >&2 || true
  $PY "$CRAFT" kfree-report "$WORK/$n.kfree.raw" "$OUT/$n.pcap" $TR/events/skb/kfree_skb/format \
      /proc/kallsyms "$(cat "$WORK/$n.clock")" "$(inum $DUT)" $others > "$OUT/truth/$n.kfree_skb.txt"
  dx nstat -asz > "$WORK/$n.nstat.after"
  $PY "$CRAFT" nstat-delta "$WORK/$n.nstat.before" "$WORK/$n.nstat.after" "$n" > "$OUT/truth/$n.nstat.txt"
}

# host_json NAME  (JSON members after "kernel"/"interfaces" on stdin, already comma-led or empty)
IF1='{ "name": "veth-dut", "driver": "veth", "mac": "'$DUT_MAC'", "mtu": 1500, "addresses": ["'$DUT_IP'/24"], "captured": true }'
if2() {  # mtu captured
  echo '{ "name": "veth-dut2", "driver": "veth", "mac": "'$DUT2_MAC'", "mtu": '$1', "addresses": ["'$DUT2_IP'/24"], "captured": '$2' }'
}
NB_PEER='{ "ip": "'$PEER_IP'", "mac": "'$PEER_MAC'", "dev": "veth-dut", "state": "permanent" }'
NB_FAR='{ "ip": "'$FAR_IP'", "mac": "'$FAR_MAC'", "dev": "veth-dut2", "state": "permanent" }'
host_json() {  # name interfaces-json rest-json
  printf '{ "kernel": "6.1",\n  "interfaces": [ %s ],\n%s }\n' "$2" "$3" > "$OUT/$1.host.json"
  $PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT/$1.host.json"
}

# ---- scenarios ------------------------------------------------------------------------------

fx_rp_filter() {
  add_far 1500
  static_neigh
  dx sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.veth-dut.rp_filter=1
  start_capture s_rp_filter
  px $PY "$CRAFT" rp-filter
  stop_capture
  host_json s_rp_filter "$IF1, $(if2 1500 false)" '  "neighbours": [ '"$NB_PEER"' ],
  "sockets": [],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0, "net.ipv4.conf.all.rp_filter": 1, "net.ipv4.conf.veth-dut.rp_filter": 1 }'
}

fx_martian() {
  static_neigh
  start_capture s_martian
  px $PY "$CRAFT" martian
  stop_capture
  host_json s_martian "$IF1" '  "neighbours": [ '"$NB_PEER"' ],
  "sockets": [],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0 }'
}

forward_setup() {  # ip_forward
  add_far 1280
  static_neigh; static_neigh_far
  dx sysctl -qw net.ipv4.ip_forward="$1"
}

fx_forward() {
  forward_setup 1
  start_capture s_forward veth-dut2 s_forward_out
  px ping -n -c 2 -i 0.2 $FAR_IP
  px ping -n -c 1 -t 1 -W 1 $FAR_IP || true              # TTL 1: time exceeded from the DUT
  px ping -n -c 1 -M dont -s 1300 $FAR_IP                 # no DF, 1328 > 1280: the DUT fragments
  px ping -n -c 1 -M do -s 1300 -W 1 $FAR_IP || true      # DF, 1328 > 1280: fragmentation needed
  stop_capture
  for c in "s_forward true false" "s_forward_out false true"; do
    set -- $c
    host_json "$1" "$(echo "$IF1" | sed "s/\"captured\": true/\"captured\": $2/"), $(if2 1280 "$3")" '  "neighbours": [ '"$NB_PEER, $NB_FAR"' ],
  "sockets": [],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0, "net.ipv4.ip_forward": 1 }'
  done
}

fx_forward_off() {
  forward_setup 0
  start_capture s_forward_off
  px ping -n -c 2 -i 0.2 -W 1 $FAR_IP || true
  stop_capture
  host_json s_forward_off "$IF1, $(if2 1280 false)" '  "neighbours": [ '"$NB_PEER, $NB_FAR"' ],
  "sockets": [],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0, "net.ipv4.ip_forward": 0 }'
}

NFT_RULES='table inet filter {
  chain input {
    type filter hook input priority filter; policy accept;
    tcp dport 2222 drop
    udp dport 7002 reject with icmp type port-unreachable
    tcp dport 2223 reject with tcp reset
  }
  chain output {
    type filter hook output priority filter; policy accept;
    ip daddr 10.77.0.3 drop
  }
}'

fx_netfilter() {
  static_neigh
  px ip addr add 10.77.0.3/24 dev veth-peer
  dx ip neigh replace 10.77.0.3 lladdr $PEER_MAC dev veth-dut nud permanent
  echo "$NFT_RULES" | dx nft -f -
  start_capture s_netfilter
  px $PY "$CRAFT" nf-client
  stop_capture
  host_json s_netfilter "$IF1" '  "neighbours": [ '"$NB_PEER"',
                  { "ip": "10.77.0.3", "mac": "'$PEER_MAC'", "dev": "veth-dut", "state": "permanent" } ],
  "sockets": [],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0 },
  "netfilter": [ { "hook": "input", "proto": "tcp", "dport": 2222, "verdict": "drop" },
                 { "hook": "input", "proto": "udp", "dport": 7002, "verdict": "reject", "with": "icmp port-unreachable" },
                 { "hook": "input", "proto": "tcp", "dport": 2223, "verdict": "reject", "with": "tcp reset" },
                 { "hook": "output", "daddr": "10.77.0.3", "verdict": "drop" } ]'
}

fx_frag() {
  static_neigh
  dx sysctl -qw net.ipv4.ipfrag_time=2
  start_capture s_frag
  px $PY "$CRAFT" frag
  stop_capture
  host_json s_frag "$IF1" '  "neighbours": [ '"$NB_PEER"' ],
  "sockets": [],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0, "net.ipv4.ipfrag_time": 2 }'
}

fx_frag_timeout() {
  static_neigh
  dx sysctl -qw net.ipv4.ipfrag_time=1
  start_capture s_frag_timeout
  px $PY "$CRAFT" frag-timeout
  stop_capture
  host_json s_frag_timeout "$IF1" '  "neighbours": [ '"$NB_PEER"' ],
  "sockets": [],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0, "net.ipv4.ipfrag_time": 1 }'
}

fx_frag_mem() {
  static_neigh
  # low first: ipfrag_high_thresh may not go below ipfrag_low_thresh
  dx sysctl -qw net.ipv4.ipfrag_low_thresh=10000
  dx sysctl -qw net.ipv4.ipfrag_high_thresh=20000
  start_capture s_frag_mem
  px $PY "$CRAFT" frag-mem
  stop_capture
  host_json s_frag_mem "$IF1" '  "neighbours": [ '"$NB_PEER"' ],
  "sockets": [],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0, "net.ipv4.ipfrag_low_thresh": 10000, "net.ipv4.ipfrag_high_thresh": 20000 }'
}

fx_udp_burst() {
  static_neigh
  dx sysctl -qw net.ipv4.icmp_ratelimit=1000   # back to the default for this one
  start_capture s_udp_burst
  px $PY "$CRAFT" udp-burst
  stop_capture
  host_json s_udp_burst "$IF1" '  "neighbours": [ '"$NB_PEER"' ],
  "sockets": [],
  "sysctl": { "net.ipv4.icmp_ratelimit": 1000 }'
}

fx_tcp() {
  static_neigh
  ip netns exec $DUT $PY "$CRAFT" tcp-server > "$WORK/tcp-server.log" 2>&1 & SRV=$!; BG+=($SRV)
  wait_listen t 8080
  start_capture s_tcp
  px $PY "$CRAFT" tcp-client
  sleep 0.3
  dx ss -tan state time-wait | sed 's/^/    DUT: /' >&2
  # the peer's kernel would answer the timewait socket's ACK with an RST (its socket for 40010
  # is gone) and so kill it: keep the peer from sending RSTs from 40010
  printf 'table ip pp_norst {\n chain out {\n  type filter hook output priority 0;\n  tcp sport 40010 tcp flags & rst == rst drop\n }\n}\n' | px nft -f -
  px $PY "$CRAFT" tcp-tw "$WORK/s_tcp.pcap"
  px $PY "$CRAFT" tcp-odd
  stop_capture
  kill $SRV 2>/dev/null || true
  sed 's/^/    /' "$WORK/tcp-server.log" >&2
  host_json s_tcp "$IF1" '  "neighbours": [ '"$NB_PEER"' ],
  "sockets": [ { "proto": "tcp", "addr": "0.0.0.0", "port": 8080, "state": "listen" } ],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0 }'
}

fx_tcp_seq() {
  static_neigh
  px sysctl -qw net.ipv4.tcp_timestamps=0   # no timestamps on the connection: no PAWS
  ip netns exec $DUT $PY "$CRAFT" tcp-sink > "$WORK/tcp-sink.log" 2>&1 & SRV=$!; BG+=($SRV)
  wait_listen t 8080
  start_capture s_tcp_seq
  px $PY "$CRAFT" tcp-seq-client 6 & CLI=$!; BG+=($CLI)
  sleep 0.5
  px $PY "$CRAFT" tcp-seq "$WORK/s_tcp_seq.pcap"
  wait $CLI || true
  stop_capture
  kill $SRV 2>/dev/null || true
  sed 's/^/    /' "$WORK/tcp-sink.log" >&2
  host_json s_tcp_seq "$IF1" '  "neighbours": [ '"$NB_PEER"' ],
  "sockets": [ { "proto": "tcp", "addr": "0.0.0.0", "port": 8080, "state": "listen" } ],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0 }'
}

fx_udp() {
  static_neigh
  ip netns exec $DUT $PY "$CRAFT" udp-server 20 > "$WORK/udp-server.log" 2>&1 & SRV=$!; BG+=($SRV)
  wait_listen u 7000
  sleep 3   # the IGMP membership reports sent on joining are over before the capture starts
  start_capture s_udp
  px $PY "$CRAFT" udp
  stop_capture
  kill $SRV 2>/dev/null || true
  sed 's/^/    /' "$WORK/udp-server.log" >&2
  host_json s_udp "$IF1" '  "neighbours": [ '"$NB_PEER"' ],
  "sockets": [ { "proto": "udp", "addr": "0.0.0.0", "port": 7000, "groups": ["239.1.2.3"] } ],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0 }'
}

fx_icmp() {
  static_neigh
  start_capture s_icmp
  px $PY "$CRAFT" icmp
  dx $PY "$CRAFT" udp-connected >&2
  stop_capture
  host_json s_icmp "$IF1" '  "neighbours": [ '"$NB_PEER"' ],
  "sockets": [ { "proto": "udp", "addr": "10.77.0.1", "port": 45000, "remote": "10.77.0.2:40099" } ],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0 }'
}

fx_arp() {
  dx sysctl -qw net.ipv4.neigh.veth-dut.base_reachable_time_ms=2000 net.ipv4.neigh.veth-dut.delay_first_probe_time=1
  start_capture s_arp
  ( while :; do
      echo "T $(date +%s.%N)"
      ip -n $DUT -s neigh show dev veth-dut
      sleep 0.1
    done ) > "$WORK/neigh.log" 2>&1 &
  LOGGER=$!; BG+=($LOGGER)
  ip -n $DUT -ts monitor neigh > "$WORK/neigh.monitor" 2>&1 &   # catches the short INCOMPLETE/PROBE states
  MON=$!; BG+=($MON)
  px $PY "$CRAFT" arp-garp
  sleep 0.3
  dx ping -n -c 1 $PEER_IP        # neighbour flushed: ARP request, INCOMPLETE -> REACHABLE
  sleep 4.5                      # reachable_time is 1-3 s: the entry goes STALE
  dx ping -n -c 1 $PEER_IP        # STALE -> DELAY -> (1 s) PROBE: unicast ARP request
  sleep 3
  kill $LOGGER $MON; wait $LOGGER $MON 2>/dev/null || true
  stop_capture
  $PY - "$WORK/neigh.log" "$OUT/s_arp.pcap" "$WORK/neigh.monitor" > "$OUT/truth/s_arp.neigh.txt" <<'EOF'
import sys, struct, datetime
data = open(sys.argv[2], "rb").read()
t0 = struct.unpack("<II", data[24:32]); t0 = t0[0] + t0[1] / 1e9
print("# 'ip -s neigh show dev veth-dut' in pp-dut, sampled every ~0.1 s; a line is printed when the")
print("# state changes. Seconds are relative to frame 1 of s_arp.pcap.")
last, t = None, None
for l in open(sys.argv[1]):
    l = l.strip()
    if l.startswith("T "):
        t = float(l.split()[1])
        cur = []
        continue
    if t is None:
        continue
    f = l.split()
    state = " ".join(w for w in f if w.isupper()) or l
    key = (f[0] if f else "", state)
    if key != last:
        print("%+8.3f  %s" % (t - t0, l))
        last = key
print("# 'ip -ts monitor neigh' in pp-dut (every neighbour event; seconds relative to frame 1):")
for l in open(sys.argv[3]):
    if l.startswith("["):
        ts, rest = l[1:].split("]", 1)
        t = datetime.datetime.fromisoformat(ts).timestamp()
        print("%+8.3f %s" % (t - t0, rest.rstrip()))
EOF
  host_json s_arp "$IF1" '  "sockets": [],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0, "net.ipv4.neigh.veth-dut.base_reachable_time_ms": 2000, "net.ipv4.neigh.veth-dut.delay_first_probe_time": 1 }'
}

fx_ipopts() {
  static_neigh
  start_capture s_ipopts
  px $PY "$CRAFT" ipopts
  stop_capture
  host_json s_ipopts "$IF1" '  "neighbours": [ '"$NB_PEER"' ],
  "sockets": [],
  "sysctl": { "net.ipv4.icmp_ratelimit": 0 }'
}

for f in "${SEL[@]}"; do
  echo "### s_$f" >&2
  setup_ns
  "fx_$f"
  for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  BG=()
  for ns in $DUT $PEER $FAR; do ip netns del $ns 2>/dev/null || true; done
done
echo "fixtures written to $OUT" >&2
