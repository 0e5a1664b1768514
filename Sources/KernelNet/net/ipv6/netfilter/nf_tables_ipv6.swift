// Mirrors net/ipv6/netfilter/nf_tables_ipv6.c (Linux 4.14): the hook functions of nftables chains
// for IPv6 packets. In 4.14 an `ip6` table registers these, and an `inet` table too for its IPv6
// hooks (`nft_inet_hook_ops_init`, net/netfilter/nf_tables_inet.c, takes `nft_af_ipv6`'s); 6.1 and
// 6.12 define `nft_do_chain_ipv6` in net/netfilter/nft_chain_filter.c for every hook of an `ip6`
// table, and have no `nft_ipv6_output`.
import Trace
import Wire

/// Functions modeled from `net/ipv6/netfilter/nf_tables_ipv6.c`.
public enum nf_tables_ipv6: String, KernelSourceFile {
    public static let path = "net/ipv6/netfilter/nf_tables_ipv6.c"
    case nft_do_chain_ipv6, nft_ipv6_output
}

extension Kernel {
    /// The hook function of an IPv6 base chain: finds the transport header past the extension headers
    /// (`nft_set_pktinfo_ipv6` → `ipv6_find_hdr`) and evaluates the chain of the table of `family`.
    func nft_do_chain_ipv6(_ hook: NFHook, _ family: NetfilterFamily, _ skb: inout SKBuff) -> NetfilterVerdict {
        traced(nf_tables_ipv6.nft_do_chain_ipv6) {
            nft_do_chain(hook, family, &skb, pkt: nftSetPktinfoIPv6(skb))
        }
    }

    /// The LOCAL_OUT hook function (4.14): lets through packets shorter than an IPv6 header (raw
    /// sockets), evaluates the chain for the others.
    func nft_ipv6_output(_ hook: NFHook, _ family: NetfilterFamily, _ skb: inout SKBuff) -> NetfilterVerdict {
        traced(nf_tables_ipv6.nft_ipv6_output) {
            guard skb.len >= IPv6Packet.headerLength else { return .accept }
            return nft_do_chain_ipv6(hook, family, &skb)
        }
    }
}
