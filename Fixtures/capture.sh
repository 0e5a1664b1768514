# Capture with kernel truth (sourced by make-fixtures.sh, make-fixtures-client.sh and
# make-fixtures-multi.sh): tcpdump on $CAP_IF inside netns $CAP_NS (or, with CAP_DUMPCAP=1, dumpcap on
# every interface $CAP_IF lists, into a pcapng), skb:kfree_skb events from a tracefs instance, and the
# nstat delta of $CAP_NS across the capture, and the change of each of its devices' counters
# (ip -s -s -j link). Expects CAP_NS, CAP_IF, OUT, WORK, TRI, TR, BG (array)
# and HERE (capture_session sets WORK, TRI, TR and BG); TCPDUMP_ARGS, if set, adds options to tcpdump
# (-y LINUX_SLL2); KFREE_FILTER replaces the kfree_skb event filter (IPv4 and ARP).

capture_session() {  # instance namespace...: what a fixture script needs before it builds anything
  # (python, the tracefs instance named `instance`, a work folder, nstat's history in it, background
  # jobs), and the cleanup when it exits: jobs ended, the instance and the namespaces removed.
  PY=python3
  TR=/sys/kernel/tracing
  TRI=$TR/instances/$1; shift
  WORK=$(mktemp -d)
  export NSTAT_HISTORY=$WORK/nstat.hist
  BG=()
  CAP_NAMESPACES=("$@")
  trap capture_cleanup EXIT
}

fresh_namespaces() {  # the session's namespaces, made anew: IPv6 off before any interface exists, lo up
  local ns
  for ns in "${CAP_NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
  done
}

capture_cleanup() {
  set +e
  for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -d "$TRI" ] && { echo 0 > "$TRI/events/skb/kfree_skb/enable"; rmdir "$TRI"; }
  for ns in "${CAP_NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$WORK"
}

start_capture() {  # name
  local n=$1
  ip netns exec "$CAP_NS" nstat -asz > "$WORK/$n.nstat.before"
  ip -n "$CAP_NS" -s -s -j link show > "$WORK/$n.link.before"
  if [ -d "$TR/events" ] || mount -t tracefs nodev "$TR" 2>/dev/null; then
    mkdir -p "$TRI"
    echo "${KFREE_FILTER:-protocol == 2048 || protocol == 2054}" > "$TRI/events/skb/kfree_skb/filter" 2>/dev/null || true
    echo > "$TRI/trace"; echo 1 > "$TRI/events/skb/kfree_skb/enable"
  fi
  # 'ip netns exec' execs the command itself, so $! is tcpdump's pid
  # TCPDUMP_ARGS: extra options (a link type), split into words on purpose
  if [ -n "${CAP_DUMPCAP:-}" ]; then
    # shellcheck disable=SC2046 # one -i per interface
    ip netns exec "$CAP_NS" dumpcap $(printf -- '-i %s ' $CAP_IF) -q -w "$WORK/$n.pcapng" 2> "$WORK/$n.tcpdump.log" &
  else
    ip netns exec "$CAP_NS" tcpdump -i "$CAP_IF" ${TCPDUMP_ARGS:-} -nn -U --immediate-mode -Z root --time-stamp-precision=nano \
       -w "$WORK/$n.pcap" 2> "$WORK/$n.tcpdump.log" &
  fi
  TCPDUMP=$!; BG+=("$TCPDUMP")
  for _ in $(seq 50); do grep -q 'listening\|Capturing on' "$WORK/$n.tcpdump.log" && break; sleep 0.1; done
  sleep 0.3
}

stop_capture() {  # name
  local n=$1
  sleep 0.5
  kill -TERM "$TCPDUMP"; wait "$TCPDUMP" || true
  sed "s/^/    /" "$WORK/$n.tcpdump.log" >&2
  if [ -d "$TRI" ]; then
    echo 0 > "$TRI/events/skb/kfree_skb/enable"
    {
      echo "# skb:kfree_skb events (${KFREE_FILTER:-protocol == 2048 || protocol == 2054}) recorded on the capturing host while '$n'"
      echo "# was captured. Kernel: $(uname -r). All namespaces of the host are mixed in; the"
      echo "# interesting lines are those of $CAP_NS's traffic (task = ping/python3/tcpdump/<idle>/ksoftirqd)."
      grep -v '^#' "$TRI/trace" | sed -e '$a\' || true
    } > "$OUT/truth/$n.kfree_skb.txt"
  fi
  ip netns exec "$CAP_NS" nstat -asz > "$WORK/$n.nstat.after"
  ip -n "$CAP_NS" -s -s -j link show > "$WORK/$n.link.after"
  /usr/bin/python3 "$HERE/craft-state.py" link-delta "$WORK/$n.link.before" "$WORK/$n.link.after" "$n" "$CAP_NS" \
    > "$OUT/truth/$n.link.txt"
  /usr/bin/python3 "$HERE/craft-state.py" nstat-delta "$WORK/$n.nstat.before" "$WORK/$n.nstat.after" "$n" "$CAP_NS" \
    > "$OUT/truth/$n.nstat.txt"
  local f=$n.pcap reader=tcpdump
  [ -n "${CAP_DUMPCAP:-}" ] && { f=$n.pcapng; reader=tshark; }  # tcpdump refuses mixed link types
  cp "$WORK/$f" "$OUT/$f"
  echo "== $n: $($reader -r "$OUT/$f" 2>/dev/null | wc -l) frames"
}
