// Mirrors include/net/mac80211.h (Linux 6.1): the operations a driver gives mac80211.
import KernelNet

/// Models `struct ieee80211_ops`, reduced to what the data path uses: the driver's receive entry and
/// `wake_tx_queue` (drivers with mac80211 TXQs, such as iwlmvm in 6.x) and block-ack sessions.
public protocol Ieee80211Ops: AnyObject {
    /// The driver's name (`iwlwifi`).
    var driverName: String { get }
    /// The driver's receive path for one MPDU, down to `ieee80211_rx_napi`. Returns whether a frame
    /// went up to GRO.
    func rx(_ kernel: Kernel, _ skb: inout SKBuff, mac80211: Mac80211Device) -> Bool
    /// Models `wake_tx_queue`: mac80211 queued a frame on a TXQ; the driver pulls it with
    /// `ieee80211_tx_dequeue` and sends it.
    func wake_tx_queue(_ kernel: Kernel, _ skb: inout SKBuff, mac80211: Mac80211Device)
    /// Whether the driver has `wake_tx_queue` in the version `kernel` models: mac80211 then queues on TXQs and
    /// the interface has no qdisc; else it calls `tx` for each frame.
    func hasTXQs(in kernel: Kernel) -> Bool
    /// Models `tx`: transmits one frame handed over directly (drivers without TXQs).
    func tx(_ kernel: Kernel, _ skb: inout SKBuff)
    /// Models `ampdu_action` for receive sessions: starts the one on `tid` at sequence number `ssn` with a
    /// reorder buffer of `bufSize` frames, or stops it. Returns whether the driver agreed.
    func ampdu_action(_ kernel: Kernel, start: Bool, tid: Int, ssn: UInt16, bufSize: Int) -> Bool
    /// When the first of the driver's timers expires (capture clock), `Int64.max` for none.
    var timerHorizon: Int64 { get }
    /// The driver's timers expired by `time`, for the kernel to run (``DriverTimers``).
    func expiredTimers(_ kernel: Kernel, by time: Int64, mac80211: Mac80211Device)
        -> [(function: String, expires: Int64, armedBy: Int?, run: () -> Void)]
}
