// Mirrors net/mac80211/wpa.c (Linux 6.1): the TKIP Michael MIC among the RX and TX handlers.
// Not modeled: TKIP itself (the model has no TKIP keys, so the handlers always pass the frame on).
import KernelNet
import Trace

/// Functions modeled from `net/mac80211/wpa.c`.
public enum wpa: String, KernelSourceFile {
    public static let path = "net/mac80211/wpa.c"
    case ieee80211_tx_h_michael_mic_add, ieee80211_rx_h_michael_mic_verify
}

extension Mac80211Device {
    /// Adds the Michael MIC to TKIP-protected data; frames under other ciphers (or none) pass.
    func ieee80211_tx_h_michael_mic_add(_ kernel: Kernel) {
        kernel.traced(wpa.ieee80211_tx_h_michael_mic_add) {}
    }

    /// Verifies the Michael MIC of TKIP-protected data; frames under other ciphers (or none) pass.
    func ieee80211_rx_h_michael_mic_verify(_ kernel: Kernel) -> ieee80211_rx_result {
        kernel.traced(wpa.ieee80211_rx_h_michael_mic_verify) { .RX_CONTINUE }
    }
}
