// Mirrors net/wireless/util.c (Linux 6.1): cfg80211's 802.11 to 802.3 conversion.
import KernelNet
import Trace
import Wire

/// Functions modeled from `net/wireless/util.c`.
public enum wireless_util: String, KernelSourceFile {
    public static let path = "net/wireless/util.c"
    case ieee80211_data_to_8023_exthdr
}

extension Mac80211Device {
    /// Replaces the 802.11 header and the RFC 1042 (or bridge-tunnel) header of a data frame with an
    /// Ethernet header. Returns false when the frame has no such header.
    func ieee80211_data_to_8023_exthdr(_ kernel: Kernel, _ skb: inout SKBuff, _ frame: WirelessFrame) -> Bool {
        kernel.traced(wireless_util.ieee80211_data_to_8023_exthdr) {
            guard frame.etherType != nil else { return false }
            convertTo8023(&skb, frame)
            return true
        }
    }
}
