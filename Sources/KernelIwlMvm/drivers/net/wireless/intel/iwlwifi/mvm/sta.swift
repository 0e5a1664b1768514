// Mirrors drivers/net/wireless/intel/iwlwifi/mvm/sta.c (Linux 6.1; 4.14 and 6.12 alike): the driver's
// side of receive block-ack sessions.
// Not modeled: the firmware command itself (`ADD_STA` with the block-ack ID it returns), the reorder
// buffer's memory.
import KernelMac80211
import KernelNet
import Trace

/// Functions modeled from `drivers/net/wireless/intel/iwlwifi/mvm/sta.c`.
public enum mvm_sta: String, KernelSourceFile {
    public static let path = "drivers/net/wireless/intel/iwlwifi/mvm/sta.c"
    case iwl_mvm_sync_rxq_del_ba, iwl_mvm_free_reorder, iwl_mvm_sta_rx_agg
}

extension IwlMvm {
    /// Starts or stops a receive session with the firmware: the firmware gets the station's new
    /// block-ack state and names the session's block-ack ID, and the driver sets up its reorder buffer
    /// of `bufSize` frames with its head at `ssn` (or removes it, with the frames it held). (The device's
    /// limit of 16 sessions, `IWL_MAX_BAID_OLD`, is beyond the AP's 8 TIDs.) Returns whether it worked:
    /// always.
    func iwl_mvm_sta_rx_agg(_ kernel: Kernel, start: Bool, tid: Int, ssn: UInt16, bufSize: Int = 64) -> Bool {
        kernel.traced(mvm_sta.iwl_mvm_sta_rx_agg) {
            if !start, let buffer = reorder_buf[tid] { iwl_mvm_free_reorder(kernel, tid: tid, buffer) }
            reorder_buf[tid] = start ? iwl_mvm_reorder_buffer(head_sn: ssn, buf_size: max(1, min(bufSize, 256))) : nil
            kernel.tracer.note(start ? "the firmware takes the session on TID \(tid) (ADD_STA) and names its block-ack ID; the driver reorders its frames"
                : "the firmware ends the session on TID \(tid) (ADD_STA)")
            return true
        }
    }

    /// Frees a session's reorder buffer: first every RX queue is told to release what it holds and the
    /// driver waits for them (`iwl_mvm_sync_rxq_del_ba`), so nothing is left to free.
    func iwl_mvm_free_reorder(_ kernel: Kernel, tid: Int, _ buffer: iwl_mvm_reorder_buffer) {
        kernel.traced(mvm_sta.iwl_mvm_free_reorder) { iwl_mvm_sync_rxq_del_ba(kernel, tid: tid, buffer) }
    }

    /// Sends the RX queues the notification to release the session's frames (`IWL_MVM_RXQ_NOTIF_DEL_BA`)
    /// and waits for them: each queue's handler runs it (`iwl_mvm_rx_queue_notif`, shown after the frame).
    func iwl_mvm_sync_rxq_del_ba(_ kernel: Kernel, tid: Int, _ buffer: iwl_mvm_reorder_buffer) {
        kernel.traced(mvm_sta.iwl_mvm_sync_rxq_del_ba) {
            iwl_mvm_sync_rx_queues_internal(kernel)
            if buffer.num_stored > 0 { pendingDelBA.append((tid, buffer, kernel.now, kernel.currentFrameNumber)) }
        }
    }
}
