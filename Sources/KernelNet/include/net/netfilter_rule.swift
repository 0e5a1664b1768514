// The firewall rules of a host profile, as the model's nftables chains evaluate them (not a kernel file).
import Wire

/// How a reject rule answers.
public enum RejectWith: String, Sendable {
    case tcpReset = "tcp reset"
    case icmpPortUnreachable = "icmp port-unreachable"
    case icmpHostUnreachable = "icmp host-unreachable"
    case icmpAdminProhibited = "icmp admin-prohibited"
}

/// One rule of the host profile's `netfilter` list, in an `inet filter` table.
public struct NetfilterRule: Sendable {
    public enum Verdict: String, Sendable { case accept, drop, reject }

    public var hook: NFHook
    public var proto: IPProtocol?
    public var saddr: IPv4Prefix?
    public var daddr: IPv4Prefix?
    public var sport: UInt16?
    public var dport: UInt16?
    /// The input interface (`meta iifname`): set on the prerouting, input and forward hooks.
    public var iifname: String?
    /// The output interface (`meta oifname`): set on the forward, output and postrouting hooks.
    public var oifname: String?
    public var verdict: Verdict
    public var rejectWith: RejectWith?

    public init(hook: NFHook, proto: IPProtocol?, saddr: IPv4Prefix?, daddr: IPv4Prefix?, sport: UInt16?,
                dport: UInt16?, iifname: String? = nil, oifname: String? = nil, verdict: Verdict,
                rejectWith: RejectWith?) {
        self.iifname = iifname
        self.oifname = oifname
        self.hook = hook
        self.proto = proto
        self.saddr = saddr
        self.daddr = daddr
        self.sport = sport
        self.dport = dport
        self.verdict = verdict
        self.rejectWith = rejectWith
    }

    /// Whether the rule matches an IPv4 packet seen by a hook with input device `indev` and output
    /// device `outdev` (ports only for TCP/UDP, and only in first fragments).
    func matches(_ iph: IPv4Packet, _ bytes: [UInt8], indev: String?, outdev: String?) -> Bool {
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
}
