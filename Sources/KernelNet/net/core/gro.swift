// Mirrors net/core/gro.c and include/net/gro.h (Linux 6.1): generic receive offload as NAPI drivers
// use it.
// Not modeled: merging anything but TCP over IPv4 or IPv6 (a UDP aggregate goes on unmerged, with a note),
// flush timing (an aggregate is completed by its last segment; without PSH/FIN the kernel completes
// it when the poll ends, through napi_gro_flush), the GRO hash buckets and their limits.
import Trace
import Wire

/// Functions modeled from `net/core/gro.c`.
public enum gro: String, KernelSourceFile {
    public static let path = "net/core/gro.c"
    case skb_gro_receive, napi_gro_complete, dev_gro_receive, napi_skb_finish, napi_gro_receive
}

/// Functions modeled from `include/net/gro.h` (all `static inline`).
public enum gro_h: String, KernelSourceFile {
    public static let path = "include/net/gro.h"
    case gro_normal_list, gro_normal_one
}

extension Kernel {
    /// Appends a segment's payload to the held packet of its flow (as a page fragment or on its
    /// frag list); the segment's own skb is then freed (`GRO_MERGED_FREE`).
    func skb_gro_receive(_ skb: inout SKBuff) {
        traced(gro.skb_gro_receive) {}
    }

    /// Completes a held packet: the protocol's `gro_complete` callbacks make it one GSO packet, which
    /// then joins the NAPI list of packets for the stack.
    func napi_gro_complete(_ skb: inout SKBuff) {
        traced(gro.napi_gro_complete) {
            if skb.protocol == .ipv6 { ipv6_gro_complete(&skb) } else { inet_gro_complete(&skb) }
            gro_normal_one(&skb)
        }
    }

    /// Tries to merge the packet into a held flow. A plain captured frame goes on as it is
    /// (`GRO_NORMAL`). A frame longer than the device's MTU is a GRO aggregate: the merging of its
    /// segments is shown once, for the segments after the first, and the last one completes it.
    /// Returns whether the frame went on as `GRO_NORMAL`.
    func dev_gro_receive(_ skb: inout SKBuff) -> Bool {
        traced(gro.dev_gro_receive) {
            guard skb.skb_is_gso() else {
                tracer.note("GRO: not merged (GRO_NORMAL)")
                return true
            }
            // GRO reads the headers at skb->data, before the stack sets its header offsets; the packet
            // type's callback (ip_packet_offload or ipv6_packet_offload) takes the segment.
            let ipv6 = skb.protocol == .ipv6
            let tcp = ipv6 ? IPv6Packet(skb.bytes, at: skb.data)?.nextHeader == .tcp
                           : IPv4Packet(skb.bytes, at: skb.data)?.proto == .tcp
            guard tcp, ipv6 ? has(ip6_offload.ipv6_gro_receive) : has(af_inet.inet_gro_receive) else {
                tracer.notModeled("GRO merging of this aggregate (\(gsoDescription(skb))): it goes on as one packet")
                return true
            }
            tracer.note("GRO aggregate: \(skb.gso_segs) wire segments of up to \(skb.gso_size) bytes merged into one skb (gso_size from MTU \(skb.dev.mtu) and this frame's headers); the first was held on the GRO list (GRO_HELD), each later one took this path")
            let flush = ipv6 ? ipv6_gro_receive(&skb) : inet_gro_receive(&skb)
            if !flush {
                tracer.note("no segment asked for a flush: the kernel completes the aggregate when the poll ends (napi_gro_flush), through napi_gro_complete as here")
            }
            napi_gro_complete(&skb)
            return false
        }
    }

    /// Flushes the NAPI instance's list of normal packets into the list receive path.
    public func gro_normal_list(_ skb: inout SKBuff) {
        traced(gro_h.gro_normal_list) { netif_receive_skb_list_internal(&skb) }
    }

    /// Adds a packet to the NAPI instance's list; the list is handed on when the batch fills or the
    /// poll ends.
    func gro_normal_one(_ skb: inout SKBuff) {
        traced(gro_h.gro_normal_one) {
            tracer.note("batched on napi->rx_list until gro_normal_batch or the end of the poll")
        }
    }

    /// Finishes a GRO result: a `GRO_NORMAL` packet joins the receive list (before list receive,
    /// 4.14, it goes up the stack at once); a merged segment's skb is freed.
    func napi_skb_finish(_ skb: inout SKBuff, normal: Bool) {
        traced(gro.napi_skb_finish) {
            guard normal else {
                tracer.note("GRO_MERGED_FREE: the last segment's own skb is freed; its data lives on in the aggregate")
                return
            }
            guard has(gro_h.gro_normal_one) else {
                _ = netif_receive_skb_internal(&skb)
                return
            }
            gro_normal_one(&skb)
        }
    }

    /// The receive entry of NAPI drivers with GRO: GRO, then the batch list (flushed later by
    /// `gro_normal_list`).
    public func napi_gro_receive(_ skb: inout SKBuff) {
        traced(gro.napi_gro_receive) {
            let normal = dev_gro_receive(&skb)
            napi_skb_finish(&skb, normal: normal)
        }
    }
}
