// Mirrors net/netfilter/core.c (Linux 6.1): running the functions registered on a hook.
import Trace

/// Functions modeled from `net/netfilter/core.c`.
public enum netfilter_core: String, KernelSourceFile {
    public static let path = "net/netfilter/core.c"
    case nf_hook_slow
}

extension Kernel {
    /// Runs the hook's registered chains in priority order; a drop verdict frees the packet here
    /// unless the chain freed it already (6.1.192 and later).
    /// Returns true when the packet may go on.
    func nf_hook_slow(_ hook: NFHook, _ skb: inout SKBuff) -> Bool {
        traced(netfilter_core.nf_hook_slow) {
            let verdict: NetfilterVerdict
            if has(nft_chain_filter.nft_do_chain_inet) {
                verdict = nft_do_chain_inet(hook, &skb)
            } else {
                verdict = hook == .NF_INET_LOCAL_OUT ? nft_ipv4_output(hook, &skb) : nft_do_chain_ipv4(hook, &skb)
            }
            switch verdict {
            case .accept:
                tracer.hook(hook.rawValue, verdict: "NF_ACCEPT")
                return true
            case .drop:
                tracer.hook(hook.rawValue, verdict: "NF_DROP")
                kfree_skb_reason(&skb, .NETFILTER_DROP)
                return false
            case .stolen:
                tracer.hook(hook.rawValue, verdict: "NF_DROP (freed by the chain: NF_STOLEN)")
                return false
            }
        }
    }
}
