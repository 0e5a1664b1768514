// Mirrors net/mac80211/ht.c (Linux 6.1; 4.14 and 6.12 alike): the DELBA frames that end block-ack
// sessions, received and sent.
// Not modeled: transmit sessions (a DELBA for one, from the AP as recipient, is noted, not followed),
// SM power save and channel width frames the station sends.
import KernelNet
import Trace

/// Functions modeled from `net/mac80211/ht.c`, in the file's order.
public enum ht: String, KernelSourceFile {
    public static let path = "net/mac80211/ht.c"
    case ieee80211_send_delba, ieee80211_process_delba
}

extension Mac80211Device {
    /// Builds a DELBA and sends it to the AP as a management frame, for the frame the capture shows the
    /// station sending.
    func ieee80211_send_delba(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(ht.ieee80211_send_delba) { sendManagement(kernel, &skb) }
    }

    /// Notes the DELBA the station sends (`ieee80211_send_delba`) for a TID, which the capture shows as
    /// a frame of its own.
    func noteDelBA(_ kernel: Kernel, tid: Int, reason: UInt16) {
        kernel.tracer.note("sends a DELBA for TID \(tid), reason \(reason) (ieee80211_send_delba: a frame the station sends)")
    }

    /// Ends the session a DELBA from the AP names: a receive session when the AP was its originator,
    /// else a transmit session of the station's (`__ieee80211_stop_tx_ba_session`).
    func ieee80211_process_delba(_ kernel: Kernel, _ skb: SKBuff) {
        kernel.traced(ht.ieee80211_process_delba) {
            let params = skb.bytes.u16le(at: skb.data + 24 + 2)
            let reason = skb.bytes.u16le(at: skb.data + 24 + 4)
            let tid = Int(params >> 12), initiator = params & 0x0800 != 0
            guard initiator else {
                ampdu_mlme.tid_tx[tid] = nil
                return kernel.tracer.note("the AP ends the station's transmit session on TID \(tid) (__ieee80211_stop_tx_ba_session)")
            }
            __ieee80211_stop_rx_ba_session(kernel, tid: tid, initiator: true, reason: reason, tx: true)
        }
    }
}
