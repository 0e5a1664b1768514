// Mirrors net/ipv6/tcpv6_offload.c (Linux 6.1; 6.12 alike on the modeled path): TCP's GRO callbacks
// over IPv6.
// Not modeled: 6.12's fraglist GRO (`tcp6_check_fraglist_gro`, off unless the device has
// NETIF_F_GRO_FRAGLIST) and its header pull (`tcp_gro_pull_header`, as over IPv4), GSO segmentation
// (`tcp6_gso_segment`).
import Trace

/// Functions modeled from `net/ipv6/tcpv6_offload.c`.
public enum tcpv6_offload: String, KernelSourceFile {
    public static let path = "net/ipv6/tcpv6_offload.c"
    case tcp6_gro_receive, tcp6_gro_complete
}

extension Kernel {
    /// TCP's GRO receive over IPv6: checks each segment's checksum against the IPv6 pseudo-header
    /// (`skb_gro_checksum_validate` with `ip6_gro_compute_pseudo`; a bad one flushes the flow and goes
    /// up alone) before `tcp_gro_receive` merges it.
    func tcp6_gro_receive(_ skb: inout SKBuff) -> Bool {
        traced(tcpv6_offload.tcp6_gro_receive) {
            tracer.note("each segment's checksum was checked here against the IPv6 pseudo-header before it was merged (the capture shows only the aggregate)")
            return tcp_gro_receive(&skb)
        }
    }

    /// Rewrites the aggregate's TCP checksum field to the IPv6 pseudo-header sum and marks it TCPv6 GSO.
    func tcp6_gro_complete(_ skb: inout SKBuff) {
        traced(tcpv6_offload.tcp6_gro_complete) { tcp_gro_complete(&skb) }
    }
}
