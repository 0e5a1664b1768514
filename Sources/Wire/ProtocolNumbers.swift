/// An Ethernet type (IEEE 802 EtherType); an open set.
public struct EtherType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let ipv4 = EtherType(rawValue: 0x0800)
    public static let arp = EtherType(rawValue: 0x0806)
    public static let vlan = EtherType(rawValue: 0x8100)
    public static let ipv6 = EtherType(rawValue: 0x86dd)
    public static let qinq = EtherType(rawValue: 0x88a8)
    public static let lldp = EtherType(rawValue: 0x88cc)
    public static let eapol = EtherType(rawValue: 0x888e)
    /// Linux's `ETH_P_802_2`: not on the wire, the protocol a receiver gives an 802.3 frame (a length
    /// in the type field) that carries an 802.2 LLC header.
    public static let llc802_2 = EtherType(rawValue: 0x0004)
    /// Linux's `ETH_P_802_3`: an 802.3 frame without LLC (raw Novell IPX, which begins 0xFFFF).
    public static let raw802_3 = EtherType(rawValue: 0x0001)

    /// Values below 0x0600 are 802.3 lengths, not types.
    public var isLength: Bool { rawValue < 0x0600 }

    public var description: String {
        switch self {
        case .ipv4: "IPv4"
        case .arp: "ARP"
        case .vlan: "802.1Q"
        case .ipv6: "IPv6"
        case .qinq: "802.1ad"
        case .lldp: "LLDP"
        case .eapol: "EAPOL"
        case .llc802_2: "802.2 LLC"
        case .raw802_3: "raw 802.3"
        default: isLength ? "802.3 length \(rawValue)" : "ethertype 0x" + String(rawValue, radix: 16)
        }
    }
}

/// An IP protocol number (IANA); an open set.
public struct IPProtocol: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// IPv6 hop-by-hop options (RFC 8200 §4.3), only as an IPv6 next header.
    public static let hopopts = IPProtocol(rawValue: 0)
    public static let icmp = IPProtocol(rawValue: 1)
    public static let igmp = IPProtocol(rawValue: 2)
    public static let ipip = IPProtocol(rawValue: 4)
    public static let tcp = IPProtocol(rawValue: 6)
    public static let udp = IPProtocol(rawValue: 17)
    /// IPv6 in IP (RFC 2473).
    public static let ipv6 = IPProtocol(rawValue: 41)
    /// IPv6 routing header (RFC 8200 §4.4).
    public static let routing = IPProtocol(rawValue: 43)
    /// IPv6 fragment header (RFC 8200 §4.5).
    public static let ipv6Fragment = IPProtocol(rawValue: 44)
    public static let gre = IPProtocol(rawValue: 47)
    public static let esp = IPProtocol(rawValue: 50)
    public static let ah = IPProtocol(rawValue: 51)
    public static let icmpv6 = IPProtocol(rawValue: 58)
    /// IPv6 "no next header" (RFC 8200 §4.7).
    public static let noNextHeader = IPProtocol(rawValue: 59)
    /// IPv6 destination options (RFC 8200 §4.6).
    public static let dstopts = IPProtocol(rawValue: 60)
    public static let sctp = IPProtocol(rawValue: 132)
    public static let udplite = IPProtocol(rawValue: 136)

    public var description: String {
        switch self {
        case .icmp: "ICMP"
        case .igmp: "IGMP"
        case .tcp: "TCP"
        case .udp: "UDP"
        case .gre: "GRE"
        case .esp: "ESP"
        case .icmpv6: "ICMPv6"
        case .hopopts: "hop-by-hop"
        case .routing: "routing"
        case .dstopts: "destination options"
        case .ipv6Fragment: "fragment"
        case .sctp: "SCTP"
        default: "proto \(rawValue)"
        }
    }
}
