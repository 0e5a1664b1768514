/// TCP (RFC 9293): a view over the segment header at `start` and the validated header value.
public struct TCPPacket: Sendable {
    public enum Field {
        public static let sourcePort = 0
        public static let destinationPort = 2
        public static let sequence = 4
        public static let acknowledgment = 8
        public static let dataOffset = 12
        public static let flags = 13
        public static let window = 14
        public static let checksum = 16
        public static let urgent = 18
    }

    public static let minimumHeaderLength = 20

    public let bytes: [UInt8]
    public let start: Int
    public let available: Int

    /// A view at `start`, or `nil` when fewer than 20 bytes were captured.
    public init?(_ bytes: [UInt8], at start: Int) {
        guard start >= 0, bytes.count - start >= Self.minimumHeaderLength else { return nil }
        self.bytes = bytes
        self.start = start
        self.available = bytes.count - start
    }

    public var sourcePort: UInt16 { bytes.u16be(at: start + Field.sourcePort) }
    public var destinationPort: UInt16 { bytes.u16be(at: start + Field.destinationPort) }
    public var sequence: UInt32 { bytes.u32be(at: start + Field.sequence) }
    public var acknowledgment: UInt32 { bytes.u32be(at: start + Field.acknowledgment) }
    /// Header length in bytes (data offset × 4).
    public var headerLength: Int { Int(bytes.u8(at: start + Field.dataOffset) >> 4) * 4 }
    public var flags: TCPFlags { TCPFlags(rawValue: bytes.u8(at: start + Field.flags)) }
    public var window: UInt16 { bytes.u16be(at: start + Field.window) }
    public var checksum: UInt16 { bytes.u16be(at: start + Field.checksum) }

    /// The shift count of the window scale option (RFC 7323 §2.2: kind 3, length 3), if the header
    /// carries one (capped at 14, as the RFC and the kernel cap it); `nil` without it or when the
    /// options were not captured.
    public var windowScale: UInt8? {
        guard let at = option(kind: 3, length: 3) else { return nil }
        return min(bytes[at + 2], 14)
    }

    /// The sender's timestamp (TSval) of the timestamps option (RFC 7323 §3: kind 8, length 10), if the
    /// header carries one.
    public var timestampValue: UInt32? {
        option(kind: 8, length: 10).map { bytes.u32be(at: $0 + 2) }
    }

    /// The echoed timestamp (TSecr) of the timestamps option, if the header carries one.
    public var timestampEcho: UInt32? {
        option(kind: 8, length: 10).map { bytes.u32be(at: $0 + 6) }
    }

    /// Whether the header carries the SACK-permitted option (RFC 2018 §2: kind 4, length 2), offered in
    /// a SYN or SYN-ACK.
    public var sackPermitted: Bool { option(kind: 4, length: 2) != nil }

    /// The first block of the SACK option (RFC 2018 §3: kind 5, 8 bytes a block), if the header carries
    /// one: a block that starts below the acknowledgment reports a duplicate (D-SACK, RFC 2883 §4).
    public var firstSackBlock: (start: UInt32, end: UInt32)? { sackBlocks.first }

    /// The blocks of the SACK option (RFC 2018 §3: kind 5, blocks of 8 bytes), in the order the header
    /// carries them; empty without the option. Of several SACK options the last whose length is 2 plus
    /// a multiple of 8 counts, as in the kernel's option parser (`tcp_parse_options`,
    /// net/ipv4/tcp_input.c), which keeps the offset of each it meets. One pass over the options: most
    /// segments have none.
    public var sackBlocks: [(start: UInt32, end: UInt32)] {
        var found: (at: Int, count: Int)?
        forEachOption { kind, at, length in
            if kind == 5, length >= 10, (length - 2) % 8 == 0 { found = (at, (length - 2) / 8) }
            return true
        }
        guard let found else { return [] }
        return (0..<found.count).map { (bytes.u32be(at: found.at + 2 + 8 * $0), bytes.u32be(at: found.at + 6 + 8 * $0)) }
    }

    /// Whether the options start with the timestamps option in its aligned layout (RFC 7323 Appendix A:
    /// two no-operations, then kind 8, length 10), the one header prediction parses.
    public var hasAlignedTimestamp: Bool {
        let at = start + Self.minimumHeaderLength
        return headerLength >= Self.minimumHeaderLength + 12 && at + 12 <= bytes.count
            && bytes.u32be(at: at) == 0x0101_080A
    }

    /// Where the option of `kind` and `length` starts, if the captured options hold it.
    private func option(kind wanted: UInt8, length wantedLength: Int) -> Int? {
        var found: Int?
        forEachOption { kind, at, length in
            if kind == wanted, length == wantedLength { found = at }
            return found == nil
        }
        return found
    }

    /// Calls `body` with the kind, offset and length of each option the captured header holds, in
    /// order, up to the end-of-list option or the first one cut short or with a length below 2, while
    /// `body` returns true.
    private func forEachOption(_ body: (_ kind: UInt8, _ at: Int, _ length: Int) -> Bool) {
        let end = min(start + headerLength, bytes.count)
        var i = start + Self.minimumHeaderLength
        while i < end {
            let kind = bytes[i]
            if kind == 0 { return }              // end of option list
            if kind == 1 { i += 1; continue }    // no-operation
            guard i + 1 < end else { return }
            let length = Int(bytes[i + 1])
            guard length >= 2, i + length <= end else { return }
            guard body(kind, i, length) else { return }
            i += length
        }
    }
}

/// The eight TCP flag bits.
public struct TCPFlags: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
    public static let ece = TCPFlags(rawValue: 0x40)
    public static let cwr = TCPFlags(rawValue: 0x80)

    /// tcpdump's letters: `S`, `F`, `R`, `P`, `.` for ACK, `U`, `E`, `W`.
    public var description: String {
        var s = ""
        if contains(.syn) { s += "S" }
        if contains(.fin) { s += "F" }
        if contains(.rst) { s += "R" }
        if contains(.psh) { s += "P" }
        if contains(.urg) { s += "U" }
        if contains(.ece) { s += "E" }
        if contains(.cwr) { s += "W" }
        if contains(.ack) { s += "." }
        return s.isEmpty ? "none" : s
    }
}

/// A validated TCP header.
public struct TCPHeader: Sendable, Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequence: UInt32
    public var acknowledgment: UInt32
    public var headerLength: Int
    public var flags: TCPFlags
    public var window: UInt16

    public init(parsing bytes: [UInt8], at start: Int) throws(WireError) {
        guard let p = TCPPacket(bytes, at: start) else {
            throw .truncated(layer: .tcp, need: TCPPacket.minimumHeaderLength, have: max(0, bytes.count - start))
        }
        guard p.headerLength >= TCPPacket.minimumHeaderLength else {
            throw .invalidField(layer: .tcp, field: "data offset", value: p.headerLength / 4)
        }
        sourcePort = p.sourcePort
        destinationPort = p.destinationPort
        sequence = p.sequence
        acknowledgment = p.acknowledgment
        headerLength = p.headerLength
        flags = p.flags
        window = p.window
    }

    /// Builds a header without options.
    public init(sourcePort: UInt16, destinationPort: UInt16, sequence: UInt32 = 0, acknowledgment: UInt32 = 0,
                flags: TCPFlags, window: UInt16 = 64_240) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sequence = sequence
        self.acknowledgment = acknowledgment
        self.headerLength = 20
        self.flags = flags
        self.window = window
    }

    /// The 20 header bytes with a zero checksum.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        func put16(_ v: UInt16) { out += [UInt8(v >> 8), UInt8(v & 0xff)] }
        func put32(_ v: UInt32) { put16(UInt16(v >> 16)); put16(UInt16(v & 0xffff)) }
        put16(sourcePort)
        put16(destinationPort)
        put32(sequence)
        put32(acknowledgment)
        out += [UInt8(headerLength / 4) << 4, flags.rawValue]
        put16(window)
        put16(0)
        put16(0)
        return out
    }
}
