// Mirrors include/linux/netfilter.h and include/uapi/linux/netfilter*.h (Linux 6.1): hook points
// and the inline hook helpers.
// Not modeled: conntrack, NAT; rules on the ARP and bridge hooks.
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
            // The packet's family (NFPROTO_IPV4 or NFPROTO_IPV6 in the kernel's NF_HOOK call), from its header.
            let v6 = skb.nfIsIPv6
            guard v6 || skb.ip_hdr()?.version == 4 else {
                if netfilterRules.contains(where: { $0.hook == hook }) {
                    tracer.notModeled("the \(hook.rawValue) rules on a packet neither IPv4 nor IPv6")
                    outcome.set(.unknown)
                    return false
                }
                tracer.hook(hook.rawValue, verdict: "NF_ACCEPT")
                return true
            }
            // The tables with a chain on this hook of the packet's family, in the profile's order.
            var families: [NetfilterFamily] = []
            for rule in netfilterRules where rule.hook == hook && rule.family.sees(ipv6: v6) && !families.contains(rule.family) {
                families.append(rule.family)
            }
            guard !families.isEmpty else {
                tracer.hook(hook.rawValue, verdict: "NF_ACCEPT")
                return true
            }
            return nf_hook_slow(hook, &skb, families: families)
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
