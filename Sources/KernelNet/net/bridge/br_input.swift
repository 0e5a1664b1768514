// Mirrors net/bridge/br_input.c (Linux 6.1, and 4.14.177 where it differs): a frame received on a
// bridge port, which the port's rx_handler takes from the receive core: learned, then passed up the
// bridge device, forwarded to the port its destination was learned behind, or flooded. 4.14 runs
// NF_BR_PRE_ROUTING with NF_HOOK itself (6.1 through nf_hook_bridge_pre) and looks at ARP requests
// with its own br_do_proxy_arp (6.1: br_do_proxy_suppress_arp in br_arp_nd_proxy.c).
// Not modeled: bridge netfilter hooks (no ebtables or br_netfilter: NF_BR_PRE_ROUTING and
// NF_BR_LOCAL_IN have no rules and accept), link-local group addresses other than the STP
// group, multicast snooping (no querier: every multicast frame is flooded and passed up), proxy ARP,
// VLAN filtering.
import Trace
import Wire

/// Functions modeled from `net/bridge/br_input.c`.
public enum br_input: String, KernelSourceFile {
    public static let path = "net/bridge/br_input.c"
    case br_netif_receive_skb, br_pass_frame_up, br_do_proxy_arp, br_handle_frame_finish, nf_hook_bridge_pre, br_handle_frame
}

extension Kernel {
    /// The source and destination MAC addresses of a frame on a bridge, as the bridge reads them from
    /// its Ethernet header. A cooked capture keeps only the source (received frames) and the packet
    /// type: the destination is then the broadcast or multicast address its type says, the bridge's
    /// own address for an IPv4 packet or ARP request to one of the bridge's addresses, or the address
    /// that frames from the packet's IPv4 destination came from (`cookedHosts`), in that order.
    func bridgeAddresses(_ skb: SKBuff, _ br: net_bridge) -> (source: MACAddress?, dest: MACAddress?, guessed: Bool) {
        if let mac = skb.mac_header, let eth = EthernetPacket(skb.bytes, at: mac) { return (eth.source, eth.destination, false) }
        var dest: MACAddress?
        switch skb.pkt_type {
        case .PACKET_BROADCAST: dest = .broadcast
        case .PACKET_MULTICAST: dest = MACAddress(rawValue: 0x0100_5e00_0001)
        default:
            if let target = cookedTarget(skb) {
                dest = br.dev.addresses.contains { $0.address == target } ? br.dev.dev_addr : br.cookedHosts[target]
            }
        }
        return (skb.cookedSource, dest, true)
    }

    /// The IPv4 address a cooked frame is for: the IPv4 destination, or the target of an ARP packet.
    func cookedTarget(_ skb: SKBuff) -> IPv4Address? {
        switch skb.protocol {
        case .ipv4: return IPv4Packet(skb.bytes, at: skb.network_header)?.destination
        case .arp: return ARPPacket(skb.bytes, at: skb.network_header)?.targetProtocol
        default: return nil
        }
    }

    /// The port's rx_handler. Returns true when the bridge consumed the frame (the receive core stops
    /// here), false when the core goes on with it on the port (`RX_HANDLER_PASS`: a looped-back
    /// packet).
    func br_handle_frame(_ skb: inout SKBuff, _ p: net_bridge_port) -> Bool {
        traced(br_input.br_handle_frame) {
            if skb.pkt_type == .PACKET_LOOPBACK { return false }
            let (source, dest, guessed) = bridgeAddresses(skb, p.br)
            if guessed {
                tracer.note("the cooked capture keeps no Ethernet header: source \(source.map { "\($0)" } ?? "unknown"), destination "
                    + (dest.map { "taken as \($0)" } ?? "unknown"))
            }
            guard let source, !source.isMulticast, source != .zero else {
                tracer.note("source address not a valid unicast address (is_valid_ether_addr)")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return true
            }
            // 01:80:c2:00:00:0X, the IEEE 802.1D link-local group addresses (is_link_local_ether_addr).
            if let dest, dest.rawValue & ~0xf == 0x0180_c200_0000, dest.rawValue != 0x0180_c200_0000 {
                tracer.notModeled("bridge link-local group address \(dest)")
                return true
            }
            if dest?.rawValue == 0x0180_c200_0000 {
                tracer.note("STP group address with STP off (BR_NO_STP, the default): forwarded like any multicast")
            }
            if dest == p.br.dev.dev_addr {
                skb.pkt_type = .PACKET_HOST
                tracer.note("destination is \(p.br.dev.name)'s address: pkt_type PACKET_HOST")
            }
            if has(br_input.nf_hook_bridge_pre) {
                nf_hook_bridge_pre(&skb, p, source: source, dest: dest)
            } else {
                NF_HOOK(.NF_BR_PRE_ROUTING, &skb, okfn: { br_handle_frame_finish(&$0, p, source: source, dest: dest) }, dropped: ())
            }
            return true
        }
    }

    /// The bridge's NF_BR_PRE_ROUTING hook: no bridge hooks are registered, so the frame goes on.
    func nf_hook_bridge_pre(_ skb: inout SKBuff, _ p: net_bridge_port, source: MACAddress, dest: MACAddress?) {
        traced(br_input.nf_hook_bridge_pre) {
            tracer.hook(NFHook.NF_BR_PRE_ROUTING.rawValue, verdict: "NF_ACCEPT")
            br_handle_frame_finish(&skb, p, source: source, dest: dest)
        }
    }

    /// Learns the source, then finds where the frame goes: up the bridge device (its own address, a
    /// broadcast, a multicast, or anything when the bridge device is promiscuous), to the port its
    /// destination was learned behind, or to every other port (unknown unicast, broadcast, multicast).
    func br_handle_frame_finish(_ skb: inout SKBuff, _ p: net_bridge_port, source: MACAddress, dest: MACAddress?) {
        traced(br_input.br_handle_frame_finish) {
            let br = p.br
            br_fdb_update(br, p, source)
            if skb.linkLayerMissing, let ip = cookedSourceAddress(skb) { br.cookedHosts[ip] = source }
            var localRcv = br.promisc
            if br.promisc { tracer.note("\(br.dev.name) is promiscuous (a capture on it without -p): every frame also goes up") }
            let kind: BridgePacketKind
            if let dest, dest.isMulticast {
                kind = dest.isBroadcast ? .broadcast : .multicast
                localRcv = true
                if kind == .multicast { tracer.note("no multicast querier (br_multicast_querier_exists): flooded and passed up") }
            } else {
                kind = .unicast
            }
            if skb.protocol == .arp {
                if has(br_input.br_do_proxy_arp) { br_do_proxy_arp(skb, br) } else { br_do_proxy_suppress_arp(skb, br) }
            }
            if kind == .unicast, let dest, let dst = br_fdb_find_rcu(br, dest) {
                if dst.isLocal {
                    br_pass_frame_up(&skb, br, promisc: false)
                    return
                }
                if let to = dst.dst { br_forward(to, &skb, localRcv: localRcv, localOrig: false) }
            } else {
                br_flood(br, &skb, kind, localRcv: localRcv, localOrig: false)
            }
            if localRcv { br_pass_frame_up(&skb, br, promisc: br.promisc) }
        }
    }

    /// 4.14's look at an ARP packet received on a bridge port, for a proxy ARP port to answer: the
    /// same lookup as 6.1's `br_do_proxy_suppress_arp` (``proxyARPLookup(_:_:)``).
    func br_do_proxy_arp(_ skb: SKBuff, _ br: net_bridge) {
        traced(br_input.br_do_proxy_arp) { proxyARPLookup(skb, br) }
    }

    /// The IPv4 source of a cooked frame (IPv4 or ARP sender), for `cookedHosts`.
    private func cookedSourceAddress(_ skb: SKBuff) -> IPv4Address? {
        switch skb.protocol {
        case .ipv4: return IPv4Packet(skb.bytes, at: skb.network_header)?.source
        case .arp: return ARPPacket(skb.bytes, at: skb.network_header)?.senderProtocol
        default: return nil
        }
    }

    /// Hands the frame to the bridge device: counted on it, `skb->dev` becomes the bridge, and
    /// (NF_BR_LOCAL_IN has no hooks) it is received again there.
    func br_pass_frame_up(_ skb: inout SKBuff, _ br: net_bridge, promisc: Bool) {
        traced(br_input.br_pass_frame_up) {
            countLink(br.dev) { $0.rx_packets += 1; $0.rx_bytes += skb.len }  // dev_sw_netstats_rx_add
            skb.dev = br.dev
            tracer.note("up the bridge: \(br.dev.name) is now skb->dev")
            NF_HOOK(.NF_BR_LOCAL_IN, &skb, okfn: { br_netif_receive_skb(&$0) }, dropped: ())
        }
    }

    /// The NF_BR_LOCAL_IN continuation: the receive core again, on the bridge device.
    func br_netif_receive_skb(_ skb: inout SKBuff) {
        traced(br_input.br_netif_receive_skb) { netif_receive_skb(&skb) }
    }
}

/// `enum br_pkt_type`.
enum BridgePacketKind {
    case unicast, multicast, broadcast
}
