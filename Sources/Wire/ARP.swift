/// ARP (RFC 826) for Ethernet and IPv4.
public struct ARPPacket: Sendable {
    public enum Field {
        public static let hardwareType = 0
        public static let protocolType = 2
        public static let hardwareLength = 4
        public static let protocolLength = 5
        public static let operation = 6
        public static let senderHardware = 8
    }

    /// The fixed part: everything up to the variable-length addresses.
    public static let fixedLength = 8
    /// The whole packet for Ethernet/IPv4.
    public static let ethernetIPv4Length = 28

    public let bytes: [UInt8]
    public let start: Int
    /// Bytes captured from `start`.
    public let available: Int

    /// A view at `start`, or `nil` when the fixed part is not all there.
    public init?(_ bytes: [UInt8], at start: Int) {
        guard start >= 0, bytes.count - start >= Self.fixedLength else { return nil }
        self.bytes = bytes
        self.start = start
        self.available = bytes.count - start
    }

    public var hardwareType: UInt16 { bytes.u16be(at: start + Field.hardwareType) }
    public var protocolType: EtherType { EtherType(rawValue: bytes.u16be(at: start + Field.protocolType)) }
    public var hardwareLength: Int { Int(bytes.u8(at: start + Field.hardwareLength)) }
    public var protocolLength: Int { Int(bytes.u8(at: start + Field.protocolLength)) }
    public var operation: UInt16 { bytes.u16be(at: start + Field.operation) }
    /// Length of the whole packet as its own length fields describe it.
    public var length: Int { Self.fixedLength + 2 * (hardwareLength + protocolLength) }

    public var senderHardware: MACAddress { MACAddress(bytes, at: start + Field.senderHardware) }
    public var senderProtocol: IPv4Address { IPv4Address(bytes, at: start + Field.senderHardware + hardwareLength) }
    public var targetHardware: MACAddress {
        MACAddress(bytes, at: start + Field.senderHardware + hardwareLength + protocolLength)
    }
    public var targetProtocol: IPv4Address {
        IPv4Address(bytes, at: start + Field.senderHardware + 2 * hardwareLength + protocolLength)
    }

    public static let request: UInt16 = 1
    public static let reply: UInt16 = 2
}

/// A validated Ethernet/IPv4 ARP packet.
public struct ARPHeader: Sendable, Equatable {
    public var operation: UInt16
    public var senderHardware: MACAddress
    public var senderProtocol: IPv4Address
    public var targetHardware: MACAddress
    public var targetProtocol: IPv4Address

    public init(parsing bytes: [UInt8], at start: Int) throws(WireError) {
        guard let p = ARPPacket(bytes, at: start) else {
            throw .truncated(layer: .arp, need: ARPPacket.fixedLength, have: max(0, bytes.count - start))
        }
        guard p.hardwareLength == 6 else { throw .invalidField(layer: .arp, field: "hlen", value: p.hardwareLength) }
        guard p.protocolLength == 4 else { throw .invalidField(layer: .arp, field: "plen", value: p.protocolLength) }
        guard p.available >= ARPPacket.ethernetIPv4Length else {
            throw .truncated(layer: .arp, need: ARPPacket.ethernetIPv4Length, have: p.available)
        }
        operation = p.operation
        senderHardware = p.senderHardware
        senderProtocol = p.senderProtocol
        targetHardware = p.targetHardware
        targetProtocol = p.targetProtocol
    }
}
