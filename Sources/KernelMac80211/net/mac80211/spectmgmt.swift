// Mirrors net/mac80211/spectmgmt.c (Linux 6.1; 4.14 and 6.12 alike): spectrum measurement requests,
// which a station refuses.
// Not modeled: channel switch announcements (queued for the MLME, which the model does not follow).
import KernelNet
import Trace

/// Functions modeled from `net/mac80211/spectmgmt.c`, in the file's order.
public enum spectmgmt: String, KernelSourceFile {
    public static let path = "net/mac80211/spectmgmt.c"
    case ieee80211_send_refuse_measurement_request, ieee80211_process_measurement_req
}

extension Mac80211Device {
    /// Builds the measurement report that refuses a request and sends it to the AP, for the frame the
    /// capture shows the station sending.
    func ieee80211_send_refuse_measurement_request(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(spectmgmt.ieee80211_send_refuse_measurement_request) { sendManagement(kernel, &skb) }
    }

    /// Takes a spectrum measurement request (5 GHz): mac80211 measures nothing and refuses every one.
    func ieee80211_process_measurement_req(_ kernel: Kernel) {
        kernel.traced(spectmgmt.ieee80211_process_measurement_req) {
            kernel.tracer.note("refuses it with a measurement report (ieee80211_send_refuse_measurement_request: a frame "
                + "the station sends)")
        }
    }
}
