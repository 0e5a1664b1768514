// Mirrors net/netfilter/utils.c (Linux 6.1; net/ipv4/netfilter.c in 4.14): checksum helpers of
// netfilter.
import Trace
import Wire

/// Functions modeled from `net/netfilter/utils.c`.
public enum netfilter_utils: String, KernelSourceFile {
    public static let path = "net/netfilter/utils.c"
    case nf_ip_checksum
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
}
