import CPcap
/// A capture's link-layer header type (libpcap's `DLT_*` values, as `pcap_datalink` reports them).
///
/// An open set: any value a capture carries can be represented; `name` says what it is when known.
public struct LinkType: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// BSD loopback: a 4-byte address family in the capturing host's byte order.
    public static let DLT_NULL = LinkType(rawValue: 0)
    /// Ethernet (and anything Linux presents as Ethernet, such as a Wi-Fi station interface).
    public static let DLT_EN10MB = LinkType(rawValue: 1)
    /// Raw IP, version taken from the first nibble (libpcap maps LINKTYPE_RAW 101 to this on Linux).
    public static let DLT_RAW = LinkType(rawValue: 12)
    /// Raw IP as OpenBSD numbers it.
    public static let DLT_RAW_OPENBSD = LinkType(rawValue: 14)
    /// OpenBSD loopback: like `DLT_NULL` but the family is big-endian.
    public static let DLT_LOOP = LinkType(rawValue: 108)
    /// Linux "cooked" capture, version 1 (`tcpdump -i any` before libpcap 1.10).
    public static let DLT_LINUX_SLL = LinkType(rawValue: 113)
    /// 802.11 without a radio header (a monitor interface that adds none).
    public static let DLT_IEEE802_11 = LinkType(rawValue: 105)
    /// 802.11 with a radiotap header (a Linux monitor interface).
    public static let DLT_IEEE802_11_RADIO = LinkType(rawValue: 127)
    /// Per-Packet Information, wrapping 802.11 (captures of some Windows and AirPcap tools).
    public static let DLT_PPI = LinkType(rawValue: 192)
    /// Raw IPv4.
    public static let DLT_IPV4 = LinkType(rawValue: 228)
    /// Raw IPv6.
    public static let DLT_IPV6 = LinkType(rawValue: 229)
    /// Linux "cooked" capture, version 2 (adds the interface index).
    public static let DLT_LINUX_SLL2 = LinkType(rawValue: 276)

    /// The link types pktpath can replay.
    public static let supported: [LinkType] = [
        .DLT_EN10MB, .DLT_LINUX_SLL, .DLT_LINUX_SLL2, .DLT_RAW, .DLT_RAW_OPENBSD, .DLT_IPV4, .DLT_IPV6,
        .DLT_NULL, .DLT_LOOP, .DLT_IEEE802_11, .DLT_IEEE802_11_RADIO, .DLT_PPI,
    ]

    /// Whether pktpath can replay frames of this link type.
    public var isSupported: Bool { Self.supported.contains(self) }

    /// The `DLT_` name, or the number when it is not one pktpath knows.
    public var name: String {
        switch self {
        case .DLT_NULL: "DLT_NULL"
        case .DLT_EN10MB: "DLT_EN10MB"
        case .DLT_RAW, .DLT_RAW_OPENBSD: "DLT_RAW"
        case .DLT_LOOP: "DLT_LOOP"
        case .DLT_LINUX_SLL: "DLT_LINUX_SLL"
        case .DLT_IEEE802_11: "DLT_IEEE802_11"
        case .DLT_IEEE802_11_RADIO: "DLT_IEEE802_11_RADIO"
        case .DLT_PPI: "DLT_PPI"
        case .DLT_IPV4: "DLT_IPV4"
        case .DLT_IPV6: "DLT_IPV6"
        case .DLT_LINUX_SLL2: "DLT_LINUX_SLL2"
        default: libpcapName.map { "DLT_\($0)" } ?? "link type \(rawValue)"
        }
    }

    /// What the link type is, for people: libpcap's description and name with the number
    /// (`802.11 plus radiotap header (DLT_IEEE802_11_RADIO, 127)`).
    public var described: String {
        guard let n = libpcapName else { return "\(rawValue) (a link type libpcap does not know)" }
        let d = pcap_datalink_val_to_description(Int32(rawValue)).map { String(cString: $0) } ?? n
        return "\(d) (DLT_\(n), \(rawValue))"
    }

    /// What to capture instead, for a link type pktpath does not replay.
    public var advice: String {
        let n = libpcapName ?? ""
        if n.hasPrefix("IEEE802_11") || ["PRISM_HEADER", "PPI", "AIRONET_HEADER"].contains(n) {
            return "pktpath replays Wi-Fi monitor-mode captures with a radiotap header (the Linux default), a PPI header "
                + "or none: capture with radiotap (tcpdump -i mon0 -y IEEE802_11_RADIO), or on the station's own interface"
        }
        if n.hasPrefix("NFLOG") || n == "NFQUEUE" {
            return "it holds netfilter log messages, not the frames an interface saw: capture on the interface "
                + "(tcpdump -i eth0, or -i any for every interface)"
        }
        return "pktpath replays captures of network interfaces: Ethernet, Linux cooked (tcpdump -i any), raw IPv4/IPv6 "
            + "and BSD loopback"
    }

    /// libpcap's name of the link type (without `DLT_`), if it knows one.
    private var libpcapName: String? { pcap_datalink_val_to_name(Int32(rawValue)).map { String(cString: $0) } }
}
