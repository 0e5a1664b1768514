/// An IPv6 address (RFC 4291) as two 64-bit words, high word first.
public struct IPv6Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads sixteen octets at `offset` (zeros past the end).
    public init(_ bytes: [UInt8], at offset: Int) {
        high = UInt64(bytes.u32be(at: offset)) << 32 | UInt64(bytes.u32be(at: offset + 4))
        low = UInt64(bytes.u32be(at: offset + 8)) << 32 | UInt64(bytes.u32be(at: offset + 12))
    }

    /// Parses RFC 4291 §2.2 text (`fe80::1`, `::ffff:10.0.0.1`); `nil` when `text` is not an address.
    public init?(_ text: some StringProtocol) {
        var words: [UInt16] = []
        var gap: Int?
        let halves = text.split(separator: ":", omittingEmptySubsequences: false)
        guard halves.count >= 3 || (halves.count >= 2 && text.contains(".")) || halves.count == 8 else { return nil }
        // "::" shows as empty parts: all three of "::", the first two, the last two, or one inside.
        let empty = halves.indices.filter { halves[$0].isEmpty }
        let last = halves.count - 1
        guard empty.isEmpty || empty == [0, 1, 2] && last == 2 || empty == [0, 1] || empty == [last - 1, last]
            || empty.count == 1 && empty[0] != 0 && empty[0] != last else { return nil }
        for (i, part) in halves.enumerated() {
            if part.isEmpty {
                if gap == nil { gap = words.count }
            } else if i == last, part.contains(".") {
                guard let v4 = IPv4Address(part) else { return nil }
                words += [UInt16(v4.rawValue >> 16), UInt16(v4.rawValue & 0xffff)]
            } else {
                guard part.count <= 4, let w = UInt16(part, radix: 16) else { return nil }
                words.append(w)
            }
        }
        if let gap {
            guard words.count < 8 else { return nil }
            words.insert(contentsOf: [UInt16](repeating: 0, count: 8 - words.count), at: gap)
        }
        guard words.count == 8 else { return nil }
        let packed = words.map(UInt64.init)
        high = packed[0] << 48 | packed[1] << 32 | packed[2] << 16 | packed[3]
        low = packed[4] << 48 | packed[5] << 32 | packed[6] << 16 | packed[7]
    }

    /// `::`.
    public static let any = IPv6Address(high: 0, low: 0)
    /// `::1`.
    public static let loopback = IPv6Address(high: 0, low: 1)
    /// `ff02::1`, all nodes on the link.
    public static let allNodes = IPv6Address(high: 0xff02 << 48, low: 1)
    /// `ff02::2`, all routers on the link.
    public static let allRouters = IPv6Address(high: 0xff02 << 48, low: 2)

    /// `ff00::/8`.
    public var isMulticast: Bool { high >> 56 == 0xff }
    /// The scope field of a multicast address (RFC 4291 §2.7): 1 interface-local, 2 link-local, …
    public var multicastScope: UInt8 { UInt8(truncatingIfNeeded: high >> 48) & 0x0f }
    /// `fe80::/10`.
    public var isLinkLocal: Bool { high >> 54 == 0x3fa }
    /// `::ffff:0:0/96`, an IPv4 address in IPv6 form (RFC 4291 §2.5.5.2).
    public var isV4Mapped: Bool { high == 0 && low >> 32 == 0xffff }
    /// The IPv4-mapped form of an IPv4 address (`::ffff:a.b.c.d`), as a dual-stack socket sees it.
    public init(v4Mapped v4: IPv4Address) {
        high = 0
        low = 0xffff_0000_0000 | UInt64(v4.rawValue)
    }

    /// The IPv4 address of an IPv4-mapped address.
    public var v4: IPv4Address { IPv4Address(rawValue: UInt32(truncatingIfNeeded: low)) }
    /// The solicited-node multicast address of this one (RFC 4291 §2.7.1): `ff02::1:ffXX:XXXX`.
    public var solicitedNode: IPv6Address { IPv6Address(high: 0xff02 << 48, low: 0x1_ff00_0000 | low & 0xff_ffff) }

    public static func < (a: Self, b: Self) -> Bool { (a.high, a.low) < (b.high, b.low) }

    /// The sixteen octets, in network order.
    public var bytes: [UInt8] {
        (0..<16).map { i in UInt8(truncatingIfNeeded: (i < 8 ? high : low) >> UInt64(56 - 8 * (i % 8))) }
    }

    /// RFC 5952 text: lower case, the longest run of two or more zero words shown as `::`.
    /// RFC 5952's text: lowercase hex groups without leading zeros, the first longest run of two or more
    /// zero groups written `::`. Written straight into the string (frame summaries show two a frame).
    public var description: String {
        String(unsafeUninitializedCapacity: Self.maximumTextLength) { write(to: $0.baseAddress!) }
    }

    /// The longest ``description``: eight groups of four digits and seven colons.
    public static let maximumTextLength = 39

    /// Writes ``description`` at `out` (at most ``maximumTextLength`` bytes); returns its length.
    public func write(to out: UnsafeMutablePointer<UInt8>) -> Int {
        func word(_ i: Int) -> UInt16 { UInt16(truncatingIfNeeded: (i < 4 ? high : low) >> UInt64(48 - 16 * (i % 4))) }
        var best = (start: -1, length: 0)
        var i = 0
        while i < 8 {
            guard word(i) == 0 else {
                i += 1
                continue
            }
            var j = i
            while j < 8, word(j) == 0 { j += 1 }
            if j - i > best.length, j - i >= 2 { best = (i, j - i) }
            i = j
        }
        let hex: StaticString = "0123456789abcdef"
        let digits = hex.utf8Start
        let colon = UInt8(ascii: ":")
        var n = 0
        var k = 0
        while k < 8 {
            if k == best.start {
                out[n] = colon
                out[n + 1] = colon
                n += 2
                k += best.length
                continue
            }
            if k > 0, k != best.start + best.length {
                out[n] = colon
                n += 1
            }
            let w = word(k)
            var shift: UInt16 = 12
            while shift > 0, (w >> shift) & 0xf == 0 { shift -= 4 }
            while true {
                out[n] = digits[Int((w >> shift) & 0xf)]
                n += 1
                if shift == 0 { break }
                shift -= 4
            }
            k += 1
        }
        return n
    }
}

/// An IPv6 address with a prefix length, as an interface holds it (`struct inet6_ifaddr`) or a route
/// names its destination.
public struct IPv6Prefix: Hashable, Sendable, CustomStringConvertible {
    public let address: IPv6Address
    public let length: Int

    public init(address: IPv6Address, length: Int) {
        self.address = address
        self.length = min(128, max(0, length))
    }

    /// Parses `addr/n` (a bare address is a /128).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let a = IPv6Address(parts[0]) else { return nil }
        var n = 128
        if parts.count == 2 {
            guard let v = Int(parts[1]), (0...128).contains(v) else { return nil }
            n = v
        }
        self.init(address: a, length: n)
    }

    /// Whether `other` is in this prefix.
    public func contains(_ other: IPv6Address) -> Bool {
        func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : UInt64.max << UInt64(64 - bits) }
        let hm = mask(length), lm = mask(length - 64)
        return address.high & hm == other.high & hm && address.low & lm == other.low & lm
    }

    public var description: String { "\(address)/\(length)" }
}

/// IPv6 (RFC 8200): the fixed 40-byte header.
public struct IPv6Packet: Sendable {
    public enum Field {
        public static let payloadLength = 4
        public static let nextHeader = 6
        public static let hopLimit = 7
        public static let source = 8
        public static let destination = 24
    }

    public static let headerLength = 40

    public let bytes: [UInt8]
    public let start: Int

    /// A view at `start`, or `nil` when fewer than 40 bytes were captured.
    public init?(_ bytes: [UInt8], at start: Int) {
        guard start >= 0, bytes.count - start >= Self.headerLength else { return nil }
        self.bytes = bytes
        self.start = start
    }

    public var version: UInt8 { bytes.u8(at: start) >> 4 }
    /// The traffic class (DSCP and ECN, RFC 8200 §7).
    public var trafficClass: UInt8 { UInt8(truncatingIfNeeded: bytes.u16be(at: start) >> 4) }
    public var source: IPv6Address { IPv6Address(bytes, at: start + Field.source) }
    public var destination: IPv6Address { IPv6Address(bytes, at: start + Field.destination) }
    public var payloadLength: Int { Int(bytes.u16be(at: start + Field.payloadLength)) }
    public var nextHeader: IPProtocol { IPProtocol(rawValue: bytes.u8(at: start + Field.nextHeader)) }
    public var hopLimit: UInt8 { bytes.u8(at: start + Field.hopLimit) }

    public var sourceText: String { source.description }
    public var destinationText: String { destination.description }
}
