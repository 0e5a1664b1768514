/// The Internet checksum (RFC 1071): one's-complement sum of 16-bit words.
public enum Checksum {
    /// Adds the bytes `[start, start+length)` of `bytes` to a running 32-bit one's-complement sum.
    /// Bytes past the end of the array count as absent (the range is clamped).
    public static func add(_ bytes: [UInt8], start: Int, length: Int, to initial: UInt32 = 0) -> UInt32 {
        var sum = UInt64(initial)
        let begin = max(0, start)
        let end = min(bytes.count, start + max(0, length))
        guard begin < end else { return initial }
        bytes.withUnsafeBytes { raw in
            var i = begin
            // Eight bytes at a time: the same 16-bit big-endian words, added in a 64-bit sum that
            // cannot overflow for any packet.
            while i + 8 <= end {
                let x = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                sum += (x >> 48) + (x >> 32 & 0xffff) + (x >> 16 & 0xffff) + (x & 0xffff)
                i += 8
            }
            while i + 1 < end {
                sum += UInt64(raw[i]) << 8 | UInt64(raw[i + 1])
                i += 2
            }
            if i < end { sum += UInt64(raw[i]) << 8 }
        }
        while sum >> 32 != 0 { sum = (sum & 0xffff_ffff) + (sum >> 32) }
        return UInt32(sum)
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
}
