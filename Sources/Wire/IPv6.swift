/// IPv6 (RFC 8200): the fixed 40-byte header, enough to name a frame and hand it to `ipv6_rcv`.
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
    public var payloadLength: Int { Int(bytes.u16be(at: start + Field.payloadLength)) }
    public var nextHeader: IPProtocol { IPProtocol(rawValue: bytes.u8(at: start + Field.nextHeader)) }
    public var hopLimit: UInt8 { bytes.u8(at: start + Field.hopLimit) }

    /// An address in RFC 5952 text form.
    private func address(at offset: Int) -> String {
        let words = (0..<8).map { bytes.u16be(at: start + offset + 2 * $0) }
        // Longest run of at least two zero words is shown as "::".
        var best = (start: -1, length: 0)
        var i = 0
        while i < 8 {
            if words[i] == 0 {
                var j = i
                while j < 8, words[j] == 0 { j += 1 }
                if j - i > best.length, j - i >= 2 { best = (i, j - i) }
                i = j
            } else {
                i += 1
            }
        }
        let hex = words.map { String($0, radix: 16) }
        guard best.start >= 0 else { return hex.joined(separator: ":") }
        let head = hex[0..<best.start].joined(separator: ":")
        let tail = hex[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }

    public var sourceText: String { address(at: Field.source) }
    public var destinationText: String { address(at: Field.destination) }
}
