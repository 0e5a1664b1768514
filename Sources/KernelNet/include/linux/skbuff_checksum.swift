// The checksum arithmetic behind include/linux/skbuff.h's checksum helpers (Linux 6.1): how the
// model decides whether a TCP, UDP or ICMP checksum in the captured bytes is good. No kernel
// function is modeled here; `__skb_checksum_complete` (net/core/skbuff.swift) uses these.
import Trace
import Wire

/// What the bytes say about a transport checksum.
enum ChecksumVerdict {
    case good, bad
    /// The checksum field holds only the pseudo-header sum: the sender offloaded it (CHECKSUM_PARTIAL on
    /// a virtual link) and the receiver trusts it.
    case partial
    /// The payload was not all captured: the model cannot tell and assumes good.
    case notCaptured
}

extension Kernel {
    /// Classifies the transport checksum of `skb` (TCP/UDP with the pseudo-header, ICMP without).
    func transportChecksum(_ skb: SKBuff, proto: IPProtocol) -> ChecksumVerdict {
        guard let iph = skb.ip_hdr() else { return .notCaptured }
        let start = skb.transport_header
        var length = iph.totalLength - iph.headerLength
        // UDP covers its own length field's bytes (the datagram is trimmed to it first).
        if proto == .udp, let uh = UDPPacket(skb.bytes, at: start), uh.length >= UDPPacket.headerLength,
            uh.length < length
        {
            length = uh.length
        }
        guard length >= 0 else { return .bad }
        guard start + length <= skb.bytes.count else { return .notCaptured }
        if proto == .icmp {
            return Checksum.fold(Checksum.add(skb.bytes, start: start, length: length)) == 0xffff ? .good : .bad
        }
        let pseudo = Checksum.pseudoHeader(source: iph.source, destination: iph.destination, protocol: proto,
                                           length: length)
        if Checksum.fold(Checksum.add(skb.bytes, start: start, length: length, to: pseudo)) == 0xffff { return .good }
        let field = proto == .tcp ? skb.bytes.u16be(at: start + 16) : skb.bytes.u16be(at: start + 6)
        return field == Checksum.fold(pseudo) ? .partial : .bad
    }
}

extension Kernel {
    /// Whether a NIC with receive checksum offload would mark this frame's TCP/UDP checksum verified
    /// (`CHECKSUM_UNNECESSARY`): the frame is IPv4 TCP or UDP and its checksum is good.
    public func deviceVerifiesChecksum(_ skb: SKBuff) -> Bool {
        var probe = skb
        probe.network_header = skb.linkLayerMissing ? skb.data : skb.data + EthernetPacket.headerLength
        guard let iph = probe.ip_hdr(), iph.headerIsCaptured, !iph.isFragment,
            iph.proto == .tcp || iph.proto == .udp
        else { return false }
        probe.transport_header = iph.payloadOffset
        return transportChecksum(probe, proto: iph.proto) == .good
    }
}
