// Mirrors net/netfilter/core.c (Linux 6.1): running the functions registered on a hook.
import Trace

/// Functions modeled from `net/netfilter/core.c`.
public enum netfilter_core: String, KernelSourceFile {
    public static let path = "net/netfilter/core.c"
    case nf_hook_slow
}

extension Kernel {
    /// Runs the chains registered on the hook for the packet's family in priority order (the
    /// profile's tables at priority 0: in the order the profile first names them); a drop verdict
    /// frees the packet here unless the chain freed it already (6.1.192 and later). The hook function
    /// is the version's: 6.x has one per table family (`nft_do_chain_inet`, `nft_do_chain_ipv4`,
    /// `nft_do_chain_ipv6`); 4.14's `inet` tables register the IPv4 and IPv6 families' own
    /// (`nft_do_chain_ipv4`/`nft_ipv4_output`, `nft_do_chain_ipv6`/`nft_ipv6_output`).
    /// Returns true when the packet may go on.
    func nf_hook_slow(_ hook: NFHook, _ skb: inout SKBuff, families: [NetfilterFamily]) -> Bool {
        traced(netfilter_core.nf_hook_slow) {
            let v6 = skb.nfIsIPv6
            for family in families {
                let verdict: NetfilterVerdict
                if has(nft_chain_filter.nft_do_chain_inet) {
                    switch family {
                    case .inet: verdict = nft_do_chain_inet(hook, &skb)
                    case .ip: verdict = nft_do_chain_ipv4(hook, family, &skb)
                    case .ip6: verdict = nft_do_chain_ipv6(hook, family, &skb)
                    }
                } else if v6 {
                    verdict = hook == .NF_INET_LOCAL_OUT ? nft_ipv6_output(hook, family, &skb) : nft_do_chain_ipv6(hook, family, &skb)
                } else {
                    verdict = hook == .NF_INET_LOCAL_OUT ? nft_ipv4_output(hook, family, &skb) : nft_do_chain_ipv4(hook, family, &skb)
                }
                switch verdict {
                case .accept:
                    continue
                case .drop:
                    tracer.hook(hook.rawValue, verdict: "NF_DROP")
                    kfree_skb_reason(&skb, .NETFILTER_DROP)
                    return false
                case .stolen:
                    tracer.hook(hook.rawValue, verdict: "NF_DROP (freed by the chain: NF_STOLEN)")
                    return false
                }
            }
            tracer.hook(hook.rawValue, verdict: "NF_ACCEPT")
            return true
        }
    }
}
