// Mirrors net/netfilter/nft_reject_inet.c (Linux 6.1): the reject expression of inet tables.
import Trace
import Wire

/// Functions modeled from `net/netfilter/nft_reject_inet.c`.
public enum nft_reject_inet: String, KernelSourceFile {
    public static let path = "net/netfilter/nft_reject_inet.c"
    case nft_reject_inet_eval
}

extension Kernel {
    /// Answers the packet a reject rule matched: a TCP RST, or an ICMP destination unreachable.
    func nft_reject_inet_eval(_ skb: inout SKBuff, _ with: RejectWith) {
        traced(nft_reject_inet.nft_reject_inet_eval) {
            switch with {
            case .tcpReset: nf_send_reset(&skb)
            case .icmpPortUnreachable: nf_send_unreach(&skb, code: 3)
            case .icmpHostUnreachable: nf_send_unreach(&skb, code: 1)
            case .icmpAdminProhibited: nf_send_unreach(&skb, code: 13)
            }
        }
    }
}
