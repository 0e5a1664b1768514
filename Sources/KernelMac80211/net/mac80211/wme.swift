// Mirrors net/mac80211/wme.c (Linux 6.1): choosing the access category (queue) of a data frame.
// Not modeled: the DSCP/priority mapping itself (every frame takes best effort in the model).
import KernelNet
import Trace

/// Functions modeled from `net/mac80211/wme.c`.
public enum wme: String, KernelSourceFile {
    public static let path = "net/mac80211/wme.c"
    case __ieee80211_select_queue, ieee80211_select_queue
}

extension Mac80211Device {
    /// Picks the frame's access category from its priority and the station's QoS support (6.1's
    /// variant for a known station).
    func __ieee80211_select_queue(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(wme.__ieee80211_select_queue) {}
    }

    /// Picks the frame's access category (the entry 4.14's netdev queue selection and 6.12's transmit
    /// path call).
    func ieee80211_select_queue(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(wme.ieee80211_select_queue) {
            kernel.tracer.note("access category: best effort (AC_BE)")
        }
    }
}
