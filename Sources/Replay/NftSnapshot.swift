import Foundation
import KernelNet
import Wire

/// The filter rules of `nft -j list ruleset` as the host profile's `netfilter` list (part of
/// `pktpath host snapshot`): the base chains of `inet`, `ip` and `ip6` filter tables at priority 0 with
/// policy accept, each rule made of the matches the profile holds (addresses, protocol, ports,
/// interfaces) and a verdict. What the profile cannot hold is left out and said, one line each.
public enum NftSnapshot {
    /// The profile's rule objects, in the ruleset's order (tables as nftables lists them: in the
    /// order they were made), and the lines saying what was left out. `interfaces` are the names the
    /// profile has (a rule naming another is left out).
    public static func rules(_ ruleset: Data, interfaces: [String]) -> (rules: [[String: Any]], omitted: [String]) {
        guard let root = try? JSONSerialization.jsonObject(with: ruleset) as? [String: Any],
              let objects = root["nftables"] as? [[String: Any]] else {
            return ([], ["netfilter: nft -j list ruleset printed no ruleset"])
        }
        var rules: [[String: Any]] = [], omitted: [String] = []
        // Base chains the profile can hold, by family, table and name: their hook.
        var hooks: [String: String] = [:]
        for object in objects {
            if let chain = object["chain"] as? [String: Any] {
                let family = chain["family"] as? String ?? "", table = chain["table"] as? String ?? ""
                let name = chain["name"] as? String ?? ""
                let at = "netfilter: chain \(family) \(table) \(name)"
                guard let hook = chain["hook"] as? String else { continue }  // a regular chain: its rules are said below
                guard NetfilterFamily(rawValue: family) != nil else {
                    omitted.append("\(at): family \(family) is not modeled")
                    continue
                }
                guard chain["type"] as? String == "filter", NetfilterRule.hookNames[hook] != nil else {
                    omitted.append("\(at): a \(chain["type"] as? String ?? "?") chain on \(hook) is not modeled")
                    continue
                }
                guard chain["policy"] as? String ?? "accept" == "accept" else {
                    omitted.append("\(at): policy \(chain["policy"] as? String ?? "?") is not modeled (accept is)")
                    continue
                }
                if let prio = chain["prio"] as? Int, prio != 0 {
                    omitted.append("\(at): priority \(prio) taken as 0 (chains run in the order of their tables)")
                }
                hooks["\(family) \(table) \(name)"] = hook
            } else if let rule = object["rule"] as? [String: Any] {
                let family = rule["family"] as? String ?? "", table = rule["table"] as? String ?? ""
                let chain = rule["chain"] as? String ?? ""
                let at = "netfilter: rule \(rule["handle"] as? Int ?? 0) of chain \(family) \(table) \(chain)"
                guard let hook = hooks["\(family) \(table) \(chain)"] else {
                    if NetfilterFamily(rawValue: family) != nil { omitted.append("\(at): not in a base chain the profile holds") }
                    continue
                }
                switch translate(rule["expr"] as? [[String: Any]] ?? [], interfaces: interfaces) {
                case .success(var fields):
                    fields["hook"] = hook
                    if family != "inet" { fields["family"] = family }
                    rules.append(fields)
                case .failure(let why):
                    omitted.append("\(at): \(why.text)")
                }
            } else if let table = object["table"] as? [String: Any], let family = table["family"] as? String,
                      NetfilterFamily(rawValue: family) == nil {
                omitted.append("netfilter: table \(family) \(table["name"] as? String ?? "?"): family \(family) is not modeled")
            }
        }
        return (rules, omitted)
    }

    /// Why a rule was left out.
    struct Unsupported: Error {
        var text: String
    }

    /// One rule's expressions as the profile's keys (without `hook` and `family`).
    static func translate(_ exprs: [[String: Any]], interfaces: [String]) -> Result<[String: Any], Unsupported> {
        var fields: [String: Any] = [:]
        var transportSet = false
        func unsupported(_ text: String) -> Result<[String: Any], Unsupported> { .failure(Unsupported(text: text)) }
        for expr in exprs {
            guard let key = expr.keys.first, expr.count == 1 else { return unsupported("an empty expression") }
            switch key {
            case "counter", "log": continue
            case "accept", "drop": fields["verdict"] = key
            case "reject":
                fields["verdict"] = "reject"
                guard let r = expr[key] as? [String: Any] else { continue }  // nft's default: icmpx port-unreachable
                let type = r["type"] as? String ?? ""
                let with = type == "tcp reset" ? type : "\(type) \(r["expr"] as? String ?? "")"
                guard RejectWith(rawValue: with) != nil else { return unsupported("reject with \(with) is not modeled") }
                fields["with"] = with
            case "match":
                guard let m = expr[key] as? [String: Any], m["op"] as? String ?? "==" == "==",
                      let left = m["left"] as? [String: Any] else { return unsupported("a match other than equality") }
                let right = m["right"]
                if let payload = left["payload"] as? [String: Any], let proto = payload["protocol"] as? String,
                   let field = payload["field"] as? String {
                    switch (proto, field) {
                    case ("ip", "saddr"), ("ip", "daddr"), ("ip6", "saddr"), ("ip6", "daddr"):
                        guard let text = prefix(right), proto == "ip" ? IPv4Prefix(text) != nil : IPv6Prefix(text) != nil else {
                            return unsupported("\(proto) \(field) with a value the profile cannot hold")
                        }
                        fields[field] = text
                    case ("tcp", "sport"), ("tcp", "dport"), ("udp", "sport"), ("udp", "dport"), ("th", "sport"), ("th", "dport"):
                        guard let port = right as? Int else { return unsupported("\(proto) \(field) with a set or range") }
                        if proto != "th" {
                            if let p = fields["proto"] as? String, p != proto { return unsupported("two transport protocols") }
                            fields["proto"] = proto
                        } else if fields["proto"] == nil && !transportSet {
                            return unsupported("th \(field) without tcp or udp")
                        }
                        fields[field] = port
                    default:
                        return unsupported("\(proto) \(field) is not modeled")
                    }
                } else if let meta = (left["meta"] as? [String: Any])?["key"] as? String {
                    switch meta {
                    case "l4proto":
                        if let set = (right as? [String: Any])?["set"] as? [String], Set(set) == ["tcp", "udp"] {
                            transportSet = true
                        } else if let name = right as? String, ["tcp", "udp", "icmp", "ipv6-icmp", "icmpv6"].contains(name) {
                            fields["proto"] = name == "ipv6-icmp" ? "icmpv6" : name
                        } else if let n = right as? Int, (0...255).contains(n) {
                            fields["proto"] = n
                        } else {
                            return unsupported("meta l4proto with a value the profile cannot hold")
                        }
                    case "iifname", "oifname":
                        guard let name = right as? String, interfaces.contains(name) else {
                            return unsupported("meta \(meta) not one of the profile's interfaces")
                        }
                        fields[meta] = name
                    default:
                        return unsupported("meta \(meta) is not modeled")
                    }
                } else {
                    return unsupported("a match on \(left.keys.sorted().joined(separator: ",")) is not modeled")
                }
            default:
                return unsupported("the \(key) statement is not modeled")
            }
        }
        guard fields["verdict"] != nil else { return unsupported("no accept, drop or reject verdict") }
        if transportSet, fields["proto"] == nil, fields["sport"] == nil, fields["dport"] == nil {
            return unsupported("meta l4proto { tcp, udp } without a port")
        }
        return .success(fields)
    }

    /// An address or prefix as the profile writes it (`a.b.c.d/n`, `x::/n`, a bare address).
    static func prefix(_ value: Any?) -> String? {
        if let text = value as? String { return text }
        guard let p = (value as? [String: Any])?["prefix"] as? [String: Any], let addr = p["addr"] as? String,
              let len = p["len"] as? Int else { return nil }
        return "\(addr)/\(len)"
    }
}
