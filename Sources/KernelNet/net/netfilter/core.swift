// Mirrors net/netfilter/core.c (Linux 6.1): running the functions registered on a hook.
import Trace

/// Functions modeled from `net/netfilter/core.c`.
public enum netfilter_core: String, KernelSourceFile {
    public static let path = "net/netfilter/core.c"
    case nf_hook_slow
}

extension Kernel {
    /// Runs the hook's registered chains in priority order; a drop verdict frees the packet here.
    /// Returns true when the packet may go on.
    func nf_hook_slow(_ hook: NFHook, _ skb: inout SKBuff) -> Bool {
        traced(netfilter_core.nf_hook_slow) {
            let verdict: NetfilterVerdict
            if profile.has(nft_chain_filter.nft_do_chain_inet) {
                verdict = nft_do_chain_inet(hook, &skb)
            } else {
                verdict = hook == .NF_INET_LOCAL_OUT ? nft_ipv4_output(hook, &skb) : nft_do_chain_ipv4(hook, &skb)
            }
            tracer.hook(hook.rawValue, verdict: verdict == .accept ? "NF_ACCEPT" : "NF_DROP")
            guard verdict == .accept else {
                kfree_skb_reason(&skb, .NETFILTER_DROP)
                return false
            }
            return true
        }
    }
}
