/// A 48-bit IEEE 802 MAC address.
public struct MACAddress: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The address in the low 48 bits, first octet most significant.
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue & 0xffff_ffff_ffff }

    /// Reads six octets at `offset` (zeros past the end).
    public init(_ bytes: [UInt8], at offset: Int) {
        var v: UInt64 = 0
        for i in 0..<6 { v = v << 8 | UInt64(bytes.u8(at: offset + i)) }
        self.init(rawValue: v)
    }

    /// Parses `aa:bb:cc:dd:ee:ff`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var v: UInt64 = 0
        for p in parts {
            guard p.count == 2, let b = UInt8(p, radix: 16) else { return nil }
            v = v << 8 | UInt64(b)
        }
        self.init(rawValue: v)
    }

    public static let broadcast = MACAddress(rawValue: 0xffff_ffff_ffff)
    public static let zero = MACAddress(rawValue: 0)

    /// The modified EUI-64 interface identifier of the address (RFC 4291 §2.5.1, appendix A): its two
    /// halves around `ff:fe`, the universal/local bit inverted. The low 64 bits of the link-local
    /// address (and of SLAAC addresses) a device with this MAC forms by default.
    public var eui64InterfaceIdentifier: UInt64 {
        let oui = (rawValue >> 24) ^ 0x02_0000
        return oui << 40 | 0xff_fe << 24 | rawValue & 0xff_ffff
    }

    /// The group bit (I/G) of the first octet: broadcast and multicast addresses.
    public var isMulticast: Bool { (rawValue >> 40) & 1 == 1 }
    public var isBroadcast: Bool { self == .broadcast }

    /// Six lowercase two-digit hex octets joined by colons, written straight into the string (frame
    /// summaries and notes show several a frame).
    public var description: String {
        String(unsafeUninitializedCapacity: Self.textLength) { out in
            write(to: out.baseAddress!)
            return Self.textLength
        }
    }

    /// The length of ``description``.
    public static let textLength = 17

    /// Writes ``description``'s ``textLength`` bytes at `out`.
    public func write(to out: UnsafeMutablePointer<UInt8>) {
        let hex: StaticString = "0123456789abcdef"
        let digits = hex.utf8Start
        for i in 0..<6 {
            let b = Int(truncatingIfNeeded: rawValue >> UInt64(40 - 8 * i)) & 0xff
            out[3 * i] = digits[b >> 4]
            out[3 * i + 1] = digits[b & 0xf]
            if i < 5 { out[3 * i + 2] = UInt8(ascii: ":") }
        }
    }

    public static func < (a: MACAddress, b: MACAddress) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let mac = MACAddress(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a MAC address: \(text)"))
        }
        self = mac
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// A 32-bit IPv4 address.
public struct IPv4Address: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Reads four octets at `offset` (zeros past the end).
    public init(_ bytes: [UInt8], at offset: Int) { self.init(rawValue: bytes.u32be(at: offset)) }

    /// Parses dotted-quad notation.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, let b = UInt8(p) else { return nil }
            v = v << 8 | UInt32(b)
        }
        rawValue = v
    }

    public static let any = IPv4Address(rawValue: 0)
    public static let broadcast = IPv4Address(rawValue: 0xffff_ffff)

    /// 224.0.0.0/4.
    public var isMulticast: Bool { rawValue >> 28 == 0xe }
    /// 127.0.0.0/8.
    public var isLoopback: Bool { rawValue >> 24 == 127 }
    /// 0.0.0.0/8.
    public var isZeroNet: Bool { rawValue >> 24 == 0 }
    /// 240.0.0.0/4 but not the limited broadcast.
    public var isReservedClassE: Bool { rawValue >> 28 == 0xf && self != .broadcast }
    /// 169.254.0.0/16.
    public var isLinkLocal: Bool { rawValue >> 16 == 0xa9fe }

    /// Dotted-quad notation, written straight into the string (at most 15 bytes: no allocation).
    public var description: String {
        String(unsafeUninitializedCapacity: 15) { out in
            var n = 0
            for shift in stride(from: 24, through: 0, by: -8) {
                let octet = UInt64(rawValue >> UInt32(shift) & 0xff)
                let digits = DecimalDigits.digitCount(octet)
                DecimalDigits.write(octet, at: out.baseAddress! + n, digits: digits)
                n += digits
                if shift > 0 {
                    out[n] = UInt8(ascii: ".")
                    n += 1
                }
            }
            return n
        }
    }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let a = IPv4Address(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an IPv4 address: \(text)"))
        }
        self = a
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// An IPv4 prefix such as `10.77.0.1/24`: an interface address with its network length.
public struct IPv4Prefix: Hashable, Sendable, CustomStringConvertible {
    public let address: IPv4Address
    public let length: Int

    public init(address: IPv4Address, length: Int) {
        self.address = address
        self.length = min(32, max(0, length))
    }

    /// Parses `a.b.c.d/n` (a bare address is a /32).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let a = IPv4Address(parts[0]) else { return nil }
        var n = 32
        if parts.count == 2 {
            guard let v = Int(parts[1]), (0...32).contains(v) else { return nil }
            n = v
        }
        self.init(address: a, length: n)
    }

    /// The network mask as a 32-bit value.
    public var mask: UInt32 { length == 0 ? 0 : UInt32.max << UInt32(32 - length) }
    /// The network address.
    public var network: IPv4Address { IPv4Address(rawValue: address.rawValue & mask) }
    /// The directed broadcast address of the network.
    public var broadcast: IPv4Address { IPv4Address(rawValue: address.rawValue | ~mask) }

    /// Whether `a` lies inside this network.
    public func contains(_ a: IPv4Address) -> Bool { a.rawValue & mask == address.rawValue & mask }

    public var description: String { "\(address)/\(length)" }
}
