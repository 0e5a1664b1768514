// Mirrors net/ipv6/netfilter/nft_reject_ipv6.c (Linux 6.1; 4.14 and 6.12 alike here): the reject
// expression of ip6 tables.
import Trace
import Wire

/// Functions modeled from `net/ipv6/netfilter/nft_reject_ipv6.c`.
public enum nft_reject_ipv6: String, KernelSourceFile {
    public static let path = "net/ipv6/netfilter/nft_reject_ipv6.c"
    case nft_reject_ipv6_eval
}

extension Kernel {
    /// Answers the packet a reject rule of an `ip6` table matched: a TCP RST (`nf_send_reset6`) or a
    /// destination unreachable with the rule's ICMPv6 code (`nf_send_unreach6`).
    func nft_reject_ipv6_eval(_ skb: inout SKBuff, _ hook: NFHook, _ with: RejectWith) {
        traced(nft_reject_ipv6.nft_reject_ipv6_eval) { rejectIPv6(&skb, hook, with) }
    }
}
