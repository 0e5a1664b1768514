// Mirrors net/mac80211/iface.c (Linux 4.14; 6.1 and 6.12 for the interface work): the interface as a
// network device, and the work that processes the frames the RX handlers queued.
import KernelNet
import Trace
import Wire

/// Functions modeled from `net/mac80211/iface.c`.
public enum iface: String, KernelSourceFile {
    public static let path = "net/mac80211/iface.c"
    case ieee80211_netdev_select_queue, ieee80211_iface_process_skb, ieee80211_iface_work
}

extension Mac80211Device {
    /// The `ndo_select_queue` of interfaces with one transmit queue per access category (drivers
    /// without TXQs, as iwlwifi in 4.14).
    func ieee80211_netdev_select_queue(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(iface.ieee80211_netdev_select_queue) { ieee80211_select_queue(kernel, &skb) }
    }
}

extension Mac80211Device {
    /// Hands one queued frame to the station's MLME (6.1 on; 4.14 does it in `ieee80211_iface_work`).
    func ieee80211_iface_process_skb(_ kernel: Kernel, _ skb: SKBuff, own: MACAddress) {
        kernel.traced(iface.ieee80211_iface_process_skb) { ieee80211_sta_rx_queued_mgmt(kernel, skb, own: own) }
    }

    /// The interface's work, after the receive softirq: processes each queued management frame, then
    /// frees it with `kfree_skb` (which the `kfree_skb` tracepoint reports as a drop, though the frame
    /// was used).
    func ieee80211_iface_work(_ kernel: Kernel, own: MACAddress) {
        guard !skb_queue.isEmpty else { return }
        kernel.traced(iface.ieee80211_iface_work) {
            while !skb_queue.isEmpty {
                var skb = skb_queue.removeFirst()
                if kernel.has(iface.ieee80211_iface_process_skb) {
                    ieee80211_iface_process_skb(kernel, skb, own: own)
                } else {
                    ieee80211_sta_rx_queued_mgmt(kernel, skb, own: own)
                }
                kernel.kfree_skb_reason(&skb, .NOT_SPECIFIED)
            }
        }
    }
}
