/// Builds well-formed frames from header values (smoltcp's "emit"), with correct checksums: for the
/// model's built-in tour, generated captures and tests.
public struct FrameBuilder: Sendable {
    public var source: MACAddress
    public var destination: MACAddress

    public init(source: MACAddress, destination: MACAddress) {
        self.source = source
        self.destination = destination
    }

    /// An Ethernet frame around `payload`.
    public func ethernet(_ type: EtherType, _ payload: [UInt8]) -> [UInt8] {
        EthernetHeader(destination: destination, source: source, etherType: type).bytes + payload
    }

    /// An ARP packet (request or reply) in an Ethernet frame.
    public func arp(operation: UInt16, senderIP: IPv4Address, targetMAC: MACAddress, targetIP: IPv4Address) -> [UInt8] {
        var p: [UInt8] = [0, 1, 0x08, 0, 6, 4] + Self.be16(operation)
        p += Self.mac(source) + Self.be32(senderIP.rawValue) + Self.mac(targetMAC) + Self.be32(targetIP.rawValue)
        return ethernet(.arp, p)
    }

    /// An IPv4 packet in an Ethernet frame; the transport checksum is filled in for TCP, UDP and ICMP.
    public func ipv4(_ src: IPv4Address, _ dst: IPv4Address, _ proto: IPProtocol, _ transport: [UInt8],
                     ttl: UInt8 = 64, id: UInt16 = 1, dontFragment: Bool = true, moreFragments: Bool = false,
                     fragmentOffset: Int = 0, fixChecksum: Bool = true) -> [UInt8] {
        var t = transport
        if fixChecksum, fragmentOffset == 0, !moreFragments { Self.fillChecksum(&t, proto, src, dst) }
        let ip = IPv4Header(source: src, destination: dst, proto: proto, payloadLength: t.count, ttl: ttl,
                            identification: id, dontFragment: dontFragment, moreFragments: moreFragments,
                            fragmentOffset: fragmentOffset)
        return ethernet(.ipv4, ip.bytes + t)
    }

    /// An IPv6 packet in an Ethernet frame: `headers` (extension headers, already chained, the
    /// first named by `next`) then the upper-layer message `upper` of protocol `proto`, whose TCP,
    /// UDP or ICMPv6 checksum is filled in over the IPv6 pseudo-header (RFC 8200 §8.1).
    public func ipv6(_ src: IPv6Address, _ dst: IPv6Address, _ proto: IPProtocol, _ upper: [UInt8],
                     next: IPProtocol? = nil, headers: [UInt8] = [], hopLimit: UInt8 = 64) -> [UInt8] {
        var t = upper
        let at: Int? = switch proto {
        case .tcp: 16
        case .udp: 6
        case .icmpv6: 2
        default: nil
        }
        if let at, t.count >= at + 2 {
            t[at] = 0
            t[at + 1] = 0
            let sum = Checksum.pseudoHeader(source: src, destination: dst, nextHeader: proto, length: t.count)
            var c = ~Checksum.fold(Checksum.add(t, start: 0, length: t.count, to: sum))
            if proto == .udp, c == 0 { c = 0xffff }
            t[at] = UInt8(c >> 8)
            t[at + 1] = UInt8(c & 0xff)
        }
        let length = headers.count + t.count
        let header: [UInt8] = [0x60, 0, 0, 0] + Self.be16(UInt16(truncatingIfNeeded: length))
            + [(next ?? proto).rawValue, hopLimit] + src.bytes + dst.bytes
        return ethernet(.ipv6, header + headers + t)
    }

    /// A TCP segment (header without options, then `payload`), checksum zero until `ipv4` fills it.
    public static func tcp(_ sport: UInt16, _ dport: UInt16, seq: UInt32, ack: UInt32 = 0, flags: TCPFlags,
                           payload: [UInt8] = []) -> [UInt8] {
        TCPHeader(sourcePort: sport, destinationPort: dport, sequence: seq, acknowledgment: ack, flags: flags).bytes
            + payload
    }

    /// A UDP datagram.
    public static func udp(_ sport: UInt16, _ dport: UInt16, payload: [UInt8]) -> [UInt8] {
        be16(sport) + be16(dport) + be16(UInt16(truncatingIfNeeded: 8 + payload.count)) + [0, 0] + payload
    }

    /// An ICMP message (type, code, four bytes of rest-of-header, data).
    public static func icmp(type: UInt8, code: UInt8 = 0, rest: [UInt8] = [0, 0, 0, 0], data: [UInt8] = []) -> [UInt8] {
        [type, code, 0, 0] + rest + data
    }

    /// Writes the transport checksum of TCP, UDP and ICMP.
    public static func fillChecksum(_ t: inout [UInt8], _ proto: IPProtocol, _ src: IPv4Address, _ dst: IPv4Address) {
        let at: Int
        var sum: UInt32 = 0
        switch proto {
        case .tcp:
            at = 16
            sum = Checksum.pseudoHeader(source: src, destination: dst, protocol: .tcp, length: t.count)
        case .udp:
            at = 6
            sum = Checksum.pseudoHeader(source: src, destination: dst, protocol: .udp, length: t.count)
        case .icmp: at = 2
        default: return
        }
        guard t.count >= at + 2 else { return }
        t[at] = 0
        t[at + 1] = 0
        var c = ~Checksum.fold(Checksum.add(t, start: 0, length: t.count, to: sum))
        if proto == .udp, c == 0 { c = 0xffff }
        t[at] = UInt8(c >> 8)
        t[at + 1] = UInt8(c & 0xff)
    }

    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
    static func be32(_ v: UInt32) -> [UInt8] { be16(UInt16(v >> 16)) + be16(UInt16(v & 0xffff)) }
    public static func mac(_ m: MACAddress) -> [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: m.rawValue >> (40 - 8 * $0)) } }
}
