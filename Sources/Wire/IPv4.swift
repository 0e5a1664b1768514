/// IPv4 (RFC 791): a view over the header at `start` and the validated header value.
public struct IPv4Packet: Sendable {
    public enum Field {
        public static let versionIHL = 0
        public static let tos = 1
        public static let totalLength = 2
        public static let identification = 4
        public static let flagsFragment = 6
        public static let ttl = 8
        public static let proto = 9
        public static let checksum = 10
        public static let source = 12
        public static let destination = 16
        public static let options = 20
    }

    public static let minimumHeaderLength = 20

    public let bytes: [UInt8]
    public let start: Int
    /// Bytes captured from `start` (the view never reads beyond them).
    public let available: Int

    /// A view at `start`, or `nil` when fewer than 20 bytes were captured there.
    public init?(_ bytes: [UInt8], at start: Int) {
        guard start >= 0, bytes.count - start >= Self.minimumHeaderLength else { return nil }
        self.bytes = bytes
        self.start = start
        self.available = bytes.count - start
    }

    public var version: UInt8 { bytes.u8(at: start) >> 4 }
    /// Header length in 32-bit words.
    public var ihl: UInt8 { bytes.u8(at: start) & 0x0f }
    /// Header length in bytes.
    public var headerLength: Int { Int(ihl) * 4 }
    public var tos: UInt8 { bytes.u8(at: start + Field.tos) }
    /// The two ECN bits of the TOS byte (RFC 3168).
    public var ecn: UInt8 { tos & 0x3 }
    public var totalLength: Int { Int(bytes.u16be(at: start + Field.totalLength)) }
    public var identification: UInt16 { bytes.u16be(at: start + Field.identification) }
    /// The reserved ("evil") bit.
    public var reservedFlag: Bool { bytes.u16be(at: start + Field.flagsFragment) & 0x8000 != 0 }
    public var dontFragment: Bool { bytes.u16be(at: start + Field.flagsFragment) & 0x4000 != 0 }
    public var moreFragments: Bool { bytes.u16be(at: start + Field.flagsFragment) & 0x2000 != 0 }
    /// Fragment offset in bytes.
    public var fragmentOffset: Int { Int(bytes.u16be(at: start + Field.flagsFragment) & 0x1fff) * 8 }
    /// A fragment: MF set or a non-zero offset (the kernel's `ip_is_fragment`).
    public var isFragment: Bool { moreFragments || fragmentOffset != 0 }
    public var ttl: UInt8 { bytes.u8(at: start + Field.ttl) }
    public var proto: IPProtocol { IPProtocol(rawValue: bytes.u8(at: start + Field.proto)) }
    public var headerChecksum: UInt16 { bytes.u16be(at: start + Field.checksum) }
    public var source: IPv4Address { IPv4Address(bytes, at: start + Field.source) }
    public var destination: IPv4Address { IPv4Address(bytes, at: start + Field.destination) }
    /// Whether the header has options (IHL above 5).
    public var hasOptions: Bool { ihl > 5 }
    /// Offset of the transport header.
    public var payloadOffset: Int { start + headerLength }

    /// Whether the whole header (`ihl` words) was captured.
    public var headerIsCaptured: Bool { headerLength >= Self.minimumHeaderLength && available >= headerLength }

    /// Whether the header checksum sums to 0xffff over `ihl` words (the kernel's `ip_fast_csum`).
    public var headerChecksumIsValid: Bool {
        guard headerIsCaptured else { return false }
        return Checksum.fold(Checksum.add(bytes, start: start, length: headerLength)) == 0xffff
    }
}

/// A validated IPv4 header, for summaries and builders.
public struct IPv4Header: Sendable, Equatable {
    public var headerLength: Int
    public var tos: UInt8
    public var totalLength: Int
    public var identification: UInt16
    public var dontFragment: Bool
    public var moreFragments: Bool
    public var fragmentOffset: Int
    public var ttl: UInt8
    public var proto: IPProtocol
    public var checksum: UInt16
    public var source: IPv4Address
    public var destination: IPv4Address

    public init(parsing bytes: [UInt8], at start: Int) throws(WireError) {
        guard let p = IPv4Packet(bytes, at: start) else {
            throw .truncated(layer: .ipv4, need: IPv4Packet.minimumHeaderLength, have: max(0, bytes.count - start))
        }
        guard p.version == 4 else { throw .invalidField(layer: .ipv4, field: "version", value: Int(p.version)) }
        guard p.ihl >= 5 else { throw .invalidField(layer: .ipv4, field: "ihl", value: Int(p.ihl)) }
        guard p.available >= p.headerLength else {
            throw .truncated(layer: .ipv4, need: p.headerLength, have: p.available)
        }
        guard p.totalLength >= p.headerLength else {
            throw .invalidField(layer: .ipv4, field: "total length", value: p.totalLength)
        }
        headerLength = p.headerLength
        tos = p.tos
        totalLength = p.totalLength
        identification = p.identification
        dontFragment = p.dontFragment
        moreFragments = p.moreFragments
        fragmentOffset = p.fragmentOffset
        ttl = p.ttl
        proto = p.proto
        checksum = p.headerChecksum
        source = p.source
        destination = p.destination
    }

    /// Builds a 20-byte header; `checksum` is computed when `nil`.
    public init(source: IPv4Address, destination: IPv4Address, proto: IPProtocol, payloadLength: Int,
                ttl: UInt8 = 64, identification: UInt16 = 0, dontFragment: Bool = true,
                moreFragments: Bool = false, fragmentOffset: Int = 0, tos: UInt8 = 0) {
        self.headerLength = 20
        self.tos = tos
        self.totalLength = 20 + payloadLength
        self.identification = identification
        self.dontFragment = dontFragment
        self.moreFragments = moreFragments
        self.fragmentOffset = fragmentOffset
        self.ttl = ttl
        self.proto = proto
        self.checksum = 0
        self.source = source
        self.destination = destination
        self.checksum = ~Checksum.fold(Checksum.add(bytes, start: 0, length: 20))
    }

    /// The 20 header bytes (options are not emitted).
    public var bytes: [UInt8] {
        var flags = UInt16(fragmentOffset / 8) & 0x1fff
        if dontFragment { flags |= 0x4000 }
        if moreFragments { flags |= 0x2000 }
        let words: [UInt16] = [
            UInt16(0x45) << 8 | UInt16(tos), UInt16(truncatingIfNeeded: totalLength), identification, flags,
            UInt16(ttl) << 8 | UInt16(proto.rawValue), checksum,
            UInt16(source.rawValue >> 16), UInt16(source.rawValue & 0xffff),
            UInt16(destination.rawValue >> 16), UInt16(destination.rawValue & 0xffff),
        ]
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }
}
