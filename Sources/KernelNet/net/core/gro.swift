// Mirrors net/core/gro.c and include/net/gro.h (Linux 6.1): generic receive offload as NAPI drivers
// use it.
// Not modeled: merging (each captured frame is one packet after GRO, as a capture on the host sees
// it), the per-protocol gro_receive callbacks, flush timing.
import Trace

/// Functions modeled from `net/core/gro.c`.
public enum gro: String, KernelSourceFile {
    public static let path = "net/core/gro.c"
    case dev_gro_receive, napi_skb_finish, napi_gro_receive
}

/// Functions modeled from `include/net/gro.h` (all `static inline`).
public enum gro_h: String, KernelSourceFile {
    public static let path = "include/net/gro.h"
    case gro_normal_list, gro_normal_one
}

extension Kernel {
    /// Tries to merge the packet into a held flow; a captured frame goes on as it is (`GRO_NORMAL`).
    func dev_gro_receive(_ skb: inout SKBuff) {
        traced(gro.dev_gro_receive) {
            tracer.note("GRO: not merged (GRO_NORMAL)")
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
    /// 4.14, it goes up the stack at once).
    func napi_skb_finish(_ skb: inout SKBuff) {
        traced(gro.napi_skb_finish) {
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
            dev_gro_receive(&skb)
            napi_skb_finish(&skb)
        }
    }
}
