// Mirrors net/mac80211/agg-rx.c (Linux 6.1; 4.14 and 6.12 where they differ): block-ack sessions the
// station receives in (the AP the originator), started by the AP's ADDBA request and ended by a DELBA.
// The iwlwifi devices the model has reorder in the driver (`SUPPORTS_REORDERING_BUFFER`), so mac80211
// keeps no reorder buffer (`tid_rx` stays empty) and arms no session timer.
// Not modeled: the ADDBA extension element (EHT buffer sizes), session timeouts, suspend (`WLAN_STA_BLOCK_BA`).
import KernelNet
import Trace
import Wire

/// Functions modeled from `net/mac80211/agg-rx.c`, in the file's order.
public enum agg_rx: String, KernelSourceFile {
    public static let path = "net/mac80211/agg-rx.c"
    case ___ieee80211_stop_rx_ba_session, __ieee80211_stop_rx_ba_session, ieee80211_send_addba_resp,
        ___ieee80211_start_rx_ba_session, __ieee80211_start_rx_ba_session, ieee80211_process_addba_request
}

/// Models the parts of `struct sta_ampdu_mlme` (the AP's station entry) that decide what block-ack
/// frames do: the TIDs with a receive session, the TIDs a block-ack request arrived on without one,
/// each session's dialog token and timeout, and the ADDBA requests the station sent as originator.
struct sta_ampdu_mlme {
    /// TIDs with an agreed receive session (`agg_session_valid`).
    var agg_session_valid: Set<Int> = []
    /// TIDs a block-ack request came on without a session, already answered with a DELBA (`unexpected_agg`).
    var unexpected_agg: Set<Int> = []
    /// The dialog token and timeout of each receive session's ADDBA request (`tid_rx_token`, `tid_rx->timeout`).
    var tid_rx: [Int: (token: UInt8, timeout: UInt16)] = [:]
    /// The dialog token of each ADDBA request the station sent and awaits an answer to (`tid_tx`).
    var tid_tx: [Int: UInt8] = [:]
}

extension Mac80211Device {
    /// Whether the frame's transmitter is the AP's station entry and it has a receive block-ack session
    /// on `tid` (for the driver's reorder buffer, which the firmware keeps per station).
    public func hasReceiveSession(_ h: IEEE80211Header, tid: Int) -> Bool {
        knowsStation(h) && ampdu_mlme.agg_session_valid.contains(tid)
    }

    /// Ends a receive session: tells the driver (`IEEE80211_AMPDU_RX_STOP`) and, when this station ends it
    /// as recipient and is to say so, sends a DELBA. Nothing for a TID without a session.
    func ___ieee80211_stop_rx_ba_session(_ kernel: Kernel, tid: Int, initiator: Bool, reason: UInt16, tx: Bool) {
        kernel.traced(agg_rx.___ieee80211_stop_rx_ba_session) {
            stopReceiveSession(kernel, tid: tid, initiator: initiator, reason: reason, tx: tx)
        }
    }

    /// Ends a receive session under the session lock (6.12 does the work here: it has no `___` variant).
    func __ieee80211_stop_rx_ba_session(_ kernel: Kernel, tid: Int, initiator: Bool, reason: UInt16, tx: Bool) {
        kernel.traced(agg_rx.__ieee80211_stop_rx_ba_session) {
            guard kernel.has(agg_rx.___ieee80211_stop_rx_ba_session) else {
                return stopReceiveSession(kernel, tid: tid, initiator: initiator, reason: reason, tx: tx)
            }
            ___ieee80211_stop_rx_ba_session(kernel, tid: tid, initiator: initiator, reason: reason, tx: tx)
        }
    }

    /// What ending a receive session does, in whichever function the version does it.
    private func stopReceiveSession(_ kernel: Kernel, tid: Int, initiator: Bool, reason: UInt16, tx: Bool) {
        guard ampdu_mlme.agg_session_valid.contains(tid) else {
            return kernel.tracer.note("no receive session on TID \(tid): nothing to stop")
        }
        ampdu_mlme.agg_session_valid.remove(tid)
        ampdu_mlme.tid_rx[tid] = nil
        kernel.tracer.state("receive block-ack session on TID \(tid) ended (\(initiator ? "by the AP" : "by this station"), "
            + "reason \(reason))")
        drv_ampdu_action(kernel, start: false, tid: tid)
        if !initiator, tx { noteDelBA(kernel, tid: tid, reason: reason) }
    }

    /// Builds the ADDBA response and sends it to the AP as a management frame, for the frame the capture
    /// shows the station sending (the request's processing notes the answer).
    func ieee80211_send_addba_resp(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(agg_rx.ieee80211_send_addba_resp) { sendManagement(kernel, &skb) }
    }

    /// Decides an ADDBA request from the AP and answers it (in 6.12 `__ieee80211_start_rx_ba_session`
    /// does this: it has no `___` variant).
    func ___ieee80211_start_rx_ba_session(_ kernel: Kernel, _ request: AddBARequest) {
        kernel.traced(agg_rx.___ieee80211_start_rx_ba_session) { startReceiveSession(kernel, request) }
    }

    /// Decides an ADDBA request under the session lock.
    func __ieee80211_start_rx_ba_session(_ kernel: Kernel, _ request: AddBARequest) {
        kernel.traced(agg_rx.__ieee80211_start_rx_ba_session) {
            guard kernel.has(agg_rx.___ieee80211_start_rx_ba_session) else { return startReceiveSession(kernel, request) }
            ___ieee80211_start_rx_ba_session(kernel, request)
        }
    }

    /// What deciding an ADDBA request does: declines a TID of 8 or more (a traffic stream), refuses a
    /// delayed block-ack policy or a larger buffer than the station takes (`WLAN_STATUS_INVALID_QOS_PARAM`),
    /// answers a repeated request (the same dialog token) as before, ends an older session on the TID
    /// first, and asks the driver to start the session; with the driver's yes the TID has a session.
    /// Notes the ADDBA response it sends with the status.
    private func startReceiveSession(_ kernel: Kernel, _ r: AddBARequest) {
        // 4.14 knows HT's 64-frame buffers; 6.x HE's 256 (the model takes the AP for an HE station).
        let maxBuffer = kernel.profile.version >= .v6_1 ? 256 : 64
        var status: UInt16 = 37 // WLAN_STATUS_REQUEST_DECLINED
        defer {
            if status == 0 {
                ampdu_mlme.agg_session_valid.insert(r.tid)
                ampdu_mlme.unexpected_agg.remove(r.tid)
                ampdu_mlme.tid_rx[r.tid] = (r.token, r.timeout)
            }
            kernel.tracer.note("answers with an ADDBA response, status \(status) (ieee80211_send_addba_resp: a frame the station sends)")
        }
        guard r.tid < 8 else { return kernel.tracer.note("TID \(r.tid) is a traffic stream, not a user priority") }
        guard r.policy == 1, r.bufferSize <= maxBuffer else {
            kernel.tracer.note(r.policy != 1 ? "delayed block ack, which the station does not offer"
                : "a buffer of \(r.bufferSize) frames, more than \(maxBuffer)")
            status = 38 // WLAN_STATUS_INVALID_QOS_PARAM
            return
        }
        if ampdu_mlme.agg_session_valid.contains(r.tid) {
            if let old = ampdu_mlme.tid_rx[r.tid], old.token == r.token {
                kernel.tracer.note("a repeated request (dialog token \(r.token)) for the session on TID \(r.tid)")
                if old.timeout == r.timeout { status = 0 }
                return
            }
            kernel.tracer.note("a new request on TID \(r.tid), which has a session: the old one ends first")
            ___ieee80211_stop_rx_ba_session(kernel, tid: r.tid, initiator: false, reason: 32, tx: false)
        }
        // A request for no particular size gets the largest the station takes (`buf_size` 0).
        guard drv_ampdu_action(kernel, start: true, tid: r.tid, ssn: r.ssn, bufSize: r.bufferSize == 0 ? maxBuffer : r.bufferSize)
        else { return }
        status = 0
        kernel.tracer.state("receive block-ack session on TID \(r.tid) (starting sequence \(r.ssn), dialog token \(r.token))")
    }

    /// Reads an ADDBA request from the AP (its TID, policy, buffer size, timeout and starting sequence
    /// number) and decides it.
    func ieee80211_process_addba_request(_ kernel: Kernel, _ skb: SKBuff) {
        kernel.traced(agg_rx.ieee80211_process_addba_request) { __ieee80211_start_rx_ba_session(kernel, AddBARequest(skb)) }
    }
}

/// An ADDBA request's fields (IEEE Std 802.11-2020 §9.6.4.2): after category and action, the dialog
/// token, the block-ack parameter set (A-MSDU, policy, TID, buffer size), the timeout and the starting
/// sequence control.
struct AddBARequest {
    var token: UInt8, policy: Int, tid: Int, bufferSize: Int, timeout: UInt16, ssn: UInt16

    init(_ skb: SKBuff) {
        let body = skb.data + 24
        token = skb.bytes.u8(at: body + 2)
        let capab = skb.bytes.u16le(at: body + 3)
        policy = Int(capab >> 1 & 1)
        tid = Int(capab >> 2 & 0xf)
        bufferSize = Int(capab >> 6)
        timeout = skb.bytes.u16le(at: body + 5)
        ssn = skb.bytes.u16le(at: body + 7) >> 4
    }
}
