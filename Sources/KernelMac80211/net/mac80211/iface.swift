// Mirrors net/mac80211/iface.c (Linux 4.14): the interface as a network device.
import KernelNet
import Trace

/// Functions modeled from `net/mac80211/iface.c`.
public enum iface: String, KernelSourceFile {
    public static let path = "net/mac80211/iface.c"
    case ieee80211_netdev_select_queue
}

extension Mac80211Device {
    /// The `ndo_select_queue` of interfaces with one transmit queue per access category (drivers
    /// without TXQs, as iwlwifi in 4.14).
    func ieee80211_netdev_select_queue(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(iface.ieee80211_netdev_select_queue) { ieee80211_select_queue(kernel, &skb) }
    }
}
