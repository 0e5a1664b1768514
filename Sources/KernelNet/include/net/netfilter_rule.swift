// The firewall rules of a host profile, as the model's nftables chains evaluate them (not a kernel file).
import Wire

/// How a reject rule answers, as `nft list ruleset` prints it: `tcp reset`, an ICMP type (IPv4 only),
/// an ICMPv6 type (IPv6 only) or an `icmpx` type (either family, translated to the packet's).
public enum RejectWith: String, Sendable, CaseIterable {
    case tcpReset = "tcp reset"
    case icmpPortUnreachable = "icmp port-unreachable"
    case icmpHostUnreachable = "icmp host-unreachable"
    case icmpAdminProhibited = "icmp admin-prohibited"
    case icmpv6NoRoute = "icmpv6 no-route"
    case icmpv6AdminProhibited = "icmpv6 admin-prohibited"
    case icmpv6AddrUnreachable = "icmpv6 addr-unreachable"
    case icmpv6PortUnreachable = "icmpv6 port-unreachable"
    case icmpxPortUnreachable = "icmpx port-unreachable"
    case icmpxAdminProhibited = "icmpx admin-prohibited"
    case icmpxHostUnreachable = "icmpx host-unreachable"
    case icmpxNoRoute = "icmpx no-route"

    /// The family the answer is for, when it is for one only (nft gives such a reject the dependency
    /// `meta nfproto`): ICMP types IPv4, ICMPv6 types IPv6.
    public var onlyFamily: NetfilterFamily? {
        switch self {
        case .icmpPortUnreachable, .icmpHostUnreachable, .icmpAdminProhibited: .ip
        case .icmpv6NoRoute, .icmpv6AdminProhibited, .icmpv6AddrUnreachable, .icmpv6PortUnreachable: .ip6
        default: nil
        }
    }

    /// The ICMP destination-unreachable code of the answer to an IPv4 packet (`nft_reject_icmp_code`
    /// for `icmpx`), nil for a TCP reset or an ICMPv6 type.
    var icmpCode: UInt8? {
        switch self {
        case .icmpPortUnreachable, .icmpxPortUnreachable: 3
        case .icmpHostUnreachable, .icmpxHostUnreachable: 1
        case .icmpAdminProhibited, .icmpxAdminProhibited: 13
        case .icmpxNoRoute: 0
        default: nil
        }
    }

    /// The ICMPv6 destination-unreachable code of the answer to an IPv6 packet (RFC 4443 §3.1;
    /// `nft_reject_icmpv6_code` for `icmpx`), nil for a TCP reset or an ICMP type.
    var icmpv6Code: UInt8? {
        switch self {
        case .icmpv6NoRoute, .icmpxNoRoute: 0
        case .icmpv6AdminProhibited, .icmpxAdminProhibited: 1
        case .icmpv6AddrUnreachable, .icmpxHostUnreachable: 3
        case .icmpv6PortUnreachable, .icmpxPortUnreachable: 4
        default: nil
        }
    }
}

/// The family of the nftables table a rule is in: `inet` chains see IPv4 and IPv6 packets, `ip`
/// chains IPv4 only, `ip6` chains IPv6 only.
public enum NetfilterFamily: String, Sendable, CaseIterable {
    case inet, ip, ip6

    /// Whether a table of this family has chains on the hooks of IPv6 (or, false, IPv4) packets.
    public func sees(ipv6: Bool) -> Bool {
        switch self {
        case .inet: true
        case .ip: !ipv6
        case .ip6: ipv6
        }
    }
}

/// What nft's packet info holds about the transport header (`struct nft_pktinfo`: `tprot`, `thoff`,
/// `fragoff`): unset when the header could not be found (`nft_set_pktinfo_unspec`).
struct NftPktinfo {
    var tprot: IPProtocol?
    var thoff: Int
    var fragoff: UInt16
}

/// One rule of the host profile's `netfilter` list, in a filter table of `family` (`inet` unless the
/// profile says otherwise).
public struct NetfilterRule: Sendable {
    public enum Verdict: String, Sendable { case accept, drop, reject }

    public var family: NetfilterFamily
    public var hook: NFHook
    public var proto: IPProtocol?
    /// `ip saddr`: an IPv4 rule (never matches an IPv6 packet).
    public var saddr: IPv4Prefix?
    /// `ip daddr`.
    public var daddr: IPv4Prefix?
    /// `ip6 saddr`: an IPv6 rule (never matches an IPv4 packet).
    public var saddr6: IPv6Prefix?
    /// `ip6 daddr`.
    public var daddr6: IPv6Prefix?
    public var sport: UInt16?
    public var dport: UInt16?
    /// The input interface (`meta iifname`): set on the prerouting, input and forward hooks.
    public var iifname: String?
    /// The output interface (`meta oifname`): set on the forward, output and postrouting hooks.
    public var oifname: String?
    public var verdict: Verdict
    public var rejectWith: RejectWith?

    public init(family: NetfilterFamily = .inet, hook: NFHook, proto: IPProtocol?, saddr: IPv4Prefix?,
                daddr: IPv4Prefix?, saddr6: IPv6Prefix? = nil, daddr6: IPv6Prefix? = nil, sport: UInt16?,
                dport: UInt16?, iifname: String? = nil, oifname: String? = nil, verdict: Verdict,
                rejectWith: RejectWith?) {
        self.family = family
        self.iifname = iifname
        self.oifname = oifname
        self.hook = hook
        self.proto = proto
        self.saddr = saddr
        self.daddr = daddr
        self.saddr6 = saddr6
        self.daddr6 = daddr6
        self.sport = sport
        self.dport = dport
        self.verdict = verdict
        self.rejectWith = rejectWith
    }

    /// The one family whose packets the rule can match, when its matches or its reject name one (nft
    /// adds `meta nfproto` to such a rule of an `inet` table), or the table's.
    public var onlyFamily: NetfilterFamily? {
        if family != .inet { return family }
        if saddr != nil || daddr != nil { return .ip }
        if saddr6 != nil || daddr6 != nil { return .ip6 }
        return verdict == .reject ? rejectWith?.onlyFamily : nil
    }

    /// Whether the rule can match a packet of that family at all.
    func applies(ipv6: Bool) -> Bool { onlyFamily?.sees(ipv6: ipv6) ?? true }

    /// Whether the rule matches an IPv4 packet seen by a hook with input device `indev` and output
    /// device `outdev` (ports only for TCP/UDP, and only in first fragments).
    func matches(_ iph: IPv4Packet, _ bytes: [UInt8], indev: String?, outdev: String?) -> Bool {
        guard applies(ipv6: false) else { return false }
        if let iifname, iifname != indev { return false }
        if let oifname, oifname != outdev { return false }
        if let proto, iph.proto != proto { return false }
        if let saddr, !saddr.contains(iph.source) { return false }
        if let daddr, !daddr.contains(iph.destination) { return false }
        if sport != nil || dport != nil {
            guard iph.proto == .tcp || iph.proto == .udp, iph.fragmentOffset == 0 else { return false }
            let l4 = iph.payloadOffset
            if let sport, bytes.u16be(at: l4) != sport { return false }
            if let dport, bytes.u16be(at: l4 + 2) != dport { return false }
        }
        return true
    }

    /// Whether the rule matches an IPv6 packet whose transport header nft found as `pkt` says
    /// (`meta l4proto` fails when none was found; ports only for TCP/UDP in a first fragment, whole
    /// in the packet).
    func matches(_ hdr: IPv6Packet, _ pkt: NftPktinfo, _ bytes: [UInt8], indev: String?, outdev: String?) -> Bool {
        guard applies(ipv6: true) else { return false }
        if let iifname, iifname != indev { return false }
        if let oifname, oifname != outdev { return false }
        if let saddr6, !saddr6.contains(hdr.source) { return false }
        if let daddr6, !daddr6.contains(hdr.destination) { return false }
        if let proto, pkt.tprot != proto { return false }
        if sport != nil || dport != nil {
            guard pkt.tprot == .tcp || pkt.tprot == .udp, pkt.fragoff == 0, pkt.thoff + 4 <= bytes.count else { return false }
            if let sport, bytes.u16be(at: pkt.thoff) != sport { return false }
            if let dport, bytes.u16be(at: pkt.thoff + 2) != dport { return false }
        }
        return true
    }
}
