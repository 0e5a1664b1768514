/// The Internet checksum (RFC 1071): one's-complement sum of 16-bit words.
public enum Checksum {
    /// Adds the bytes `[start, start+length)` of `bytes` to a running 32-bit one's-complement sum.
    /// Bytes past the end of the array count as absent (the range is clamped). The result is one
    /// representative of the sum: ``fold(_:)`` of it is the same as of the plain sum of the 16-bit
    /// big-endian words (zero only when the initial sum and every byte are).
    public static func add(_ bytes: [UInt8], start: Int, length: Int, to initial: UInt32 = 0) -> UInt32 {
        let begin = max(0, start)
        let end = min(bytes.count, start + max(0, length))
        guard begin < end else { return initial }
        // The bytes are added as little-endian 64-bit words in a 64-bit one's-complement sum (the
        // carry out of each addition added back in): 2^16 - 1 divides 2^64 - 1, so folding it gives the
        // sum of the 16-bit words, and a one's-complement sum does not depend on byte order (RFC 1071,
        // section 2(B)), so swapping the bytes of the folded sum gives the big-endian one.
        var sum: UInt64 = 0
        @inline(__always) func addWord(_ w: UInt64) {
            let (s, carry) = sum.addingReportingOverflow(w)
            sum = s &+ (carry ? 1 : 0)
        }
        bytes.withUnsafeBytes { raw in
            var i = begin
            while i + 32 <= end {
                addWord(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                addWord(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)))
                addWord(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)))
                addWord(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)))
                i += 32
            }
            while i + 8 <= end {
                addWord(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                i += 8
            }
            while i + 1 < end {
                addWord(UInt64(raw[i]) | UInt64(raw[i + 1]) << 8)
                i += 2
            }
            if i < end { addWord(UInt64(raw[i])) }
        }
        sum = (sum & 0xffff_ffff) + (sum >> 32)
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        var total = UInt64(initial) + UInt64(UInt16(truncatingIfNeeded: sum).byteSwapped)
        while total >> 32 != 0 { total = (total & 0xffff_ffff) + (total >> 32) }
        return UInt32(total)
    }

    /// Folds a running sum to 16 bits (without complementing it).
    public static func fold(_ sum: UInt32) -> UInt16 {
        var s = sum
        while s >> 16 != 0 { s = (s & 0xffff) + (s >> 16) }
        return UInt16(s)
    }

    /// Rewrites the header checksum of the IPv4 header at `start` of `bytes` (over `ihl` words).
    public static func updateIPv4Header(_ bytes: inout [UInt8], at start: Int = 0) {
        guard start >= 0, bytes.count >= start + 20 else { return }
        let length = min(Int(bytes[start] & 0x0f) * 4, bytes.count - start)
        bytes[start + 10] = 0
        bytes[start + 11] = 0
        let sum = ~fold(add(bytes, start: start, length: length))
        bytes[start + 10] = UInt8(sum >> 8)
        bytes[start + 11] = UInt8(sum & 0xff)
    }

    /// The sum of the IPv4 pseudo-header (RFC 793 §3.1, RFC 768) for a transport segment of `length` bytes.
    public static func pseudoHeader(source: IPv4Address, destination: IPv4Address, protocol proto: IPProtocol,
                                    length: Int) -> UInt32 {
        var sum = UInt32(source.rawValue >> 16) + UInt32(source.rawValue & 0xffff)
        sum += UInt32(destination.rawValue >> 16) + UInt32(destination.rawValue & 0xffff)
        sum += UInt32(proto.rawValue) + UInt32(truncatingIfNeeded: length & 0xffff) + UInt32(truncatingIfNeeded: (length >> 16) & 0xffff)
        return sum
    }

    /// The IPv6 pseudo-header's sum (RFC 8200 §8.1): both addresses, the upper-layer length and the
    /// next header, as 16-bit words.
    public static func pseudoHeader(source: IPv6Address, destination: IPv6Address, nextHeader: IPProtocol,
                                    length: Int) -> UInt32 {
        func words(_ w: UInt64) -> UInt32 {
            UInt32(w >> 48) + UInt32((w >> 32) & 0xffff) + UInt32((w >> 16) & 0xffff) + UInt32(w & 0xffff)
        }
        return words(source.high) + words(source.low) + words(destination.high) + words(destination.low)
            + UInt32(nextHeader.rawValue) + UInt32(truncatingIfNeeded: length & 0xffff)
            + UInt32(truncatingIfNeeded: (length >> 16) & 0xffff)
    }
}
