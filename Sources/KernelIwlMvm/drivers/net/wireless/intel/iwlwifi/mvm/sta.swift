// Mirrors drivers/net/wireless/intel/iwlwifi/mvm/sta.c (Linux 6.1; 4.14 and 6.12 alike): the driver's
// side of receive block-ack sessions.
// Not modeled: the firmware command itself (`ADD_STA` with the block-ack ID it returns), the reorder
// buffer's memory and timers.
import KernelMac80211
import KernelNet
import Trace

/// Functions modeled from `drivers/net/wireless/intel/iwlwifi/mvm/sta.c`.
public enum mvm_sta: String, KernelSourceFile {
    public static let path = "drivers/net/wireless/intel/iwlwifi/mvm/sta.c"
    case iwl_mvm_sta_rx_agg
}

extension IwlMvm {
    /// Starts or stops a receive session with the firmware: the firmware gets the station's new
    /// block-ack state and names the session's block-ack ID, and the driver sets up its reorder buffer
    /// with its head at `ssn` (or removes it). (The device's limit of 16 sessions, `IWL_MAX_BAID_OLD`,
    /// is beyond the AP's 8 TIDs.) Returns whether it worked: always.
    func iwl_mvm_sta_rx_agg(_ kernel: Kernel, start: Bool, tid: Int, ssn: UInt16) -> Bool {
        kernel.traced(mvm_sta.iwl_mvm_sta_rx_agg) {
            reorder_head[tid] = start ? ssn : nil
            kernel.tracer.note(start ? "the firmware takes the session on TID \(tid) (ADD_STA) and names its block-ack ID; the driver reorders its frames"
                : "the firmware ends the session on TID \(tid) (ADD_STA)")
            return true
        }
    }
}
