/// A layer of a frame, as named in decoding problems.
public enum Layer: String, Sendable, Equatable, Codable {
    case ethernet, vlan, arp, ipv4, ipv6, tcp, udp, icmp, icmpv6, sll, loopback, radiotap, ppi, ieee80211, llc
}

/// Why a header could not be decoded into a validated value: which layer, which field, need vs have.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer bytes were captured than the header needs.
    case truncated(layer: Layer, need: Int, have: Int)
    /// A field holds a value the protocol does not allow.
    case invalidField(layer: Layer, field: String, value: Int)
    /// The header is well formed but uses something the decoder does not know (a field, a version, a
    /// frame type), so what follows it cannot be read.
    case unsupported(layer: Layer, what: String)

    public var description: String {
        switch self {
        case let .truncated(layer, need, have): "\(layer.rawValue) truncated: need \(need) bytes, have \(have)"
        case let .invalidField(layer, field, value): "\(layer.rawValue) \(field)=\(value) invalid"
        case let .unsupported(layer, what): "\(layer.rawValue): \(what) not supported"
        }
    }
}
