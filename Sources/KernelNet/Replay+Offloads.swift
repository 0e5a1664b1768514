import Trace
import Wire

extension Kernel {
    /// Gives a captured frame the offload state that its size and checksum show, before the replay
    /// starts: a TCP packet longer than its device's MTU is a GSO packet (the kernel's one skb for
    /// several wire segments: a TSO/GSO packet seen above the point that cuts it, or a GRO aggregate),
    /// and a checksum field holding only the pseudo-header sum is `CHECKSUM_PARTIAL` (the device was
    /// to finish it) on a frame the host sent, or on one a virtual pair handed across with the
    /// sender's skb.
    ///
    /// The segment size is what the capture shows: the MTU less this frame's IP (or IPv6) and TCP headers
    /// (the MSS less the options every segment repeats).
    func markOffloads(_ skb: inout SKBuff, link: LinkHeader, outgoing: Bool) {
        let network: Int, total: Int
        if link.etherType == .ipv6 {
            // A TCP segment or UDP datagram right behind the IPv6 header (GSO packets carry no extension
            // headers here).
            guard let ip6 = IPv6Packet(skb.bytes, at: link.networkOffset), ip6.nextHeader == .tcp || ip6.nextHeader == .udp
            else { return }
            if outgoing || skb.dev.ops.receivesSenderSKB, Self.checksumLeftToDevice6(skb.bytes, ip6, at: link.networkOffset) {
                skb.ip_summed = .CHECKSUM_PARTIAL
            }
            guard ip6.nextHeader == .tcp else { return }
            network = IPv6Packet.headerLength
            total = IPv6Packet.headerLength + ip6.payloadLength
        } else {
            guard link.etherType == .ipv4, let iph = IPv4Packet(skb.bytes, at: link.networkOffset),
                iph.headerIsCaptured, !iph.isFragment, iph.proto == .tcp || iph.proto == .udp
            else { return }
            // The checksum field alone tells (no sum over the payload on this per-frame path).
            if outgoing || skb.dev.ops.receivesSenderSKB, Self.checksumLeftToDevice(skb.bytes, iph) {
                skb.ip_summed = .CHECKSUM_PARTIAL
            }
            // Only TCP: a UDP datagram over the MTU is as likely a jumbo frame the device refuses as a UDP
            // GSO packet (UDP_SEGMENT), and nothing in the capture tells them apart.
            guard iph.proto == .tcp else { return }
            network = iph.headerLength
            total = iph.totalLength
        }
        guard total > skb.dev.mtu else { return }
        let transportHeader = TCPPacket(skb.bytes, at: link.networkOffset + network)?.headerLength ?? TCPPacket.minimumHeaderLength
        let segment = skb.dev.mtu - network - transportHeader
        let payload = total - network - transportHeader
        guard segment > 0, payload > segment else { return }
        skb.gso_size = segment
        skb.gso_segs = (payload + segment - 1) / segment
    }

    /// How a GSO packet stands for its wire segments, for the notes of the functions that meet it.
    func gsoDescription(_ skb: SKBuff) -> String {
        "GSO packet: \(skb.gso_segs) wire segments of up to \(skb.gso_size) bytes (gso_size from MTU \(skb.dev.mtu) and this frame's headers) in one skb"
    }
}
