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
    /// Ethernet header. Returns false when the frame has no such header, and first, from the header
    /// alone, for a frame a station does not take: sent to the distribution system (ToDS only), or a
    /// group frame from the distribution system whose source is the station itself (the AP's echo of
    /// the station's own group frame). `nil`, with a not-modeled note, when the payload is ciphertext.
    func ieee80211_data_to_8023_exthdr(_ kernel: Kernel, _ skb: inout SKBuff, _ frame: WirelessFrame) -> Bool? {
        kernel.traced(wireless_util.ieee80211_data_to_8023_exthdr) {
            if let fc = frame.header?.frameControl, fc.toDS, !fc.fromDS {
                kernel.tracer.note("a frame to the distribution system (ToDS): only an access point takes it")
                return false
            }
            if let h = frame.header, h.frameControl.fromDS, !h.frameControl.toDS, h.destinationAddress.isMulticast,
               h.sourceAddress == skb.dev.dev_addr {
                kernel.tracer.note("a group frame from the distribution system whose source is this station: "
                    + "the AP's echo of the station's own frame")
                return false
            }
            if skb.ieee80211_rx_status?.ciphertext == true {
                kernel.tracer.notModeled("the decrypted payload (its LLC/SNAP header and what follows): the capture, "
                    + "taken by another radio, holds the ciphertext")
                return nil
            }
            guard frame.etherType != nil else {
                kernel.tracer.note("no RFC 1042 or bridge-tunnel header")
                return false
            }
            convertTo8023(&skb, frame)
            return true
        }
    }
}
