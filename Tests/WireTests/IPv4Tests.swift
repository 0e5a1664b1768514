import Testing
import Wire

@Suite("IPv4")
struct IPv4Tests {
    /// tcpdump -xx: 4500 0054 1234 4000 4001 xxxx c000 0201 c000 0202 (checksum filled in below)
    static func header(ihl: UInt8 = 5, totalLength: UInt16 = 84) -> [UInt8] {
        var b: [UInt8] = [0x40 | ihl, 0, UInt8(totalLength >> 8), UInt8(totalLength & 0xff), 0x12, 0x34, 0x40, 0, 64, 1, 0, 0,
                          192, 0, 2, 1, 192, 0, 2, 2]
        let sum = ~Checksum.fold(Checksum.add(b, start: 0, length: 20))
        b[10] = UInt8(sum >> 8)
        b[11] = UInt8(sum & 0xff)
        return b
    }

    @Test func deconstruct() throws {
        let p = try #require(IPv4Packet(Self.header(), at: 0))
        #expect(p.version == 4)
        #expect(p.headerLength == 20)
        #expect(p.totalLength == 84)
        #expect(p.identification == 0x1234)
        #expect(p.dontFragment)
        #expect(!p.isFragment)
        #expect(p.proto == .icmp)
        #expect(p.source.description == "192.0.2.1")
        #expect(p.headerChecksumIsValid)
    }

    @Test func badChecksumIsDetected() throws {
        var b = Self.header()
        b[11] ^= 0xff
        #expect(IPv4Packet(b, at: 0)?.headerChecksumIsValid == false)
    }

    @Test("malformed headers are reported, never trapped", arguments: [
        ("short", [UInt8](repeating: 0x45, count: 10), WireError.truncated(layer: .ipv4, need: 20, have: 10)),
        ("ihl 3", header(ihl: 3), WireError.invalidField(layer: .ipv4, field: "ihl", value: 3)),
        ("ihl 15 beyond data", header(ihl: 15), WireError.truncated(layer: .ipv4, need: 60, have: 20)),
        ("total length below header", header(totalLength: 10), WireError.invalidField(layer: .ipv4, field: "total length", value: 10)),
    ])
    func malformed(_ name: String, _ bytes: [UInt8], _ expected: WireError) {
        #expect(throws: expected) { try IPv4Header(parsing: bytes, at: 0) }
    }

    @Test func everyPrefixOfAFrameDecodesWithoutTrapping() {
        let frame = Self.header() + [UInt8](repeating: 0xab, count: 64)
        for n in 0...frame.count {
            let bytes = Array(frame.prefix(n))
            _ = FrameSummary.describe(bytes, networkOffset: 0, etherType: .ipv4)
            _ = LinkHeader(bytes, encapsulation: .ethernet)
        }
    }
}
