// Mirrors net/ipv4/tcp_offload.c (Linux 6.1): TCP's GRO callbacks, as they merge the segments of a
// GRO aggregate the capture shows whole.
// Not modeled: GSO segmentation (`tcp4_gso_segment`, `tcp_gso_segment`: a capture sees a GSO packet
// either whole, above the point that cuts it, or as its segments), fraglist GRO, flush conditions
// other than PSH/FIN/RST/URG/SYN on the last segment.
import Trace

/// Functions modeled from `net/ipv4/tcp_offload.c`, in the file's order.
public enum tcp_offload: String, KernelSourceFile {
    public static let path = "net/ipv4/tcp_offload.c"
    case tcp_gro_receive, tcp_gro_complete, tcp4_gro_receive, tcp4_gro_complete
}

extension Kernel {
    /// Finds the held packet of the segment's flow and appends the segment to it
    /// (`skb_gro_receive`); a segment with PSH, FIN, RST, URG or SYN asks for the flow to be flushed.
    /// Returns whether the flow is to be flushed now.
    func tcp_gro_receive(_ skb: inout SKBuff) -> Bool {
        traced(tcp_offload.tcp_gro_receive) {
            skb_gro_receive(&skb)
            let flags = skb.tcp_hdr()?.flags ?? []
            let flush = !flags.intersection([.psh, .fin, .rst, .urg, .syn]).isEmpty
            if flush { tracer.note("the last segment has flags [\(flags)]: the flow is flushed at once") }
            return flush
        }
    }

    /// Makes the merged packet one GSO packet for the stack: its checksum state becomes
    /// `CHECKSUM_PARTIAL` (as for a packet to send: it can be cut again if forwarded) and its segment
    /// count is the number merged.
    func tcp_gro_complete(_ skb: inout SKBuff) {
        traced(tcp_offload.tcp_gro_complete) {
            skb.ip_summed = .CHECKSUM_PARTIAL
            tracer.note("ip_summed CHECKSUM_PARTIAL, gso_segs \(skb.gso_segs): the captured checksum field is the pseudo-header sum GRO wrote (not an error); TCP does not verify it again")
        }
    }

    /// TCP's GRO receive over IPv4: checks each segment's checksum (`skb_gro_checksum_validate`; a
    /// bad one flushes the flow and goes up alone) before `tcp_gro_receive` merges it.
    func tcp4_gro_receive(_ skb: inout SKBuff) -> Bool {
        traced(tcp_offload.tcp4_gro_receive) {
            tracer.note("each segment's checksum was checked here before it was merged (the capture shows only the aggregate)")
            return tcp_gro_receive(&skb)
        }
    }

    /// Rewrites the aggregate's TCP checksum field to the pseudo-header sum and marks it TCPv4 GSO.
    func tcp4_gro_complete(_ skb: inout SKBuff) {
        traced(tcp_offload.tcp4_gro_complete) { tcp_gro_complete(&skb) }
    }
}
