// Mirrors net/netfilter/utils.c (Linux 6.1; net/ipv4/netfilter.c and net/ipv6/netfilter.c in 4.14): checksum helpers of
// netfilter.
import Trace
import Wire

/// Functions modeled from `net/netfilter/utils.c`.
public enum netfilter_utils: String, KernelSourceFile {
    public static let path = "net/netfilter/utils.c"
    case nf_ip_checksum, nf_ip6_checksum
}

extension Kernel {
    /// Verifies the transport checksum of a packet netfilter is about to answer; true when it is
    /// good. Protocols the model cannot check are taken as good.
    func nf_ip_checksum(_ skb: SKBuff, proto: IPProtocol) -> Bool {
        traced(netfilter_utils.nf_ip_checksum) {
            guard proto == .tcp || proto == .udp || proto == .icmp else { return true }
            return __skb_checksum_complete(skb, proto: proto)
        }
    }

    /// Verifies the transport checksum of an IPv6 packet netfilter is about to answer, the transport
    /// header at `dataoff`; true when it is good (or already verified). Protocols the model cannot
    /// check are taken as good.
    func nf_ip6_checksum(_ skb: SKBuff, _ hook: NFHook, dataoff: Int, proto: IPProtocol) -> Bool {
        traced(netfilter_utils.nf_ip6_checksum) {
            guard skb.ip_summed != .CHECKSUM_UNNECESSARY else { return true }
            guard proto == .tcp || proto == .udp || proto == .icmpv6 else { return true }
            var at = skb
            at.transport_header = dataoff
            return __skb_checksum_complete(at, proto: proto)
        }
    }
}
