// Mirrors net/ipv4/netfilter/nf_tables_ipv4.c (Linux 4.14): the hook functions of nftables chains
// for IPv4 packets. In 4.14 an `inet` table registers these for its IPv4 hooks; later kernels have
// `nft_do_chain_inet` (net/netfilter/nft_chain_filter.c) for `inet` tables and define
// `nft_do_chain_ipv4`, the `ip` tables', in nft_chain_filter.c.
import Trace

/// Functions modeled from `net/ipv4/netfilter/nf_tables_ipv4.c`.
public enum nf_tables_ipv4: String, KernelSourceFile {
    public static let path = "net/ipv4/netfilter/nf_tables_ipv4.c"
    case nft_do_chain_ipv4, nft_ipv4_output
}

extension Kernel {
    /// The hook function of an IPv4 base chain (an `ip` table's; in 4.14 an `inet` table's too):
    /// evaluates the chain of the table of `family`.
    func nft_do_chain_ipv4(_ hook: NFHook, _ family: NetfilterFamily, _ skb: inout SKBuff) -> NetfilterVerdict {
        traced(nf_tables_ipv4.nft_do_chain_ipv4) { nft_do_chain(hook, family, &skb) }
    }

    /// The LOCAL_OUT hook function (4.14): lets through packets too short to hold an IPv4 header (raw
    /// sockets), evaluates the chain for the others.
    func nft_ipv4_output(_ hook: NFHook, _ family: NetfilterFamily, _ skb: inout SKBuff) -> NetfilterVerdict {
        traced(nf_tables_ipv4.nft_ipv4_output) { nft_do_chain_ipv4(hook, family, &skb) }
    }
}
