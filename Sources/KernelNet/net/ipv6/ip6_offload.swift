// Mirrors net/ipv6/ip6_offload.c (Linux 6.1; 6.12 alike on the modeled path): IPv6's GRO callbacks,
// as they merge the TCP segments of a GRO aggregate the capture shows whole.
// Not modeled: GRO of UDP and of tunnels (`udp6_gro_receive`, `sit_ip6ip6_gro_receive`), aggregates
// with extension headers (`ipv6_gro_pull_exthdrs`: the capture marks none GSO), BIG TCP aggregates
// (`ipv6_gro_complete` inserting a hop-by-hop jumbo header above 64 KiB), GSO segmentation.
import Trace
import Wire

/// Functions modeled from `net/ipv6/ip6_offload.c`.
public enum ip6_offload: String, KernelSourceFile {
    public static let path = "net/ipv6/ip6_offload.c"
    case ipv6_gro_receive, ipv6_gro_complete
}

extension Kernel {
    /// IPv6's GRO receive: takes a segment whose next header has a GRO callback (TCP's here), sets the
    /// network and transport headers at `skb->data`, and asks for a flush when the payload length
    /// disagrees with the segment's length. A held packet of the same addresses stays the segment's
    /// flow only if the version, flow label and (past the fixed header) extension headers are equal;
    /// a different traffic class or hop limit flushes it (6.1 compares them here; 6.12 in
    /// `tcp_gro_receive`, `gro_receive_network_flush` → `ipv6_gro_flush`, inline). The segments of an
    /// aggregate the capture shows passed all of these: they share its one header.
    /// Returns whether the flow is to be flushed.
    func ipv6_gro_receive(_ skb: inout SKBuff) -> Bool {
        traced(ip6_offload.ipv6_gro_receive) {
            skb.network_header = skb.data
            skb.transport_header = skb.data + IPv6Packet.headerLength
            return tcp6_gro_receive(&skb)
        }
    }

    /// Sets the merged packet's payload length and calls the next header's GRO completion (TCP's).
    func ipv6_gro_complete(_ skb: inout SKBuff) {
        traced(ip6_offload.ipv6_gro_complete) { tcp6_gro_complete(&skb) }
    }
}
