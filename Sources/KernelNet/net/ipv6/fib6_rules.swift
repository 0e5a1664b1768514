// Mirrors net/ipv6/fib6_rules.c (Linux 6.1; 4.14.177 and 6.12 alike here): the policy rules in
// front of the IPv6 routing tables.
// Not modeled: rules other than the default ones (local table, then main), rule matching.
import Trace
import Wire

/// Functions modeled from `net/ipv6/fib6_rules.c`.
public enum fib6_rules: String, KernelSourceFile {
    public static let path = "net/ipv6/fib6_rules.c"
    case fib6_rule_lookup
}

extension Kernel {
    /// Runs the lookup over the tables of the default rules in turn: the local table (the host's own
    /// addresses and multicast), then main (connected prefixes, the profile's routes); a miss in both
    /// ends at the discard route. `lookup` is the table lookup the caller gives: input, output or a redirect's.
    func fib6_rule_lookup(_ daddr: IPv6Address, dev: NetDevice, lookup: RT6Lookup) -> DstEntry {
        traced(fib6_rules.fib6_rule_lookup) {
            let inTable = { (table: RT6Table) -> DstEntry? in
                switch lookup {
                case .input: self.ip6_pol_route_input(daddr, table: table, dev: dev)
                case .output: self.ip6_pol_route_output(daddr, table: table, dev: dev)
                case let .redirect(gateway): self.__ip6_route_redirect(daddr, table: table, gateway: gateway)
                }
            }
            if let hit = inTable(.local) { return hit }
            return inTable(.main) ?? DstEntry(type: .unreachable)
        }
    }
}
