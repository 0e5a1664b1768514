// Mirrors net/bridge/br_device.c (Linux 6.1; 4.14.177's br_dev_xmit takes the same steps): the bridge
// device, whose transmit sends a frame the host made out of the port its destination was learned
// behind, or floods it.
// Not modeled: bridge netfilter's transmit hook, ARP/ND suppression, VLAN filtering, multicast
// snooping (multicast is flooded), netpoll.
import Trace
import Wire

/// Functions modeled from `net/bridge/br_device.c`.
public enum br_device: String, KernelSourceFile {
    public static let path = "net/bridge/br_device.c"
    case br_dev_xmit
}

/// The driver of a bridge device (`ethtool -i`: bridge). Frames arrive on it only from its ports
/// (`br_pass_frame_up`); what it sends leaves through them (`br_dev_setup` sets `IFF_NO_QUEUE`).
public final class BridgeDevice: StackedDeviceOps {
    public let driverName = "bridge"
    public init() {}
    public func receivedAlone(_ dev: NetDevice) -> String { "a frame captured on bridge \(dev.name), which has no ports" }

    public func ndo_start_xmit(_ kernel: Kernel, _ skb: inout SKBuff) -> NetdevTx { kernel.br_dev_xmit(&skb) }
}

extension Kernel {
    /// The destination MAC address of a frame the host sends on a bridge: from its Ethernet header,
    /// or for a cooked capture from the IPv4 destination (broadcast or multicast, else the address
    /// frames from it came from, else the neighbour entry of the next hop).
    func bridgeTransmitDestination(_ skb: SKBuff, _ br: net_bridge) -> MACAddress? {
        if !skb.linkLayerMissing, let eth = EthernetPacket(skb.bytes, at: skb.mac_header ?? 0) { return eth.destination }
        guard let target = cookedTarget(skb) else { return nil }
        if target == .broadcast || br.dev.addresses.contains(where: { $0.broadcast == target }) { return .broadcast }
        if target.isMulticast { return MACAddress(rawValue: 0x0100_5e00_0000 | UInt64(target.rawValue & 0x7f_ffff)) }
        return br.cookedHosts[target] ?? neighbours[transmitContext.nexthop]?.ha
    }

    /// Sends a frame the host made on the bridge device: counted on it, then to the port its
    /// destination was learned behind, or flooded to every port (broadcast, multicast, unknown).
    func br_dev_xmit(_ skb: inout SKBuff) -> NetdevTx {
        traced(br_device.br_dev_xmit) {
            guard let br = skb.dev.bridge else { return .NETDEV_TX_OK }
            countLink(br.dev) { $0.tx_packets += 1; $0.tx_bytes += skb.ethernetLength }  // dev_sw_netstats_tx_add
            let dest = bridgeTransmitDestination(skb, br)
            if skb.linkLayerMissing { tracer.note("the cooked capture keeps no destination address: taken as \(dest.map { "\($0)" } ?? "unknown")") }
            if let dest, dest.isMulticast {
                br_flood(br, &skb, dest.isBroadcast ? .broadcast : .multicast, localRcv: false, localOrig: true)
            } else if let dest, let dst = br_fdb_find_rcu(br, dest), let to = dst.dst {
                br_forward(to, &skb, localRcv: false, localOrig: true)
            } else {
                br_flood(br, &skb, .unicast, localRcv: false, localOrig: true)
            }
            return .NETDEV_TX_OK
        }
    }
}
