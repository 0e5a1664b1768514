// Mirrors net/ethernet/eth.c (Linux 6.1): Ethernet receive classification.
// Not modeled: DSA tags.
import Trace
import Wire

/// Functions modeled from `net/ethernet/eth.c`.
public enum eth: String, KernelSourceFile {
    public static let path = "net/ethernet/eth.c"
    case eth_header, eth_type_trans, eth_header_cache
}

extension Kernel {
    /// Classifies a received Ethernet frame: `pkt_type` from the destination address (broadcast,
    /// multicast, for this device, or for another host) and `protocol` from the EtherType; pulls the
    /// Ethernet header.
    public func eth_type_trans(_ skb: inout SKBuff) {
        traced(eth.eth_type_trans) {
            if skb.linkLayerMissing {
                tracer.note("no Ethernet header in the capture: \(skb.pkt_type.rawValue) as the capture recorded it")
                return
            }
            guard let h = EthernetPacket(skb.bytes, at: skb.data) else {
                tracer.note("frame shorter than an Ethernet header")
                return
            }
            skb.mac_header = skb.data
            let dst = h.destination
            if dst.isMulticast {
                skb.pkt_type = dst.isBroadcast ? .PACKET_BROADCAST : .PACKET_MULTICAST
            } else if dst != skb.dev.dev_addr {
                skb.pkt_type = .PACKET_OTHERHOST
            } else {
                skb.pkt_type = .PACKET_HOST
            }
            if skb.pkt_type != .PACKET_HOST, !skb.dev.isRemote {
                tracer.note("pkt_type \(skb.pkt_type.rawValue) (destination \(dst))")
            }
            skb.skb_pull(EthernetPacket.headerLength)
            if h.etherType.isLength {
                // A length, not a type: an 802.3 frame, raw (its data begins 0xFFFF) or with an LLC header.
                skb.protocol = skb.len >= 2 && skb.bytes.u16be(at: skb.data) == 0xffff ? .raw802_3 : .llc802_2
            } else {
                skb.protocol = h.etherType
            }
        }
    }

    /// Writes the Ethernet header of an outgoing packet.
    func eth_header(_ skb: inout SKBuff) {
        traced(eth.eth_header) {}
    }

    /// Fills a neighbour's cached hardware header, so later packets take `neigh_hh_output`.
    func eth_header_cache() {
        traced(eth.eth_header_cache) {}
    }
}
