import Testing
import Wire

@Suite("Checksum")
struct ChecksumTests {
    /// The Internet checksum as RFC 1071 defines it: the 16-bit big-endian words, a last odd byte as
    /// the high byte of a word, added to `initial` with end-around carry.
    static func reference(_ bytes: [UInt8], start: Int, length: Int, initial: UInt32) -> UInt16 {
        var sum = UInt64(initial)
        let end = min(bytes.count, start + length)
        var i = start
        while i < end {
            sum += UInt64(bytes[i]) << 8 | (i + 1 < end ? UInt64(bytes[i + 1]) : 0)
            i += 2
        }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return UInt16(sum)
    }

    /// Random bytes at every length to 80 and every start offset to 9, with random initial sums, and
    /// runs of zeros and of 0xff (sums that are zero, or multiples of 0xffff, at the end), fold to the
    /// reference's value.
    @Test func foldsToTheReferenceSum() {
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return x >> 11
        }
        for pattern in 0..<3 {
            for length in 0...80 {
                for start in 0...9 {
                    let bytes: [UInt8] = (0..<(start + length + 3)).map { _ in
                        pattern == 0 ? UInt8(truncatingIfNeeded: next()) : pattern == 1 ? 0 : 0xff
                    }
                    for initial: UInt32 in [0, 0xffff, 0xffff_ffff, UInt32(truncatingIfNeeded: next())] {
                        let sum = Checksum.add(bytes, start: start, length: length, to: initial)
                        #expect(Checksum.fold(sum) == Self.reference(bytes, start: start, length: length, initial: initial),
                                "pattern \(pattern) length \(length) start \(start) initial \(initial)")
                    }
                }
            }
        }
    }

    /// A range past the end of the bytes counts only the bytes there are.
    /// The IPv6 pseudo-header sum is RFC 1071's sum of the header's bytes: both addresses, the length as
    /// 32 bits and three zero bytes before the next header (RFC 8200 §8.1).
    @Test func ipv6PseudoHeader() throws {
        let source = try #require(IPv6Address("2001:db8:ffff::1")), destination = try #require(IPv6Address("fe80::ff:fe00:1"))
        for length in [0, 20, 1460, 70_000] {
            let header = source.bytes + destination.bytes
                + [UInt8(length >> 24 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
                + [0, 0, 0, IPProtocol.tcp.rawValue]
            let sum = Checksum.pseudoHeader(source: source, destination: destination, nextHeader: .tcp, length: length)
            #expect(Checksum.fold(sum) == Self.reference(header, start: 0, length: header.count, initial: 0), "length \(length)")
        }
    }

    @Test func clampsTheRange() {
        let bytes: [UInt8] = [0x45, 0x00, 0x00, 0x54, 0x12]
        #expect(Checksum.fold(Checksum.add(bytes, start: 1, length: 100)) == Self.reference(bytes, start: 1, length: 4, initial: 0))
        #expect(Checksum.add(bytes, start: 5, length: 4, to: 7) == 7)
    }
}
