/// A layer of a frame, as named in decoding problems.
public enum Layer: String, Sendable, Equatable, Codable {
    case ethernet, vlan, arp, ipv4, ipv6, tcp, udp, icmp, icmpv6, sll, loopback
}

/// Why a header could not be decoded into a validated value: which layer, which field, need vs have.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer bytes were captured than the header needs.
    case truncated(layer: Layer, need: Int, have: Int)
    /// A field holds a value the protocol does not allow.
    case invalidField(layer: Layer, field: String, value: Int)

    public var description: String {
        switch self {
        case let .truncated(layer, need, have): "\(layer.rawValue) truncated: need \(need) bytes, have \(have)"
        case let .invalidField(layer, field, value): "\(layer.rawValue) \(field)=\(value) invalid"
        }
    }
}
