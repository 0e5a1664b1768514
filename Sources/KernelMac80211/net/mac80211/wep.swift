// Mirrors net/mac80211/wep.c (Linux 6.1; 4.14 and 6.12 alike but for 6.12's drop reasons): the receive
// side of WEP on frames the device decrypted (`RX_FLAG_DECRYPTED`): the IV removed, the ICV removed
// unless the device did.
// Not modeled: software decryption (`ieee80211_wep_decrypt`, RC4: the model's device holds the key
// mac80211 does, so it decrypts every frame mac80211 has a key for), WEP on the transmit side, shared
// key authentication (authentication frames with WEP).
import KernelNet
import Trace
import Wire

/// Functions modeled from `net/mac80211/wep.c`, in the file's order.
public enum wep: String, KernelSourceFile {
    public static let path = "net/mac80211/wep.c"
    case ieee80211_wep_remove_iv, ieee80211_crypto_wep_decrypt
}

/// The length of the WEP IV (`IEEE80211_WEP_IV_LEN`: 3 bytes of IV and the key index byte) and of its
/// ICV (`IEEE80211_WEP_ICV_LEN`).
let IEEE80211_WEP_IV_LEN = 4
let IEEE80211_WEP_ICV_LEN = 4

extension Mac80211Device {
    /// Removes the WEP IV between the 802.11 header and the payload (the kernel moves the header
    /// forward over it).
    func ieee80211_wep_remove_iv(_ kernel: Kernel, _ skb: inout SKBuff, fragment: Bool) {
        kernel.traced(wep.ieee80211_wep_remove_iv) {
            guard let status = skb.ieee80211_rx_status else { return }
            skb.len -= IEEE80211_WEP_IV_LEN
            removeCipherHeader(status, IEEE80211_WEP_IV_LEN, fragment: fragment, bytes: skb.bytes)
        }
    }

    /// Finishes a WEP frame: only data (and authentication) frames are handled. The device decrypted it
    /// and left the IV (iwlwifi does not set `RX_FLAG_IV_STRIPPED`): a frame too short for the IV is
    /// unusable, else the IV goes; then the ICV, unless the device removed it (`RX_FLAG_ICV_STRIPPED`). WEP has no replay check.
    func ieee80211_crypto_wep_decrypt(_ kernel: Kernel, _ skb: inout SKBuff, _ data: inout ieee80211_rx_data) -> ieee80211_rx_result {
        kernel.traced(wep.ieee80211_crypto_wep_decrypt) {
            guard let status = skb.ieee80211_rx_status, let h = status.frame.header else { return .RX_CONTINUE }
            let fc = h.frameControl
            guard fc.type == .data || (fc.type == .management && fc.subtype == 11) else {
                kernel.tracer.note("neither data nor authentication: WEP leaves it")
                return .RX_CONTINUE
            }
            guard status.flag.contains(.RX_FLAG_DECRYPTED) else {
                kernel.tracer.notModeled("software WEP decryption (ieee80211_wep_decrypt)")
                return .notModeled
            }
            let hdrlen = status.frame.bodyOffset - skb.data
            guard skb.len >= hdrlen + IEEE80211_WEP_IV_LEN else {
                kernel.tracer.note("too short for the WEP IV")
                return .RX_DROP_UNUSABLE(.RX_DROP_U_NO_IV)
            }
            ieee80211_wep_remove_iv(kernel, &skb, fragment: h.fragmentNumber != 0)
            if status.flag.contains(.RX_FLAG_ICV_STRIPPED) {
                kernel.tracer.note("the device removed the ICV")
            } else {
                // The frame still holds its header, so the trim cannot fail for want of length (only for
                // want of memory, 6.12's RX_DROP_U_NO_ICV, which the model does not run out of).
                skb.len -= IEEE80211_WEP_ICV_LEN
                status.frame.end -= IEEE80211_WEP_ICV_LEN
            }
            return .RX_CONTINUE
        }
    }
}
