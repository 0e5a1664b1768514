// Mirrors drivers/net/wireless/intel/iwlwifi/mvm/mac80211.c (Linux 6.1): the mac80211 operations of
// the mvm op mode.
import KernelMac80211
import KernelNet
import Trace
import Wire

/// Functions modeled from `drivers/net/wireless/intel/iwlwifi/mvm/mac80211.c`.
public enum mvm_mac80211: String, KernelSourceFile {
    public static let path = "drivers/net/wireless/intel/iwlwifi/mvm/mac80211.c"
    case iwl_mvm_mac_tx, iwl_mvm_tx_skb, iwl_mvm_mac_ampdu_action, iwl_mvm_mac_itxq_xmit, iwl_mvm_mac_wake_tx_queue,
        iwl_mvm_sync_rx_queues_internal
}

/// The iwlwifi mvm op mode as mac80211 sees it (`iwl_mvm_hw_ops`).
public final class IwlMvm: Ieee80211Ops {
    public let driverName = "iwlwifi"
    /// The sequence control of the last frame from the AP's station, by TID (index 8,
    /// `IWL_MAX_TID_COUNT`, for frames without QoS): `mvm_sta->dup_data[queue].last_seq`, for the
    /// driver's duplicate detection (one RX queue in the model).
    var last_seq: [Int: UInt16] = [:]
    /// The A-MSDU subframe index of that last frame, by TID (`dup_data->last_sub_frame`).
    var last_sub_frame: [Int: Int] = [:]
    /// The driver's reorder buffer of each TID with a receive block-ack session (one RX queue).
    var reorder_buf: [Int: iwl_mvm_reorder_buffer] = [:]
    /// No reorder buffer's timer expires before this time (capture clock).
    var reorderTimerHorizon = Int64.max
    /// Reorder buffers of ended sessions whose frames the RX queues are to release
    /// (`IWL_MVM_RXQ_NOTIF_DEL_BA`): the TID, the buffer, when, and the frame that ended the session.
    var pendingDelBA: [(tid: Int, buffer: iwl_mvm_reorder_buffer, at: Int64, frame: Int)] = []
    /// Whether the last protected frame that could tell (unfragmented, or a first fragment) was recorded
    /// as the device decrypted it, not as ciphertext: the model's own, for the capture as a whole.
    var capturedPlaintext = false
    /// The frames one received frame sends up, kept between frames so that each does not allocate a
    /// list of its own (the model's, not the driver's).
    private var listedScratch: [SKBuff] = []

    public init() {}

    /// Receives the frame, or each MPDU the device split an A-MSDU into: the first MPDU that reaches the
    /// NAPI receive list becomes `skb`, the others follow it (`Kernel.rxListMore`). A block-ack request
    /// for a session moves the device's window to its starting sequence number, and the device's frame
    /// release notification follows it.
    public func rx(_ kernel: Kernel, _ skb: inout SKBuff, mac80211: Mac80211Device) -> Bool {
        var listed = listedScratch
        listedScratch = []
        defer {
            listed.removeAll(keepingCapacity: true)
            listedScratch = listed
        }
        let bar = BlockAckRequest(skb)
        if let mpdus = deaggregate(kernel, skb) {
            for (index, var mpdu) in mpdus.enumerated() {
                iwl_mvm_rx_mpdu_mq(kernel, &mpdu, mac80211: mac80211, subframe: index, amsdu: true, last: index == mpdus.count - 1,
                                   listed: &listed)
            }
        } else {
            iwl_mvm_rx_mpdu_mq(kernel, &skb, mac80211: mac80211, listed: &listed)
        }
        if let bar, let h = bar.header, mac80211.hasReceiveSession(h, tid: bar.tid), let start = reorder_buf[bar.tid]?.firmware.start,
           ieee80211_sn_less(start, bar.ssn) {
            reorder_buf[bar.tid]?.firmware.move(to: bar.ssn)
            kernel.rxListReleased += kernel.keepingOutcome {
                iwl_mvm_rx_frame_release(kernel, tid: bar.tid, nssn: reorder_buf[bar.tid]?.firmware.start ?? bar.ssn, mac80211: mac80211)
            }
        }
        guard !listed.isEmpty else { return false }
        // Moved out, not copied; appending an empty rest is not free either (the generic append).
        if listed.count == 1 {
            skb = listed.removeLast()
        } else {
            skb = listed.removeFirst()
            kernel.rxListMore += listed
        }
        return true
    }

    public var timerHorizon: Int64 { min(reorderTimerHorizon, pendingDelBA.first?.at ?? .max) }

    public func expiredTimers(_ kernel: Kernel, by time: Int64, mac80211: Mac80211Device)
        -> [(function: String, expires: Int64, armedBy: Int?, run: () -> Void)]
    {
        expiredReorderTimers(kernel, by: time, mac80211: mac80211)
    }

    public func wake_tx_queue(_ kernel: Kernel, _ skb: inout SKBuff, mac80211: Mac80211Device) {
        iwl_mvm_mac_wake_tx_queue(kernel, &skb, mac80211: mac80211)
    }

    /// iwlmvm moved to mac80211 TXQs after 4.14 (`iwl_mvm_hw_ops.wake_tx_queue`).
    public func hasTXQs(in kernel: Kernel) -> Bool { kernel.has(mvm_mac80211.iwl_mvm_mac_wake_tx_queue) }

    public func tx(_ kernel: Kernel, _ skb: inout SKBuff) { iwl_mvm_mac_tx(kernel, &skb) }

    public func ampdu_action(_ kernel: Kernel, start: Bool, tid: Int, ssn: UInt16, bufSize: Int) -> Bool {
        iwl_mvm_mac_ampdu_action(kernel, start: start, tid: tid, ssn: ssn, bufSize: bufSize)
    }

    /// mac80211's `ampdu_action` for receive sessions (`IEEE80211_AMPDU_RX_START`, `_RX_STOP`): the
    /// station's side in the firmware.
    func iwl_mvm_mac_ampdu_action(_ kernel: Kernel, start: Bool, tid: Int, ssn: UInt16, bufSize: Int) -> Bool {
        kernel.traced(mvm_mac80211.iwl_mvm_mac_ampdu_action) {
            iwl_mvm_sta_rx_agg(kernel, start: start, tid: tid, ssn: ssn, bufSize: bufSize)
        }
    }

    /// Sends the RX queues an internal notification through the firmware and, for a synchronous one,
    /// waits until every queue handled it.
    func iwl_mvm_sync_rx_queues_internal(_ kernel: Kernel) {
        kernel.traced(mvm_mac80211.iwl_mvm_sync_rx_queues_internal) {
            kernel.tracer.note("each RX queue is told to release the session's frames; the driver waits for them")
        }
    }

    /// mac80211's `tx` operation: transmits a frame handed over directly (every data frame in 4.14).
    func iwl_mvm_mac_tx(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(mvm_mac80211.iwl_mvm_mac_tx) { _ = iwl_mvm_tx_skb(kernel, &skb) }
    }

    /// Transmits a frame dequeued from mac80211 (to a station, or from the interface's own queue).
    func iwl_mvm_tx_skb(_ kernel: Kernel, _ skb: inout SKBuff) -> Int {
        kernel.traced(mvm_mac80211.iwl_mvm_tx_skb) { iwl_mvm_tx_skb_sta(kernel, &skb) }
    }

    /// Drains a TXQ: dequeues each frame from mac80211 and transmits it.
    func iwl_mvm_mac_itxq_xmit(_ kernel: Kernel, _ skb: inout SKBuff, mac80211: Mac80211Device) {
        kernel.traced(mvm_mac80211.iwl_mvm_mac_itxq_xmit) {
            mac80211.ieee80211_tx_dequeue(kernel, &skb)
            _ = iwl_mvm_tx_skb(kernel, &skb)
        }
    }

    /// mac80211's `wake_tx_queue`: transmits from the TXQ unless it is stopped.
    func iwl_mvm_mac_wake_tx_queue(_ kernel: Kernel, _ skb: inout SKBuff, mac80211: Mac80211Device) {
        kernel.traced(mvm_mac80211.iwl_mvm_mac_wake_tx_queue) { iwl_mvm_mac_itxq_xmit(kernel, &skb, mac80211: mac80211) }
    }
}

/// A block-ack request the station received (IEEE Std 802.11-2020 §9.3.1.7): its TID and starting
/// sequence number, after the frame control, duration and two addresses.
struct BlockAckRequest {
    let header: IEEE80211Header?
    let tid: Int
    let ssn: UInt16

    init?(_ skb: borrowing SKBuff) {
        guard let frame = skb.ieee80211_rx_status?.frame, let h = frame.header, h.frameControl.type == .control,
              h.frameControl.subtype == 8, skb.data + 20 <= min(frame.end, skb.bytes.count) else { return nil }
        header = h
        tid = Int(skb.bytes.u16le(at: skb.data + 16) >> 12)
        ssn = skb.bytes.u16le(at: skb.data + 18) >> 4
    }
}
