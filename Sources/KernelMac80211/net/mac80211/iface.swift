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
    /// Hands one queued frame on (6.1 on; 4.14 does it in `ieee80211_iface_work`).
    func ieee80211_iface_process_skb(_ kernel: Kernel, _ skb: SKBuff, own: MACAddress) {
        kernel.traced(iface.ieee80211_iface_process_skb) { processQueued(kernel, skb, own: own) }
    }

    /// Where a queued frame goes: block-ack frames from the AP's station to the aggregation code (ADDBA
    /// request, ADDBA response, DELBA), VHT notifications to the AP's entry, the rest to the MLME.
    func processQueued(_ kernel: Kernel, _ skb: SKBuff, own: MACAddress) {
        guard let h = skb.ieee80211_rx_status?.frame.header, h.frameControl.subtype == 13 else {
            return ieee80211_sta_rx_queued_mgmt(kernel, skb, own: own)
        }
        switch (ActionCategory(rawValue: skb.bytes.u8(at: skb.data + 24)), skb.bytes.u8(at: skb.data + 25)) {
        case (.blockAck?, let action):
            guard let sa = h.address2, u_mgd.map({ sa == $0.ap && $0.hasStation }) ?? false else {
                return kernel.tracer.note("a block-ack frame from no station of this interface (sta_info_get_bss): ignored")
            }
            switch action {
            case 0: ieee80211_process_addba_request(kernel, skb)
            case 1: ieee80211_process_addba_resp(kernel, skb)
            default: ieee80211_process_delba(kernel, skb)
            }
        case (.vht?, _):
            kernel.tracer.note("a VHT notification: the AP's operating mode or MU-MIMO groups (ieee80211_vht_handle_opmode, "
                + "ieee80211_process_mu_groups)")
        default:
            ieee80211_sta_rx_queued_mgmt(kernel, skb, own: own)
        }
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
                    processQueued(kernel, skb, own: own)
                }
                kernel.kfree_skb_reason(&skb, .NOT_SPECIFIED)
            }
        }
    }
}
