// Mirrors include/linux/netdevice.h (Linux 6.1): the network device, its driver operations, and the
// inline transmit helpers.
// Not modeled: multiple TX queues per device (queue selection is a note), XPS, device features.
import Trace
import Wire

/// Functions modeled from `include/linux/netdevice.h` (all `static inline` there).
public enum netdevice_h: String, KernelSourceFile {
    public static let path = "include/linux/netdevice.h"
    case dev_queue_xmit, netdev_start_xmit, __netdev_start_xmit
}

/// Models `netdev_tx_t`.
public enum NetdevTx: String, Sendable {
    case NETDEV_TX_OK, NETDEV_TX_BUSY
}

/// Models the `NET_RX_*` results of receive functions.
public enum NetRxResult: String, Sendable {
    case NET_RX_SUCCESS, NET_RX_DROP
}

/// Models `struct net_device_ops` and the driver behind a device: how frames enter the stack from it
/// and leave the stack through it. Drivers (veth, mac80211 + iwlwifi) conform in their own targets.
public protocol NetDeviceOps: AnyObject {
    /// The driver's name as `ethtool -i` reports it (`veth`, `iwlwifi`).
    var driverName: String { get }
    /// Whether the device runs without a qdisc (`IFF_NO_QUEUE`) in the version `kernel` models.
    func isNoQueue(in kernel: Kernel) -> Bool
    /// How the driver's receive path hands frames to the core.
    var receiveMode: ReceiveMode { get }
    /// The driver's receive path for a frame that arrived on `skb.dev`, down to the core's entry
    /// (`netif_rx`, `napi_gro_receive`). Returns false when the driver dropped the frame.
    func receive(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool
    /// Models `ndo_start_xmit`.
    func ndo_start_xmit(_ kernel: Kernel, _ skb: inout SKBuff) -> NetdevTx
    /// Models `ndo_select_queue`, which multiqueue devices may have (`netdev_pick_tx` calls it).
    func ndo_select_queue(_ kernel: Kernel, _ skb: inout SKBuff)
    /// Whether a received skb is the sender's own skb handed across (a virtual pair), so that it
    /// keeps the sender's checksum state (`CHECKSUM_PARTIAL` of an offloaded checksum).
    var receivesSenderSKB: Bool { get }
    /// Whether the device inserts VLAN tags itself (`NETIF_F_HW_VLAN_CTAG_TX`), so a VLAN on it
    /// leaves the tag in `skb->vlan_tci`.
    var hasVLANTransmitOffload: Bool { get }
    /// The device's link-layer header operations (`dev->header_ops`) in the version `kernel` models.
    func headerOps(in kernel: Kernel) -> HeaderOps
}

/// What a device's `header_ops` are, as far as neighbour output depends on them.
public enum HeaderOps: Sendable {
    /// Ethernet's (`eth_header_ops`, or a VLAN device's): headers written and cached.
    case ethernet
    /// `ip_tunnel_header_ops` (a tun device in 6.1 and 6.12): no header to write or cache.
    case ipTunnel
    /// None (a tun device in 4.14): neighbours output through `neigh_direct_output`.
    case none
}

extension NetDeviceOps {
    /// A real device receives what came over the wire: no skb state of the sender's.
    public var receivesSenderSKB: Bool { false }

    /// Devices insert no VLAN tags unless they say so.
    public var hasVLANTransmitOffload: Bool { false }

    /// Ethernet and 802.11 devices write Ethernet headers.
    public func headerOps(in kernel: Kernel) -> HeaderOps { .ethernet }

    /// Devices without `ndo_select_queue` (veth) let the core pick the queue.
    public func ndo_select_queue(_ kernel: Kernel, _ skb: inout SKBuff) {}
}

/// A device stacked on others (a VLAN device on its real device, a bridge on its ports): it has no
/// queue of its own (`IFF_NO_QUEUE`: the devices below queue) and no receive path of its own (frames
/// reach it through the devices below, which the model follows).
public protocol StackedDeviceOps: NetDeviceOps {
    /// What the trace says of a frame captured on the device that the model could not bring there
    /// through a device below.
    func receivedAlone(_ dev: NetDevice) -> String
}

extension StackedDeviceOps {
    public func isNoQueue(in kernel: Kernel) -> Bool { true }
    public var receiveMode: ReceiveMode { .backlog }
    public func receive(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool {
        kernel.tracer.notModeled(receivedAlone(skb.dev))
        return false
    }
}

/// Models how a driver delivers received packets to the core.
public enum ReceiveMode: Sendable {
    /// `netif_rx` into the per-CPU backlog, picked up by `process_backlog` (veth without XDP/GRO).
    case backlog
    /// NAPI with GRO: the driver calls `napi_gro_receive`; the batch is flushed into the list receive
    /// path (`gro_normal_list`) when the poll completes (6.x), or GRO passes each packet on at once
    /// (4.14).
    case napiGRO
    /// The driver's receive runs the core itself (`netif_receive_skb` from a `write`: tun).
    case process
}

/// Models `struct rtnl_link_stats64` (include/uapi/linux/if_link.h) as `dev_get_stats` fills it for
/// `ip -s link`: the driver's own counters (`ndo_get_stats64`) plus the core's per-device drop
/// counters (`struct net_device_core_stats` in 6.1 and 6.12; `rx_dropped`, `tx_dropped` and
/// `rx_nohandler` fields of `struct net_device` in 4.14, which has no `rx_otherhost_dropped`).
///
/// Counted where each driver and the core count them: veth in `veth_xmit` (the receiving end's
/// receive counters are the sending end's transmit counters, `veth_get_stats64`), loopback in
/// `loopback_xmit` (receive and transmit alike, `loopback_get_stats64`), mac80211 in fast receive
/// and fast transmit, the core where it drops.
public struct rtnl_link_stats64: Sendable, Equatable {
    public var rx_packets = 0
    public var tx_packets = 0
    public var rx_bytes = 0
    public var tx_bytes = 0
    public var rx_dropped = 0
    public var tx_dropped = 0
    public var rx_nohandler = 0
    public var rx_otherhost_dropped = 0

    public init() {}
}

extension Kernel {
    /// The counters `dev_get_stats` reports for `dev` (zero for a device that moved nothing).
    public func dev_get_stats(_ dev: NetDevice) -> rtnl_link_stats64 { linkStats[dev.ifindex] ?? rtnl_link_stats64() }

    /// Adds to `dev`'s counters; a device of another host (veth's peer) keeps none here.
    public func countLink(_ dev: NetDevice, _ update: (inout rtnl_link_stats64) -> Void) {
        guard !dev.isRemote else { return }
        update(&linkStats[dev.ifindex, default: rtnl_link_stats64()])
    }
}

/// Models `struct net_device`: one interface of the host.
public final class NetDevice {
    public let name: String
    public let ifindex: Int
    /// `dev->dev_addr`.
    public let dev_addr: MACAddress
    public let mtu: Int
    /// IPv4 addresses with their prefix lengths (`struct in_ifaddr`).
    public let addresses: [IPv4Prefix]
    /// IPv6 addresses with their prefix lengths (`inet6_dev->addr_list`).
    public var addresses6: [IPv6Prefix] = []
    /// The DAD flags of IPv6 addresses that have any (`inet6_ifaddr->flags`); an address not here is valid.
    public var addressFlags6: [IPv6Address: IPv6AddressFlags] = [:]
    /// IPv6 multicast groups joined on the device beyond those addrconf joins itself (a socket's
    /// `IPV6_JOIN_GROUP`, an address added with `autojoin`), newest first as `inet6_dev->mc_list` holds them.
    public var groups6: [IPv6Address] = []
    public let ops: any NetDeviceOps
    /// Whether a packet socket (the capture) is attached: `ptype_all` is not empty.
    public let hasTap: Bool
    /// Whether the device belongs to another host (a veth peer): the model notes nothing about how
    /// that host classifies frames.
    public let isRemote: Bool
    /// `dev->flags & IFF_LOOPBACK`: the loopback device, known by its name (no loopback driver is
    /// modeled, so a host profile only has one if it names an interface `lo`).
    public var isLoopback: Bool { name == "lo" }
    /// For an 802.1Q VLAN device (`IFF_802_1Q_VLAN`): the device below it and its VLAN id.
    public let vlan: vlan_dev_priv?
    /// For a bridge device (`IFF_EBRIDGE`): its ports and forwarding database (`netdev_priv`).
    public var bridge: net_bridge?
    /// For a bridge port (`IFF_BRIDGE_PORT`): its bridge; the port's `rx_handler` is then
    /// `br_handle_frame` and this is its `rx_handler_data`.
    public var br_port: net_bridge_port?

    public init(name: String, ifindex: Int, dev_addr: MACAddress, mtu: Int, addresses: [IPv4Prefix],
                ops: any NetDeviceOps, hasTap: Bool, isRemote: Bool = false, vlan: vlan_dev_priv? = nil) {
        self.vlan = vlan
        self.isRemote = isRemote
        self.name = name
        self.ifindex = ifindex
        self.dev_addr = dev_addr
        self.mtu = mtu
        self.addresses = addresses
        self.ops = ops
        self.hasTap = hasTap
    }
}

extension Kernel {
    /// Queues a packet for transmission on its device (wraps `__dev_queue_xmit` without a subordinate device).
    @discardableResult
    public func dev_queue_xmit(_ skb: inout SKBuff) -> NetdevTx {
        traced(netdevice_h.dev_queue_xmit) { __dev_queue_xmit(&skb) }
    }

    /// Hands a packet to the driver, after the optional tap.
    func netdev_start_xmit(_ skb: inout SKBuff) -> NetdevTx {
        traced(netdevice_h.netdev_start_xmit) { __netdev_start_xmit(&skb) }
    }

    /// Calls the driver's `ndo_start_xmit`.
    func __netdev_start_xmit(_ skb: inout SKBuff) -> NetdevTx {
        traced(netdevice_h.__netdev_start_xmit) { skb.dev.ops.ndo_start_xmit(self, &skb) }
    }
}
