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
        if skb.protocol == .ipv6 { return transportChecksum6(skb, proto: proto) }
        return transportChecksum(skb.bytes, network: skb.network_header, transport: skb.transport_header, proto: proto)
    }

    /// Classifies the transport checksum of the packet in `bytes` whose IPv4 header starts at `network`
    /// and transport header at `transport`.
    func transportChecksum(_ bytes: [UInt8], network: Int, transport start: Int, proto: IPProtocol) -> ChecksumVerdict {
        guard let iph = IPv4Packet(bytes, at: network) else { return .notCaptured }
        var length = iph.totalLength - iph.headerLength
        // UDP covers its own length field's bytes (the datagram is trimmed to it first).
        if proto == .udp, let uh = UDPPacket(bytes, at: start), uh.length >= UDPPacket.headerLength,
            uh.length < length
        {
            length = uh.length
        }
        guard length >= 0 else { return .bad }
        guard start + length <= bytes.count else { return .notCaptured }
        if proto == .icmp {
            return Checksum.fold(Checksum.add(bytes, start: start, length: length)) == 0xffff ? .good : .bad
        }
        let pseudo = Checksum.pseudoHeader(source: iph.source, destination: iph.destination, protocol: proto,
                                           length: length)
        if Checksum.fold(Checksum.add(bytes, start: start, length: length, to: pseudo)) == 0xffff { return .good }
        return Self.checksumLeftToDevice(bytes, iph) ? .partial : .bad
    }
}

extension Kernel {
    /// Classifies the TCP, UDP or ICMPv6 checksum of an IPv6 packet: over the pseudo-header (RFC 8200
    /// §8.1) and the `skb->len` bytes from its transport header.
    func transportChecksum6(_ skb: SKBuff, proto: IPProtocol) -> ChecksumVerdict {
        guard let hdr = skb.ipv6_hdr() else { return .notCaptured }
        let start = skb.transport_header, length = skb.data + skb.len - start
        guard length >= 0 else { return .bad }
        guard start + length <= skb.bytes.count else { return .notCaptured }
        let pseudo = Checksum.pseudoHeader(source: hdr.source, destination: hdr.destination, nextHeader: proto, length: length)
        if Checksum.fold(Checksum.add(skb.bytes, start: start, length: length, to: pseudo)) == 0xffff { return .good }
        // A checksum field holding only the pseudo-header sum was left to the device (CHECKSUM_PARTIAL).
        let field = proto == .tcp ? 16 : proto == .udp ? 6 : 2
        return proto != .icmpv6 && skb.bytes.u16be(at: start + field) == Checksum.fold(pseudo) ? .partial : .bad
    }
}

extension Kernel {
    /// Whether the TCP or UDP checksum field of an outgoing packet holds only the pseudo-header sum: the
    /// stack left the rest to the device (`CHECKSUM_PARTIAL`, checksum offload), which the capture,
    /// taken before the device, shows unfinished. Reads the header only.
    static func checksumLeftToDevice(_ bytes: [UInt8], _ iph: IPv4Packet) -> Bool {
        guard iph.proto == .tcp || iph.proto == .udp, !iph.isFragment else { return false }
        let start = iph.payloadOffset
        let field = iph.proto == .tcp ? bytes.u16be(at: start + 16) : bytes.u16be(at: start + 6)
        let pseudo = Checksum.pseudoHeader(source: iph.source, destination: iph.destination, protocol: iph.proto,
                                           length: iph.totalLength - iph.headerLength)
        return field == Checksum.fold(pseudo)
    }

    /// ``checksumLeftToDevice(_:_:)`` for a TCP segment or UDP datagram right behind the IPv6 header at
    /// `offset`: its checksum field holds only the IPv6 pseudo-header sum (RFC 8200 §8.1).
    static func checksumLeftToDevice6(_ bytes: [UInt8], _ ip6: IPv6Packet, at offset: Int) -> Bool {
        let start = offset + IPv6Packet.headerLength
        let field = ip6.nextHeader == .tcp ? bytes.u16be(at: start + 16) : bytes.u16be(at: start + 6)
        let pseudo = Checksum.pseudoHeader(source: ip6.source, destination: ip6.destination, nextHeader: ip6.nextHeader,
                                           length: ip6.payloadLength)
        return field == Checksum.fold(pseudo)
    }

    /// Whether a NIC with receive checksum offload would mark this frame's TCP/UDP checksum verified
    /// (`CHECKSUM_UNNECESSARY`): the frame is IPv4 TCP or UDP and its checksum is good. Takes the skb
    /// `inout` (it is not changed) so that a caller holding it `inout` passes it without a copy.
    public func deviceVerifiesChecksum(_ skb: inout SKBuff) -> Bool {
        let network: Int
        if let wireless = skb.ieee80211_rx_status?.frame {
            guard wireless.etherType == .ipv4 else { return false }
            network = wireless.networkOffset
        } else {
            network = skb.linkLayerMissing ? skb.data : skb.data + EthernetPacket.headerLength
        }
        guard let iph = IPv4Packet(skb.bytes, at: network), iph.headerIsCaptured, !iph.isFragment,
            iph.proto == .tcp || iph.proto == .udp
        else { return false }
        return transportChecksum(skb.bytes, network: network, transport: iph.payloadOffset, proto: iph.proto) == .good
    }
}
