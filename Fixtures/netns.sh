# The two namespaces the fixture scripts record in (sourced by make-fixtures.sh and
# make-fixtures-state.sh): pp-dut (the capturing host, veth-dut) and pp-peer (veth-peer), with IPv6,
# offloads and ICMP rate limiting off. Expects DUT, PEER, DUT_MAC, PEER_MAC, DUT_IP and PEER_IP;
# FAR, when set, names a third namespace that setup_ns removes too, and add_far builds (with DUT2_MAC,
# DUT2_IP, FAR_MAC, FAR_IP).

dx() { ip netns exec $DUT "$@"; }
px() { ip netns exec $PEER "$@"; }

wait_up() {  # ns dev: until the device has carrier
  for _ in $(seq 50); do ip -n "$1" link show "$2" | grep -q LOWER_UP && return 0; sleep 0.1; done
}

setup_ns() {
  for ns in $DUT $PEER ${FAR:-}; do ip netns del $ns 2>/dev/null || true; done
  ip netns add $DUT; ip netns add $PEER
  for ns in $DUT $PEER; do   # IPv6 off before the interfaces exist: no ND/MLD noise
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  dx sysctl -qw net.ipv4.icmp_ratelimit=0
  ip link add veth-dut netns $DUT address $DUT_MAC mtu 1500 type veth \
     peer name veth-peer netns $PEER address $PEER_MAC mtu 1500
  dx ip addr add $DUT_IP/24 dev veth-dut
  px ip addr add $PEER_IP/24 dev veth-peer
  dx ethtool -K veth-dut tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
  px ethtool -K veth-peer tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
  for ns in $DUT $PEER; do ip -n $ns link set lo up; done
  dx ip link set veth-dut up; px ip link set veth-peer up
  wait_up $DUT veth-dut; wait_up $PEER veth-peer
  sleep 0.5
  dx ip neigh flush all; px ip neigh flush all
}

static_neigh() {
  dx ip neigh replace $PEER_IP lladdr $PEER_MAC dev veth-dut nud permanent
  px ip neigh replace $DUT_IP lladdr $DUT_MAC dev veth-peer nud permanent
}

wait_listen() {  # proto port: until the DUT has a listener there
  for _ in $(seq 50); do
    dx ss -H -n -l "-$1" "sport = :$2" | grep -q . && return 0; sleep 0.1
  done
  echo "no listener on $1/$2" >&2; return 1
}

fx() { ip netns exec $FAR "$@"; }

# The far namespace behind the DUT: veth-dut2 (DUT) to veth-far (FAR), of MTU $1, routed both ways
# through the DUT (10.77.0.0/24 on the peer's side, 10.78.0.0/24 on the far side).
add_far() {
  ip netns add $FAR
  fx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link add veth-dut2 netns $DUT address $DUT2_MAC mtu "$1" type veth \
     peer name veth-far netns $FAR address $FAR_MAC mtu "$1"
  dx ip addr add $DUT2_IP/24 dev veth-dut2
  fx ip addr add $FAR_IP/24 dev veth-far
  dx ethtool -K veth-dut2 tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
  fx ethtool -K veth-far tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
  fx ip link set lo up; dx ip link set veth-dut2 up; fx ip link set veth-far up
  wait_up $DUT veth-dut2; wait_up $FAR veth-far
  fx ip route add 10.77.0.0/24 via $DUT2_IP
  px ip route add 10.78.0.0/24 via $DUT_IP
  sleep 0.5
}
