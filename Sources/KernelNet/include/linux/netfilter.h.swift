// Mirrors include/linux/netfilter.h and include/uapi/linux/netfilter*.h (Linux 6.1): hook points
// and the inline hook helpers.
// Not modeled: conntrack, NAT, hooks of other families than IPv4 and ARP (an IPv6 packet meeting
// the profile's rules stops at the hook, not modeled).
import Trace

/// Functions modeled from `include/linux/netfilter.h` (all `static inline`).
public enum netfilter_h: String, KernelSourceFile {
    public static let path = "include/linux/netfilter.h"
    case NF_HOOK, NF_HOOK_COND, NF_HOOK_LIST, nf_hook
}

/// Models `enum nf_inet_hooks`, the ARP hooks (`NF_ARP_IN`, `NF_ARP_OUT`) and the bridge's
/// (`enum nf_br_hook_priorities`' hooks, include/uapi/linux/netfilter_bridge.h), on which no rule of
/// the model sits.
public enum NFHook: String, Sendable {
    case NF_INET_PRE_ROUTING, NF_INET_LOCAL_IN, NF_INET_FORWARD, NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING
    case NF_ARP_IN, NF_ARP_OUT
    case NF_BR_PRE_ROUTING, NF_BR_LOCAL_IN, NF_BR_FORWARD, NF_BR_LOCAL_OUT, NF_BR_POST_ROUTING
}

/// Which of the inline hook wrappers a caller uses.
enum NFHookCall {
    case plain, cond, list
}

extension Kernel {
    /// Runs the functions registered on the hook (`nf_hook_slow`) when there are any; with none the
    /// packet goes on at once.
    func nf_hook(_ hook: NFHook, _ skb: inout SKBuff) -> Bool {
        traced(netfilter_h.nf_hook) {
            guard netfilterRules.contains(where: { $0.hook == hook }) else {
                tracer.hook(hook.rawValue, verdict: "NF_ACCEPT")
                return true
            }
            // The profile's rules are matched on IPv4 headers only: an IPv6 packet meeting them stops
            // here, its verdict unknown, rather than be matched through a misread header.
            guard skb.ip_hdr()?.version == 4 else {
                tracer.notModeled("the \(hook.rawValue) rules on an IPv6 packet (rules are matched on IPv4 only)")
                outcome.set(.unknown)
                return false
            }
            return nf_hook_slow(hook, &skb)
        }
    }

    /// Runs a netfilter hook and, when it accepts, the continuation `okfn` (the `_finish` half of the
    /// caller).
    @discardableResult
    func NF_HOOK<R>(_ hook: NFHook, _ skb: inout SKBuff, okfn: (inout SKBuff) -> R, dropped: R) -> R {
        traced(netfilter_h.NF_HOOK) { nf_hook(hook, &skb) ? okfn(&skb) : dropped }
    }

    /// `NF_HOOK` for output paths: runs the hook unless the packet was already rerouted, then `okfn`.
    @discardableResult
    func NF_HOOK_COND<R>(_ hook: NFHook, _ skb: inout SKBuff, okfn: (inout SKBuff) -> R, dropped: R) -> R {
        traced(netfilter_h.NF_HOOK_COND) { nf_hook(hook, &skb) ? okfn(&skb) : dropped }
    }

    /// `NF_HOOK` over a list of packets: with hooks registered, runs them and keeps the packets they
    /// accept; with none (the model's case) the list passes as it is and the caller goes on.
    func NF_HOOK_LIST(_ hook: NFHook, _ skb: inout SKBuff) {
        traced(netfilter_h.NF_HOOK_LIST) { tracer.hook(hook.rawValue, verdict: "NF_ACCEPT") }
    }
}
