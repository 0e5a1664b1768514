import Testing
import Wire

@Suite("IPv6")
struct IPv6Tests {
    /// tcpdump -xx of an echo request's header: 6000 0000 0010 3a40, fd00:6a::2 > fd00:6a::1.
    static let header: [UInt8] = [0x60, 0, 0, 0, 0, 0x10, 58, 64]
        + [0xfd, 0, 0, 0x6a] + [UInt8](repeating: 0, count: 11) + [2]
        + [0xfd, 0, 0, 0x6a] + [UInt8](repeating: 0, count: 11) + [1]

    @Test func deconstruct() throws {
        let p = try #require(IPv6Packet(Self.header, at: 0))
        #expect(p.version == 6)
        #expect(p.payloadLength == 16)
        #expect(p.nextHeader == .icmpv6)
        #expect(p.hopLimit == 64)
        #expect(p.source == IPv6Address("fd00:6a::2"))
        #expect(p.destinationText == "fd00:6a::1")
        #expect(IPv6Packet(Array(Self.header.prefix(39)), at: 0) == nil)
    }

    @Test("text round-trips in RFC 5952 form", arguments: [
        ("::", "::"), ("::1", "::1"), ("FE80::0:1", "fe80::1"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6"), ("::ffff:192.0.2.1", "::ffff:c000:201"),
        ("ff02::1:ff00:1", "ff02::1:ff00:1"), ("1::", "1::"),
        // one zero group stays; the longer of two runs is the one shortened; the longest text; leading zeros
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), ("0abc:00de::f", "abc:de::f"),
    ])
    func roundTrip(_ text: String, _ canonical: String) throws {
        let a = try #require(IPv6Address(text))
        #expect(a.description == canonical)
        #expect(IPv6Address(a.bytes, at: 0) == a)
    }

    @Test("malformed text is refused", arguments: [
        "", ":", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7", "::1.2.3", "1:::2", ":1::2",
    ])
    func malformed(_ text: String) {
        #expect(IPv6Address(text) == nil)
    }

    @Test func scopesAndGroups() throws {
        let host = try #require(IPv6Address("fd00:6a::1234:5678"))
        #expect(host.solicitedNode == IPv6Address("ff02::1:ff34:5678"))
        #expect(IPv6Address.allNodes.isMulticast && IPv6Address.allNodes.multicastScope == 2)
        #expect(IPv6Address("ff01::1")?.multicastScope == 1)
        #expect(IPv6Address("fe80::1")?.isLinkLocal == true && !host.isLinkLocal)
        #expect(IPv6Address("::ffff:10.0.0.1")?.isV4Mapped == true)
        let prefix = try #require(IPv6Prefix("fd00:6a::/64"))
        #expect(prefix.contains(host) && !prefix.contains(IPv6Address("fd00:6b::1")!))
        #expect(IPv6Prefix("::/0")?.contains(host) == true)
        #expect(IPv6Prefix("fd00::/129") == nil)
    }
}
