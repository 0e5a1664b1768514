// Mirrors net/mac80211/driver-ops.h (Linux 6.1): inline wrappers around the driver's operations.
import KernelNet
import Trace

/// Functions modeled from `net/mac80211/driver-ops.h` (all `static inline`).
public enum driver_ops_h: String, KernelSourceFile {
    public static let path = "net/mac80211/driver-ops.h"
    case drv_tx, drv_wake_tx_queue
}

extension Mac80211Device {
    /// Hands one frame to the driver's `tx` operation.
    func drv_tx(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(driver_ops_h.drv_tx) { hw.tx(kernel, &skb) }
    }

    /// Tells the driver a TXQ has frames.
    func drv_wake_tx_queue(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(driver_ops_h.drv_wake_tx_queue) { hw.wake_tx_queue(kernel, &skb, mac80211: self) }
    }
}
