import KernelNet

/// A host profile's firewall rules as an `nft -f` ruleset: one `inet` table with a base chain per hook,
/// the rules in the profile's order, each matching IPv4 packets as the model's rules do.
public enum NftRuleset {
    /// The table the rules go in.
    public static let table = "pktpath_verify"

    /// The ruleset text for `rules`.
    public static func text(_ rules: [NetfilterRule]) -> String {
        let hooks: [(NFHook, String)] = [(.NF_INET_PRE_ROUTING, "prerouting"), (.NF_INET_LOCAL_IN, "input"),
                                         (.NF_INET_FORWARD, "forward"), (.NF_INET_LOCAL_OUT, "output"),
                                         (.NF_INET_POST_ROUTING, "postrouting")]
        var lines = ["table inet \(table) {"]
        for (hook, name) in hooks where rules.contains(where: { $0.hook == hook }) {
            lines.append("  chain \(name) {")
            lines.append("    type filter hook \(name) priority 0; policy accept;")
            for rule in rules where rule.hook == hook { lines.append("    " + statement(rule)) }
            lines.append("  }")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One rule as an nft statement.
    static func statement(_ rule: NetfilterRule) -> String {
        var words = ["meta nfproto ipv4"]
        if let iif = rule.iifname { words.append("iifname \"\(iif)\"") }
        if let oif = rule.oifname { words.append("oifname \"\(oif)\"") }
        if let proto = rule.proto { words.append("meta l4proto \(proto.rawValue)") }
        if let s = rule.saddr { words.append("ip saddr \(s)") }
        if let d = rule.daddr { words.append("ip daddr \(d)") }
        if rule.sport != nil || rule.dport != nil {
            // The model matches ports of TCP and UDP only (first fragments: nft's `th` does the same).
            if rule.proto == nil { words.append("meta l4proto { tcp, udp }") }
            if let p = rule.sport { words.append("th sport \(p)") }
            if let p = rule.dport { words.append("th dport \(p)") }
        }
        switch (rule.verdict, rule.rejectWith) {
        case (.reject, .tcpReset?): words.append("reject with tcp reset")
        case (.reject, .icmpHostUnreachable?): words.append("reject with icmp type host-unreachable")
        case (.reject, .icmpAdminProhibited?): words.append("reject with icmp type admin-prohibited")
        case (.reject, _): words.append("reject with icmp type port-unreachable")
        case (.accept, _): words.append("accept")
        case (.drop, _): words.append("drop")
        }
        return words.joined(separator: " ")
    }
}
