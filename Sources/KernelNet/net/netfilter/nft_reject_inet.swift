// Mirrors net/netfilter/nft_reject_inet.c (Linux 6.1; 4.14 and 6.12 alike here): the reject
// expression of inet tables.
import Trace
import Wire

/// Functions modeled from `net/netfilter/nft_reject_inet.c`.
public enum nft_reject_inet: String, KernelSourceFile {
    public static let path = "net/netfilter/nft_reject_inet.c"
    case nft_reject_inet_eval
}

extension Kernel {
    /// Answers the packet a reject rule of an `inet` table matched, by the packet's family: a TCP
    /// RST (`nf_send_reset`, `nf_send_reset6`), or a destination unreachable (`nf_send_unreach`,
    /// `nf_send_unreach6`) with the rule's code, an `icmpx` code translated to the family's.
    func nft_reject_inet_eval(_ skb: inout SKBuff, _ hook: NFHook, _ with: RejectWith) {
        traced(nft_reject_inet.nft_reject_inet_eval) {
            if skb.nfIsIPv6 {
                rejectIPv6(&skb, hook, with)
            } else {
                rejectIPv4(&skb, with)
            }
        }
    }

    /// The IPv4 answer of a reject (the rule's ICMP code, or `icmpx`'s translated).
    func rejectIPv4(_ skb: inout SKBuff, _ with: RejectWith) {
        if with == .tcpReset {
            nf_send_reset(&skb)
        } else if let code = with.icmpCode {
            nf_send_unreach(&skb, code: code)
        }
    }

    /// The IPv6 answer of a reject (the rule's ICMPv6 code, or `icmpx`'s translated).
    func rejectIPv6(_ skb: inout SKBuff, _ hook: NFHook, _ with: RejectWith) {
        if with == .tcpReset {
            nf_send_reset6(&skb, hook)
        } else if let code = with.icmpv6Code {
            nf_send_unreach6(&skb, hook, code: code)
        }
    }
}
