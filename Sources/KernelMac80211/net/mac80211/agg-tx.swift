// Mirrors net/mac80211/agg-tx.c (Linux 6.1; 4.14 and 6.12 alike): the block-ack sessions the station
// sends in, as far as their ADDBA request and the AP's answer.
// Not modeled: why a session starts (rate control asks, `ieee80211_start_tx_ba_session`), the session's
// state machine and timers, aggregation itself (the driver and the device build A-MPDUs).
import KernelNet
import Trace

/// Functions modeled from `net/mac80211/agg-tx.c`, in the file's order.
public enum agg_tx: String, KernelSourceFile {
    public static let path = "net/mac80211/agg-tx.c"
    case ieee80211_send_addba_request, ieee80211_process_addba_resp
}

extension Mac80211Device {
    /// Builds an ADDBA request to the AP and sends it as a management frame, for the frame the capture
    /// shows the station sending; the TID then waits for the AP's answer.
    func ieee80211_send_addba_request(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(agg_tx.ieee80211_send_addba_request) {
            let request = AddBARequest(skb)
            ampdu_mlme.tid_tx[request.tid] = request.token
            kernel.tracer.state("transmit block-ack session on TID \(request.tid) requested (dialog token \(request.token))")
            sendManagement(kernel, &skb)
        }
    }

    /// Takes the AP's ADDBA response: one that answers no request of the station's on its TID, or
    /// carries another dialog token, is ignored; status 0 makes the session operational
    /// (`ieee80211_agg_tx_operational`), any other ends it (`__ieee80211_stop_tx_ba_session`).
    func ieee80211_process_addba_resp(_ kernel: Kernel, _ skb: SKBuff) {
        kernel.traced(agg_tx.ieee80211_process_addba_resp) {
            let body = skb.data + 24
            let token = skb.bytes.u8(at: body + 2), status = skb.bytes.u16le(at: body + 3)
            let tid = Int(skb.bytes.u16le(at: body + 5) >> 2 & 0xf)
            guard let asked = ampdu_mlme.tid_tx[tid], asked == token else {
                return kernel.tracer.note("no ADDBA request of the station's on TID \(tid) with dialog token \(token): ignored")
            }
            guard status == 0 else {
                ampdu_mlme.tid_tx[tid] = nil
                return kernel.tracer.state("the AP refused the transmit session on TID \(tid) (status \(status)): it ends")
            }
            kernel.tracer.state("transmit block-ack session on TID \(tid) operational: the device aggregates")
        }
    }
}
