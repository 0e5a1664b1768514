// Mirrors net/mac80211/util.c (Linux 6.1; 4.14 and 6.12 alike): the management frames mac80211 builds
// for a station's authentication and for leaving a BSS.
// Not modeled: the frames' contents (the model replays the frame the capture shows), SAE and shared-key
// authentication's later transactions.
import KernelNet
import Trace

/// Functions modeled from `net/mac80211/util.c`.
public enum mac80211_util: String, KernelSourceFile {
    public static let path = "net/mac80211/util.c"
    case ieee80211_send_auth, ieee80211_send_deauth_disassoc
}

extension Mac80211Device {
    /// Builds an authentication frame to the AP and sends it as a management frame (`ieee80211_tx_skb`),
    /// for the MLME's authentication step (`ieee80211_auth` in mlme.c, after nl80211's authenticate).
    func ieee80211_send_auth(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(mac80211_util.ieee80211_send_auth) { sendManagement(kernel, &skb) }
    }

    /// Builds a deauthentication or disassociation frame and sends it, when the station leaves a BSS
    /// (`ieee80211_set_disassoc`, on the supplicant's request or the MLME's own decision).
    func ieee80211_send_deauth_disassoc(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(mac80211_util.ieee80211_send_deauth_disassoc) { sendManagement(kernel, &skb) }
    }

    /// What `ieee80211_tx_skb` does for the management frames mac80211 builds: transmits them on TID 7.
    func sendManagement(_ kernel: Kernel, _ skb: inout SKBuff) {
        ieee80211_tx_skb_tid(kernel, &skb, data: ieee80211_tx_data(isManagement: true, isControlPort: false))
    }
}
