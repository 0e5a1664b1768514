// Mirrors net/ipv4/netfilter/nft_reject_ipv4.c (Linux 6.1; 4.14 and 6.12 alike here): the reject
// expression of ip tables.
import Trace
import Wire

/// Functions modeled from `net/ipv4/netfilter/nft_reject_ipv4.c`.
public enum nft_reject_ipv4: String, KernelSourceFile {
    public static let path = "net/ipv4/netfilter/nft_reject_ipv4.c"
    case nft_reject_ipv4_eval
}

extension Kernel {
    /// Answers the packet a reject rule of an `ip` table matched: a TCP RST (`nf_send_reset`) or a
    /// destination unreachable with the rule's code (`nf_send_unreach`).
    func nft_reject_ipv4_eval(_ skb: inout SKBuff, _ hook: NFHook, _ with: RejectWith) {
        traced(nft_reject_ipv4.nft_reject_ipv4_eval) { rejectIPv4(&skb, with) }
    }
}
