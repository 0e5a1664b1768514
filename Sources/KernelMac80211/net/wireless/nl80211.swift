// Mirrors net/wireless/nl80211.c (Linux 6.1): control port frames to user space.
import KernelNet
import Trace

/// Functions modeled from `net/wireless/nl80211.c`.
public enum nl80211: String, KernelSourceFile {
    public static let path = "net/wireless/nl80211.c"
    case cfg80211_rx_control_port, cfg80211_rx_unprot_mlme_mgmt
}

extension Mac80211Device {
    /// Sends an EAPOL frame to the supplicant's nl80211 socket (`NL80211_CMD_CONTROL_PORT_FRAME`), for a
    /// connection made with the control port over nl80211 (as wpa_supplicant does on mac80211 drivers).
    func cfg80211_rx_control_port(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(nl80211.cfg80211_rx_control_port) {
            kernel.tracer.note("EAPOL to the supplicant over nl80211 (control port), not through the stack")
        }
    }

    /// Tells user space (`NL80211_CMD_UNPROT_DEAUTHENTICATE` or `_DISASSOCIATE`) of an unprotected
    /// deauthentication or disassociation mac80211 refused under management frame protection; the
    /// supplicant may check the link with an SA Query.
    func cfg80211_rx_unprot_mlme_mgmt(_ kernel: Kernel, deauth: Bool) {
        kernel.traced(nl80211.cfg80211_rx_unprot_mlme_mgmt) {
            kernel.tracer.note("user space hears of the unprotected \(deauth ? "deauthentication" : "disassociation") "
                + "(NL80211_CMD_UNPROT_\(deauth ? "DEAUTHENTICATE" : "DISASSOCIATE"))")
        }
    }
}
