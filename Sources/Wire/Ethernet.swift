/// Ethernet II (IEEE 802.3 with an EtherType) and 802.1Q VLAN tags.
///
/// `EthernetPacket` is a view over the 14-byte header at `start`; `EthernetHeader` is the validated value.
public struct EthernetPacket: Sendable {
    /// Byte offsets of the fields, relative to the start of the header.
    public enum Field {
        public static let destination = 0
        public static let source = 6
        public static let etherType = 12
        public static let payload = 14
    }

    public static let headerLength = 14

    public let bytes: [UInt8]
    public let start: Int

    /// A view at `start`, or `nil` when fewer than 14 bytes are there.
    public init?(_ bytes: [UInt8], at start: Int = 0) {
        guard start >= 0, bytes.count - start >= Self.headerLength else { return nil }
        self.bytes = bytes
        self.start = start
    }

    public var destination: MACAddress { MACAddress(bytes, at: start + Field.destination) }
    public var source: MACAddress { MACAddress(bytes, at: start + Field.source) }
    public var etherType: EtherType { EtherType(rawValue: bytes.u16be(at: start + Field.etherType)) }
    /// Offset of the first byte after the header.
    public var payloadOffset: Int { start + Field.payload }
}

/// A validated Ethernet header.
public struct EthernetHeader: Sendable, Equatable {
    public var destination: MACAddress
    public var source: MACAddress
    public var etherType: EtherType

    public init(destination: MACAddress, source: MACAddress, etherType: EtherType) {
        self.destination = destination
        self.source = source
        self.etherType = etherType
    }

    public init(parsing bytes: [UInt8], at start: Int = 0) throws(WireError) {
        guard let p = EthernetPacket(bytes, at: start) else {
            throw .truncated(layer: .ethernet, need: EthernetPacket.headerLength, have: max(0, bytes.count - start))
        }
        self.init(destination: p.destination, source: p.source, etherType: p.etherType)
    }

    /// The 14 header bytes.
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: EthernetPacket.headerLength) { buffer, count in
            write(to: buffer.baseAddress!)
            count = EthernetPacket.headerLength
        }
    }

    /// Writes the 14 header bytes at `out` (made in place: mac80211's receive path makes an 802.3
    /// frame of every data frame).
    public func write(to out: UnsafeMutablePointer<UInt8>) {
        for i in 0..<6 {
            out[i] = UInt8(truncatingIfNeeded: destination.rawValue >> UInt64(40 - 8 * i))
            out[6 + i] = UInt8(truncatingIfNeeded: source.rawValue >> UInt64(40 - 8 * i))
        }
        out[12] = UInt8(etherType.rawValue >> 8)
        out[13] = UInt8(etherType.rawValue & 0xff)
    }
}

/// An 802.1Q tag: 2 bytes of TCI and the encapsulated EtherType.
public struct VLANPacket: Sendable {
    public enum Field {
        public static let tci = 0
        public static let etherType = 2
        public static let payload = 4
    }

    public static let headerLength = 4

    public let bytes: [UInt8]
    public let start: Int

    /// A view of the tag at `start` (just after the outer EtherType), or `nil` when truncated.
    public init?(_ bytes: [UInt8], at start: Int) {
        guard start >= 0, bytes.count - start >= Self.headerLength else { return nil }
        self.bytes = bytes
        self.start = start
    }

    /// The 12-bit VLAN identifier.
    public var vlanID: UInt16 { bytes.u16be(at: start + Field.tci) & 0x0fff }
    /// The 3-bit priority code point.
    public var priority: UInt8 { UInt8(bytes.u16be(at: start + Field.tci) >> 13) }
    public var etherType: EtherType { EtherType(rawValue: bytes.u16be(at: start + Field.etherType)) }
    public var payloadOffset: Int { start + Field.payload }
}
