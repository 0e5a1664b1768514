// Mirrors net/netfilter/nft_chain_filter.c (Linux 6.1): the base chains of nftables filter tables.
// 6.1 and 6.12 define the hook functions of every family here (`nft_do_chain_ipv4` and
// `nft_do_chain_ipv6` are modeled with 4.14's files, where they were, and relocated by the kernel
// profiles). Not modeled: the bridge, netdev and arp families.
import Trace

/// Functions modeled from `net/netfilter/nft_chain_filter.c`.
public enum nft_chain_filter: String, KernelSourceFile {
    public static let path = "net/netfilter/nft_chain_filter.c"
    case nft_do_chain_inet
}

extension Kernel {
    /// The hook function of an `inet` base chain: fills the packet info for the packet's family (for
    /// IPv6, the transport header past the extension headers, `nft_set_pktinfo_ipv6` →
    /// `ipv6_find_hdr`) and evaluates the chain.
    func nft_do_chain_inet(_ hook: NFHook, _ skb: inout SKBuff) -> NetfilterVerdict {
        traced(nft_chain_filter.nft_do_chain_inet) {
            guard skb.nfIsIPv6 else { return nft_do_chain(hook, .inet, &skb) }
            return nft_do_chain(hook, .inet, &skb, pkt: nftSetPktinfoIPv6(skb))
        }
    }

    /// `nft_set_pktinfo_ipv6` (static inline, include/net/netfilter/nf_tables_ipv6.h): the transport
    /// header as `ipv6_find_hdr` finds it, unset when it finds none.
    func nftSetPktinfoIPv6(_ skb: SKBuff) -> NftPktinfo {
        guard let pkt = ipv6_find_hdr(skb) else {
            tracer.note("no transport header found: protocol and port matches fail")
            return NftPktinfo(tprot: nil, thoff: 0, fragoff: 0)
        }
        return pkt
    }
}
