// Mirrors net/netfilter/nf_tables_core.c (Linux 6.1): evaluating an nftables chain.
// Not modeled: sets, maps, jumps, counters, connection tracking matches; rules match on protocol,
// addresses, ports and interfaces only.
import Trace
import Wire

/// Functions modeled from `net/netfilter/nf_tables_core.c`.
public enum nf_tables_core: String, KernelSourceFile {
    public static let path = "net/netfilter/nf_tables_core.c"
    case nft_do_chain
}

/// A chain's verdict on a packet.
enum NetfilterVerdict {
    case accept, drop
    /// The chain freed the packet itself (`NF_DROP_REASON` returns `NF_STOLEN`).
    case stolen
}

extension Kernel {
    /// Walks the chain's rules in order; the first that matches decides (accept, drop, or a reject
    /// that answers the sender and drops). No match: the chain's policy, accept. Since 6.1.192 (and
    /// in 6.12) a drop frees the packet here with `NETFILTER_DROP` (`NF_DROP_REASON`); 4.14 leaves it
    /// to `nf_hook_slow`.
    func nft_do_chain(_ hook: NFHook, _ skb: inout SKBuff) -> NetfilterVerdict {
        traced(nf_tables_core.nft_do_chain) {
            let verdict = firstMatchingRule(hook, &skb)
            guard verdict == .drop, profile.version >= .v6_1 else { return verdict }
            kfree_skb_reason(&skb, .NETFILTER_DROP)
            return .stolen
        }
    }

    /// The verdict of the first rule of `hook`'s chain that matches (a reject answers first), else
    /// the policy, accept.
    private func firstMatchingRule(_ hook: NFHook, _ skb: inout SKBuff) -> NetfilterVerdict {
        guard let iph = skb.ip_hdr() else { return .accept }
        // The hook's devices (nf_hook_state.in/out): receive hooks know the input, send hooks the output.
        let indev: String?, outdev: String?
        switch hook {
        case .NF_INET_PRE_ROUTING, .NF_INET_LOCAL_IN: (indev, outdev) = (skb.dev.name, nil)
        case .NF_INET_FORWARD: (indev, outdev) = (skb.dev.name, skb.dst?.dev?.name)
        case .NF_INET_LOCAL_OUT: (indev, outdev) = (nil, skb.dst?.dev?.name ?? skb.dev.name)
        default: (indev, outdev) = (nil, skb.dev.name)
        }
        for (i, rule) in netfilterRules.enumerated()
        where rule.hook == hook && rule.matches(iph, skb.bytes, indev: indev, outdev: outdev) {
            tracer.note("rule \(i + 1) matches: \(rule.verdict.rawValue)" + (rule.rejectWith.map { " with \($0.rawValue)" } ?? ""))
            switch rule.verdict {
            case .accept: return .accept
            case .drop: return .drop
            case .reject:
                nft_reject_inet_eval(&skb, rule.rejectWith ?? (iph.proto == .tcp ? .tcpReset : .icmpPortUnreachable))
                return .drop
            }
        }
        return .accept
    }
}
