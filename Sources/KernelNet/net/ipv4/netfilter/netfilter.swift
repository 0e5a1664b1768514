// Mirrors net/ipv4/netfilter.c (Linux 6.1): IPv4 helpers of netfilter.
import Trace
import Wire

/// Functions modeled from `net/ipv4/netfilter.c`.
public enum ipv4_netfilter: String, KernelSourceFile {
    public static let path = "net/ipv4/netfilter.c"
    case ip_route_me_harder
}

extension Kernel {
    /// Routes a packet netfilter made or changed, as a locally generated one (`ip_route_output_key`).
    func ip_route_me_harder(_ skb: inout SKBuff) {
        traced(ipv4_netfilter.ip_route_me_harder) {
            guard let iph = skb.ip_hdr() else { return }
            _ = ip_route_output_flow(daddr: iph.destination)
        }
    }
}
