import Testing
import Wire

@Suite("Frame summaries")
struct FrameSummaryTests {
    static let builder = FrameBuilder(source: MACAddress(rawValue: 0x02_00_00_00_00_01), destination: MACAddress(rawValue: 0x02_00_00_00_00_02))
    static let a = IPv6Address("2001:db8::1")!, b = IPv6Address("fe80::ff:fe00:2")!

    /// The summary of an Ethernet frame's network layer.
    static func summary(_ frame: [UInt8]) -> String {
        FrameSummary.describe(frame, networkOffset: 14, etherType: EthernetPacket(frame, at: 0)!.etherType)
    }

    /// An extension header of 8 bytes naming `next` (hop-by-hop, routing or destination options: PadN).
    static func option(_ next: IPProtocol) -> [UInt8] { [next.rawValue, 0, 1, 4, 0, 0, 0, 0] }

    /// A fragment header naming `next`, at byte offset `offset`, with the identification `id`.
    static func fragment(_ next: IPProtocol, offset: Int, more: Bool, id: UInt32) -> [UInt8] {
        let field = UInt16(offset / 8) << 3 | (more ? 1 : 0)
        return [next.rawValue, 0, UInt8(field >> 8), UInt8(field & 0xff),
                UInt8(id >> 24), UInt8(id >> 16 & 0xff), UInt8(id >> 8 & 0xff), UInt8(id & 0xff)]
    }

    @Test func ipv6TransportAsIPv4Reads() {
        let syn = Self.builder.ipv6(Self.a, Self.b, .tcp, FrameBuilder.tcp(40280, 8080, seq: 7, flags: [.syn]))
        #expect(Self.summary(syn) == "TCP [2001:db8::1]:40280 > [fe80::ff:fe00:2]:8080 [S] seq=7 win=64240 len=0")
        let data = Self.builder.ipv6(Self.b, Self.a, .tcp, FrameBuilder.tcp(8080, 40280, seq: 9, ack: 8, flags: [.ack, .psh],
                                                                           payload: Array(repeating: 1, count: 5)))
        #expect(Self.summary(data) == "TCP [fe80::ff:fe00:2]:8080 > [2001:db8::1]:40280 [P.] seq=9 ack=8 win=64240 len=5")
        let udp = Self.builder.ipv6(Self.a, Self.b, .udp, FrameBuilder.udp(5353, 53, payload: [1, 2, 3]))
        #expect(Self.summary(udp) == "UDP [2001:db8::1]:5353 > [fe80::ff:fe00:2]:53 len=3")
        let echo = Self.builder.ipv6(Self.a, Self.b, .icmpv6, [128, 0, 0, 0, 0, 7, 0, 1])
        #expect(Self.summary(echo) == "ICMPv6 2001:db8::1 > fe80::ff:fe00:2 echo request id=7 seq=1")
        let ns = Self.builder.ipv6(Self.a, Self.b, .icmpv6, [135, 0, 0, 0, 0, 0, 0, 0] + Self.b.bytes)
        #expect(Self.summary(ns) == "ICMPv6 2001:db8::1 > fe80::ff:fe00:2 neighbor solicitation")
    }

    @Test func ipv6ExtensionHeadersAndFragments() {
        // Hop-by-hop, then destination options, then UDP: the datagram's ports, its length without them.
        let udp = Self.builder.ipv6(Self.a, Self.b, .udp, FrameBuilder.udp(1, 2, payload: [0]), next: .hopopts,
                                    headers: Self.option(.dstopts) + Self.option(.udp))
        #expect(Self.summary(udp) == "UDP [2001:db8::1]:1 > [fe80::ff:fe00:2]:2 len=1")
        // A first fragment has the upper-layer header; a later one only data.
        let first = Self.builder.ipv6(Self.a, Self.b, .icmpv6, [128, 0, 0, 0, 0, 7, 0, 1] + Array(repeating: 0, count: 8),
                                      next: .ipv6Fragment, headers: Self.fragment(.icmpv6, offset: 0, more: true, id: 42))
        #expect(Self.summary(first) == "ICMPv6 2001:db8::1 > fe80::ff:fe00:2 echo request id=7 seq=1 frag id=42 off=0+")
        let later = Self.builder.ipv6(Self.a, Self.b, .icmpv6, Array(repeating: 0, count: 24), next: .ipv6Fragment,
                                      headers: Self.fragment(.icmpv6, offset: 16, more: false, id: 42))
        #expect(Self.summary(later) == "IPv6 next=ICMPv6 2001:db8::1 > fe80::ff:fe00:2 frag id=42 off=16 len=24")
        // Another upper layer, and an extension header the capture cut short.
        let gre = Self.builder.ipv6(Self.a, Self.b, .gre, [0, 0, 0x86, 0xdd])
        #expect(Self.summary(gre) == "IPv6 next=GRE 2001:db8::1 > fe80::ff:fe00:2 len=4")
        let cut = Array(Self.builder.ipv6(Self.a, Self.b, .udp, [], next: .hopopts, headers: Self.option(.udp)).prefix(14 + 44))
        #expect(Self.summary(cut) == "IPv6 next=hop-by-hop 2001:db8::1 > fe80::ff:fe00:2 (extension header truncated)")
        #expect(Self.summary(Array(cut.prefix(14 + 39))) == "IPv6 (truncated)")
    }

    /// The replay writes an IPv4 or IPv6 summary later from a copy of the bytes the description reads
    /// (`bytesRead`): that copy is described as the whole packet is, options, extension headers,
    /// fragments and truncated headers included.
    @Test func theBytesReadDescribeThePacket() {
        let v4 = IPv4Address("10.0.0.1")!, w4 = IPv4Address("10.0.0.2")!
        let payload = Array(repeating: UInt8(7), count: 300)
        let frames = [
            Self.builder.ipv4(v4, w4, .tcp, FrameBuilder.tcp(1, 2, seq: 3, flags: [.syn], payload: payload)),
            Self.builder.ipv4(v4, w4, .udp, FrameBuilder.udp(1, 2, payload: payload), moreFragments: true),
            Self.builder.ipv4(v4, w4, .icmp, FrameBuilder.icmp(type: 8, data: payload)),
            Self.builder.ipv6(Self.a, Self.b, .tcp, FrameBuilder.tcp(1, 2, seq: 3, flags: [.syn], payload: payload)),
            Self.builder.ipv6(Self.a, Self.b, .udp, FrameBuilder.udp(1, 2, payload: payload), next: .hopopts,
                              headers: Self.option(.routing) + Self.option(.dstopts) + Self.option(.udp)),
            Self.builder.ipv6(Self.a, Self.b, .icmpv6, payload, next: .ipv6Fragment,
                              headers: Self.fragment(.icmpv6, offset: 1448, more: true, id: 9)),
            Self.builder.ipv6(Self.a, Self.b, .icmpv6, [129, 0, 0, 0, 0, 1, 0, 2] + payload),
        ]
        for frame in frames {
            for cut in [frame.count, 14 + 40, 14 + 50, 14 + 60] {
                let bytes = Array(frame.prefix(cut))
                let network = Array(bytes[14...])
                let type = EthernetPacket(frame, at: 0)!.etherType
                guard let read = FrameSummary.bytesRead(network, at: 0, etherType: type) else {
                    Issue.record("no bytes read for \(type)")
                    continue
                }
                let whole = FrameSummary.describe(network, networkOffset: 0, etherType: type)
                #expect(FrameSummary.describe(Array(network.prefix(read)), networkOffset: 0, etherType: type) == whole, "\(whole)")
            }
        }
    }
}
