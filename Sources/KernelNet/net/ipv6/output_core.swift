// Mirrors net/ipv6/output_core.c (Linux 6.1; 4.14.177 and 6.12 alike here): local IPv6 output.
import Trace
import Wire

/// Functions modeled from `net/ipv6/output_core.c`.
public enum ipv6_output_core_c: String, KernelSourceFile {
    public static let path = "net/ipv6/output_core.c"
    case __ip6_local_out, ip6_local_out
}

extension Kernel {
    /// Runs the LOCAL_OUT hook; returns whether the packet may go on.
    func __ip6_local_out(_ skb: inout SKBuff) -> Bool {
        traced(ipv6_output_core_c.__ip6_local_out) { nf_hook(.NF_INET_LOCAL_OUT, &skb) }
    }

    /// Sends a locally made packet: LOCAL_OUT, then its route's output.
    @discardableResult
    func ip6_local_out(_ skb: inout SKBuff) -> NetdevTx {
        traced(ipv6_output_core_c.ip6_local_out) {
            guard __ip6_local_out(&skb) else { return .NETDEV_TX_OK }
            return dst_output(&skb)
        }
    }
}
