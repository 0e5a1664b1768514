// Mirrors net/mac80211/driver-ops.c (Linux 6.1; 4.14 and 6.12 alike): the driver operations mac80211
// calls through a function of its own.
import KernelNet
import Trace

/// Functions modeled from `net/mac80211/driver-ops.c`.
public enum driver_ops: String, KernelSourceFile {
    public static let path = "net/mac80211/driver-ops.c"
    case drv_ampdu_action
}

extension Mac80211Device {
    /// Asks the driver to start (`IEEE80211_AMPDU_RX_START`, at sequence number `ssn`) or stop a
    /// receive block-ack session on `tid`. Returns whether it agreed.
    @discardableResult
    func drv_ampdu_action(_ kernel: Kernel, start: Bool, tid: Int, ssn: UInt16 = 0, bufSize: Int = 0) -> Bool {
        kernel.traced(driver_ops.drv_ampdu_action) { hw.ampdu_action(kernel, start: start, tid: tid, ssn: ssn, bufSize: bufSize) }
    }
}
