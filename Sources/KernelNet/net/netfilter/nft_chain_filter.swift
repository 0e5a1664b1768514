// Mirrors net/netfilter/nft_chain_filter.c (Linux 6.1): the base chains of nftables filter tables.
// Not modeled: tables of other families (ip, ip6, bridge, netdev): the host profile's rules are taken
// as an `inet filter` table, the usual one.
import Trace

/// Functions modeled from `net/netfilter/nft_chain_filter.c`.
public enum nft_chain_filter: String, KernelSourceFile {
    public static let path = "net/netfilter/nft_chain_filter.c"
    case nft_do_chain_inet
}

extension Kernel {
    /// The hook function of an `inet` base chain: evaluates the chain for an IPv4 packet.
    func nft_do_chain_inet(_ hook: NFHook, _ skb: inout SKBuff) -> NetfilterVerdict {
        traced(nft_chain_filter.nft_do_chain_inet) { nft_do_chain(hook, &skb) }
    }
}
