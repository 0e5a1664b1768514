// Mirrors include/linux/netfilter.h and include/uapi/linux/netfilter*.h (Linux 6.1): hook points
// and the inline hook helpers.
// Not modeled: rule evaluation (the model runs with empty hook lists, so every hook accepts), conntrack.
import Trace

/// Functions modeled from `include/linux/netfilter.h` (all `static inline`).
public enum netfilter_h: String, KernelSourceFile {
    public static let path = "include/linux/netfilter.h"
    case NF_HOOK, NF_HOOK_COND, NF_HOOK_LIST, nf_hook
}

/// Models `enum nf_inet_hooks` and the ARP hooks (`NF_ARP_IN`, `NF_ARP_OUT`).
public enum NFHook: String, Sendable {
    case NF_INET_PRE_ROUTING, NF_INET_LOCAL_IN, NF_INET_FORWARD, NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING
    case NF_ARP_IN, NF_ARP_OUT
}

extension Kernel {
    /// Runs a netfilter hook and, when it accepts, the continuation `okfn` (the `_finish` half of the
    /// caller). With no rules registered the inline `nf_hook` accepts at once.
    @discardableResult
    func NF_HOOK<R>(_ hook: NFHook, _ skb: inout SKBuff, list: Bool = false, okfn: (inout SKBuff) -> R,
                    dropped: R) -> R {
        traced(list ? netfilter_h.NF_HOOK_LIST : netfilter_h.NF_HOOK) {
            let accepted: Bool = traced(netfilter_h.nf_hook) {
                tracer.hook(hook.rawValue, verdict: "NF_ACCEPT")
                return true
            }
            return accepted ? okfn(&skb) : dropped
        }
    }
}
