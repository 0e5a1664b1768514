/// ICMP for IPv4 (RFC 792): a view over the header at `start` and the validated header value.
public struct ICMPv4Packet: Sendable {
    public enum Field {
        public static let type = 0
        public static let code = 1
        public static let checksum = 2
        public static let identifier = 4
        public static let sequence = 6
        /// For errors: the IPv4 header of the datagram the error is about.
        public static let quotedHeader = 8
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

    public var type: UInt8 { bytes.u8(at: start + Field.type) }
    public var code: UInt8 { bytes.u8(at: start + Field.code) }
    public var checksum: UInt16 { bytes.u16be(at: start + Field.checksum) }
    public var identifier: UInt16 { bytes.u16be(at: start + Field.identifier) }
    public var sequence: UInt16 { bytes.u16be(at: start + Field.sequence) }

    public static let echoReply: UInt8 = 0
    public static let destinationUnreachable: UInt8 = 3
    public static let sourceQuench: UInt8 = 4
    public static let redirect: UInt8 = 5
    public static let echoRequest: UInt8 = 8
    public static let timeExceeded: UInt8 = 11
    public static let parameterProblem: UInt8 = 12
    public static let timestamp: UInt8 = 13
    public static let timestampReply: UInt8 = 14

    /// Whether the type reports an error about another datagram (RFC 1122 §3.2.2).
    public var isError: Bool {
        [Self.destinationUnreachable, 4, Self.redirect, Self.timeExceeded, Self.parameterProblem].contains(type)
    }

    /// tcpdump-style name of the message.
    public var name: String {
        switch (type, code) {
        case (0, _): "echo reply"
        case (3, 0): "net unreachable"
        case (3, 1): "host unreachable"
        case (3, 2): "protocol unreachable"
        case (3, 3): "port unreachable"
        case (3, 4): "fragmentation needed"
        case (3, _): "unreachable code \(code)"
        case (5, _): "redirect"
        case (8, _): "echo request"
        case (11, 0): "time exceeded in-transit"
        case (11, 1): "time exceeded reassembly"
        case (12, _): "parameter problem"
        case (13, _): "timestamp request"
        case (14, _): "timestamp reply"
        default: "type \(type) code \(code)"
        }
    }
}

/// A validated ICMPv4 header.
public struct ICMPv4Header: Sendable, Equatable {
    public var type: UInt8
    public var code: UInt8
    public var identifier: UInt16
    public var sequence: UInt16

    public init(parsing bytes: [UInt8], at start: Int) throws(WireError) {
        guard let p = ICMPv4Packet(bytes, at: start) else {
            throw .truncated(layer: .icmp, need: ICMPv4Packet.headerLength, have: max(0, bytes.count - start))
        }
        type = p.type
        code = p.code
        identifier = p.identifier
        sequence = p.sequence
    }
}
