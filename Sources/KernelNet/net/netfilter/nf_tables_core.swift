// Mirrors net/netfilter/nf_tables_core.c (Linux 6.1): evaluating an nftables chain.
// Not modeled: sets, maps, jumps, counters, connection tracking matches; rules match on family,
// protocol, addresses, ports and interfaces only.
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
    /// Walks the rules of the `family` table's chain on `hook` in order; the first that matches decides
    /// (accept, drop, or a reject that answers the sender and drops). No match: the chain's policy,
    /// accept. `pkt` is what the hook function found of an IPv6 packet's transport header (nil for
    /// IPv4). Since 6.1.192 (and in 6.12) a drop frees the packet here with `NETFILTER_DROP`
    /// (`NF_DROP_REASON`); 4.14 leaves it to `nf_hook_slow`.
    func nft_do_chain(_ hook: NFHook, _ family: NetfilterFamily, _ skb: inout SKBuff, pkt: NftPktinfo? = nil) -> NetfilterVerdict {
        traced(nf_tables_core.nft_do_chain) {
            let verdict = firstMatchingRule(hook, family, &skb, pkt: pkt)
            guard verdict == .drop, profile.version >= .v6_1 else { return verdict }
            kfree_skb_reason(&skb, .NETFILTER_DROP)
            return .stolen
        }
    }

    /// The verdict of the first rule of the chain that matches (a reject answers first), else the
    /// policy, accept.
    private func firstMatchingRule(_ hook: NFHook, _ family: NetfilterFamily, _ skb: inout SKBuff, pkt: NftPktinfo?) -> NetfilterVerdict {
        let v6 = skb.nfIsIPv6
        // The hook's devices (nf_hook_state.in/out): receive hooks know the input, send hooks the output.
        let indev: String?, outdev: String?
        switch hook {
        case .NF_INET_PRE_ROUTING, .NF_INET_LOCAL_IN: (indev, outdev) = (skb.dev.name, nil)
        case .NF_INET_FORWARD: (indev, outdev) = (skb.dev.name, skb.dst?.dev?.name)
        case .NF_INET_LOCAL_OUT: (indev, outdev) = (nil, skb.dst?.dev?.name ?? skb.dev.name)
        default: (indev, outdev) = (nil, skb.dev.name)
        }
        for (i, rule) in netfilterRules.enumerated() where rule.hook == hook && rule.family == family {
            let matches: Bool
            if v6 {
                guard let hdr = skb.ipv6_hdr() else { return .accept }
                matches = rule.matches(hdr, pkt ?? NftPktinfo(tprot: nil, thoff: 0, fragoff: 0), skb.bytes, indev: indev, outdev: outdev)
            } else {
                guard let iph = skb.ip_hdr() else { return .accept }
                matches = rule.matches(iph, skb.bytes, indev: indev, outdev: outdev)
            }
            guard matches else { continue }
            tracer.note("rule \(i + 1) matches: \(rule.verdict.rawValue)" + (rule.rejectWith.map { " with \($0.rawValue)" } ?? ""))
            switch rule.verdict {
            case .accept: return .accept
            case .drop: return .drop
            case .reject:
                // A bare `reject` is nft's default, `icmpx port-unreachable`, whatever the protocol
                // (nft adds NFT_REJECT_ICMPX_UNREACH; `reject with tcp reset` must be asked for).
                let with = rule.rejectWith ?? .icmpxPortUnreachable
                switch family {
                case .inet: nft_reject_inet_eval(&skb, hook, with)
                case .ip: nft_reject_ipv4_eval(&skb, hook, with)
                case .ip6: nft_reject_ipv6_eval(&skb, hook, with)
                }
                return .drop
            }
        }
        return .accept
    }
}

extension SKBuff {
    /// Whether the packet at the network header is IPv6 (the hook's family, `NFPROTO_IPV6`).
    var nfIsIPv6: Bool { ipv6_hdr()?.version == 6 }
}
