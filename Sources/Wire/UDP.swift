/// UDP (RFC 768): a view over the 8-byte header at `start` and the validated header value.
public struct UDPPacket: Sendable {
    public enum Field {
        public static let sourcePort = 0
        public static let destinationPort = 2
        public static let length = 4
        public static let checksum = 6
    }

    public static let headerLength = 8

    public let bytes: [UInt8]
    public let start: Int

    /// A view at `start`, or `nil` when fewer than 8 bytes were captured.
    public init?(_ bytes: [UInt8], at start: Int) {
        guard start >= 0, bytes.count - start >= Self.headerLength else { return nil }
        self.bytes = bytes
        self.start = start
    }

    public var sourcePort: UInt16 { bytes.u16be(at: start + Field.sourcePort) }
    public var destinationPort: UInt16 { bytes.u16be(at: start + Field.destinationPort) }
    public var length: Int { Int(bytes.u16be(at: start + Field.length)) }
    public var checksum: UInt16 { bytes.u16be(at: start + Field.checksum) }
}

/// A validated UDP header.
public struct UDPHeader: Sendable, Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var length: Int

    public init(parsing bytes: [UInt8], at start: Int) throws(WireError) {
        guard let p = UDPPacket(bytes, at: start) else {
            throw .truncated(layer: .udp, need: UDPPacket.headerLength, have: max(0, bytes.count - start))
        }
        guard p.length >= UDPPacket.headerLength else {
            throw .invalidField(layer: .udp, field: "length", value: p.length)
        }
        sourcePort = p.sourcePort
        destinationPort = p.destinationPort
        length = p.length
    }
}
