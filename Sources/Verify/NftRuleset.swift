import KernelNet

/// A host profile's firewall rules as an `nft -f` ruleset: a table per family the rules name (`inet`,
/// `ip`, `ip6`, in the order the profile first names them, so that nftables registers their chains
/// on each hook in that order), with a base chain per hook and the rules in the profile's order,
/// each matching as the model's rules do.
public enum NftRuleset {
    /// The name of the tables the rules go in (one per family).
    public static let table = "pktpath_verify"

    /// The ruleset text for `rules`.
    public static func text(_ rules: [NetfilterRule]) -> String {
        let hooks: [(NFHook, String)] = [(.NF_INET_PRE_ROUTING, "prerouting"), (.NF_INET_LOCAL_IN, "input"),
                                         (.NF_INET_FORWARD, "forward"), (.NF_INET_LOCAL_OUT, "output"),
                                         (.NF_INET_POST_ROUTING, "postrouting")]
        var families: [NetfilterFamily] = []
        for rule in rules where !families.contains(rule.family) { families.append(rule.family) }
        var lines: [String] = []
        for family in families {
            lines.append("table \(family.rawValue) \(table) {")
            for (hook, name) in hooks where rules.contains(where: { $0.family == family && $0.hook == hook }) {
                lines.append("  chain \(name) {")
                lines.append("    type filter hook \(name) priority 0; policy accept;")
                for rule in rules where rule.family == family && rule.hook == hook { lines.append("    " + statement(rule)) }
                lines.append("  }")
            }
            lines.append("}")
        }
        if lines.isEmpty { lines = ["table inet \(table) {", "}"] }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One rule as an nft statement.
    static func statement(_ rule: NetfilterRule) -> String {
        var words: [String] = []
        if let iif = rule.iifname { words.append("iifname \"\(iif)\"") }
        if let oif = rule.oifname { words.append("oifname \"\(oif)\"") }
        if let proto = rule.proto { words.append("meta l4proto \(proto.rawValue)") }
        if let s = rule.saddr { words.append("ip saddr \(s)") }
        if let d = rule.daddr { words.append("ip daddr \(d)") }
        if let s = rule.saddr6 { words.append("ip6 saddr \(s)") }
        if let d = rule.daddr6 { words.append("ip6 daddr \(d)") }
        if rule.sport != nil || rule.dport != nil {
            // The model matches ports of TCP and UDP only (first fragments: nft's `th` does the same).
            if rule.proto == nil { words.append("meta l4proto { tcp, udp }") }
            if let p = rule.sport { words.append("th sport \(p)") }
            if let p = rule.dport { words.append("th dport \(p)") }
        }
        switch (rule.verdict, rule.rejectWith) {
        case (.reject, .tcpReset?):
            // nft takes `reject with tcp reset` only with TCP in the rule.
            if rule.proto != .tcp { words.append("meta l4proto tcp") }
            words.append("reject with tcp reset")
        case (.reject, let with?):
            let parts = with.rawValue.split(separator: " ", maxSplits: 1)
            words.append("reject with \(parts[0]) type \(parts[1])")
        case (.reject, nil):
            // nft's default, as the model's: icmpx port-unreachable.
            words.append("reject")
        case (.accept, _): words.append("accept")
        case (.drop, _): words.append("drop")
        }
        return words.joined(separator: " ")
    }
}
