// Mirrors net/ipv4/tcp_input.c (Linux 6.1): the TCP state machine on receive (RFC 9293 §3.10.7).
// Not modeled: PAWS (RFC 7323 timestamps), the SACK scoreboard (SACK blocks tell D-SACKs and whether data above a hole
// was reported, and the congestion state follows from them and the retransmissions the capture shows), the namespace-wide challenge ACK limit
// (`tcp_challenge_ack_limit`: 1000 a second in 4.14, unlimited by default since 6.0), congestion
// control, out-of-order queueing, receive-buffer pruning, delayed-ACK timing (the capture shows the
// ACKs). The receive window is the one the host last advertised in the capture; a connection whose
// handshake the capture did not show has no known window, and its segments are taken as in-window.
import Trace
import Wire

/// Functions modeled from `net/ipv4/tcp_input.c`, in the file's order.
public enum tcp_input: String, KernelSourceFile {
    public static let path = "net/ipv4/tcp_input.c"
    case tcp_simple_retransmit, tcp_oow_rate_limited, tcp_send_challenge_ack, tcp_sequence, tcp_fin, tcp_send_dupack, tcp_queue_rcv,
        tcp_data_queue, tcp_enter_loss, tcp_ack, tcp_done_with_error, tcp_reset, tcp_validate_incoming, tcp_rcv_established, tcp_rcv_state_process,
        tcp_rcv_synsent_state_process, tcp_finish_connect,
        tcp_syn_flood_action, tcp_conn_request, tcp_sacktag_write_queue, tcp_sacktag_walk, tcp_shift_skb_data, tcp_shifted_skb, tcp_match_skb_to_sack,
        tcp_sacktag_one
}

extension Kernel {
    /// After the MSS shrank (a packet too big), marks lost the segments in flight that are now too large and
    /// sends them again at once, in smaller segments (`tcp_xmit_retransmit_queue`): the capture shows them
    /// leave after this frame, which caused them.
    func tcp_simple_retransmit(tuple t: FourTuple) {
        traced(tcp_input.tcp_simple_retransmit) {
            guard sockets.unacked[t]?.isEmpty == false else { return }
            sockets.tcp[t]?.lostBy = currentFrame
            tracer.note("segments in flight larger than the new MSS marked lost and sent again: see the transmitted frames")
        }
    }

    /// Discards a segment TCP will not use (a static helper the build inlines, not recorded): a drop
    /// for `reason` since 5.17; 4.14's `tcp_drop` frees it with `__kfree_skb`, which the
    /// `skb:kfree_skb` tracepoint does not see, so only the dropping function is known.
    func tcp_drop_reason(_ skb: inout SKBuff, _ reason: SKBDropReason) {
        guard !profile.namesDropReasons else {
            kfree_skb_reason(&skb, reason)
            return
        }
        let dropper = tracer.caller
        __kfree_skb(&skb)
        if let dropper { tracer.drop(nil, in: dropper) }
        outcome.drop(reason: nil, by: dropper)
    }

    /// Whether an answer to a segment outside the window must be skipped (`tcp_invalid_ratelimit`,
    /// 500 ms by default, per socket): segments carrying data (without SYN) are always answered; the
    /// others at most once per interval, counted in `mib` when skipped. The interval's clock is the
    /// socket's `last_oow_ack_time`, shared with challenge ACKs.
    func tcp_oow_rate_limited(_ skb: SKBuff, tuple t: FourTuple, mib: StaticString) -> Bool {
        traced(tcp_input.tcp_oow_rate_limited) {
            if tcpSegmentLength(skb) > 0, skb.tcp_hdr()?.flags.contains(.syn) == false { return false }
            return oowRateLimited(t, mib: mib)
        }
    }

    /// `__tcp_oow_rate_limited` (inlined): skips when the socket answered out of window less than
    /// `tcp_invalid_ratelimit` ago, else takes the time of this answer.
    func oowRateLimited(_ t: FourTuple, mib: StaticString) -> Bool {
        let interval = Int64(sysctl.tcp_invalid_ratelimit).clampedMultiplied(by: 1_000_000)
        if let last = sockets.tcp[t]?.lastOowAck, now - last >= 0, now - last < interval {
            tracer.note("answered a segment outside the window \((now - last) / 1_000_000) ms ago: no answer (tcp_invalid_ratelimit)")
            count(mib)
            return true
        }
        sockets.tcp[t]?.lastOowAck = now
        return false
    }

    /// Sends a challenge ACK (RFC 5961 §3.2, §4.2) for a RST or SYN that cannot be trusted, unless the
    /// socket's out-of-window rate limit holds it back.
    func tcp_send_challenge_ack(tuple t: FourTuple) {
        traced(tcp_input.tcp_send_challenge_ack) {
            guard !oowRateLimited(t, mib: "TcpExtTCPACKSkippedChallenge") else { return }
            count("TcpExtTCPChallengeACK")
            expectTransmit(.tcpAck(t), from: currentFrame)
            tracer.note("challenge ACK (rcv_nxt) built and sent: see the transmitted frame")
        }
    }

    /// The bytes of sequence space a segment takes: its data, plus one each for SYN and FIN.
    func tcpSegmentLength(_ skb: SKBuff) -> UInt32 {
        guard let th = skb.tcp_hdr() else { return 0 }
        return UInt32(tcpDataLength(skb, th)) &+ (th.flags.contains(.syn) ? 1 : 0) &+ (th.flags.contains(.fin) ? 1 : 0)
    }

    /// Whether a segment lies in the receive window (RFC 9293 §3.10.7.4): it must not end before
    /// `rcv_wup` (the edge last advertised) nor start beyond `rcv_nxt` plus the window still open.
    /// Returns the drop reason when it does not: 6.12 tells a segment wholly before the window
    /// (`TCP_OLD_SEQUENCE`) from one beyond it (`TCP_INVALID_SEQUENCE`); 4.14 and 6.1 return only
    /// false, which `tcp_validate_incoming` drops as `TCP_INVALID_SEQUENCE`.
    func tcp_sequence(_ skb: SKBuff, tuple t: FourTuple) -> SKBDropReason? {
        traced(tcp_input.tcp_sequence) {
            guard let c = sockets.tcp[t], let next = c.rcvNxt, let th = skb.tcp_hdr() else { return nil }
            let wup = c.rcvWup ?? next
            let seq = th.sequence
            let end = seq &+ tcpSegmentLength(skb)
            if Int32(bitPattern: end &- wup) < 0 {
                tracer.note("segment ends at \(end), before the window's left edge \(wup) (rcv_wup)")
                return profile.version >= .v6_12 ? .TCP_OLD_SEQUENCE : .TCP_INVALID_SEQUENCE
            }
            // The right edge needs the window, unknown without the handshake's scale.
            guard let wnd = c.rcvWnd else { return nil }
            // tcp_receive_window: what is left of the advertised window past rcv_nxt.
            let open = max(0, Int64(Int32(bitPattern: wup &+ wnd &- next)))
            if Int32(bitPattern: seq &- (next &+ UInt32(open))) > 0 {
                tracer.note("segment starts at \(seq), beyond rcv_nxt \(next) + window \(open)")
                return .TCP_INVALID_SEQUENCE
            }
            return nil
        }
    }

    /// Handles a FIN: moves the connection towards closing.
    func tcp_fin(tuple t: FourTuple) {
        traced(tcp_input.tcp_fin) {
            guard let c = sockets.tcp[t] else { return }
            let next: TCPState? =
                switch c.state {
                case .TCP_SYN_RECV, .TCP_ESTABLISHED: .TCP_CLOSE_WAIT
                case .TCP_FIN_WAIT1: .TCP_CLOSING
                case .TCP_FIN_WAIT2: .TCP_TIME_WAIT
                default: nil
                }
            if let next { setState(t, next) }
        }
    }

    /// Answers a segment outside the window with an ACK of what the host expects (RFC 9293
    /// §3.10.7.4). One that takes sequence space and starts before `rcv_nxt` is a retransmission of
    /// data already received: `TcpExtDelayedACKLost`, and the ACK reports it in a D-SACK block
    /// (`tcp_dsack_set`, up to `rcv_nxt`).
    func tcp_send_dupack(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_input.tcp_send_dupack) {
            if let th = skb.tcp_hdr(), tcpSegmentLength(skb) != 0, let next = sockets.tcp[t]?.rcvNxt,
                Int32(bitPattern: th.sequence &- next) < 0
            {
                count("TcpExtDelayedACKLost")
                tcpDsackSet(tuple: t, seq: th.sequence)
            }
            expectTransmit(.tcpAck(t), from: currentFrame)
            tracer.note("duplicate ACK (rcv_nxt) built and sent: see the transmitted frame")
        }
    }

    /// Appends in-order data to the socket's receive queue (the fast path's delivery).
    func tcp_queue_rcv(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_input.tcp_queue_rcv) { tcpTryCoalesce(tuple: t) }
    }

    /// How long the model takes an application to read what arrived (a task woken by the data, which
    /// reads at once): while a segment arrives sooner after the one before, that one is taken to be unread.
    static let readLatency: Int64 = 100_000

    /// `tcp_try_coalesce` (static), from `tcp_queue_rcv`: in-order data (or a FIN) merges into the last skb
    /// of the receive queue when the application has not read it yet (`TcpExtTCPRcvCoalesce`). The
    /// capture does not show the reads: the model takes the queue to hold the previous segment for
    /// ``readLatency`` after it arrived, and to be empty after that or once the host sent new data or
    /// its FIN (the application ran).
    func tcpTryCoalesce(tuple t: FourTuple) {
        if let last = sockets.tcp[t]?.lastQueued, now - last >= 0, now - last < Self.readLatency {
            tracer.note("the previous segment is still unread \((now - last) / 1000) µs after it arrived: merged into it (tcp_try_coalesce)")
            count("TcpExtTCPRcvCoalesce")
        }
        sockets.tcp[t]?.lastQueued = now
    }

    /// Queues in-order data (and a FIN) for the socket, and turns header prediction on again
    /// (`tcp_fast_path_check`); a segment with neither is freed, one wholly below the next expected
    /// sequence number is old data (a retransmission already received).
    func tcp_data_queue(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_input.tcp_data_queue) {
            guard let th = skb.tcp_hdr() else { return }
            let dataLength = skb.len - (skb.transport_header - skb.data) - th.headerLength
            let end = th.sequence &+ UInt32(max(0, dataLength)) &+ (th.flags.contains(.fin) ? 1 : 0)
            if dataLength > 0 || th.flags.contains(.fin), let next = sockets.tcp[t]?.rcvNxt,
                Int32(bitPattern: end &- next) <= 0
            {
                tracer.note("segment ends at or before rcv_nxt: old data, a duplicate ACK (D-SACK) answers")
                count("TcpExtDelayedACKLost")
                tcpDsackSet(tuple: t, seq: th.sequence)
                expectTransmit(.tcpAck(t), from: currentFrame)
                tcp_drop_reason(&skb, .TCP_OLD_DATA)
                return
            }
            if dataLength > 0 || th.flags.contains(.fin) {
                if let next = sockets.tcp[t]?.rcvNxt, Int32(bitPattern: th.sequence &- next) < 0 {
                    tracer.note("segment starts before rcv_nxt \(next): its old head is reported in a D-SACK block")
                    tcpDsackSet(tuple: t, seq: th.sequence)
                }
                sockets.tcp[t]?.rcvNxt = end
                tcpFastPathCheck(tuple: t, th)
                // tcp_queue_rcv (not shown on this path).
                tcpTryCoalesce(tuple: t)
            }
            // New data is acknowledged (tcp_ack_snd_check), now or by the delayed-ACK timer.
            if dataLength > 0 { expectTransmit(.tcpAck(t), from: currentFrame) }
            if th.flags.contains(.fin) {
                tcp_fin(tuple: t)
            } else if dataLength <= 0 {
                __kfree_skb(&skb)
            }
        }
    }

    /// `tcp_dsack_set` (static): when the connection agreed on SACK and `net.ipv4.tcp_dsack` is on,
    /// the next ACK carries a D-SACK block for the duplicate starting at `seq`, counted as old
    /// (`TcpExtTCPDSACKOldSent`, before `rcv_nxt`) or out of order (`TcpExtTCPDSACKOfoSent`). A
    /// connection whose handshake the capture did not show is taken to have agreed, as Linux peers
    /// with the default sysctls do.
    private func tcpDsackSet(tuple t: FourTuple, seq: UInt32) {
        guard let c = sockets.tcp[t], c.sackOK ?? true, sysctl.tcp_dsack else { return }
        let old = c.rcvNxt.map { Int32(bitPattern: seq &- $0) < 0 } ?? true
        count(old ? "TcpExtTCPDSACKOldSent" : "TcpExtTCPDSACKOfoSent")
    }

    /// Whether a SYN or SYN-ACK makes SACK agreed (`tcp_parse_options`: the option counts only while
    /// the host's `net.ipv4.tcp_sack` is on, which is also what made the host offer it in its SYN).
    func sackAgreed(_ th: TCPPacket) -> Bool {
        th.sackPermitted && sysctl.tcp_sack
    }

    /// Whether a retransmission of the segment ending at `end` is a tail loss probe: `tcp_schedule_loss_probe`
    /// arms the probe instead of the retransmission timer on a connection that agreed on SACK (taken as
    /// agreed when the capture missed the handshake), with `net.ipv4.tcp_early_retrans` 3 or 4 (the
    /// default 3), in the open state (no retransmission by the timer since `snd_una` last advanced, no
    /// segments marked lost, no data SACKed above a hole, which is `TCP_CA_Disorder`) and no probe
    /// outstanding; the probe resends the last segment sent.
    func tailLossProbe(tuple t: FourTuple, end: UInt32) -> Bool {
        guard let c = sockets.tcp[t], c.sackOK ?? true, c.lostBy == nil, c.icskRetransmits == 0, c.tlpHighSeq == nil,
              c.caState == .TCP_CA_Open, c.sackedBy == nil
        else { return false }
        let earlyRetrans = sysctl.tcp_early_retrans
        return (earlyRetrans == 3 || earlyRetrans == 4) && end == c.sndNxt
    }

    /// `tcp_process_tlp_ack` (static): settles an outstanding tail loss probe once the acknowledgment
    /// reaches `tlp_high_seq`. An ACK carrying a D-SACK says the original and the probe both arrived
    /// (4.14 `FLAG_DSACKING_ACK`, from 6.1 `FLAG_DSACK_TLP`, taken here as any D-SACK); one beyond it
    /// says the probe repaired a loss (`TcpExtTCPLossProbeRecovery`, and the congestion window is reduced);
    /// a pure duplicate ACK at it (no data, no window change, nothing newly acknowledged) says nothing was lost.
    private func tcpProcessTlpAck(_ skb: SKBuff, _ th: TCPPacket, tuple t: FourTuple, advanced: Bool, windowChanged: Bool) {
        guard let high = sockets.tcp[t]?.tlpHighSeq, Int32(bitPattern: th.acknowledgment &- high) >= 0 else { return }
        let dsack = th.firstSackBlock.map { Int32(bitPattern: $0.start &- th.acknowledgment) < 0 } ?? false
        if dsack {
            sockets.tcp[t]?.tlpHighSeq = nil
        } else if th.acknowledgment != high {
            count("TcpExtTCPLossProbeRecovery")
            sockets.tcp[t]?.tlpHighSeq = nil
        } else if !advanced, !windowChanged, tcpSegmentLength(skb) == 0 {
            sockets.tcp[t]?.tlpHighSeq = nil
        }
    }

    /// Sends the connection into `TCP_CA_Loss` when its retransmission timer expired (`tcp_timeout_mark_lost`
    /// marks every segment in flight lost): a segment already sent again since recovery or loss began is a
    /// retransmission lost again (`TcpExtTCPLostRetransmit`); the loss lasts until `snd_una` reaches
    /// `high_seq`, `snd_nxt` now. Entering from another state starts a new episode of retransmissions.
    func tcp_enter_loss(tuple t: FourTuple, seq: UInt32) {
        traced(tcp_input.tcp_enter_loss) {
            guard let c = sockets.tcp[t] else { return }
            if c.caState != .TCP_CA_Loss {
                sockets.tcp[t]?.retransHigh = c.caState == .TCP_CA_Recovery ? c.retransHigh : nil
                sockets.tcp[t]?.retransStamp = nil
                // tcp_init_undo, from a state that had none under way.
                if c.caState != .TCP_CA_Recovery || c.undoMarker == nil { sockets.tcp[t]?.undoMarker = c.sndUna }
            }
            if let high = sockets.tcp[t]?.retransHigh, Int32(bitPattern: seq &- high) < 0 {
                count("TcpExtTCPLostRetransmit")
            }
            sockets.tcp[t]?.caState = .TCP_CA_Loss
            sockets.tcp[t]?.highSeq = c.sndNxt
            sockets.tcp[t]?.ackedInLoss = false
        }
    }

    /// `tcp_enter_recovery` (from `tcp_fastretrans_alert`, static): the peer's SACKs showed data lost, and
    /// the connection starts fast recovery until `snd_una` reaches `high_seq`, `snd_nxt` now; counted in
    /// `TcpExtTCPSackRecovery` (`TcpExtTCPRenoRecovery` without SACK, which the model does not reach: it
    /// tells loss only from SACK blocks).
    func tcpEnterRecovery(tuple t: FourTuple) {
        count("TcpExtTCPSackRecovery")
        let sndNxt = sockets.tcp[t]?.sndNxt
        let una = sockets.tcp[t]?.sndUna
        sockets.tcp[t]?.undoMarker = una
        sockets.tcp[t]?.caState = .TCP_CA_Recovery
        sockets.tcp[t]?.highSeq = sndNxt
        sockets.tcp[t]?.retransHigh = nil
        sockets.tcp[t]?.retransStamp = nil
    }

    /// The SACK blocks of an acknowledgment (`tcp_sacktag_write_queue`, on connections that agreed on
    /// SACK). A first block below the acknowledgment reports a duplicate (`tcp_check_dsack`:
    /// `TcpExtTCPDSACKRecv`), as does a first block inside the second (`TcpExtTCPDSACKOfoRecv`); from 6.1
    /// its segments (its length over the MSS, at least one) count in `TcpExtTCPDSACKRecvSegs` and as
    /// delivered (`tcp_dsack_seen`). Another block above the acknowledgment reports data received beyond a
    /// hole: the frame is remembered until an ACK reports none. The blocks then tag the retransmission
    /// queue (``TCPSackScoreboard``), `snd_una` already moved to an acknowledgment that `advanced` it.
    private func tcp_sacktag_write_queue(_ th: TCPPacket, tuple t: FourTuple, advanced: Bool) {
        guard let c = sockets.tcp[t], c.sackOK ?? true else { return }
        let blocks = th.sackBlocks
        // Without a SACK option tcp_ack does not call it (TCP_SKB_CB(skb)->sacked is 0).
        guard !blocks.isEmpty else {
            sockets.tcp[t]?.sackedBy = nil
            return
        }
        traced(tcp_input.tcp_sacktag_write_queue) { sacktagWriteQueue(th, blocks, tuple: t, connection: c, advanced: advanced) }
    }

    private func sacktagWriteQueue(_ th: TCPPacket, _ blocks: [(start: UInt32, end: UInt32)], tuple t: FourTuple,
                                   connection c: TCPConnection, advanced: Bool) {
        let ack = th.acknowledgment
        var dsack = false
        if let first = blocks.first {
            if Int32(bitPattern: first.start &- ack) < 0 {
                count("TcpExtTCPDSACKRecv")
                dsack = true
            } else if blocks.count > 1, Int32(bitPattern: first.end &- blocks[1].end) <= 0,
                      Int32(bitPattern: first.start &- blocks[1].start) >= 0 {
                count("TcpExtTCPDSACKOfoRecv")
                dsack = true
            }
            if dsack, profile.version >= .v6_1 {
                let length = Int(first.end &- first.start)
                let segments = c.mssCache > 0 && length > c.mssCache ? (length + c.mssCache - 1) / c.mssCache : 1
                count("TcpExtTCPDSACKRecvSegs", segments)
                count("TcpExtTCPDelivered", segments)
            }
        }
        let above = blocks.dropFirst(dsack ? 1 : 0).contains { Int32(bitPattern: $0.end &- ack) > 0 }
        sockets.tcp[t]?.sackedBy = above ? currentFrame : nil
        guard let prior = c.sndUna, let nxt = c.sndNxt, sockets.sackScoreboards[t] != nil else { return }
        let tagged = sockets.sackScoreboards[t]?.sacktag(
            blocks: blocks.map { ($0.start, $0.end) }, ack: ack, dsack: dsack, priorUna: prior, una: advanced ? ack : prior,
            nxt: nxt, undoMarker: c.undoMarker, maxWindow: max(c.sndWnd ?? 0, 65_535)) { [unowned self] frame, body in
                switch frame {
                case .tcp_sacktag_walk: traced(tcp_input.tcp_sacktag_walk, body)
                case .tcp_shift_skb_data: traced(tcp_input.tcp_shift_skb_data, inline: true, body)
                case .tcp_shifted_skb: traced(tcp_input.tcp_shifted_skb, body)
                case .tcp_match_skb_to_sack: traced(tcp_input.tcp_match_skb_to_sack, body)
                case .tcp_sacktag_one: traced(tcp_input.tcp_sacktag_one, body)
                case .tcp_fragment: traced(tcp_output.tcp_fragment, body)
                }
            } ?? TCPSackTagCounts()
        if tagged.shiftFallback > 0 { count("TcpExtTCPSackShiftFallback", tagged.shiftFallback) }
        if tagged.shifted > 0 { count("TcpExtTCPSackShifted", tagged.shifted) }
        if tagged.merged > 0 { count("TcpExtTCPSackMerged", tagged.merged) }
    }

    /// What an acknowledgment that advanced `snd_una` does to a recovery or loss (`tcp_fastretrans_alert`,
    /// `tcp_process_loss`), and to RACK (`tcp_rack_advance`: covering a segment sent again). In loss the next retransmission leaves on it; the loss is undone
    /// (`TcpExtTCPLossUndo`, `tcp_try_undo_loss`) when the ACK echoes a timestamp older than the first
    /// retransmission (`tcp_packet_delayed`: the original arrived), or, with F-RTO on
    /// (`net.ipv4.tcp_frto`, default 2), when it acknowledges data never sent again (the timeout was
    /// spurious: also `TcpExtTCPSpuriousRTOs`). Reaching `high_seq` ends either episode
    /// (`tcp_try_undo_recovery`; a recovery whose first retransmission the ACK proves needless counts
    /// `TcpExtTCPFullUndo`).
    private func tcpRecoveryAck(_ th: TCPPacket, tuple t: FourTuple) {
        guard let c = sockets.tcp[t] else { return }
        let ack = th.acknowledgment
        if let resent = c.oldestResent, Int32(bitPattern: ack &- resent.end) >= 0 {
            sockets.tcp[t]?.rackLostBelow = resent.sndNxt
            sockets.tcp[t]?.oldestResent = nil
        }
        guard c.caState != .TCP_CA_Open else { return }
        let delayed = c.retransStamp.map { stamp in
            th.timestampEcho.map { $0 != 0 && Int32(bitPattern: $0 &- stamp) < 0 } ?? false
        } ?? false
        let recovered = c.highSeq.map { Int32(bitPattern: ack &- $0) >= 0 } ?? true
        if c.caState == .TCP_CA_Loss {
            sockets.tcp[t]?.ackedInLoss = true
            let frto = sysctl.tcp_frto != 0
            let neverResent = c.retransHigh.map { Int32(bitPattern: ack &- $0) > 0 } ?? false
            if delayed || (frto && neverResent) {
                tracer.note(delayed ? "the ACK echoes a timestamp older than the first retransmission: loss undone"
                    : "the ACK covers data never sent again: the timeout was spurious (F-RTO), loss undone")
                count("TcpExtTCPLossUndo")
                sockets.tcp[t]?.undoMarker = nil
                if !delayed { count("TcpExtTCPSpuriousRTOs") }
                sockets.tcp[t]?.caState = .TCP_CA_Open
                sockets.tcp[t]?.icskRetransmits = 0
            } else if recovered {
                sockets.tcp[t]?.caState = .TCP_CA_Open
            }
        } else if recovered {
            if delayed {
                count("TcpExtTCPFullUndo")
                sockets.tcp[t]?.undoMarker = nil
            }
            sockets.tcp[t]?.caState = .TCP_CA_Open
        }
    }

    /// Processes an acknowledgment: an ACK of our FIN advances the closing states. Called with
    /// `slowPath` (`FLAG_SLOWPATH`) from everywhere but the fast path of `tcp_rcv_established`: an ACK
    /// that advances `snd_una` there is a header-prediction ACK (`TcpExtTCPHPAcks`); any other that is
    /// neither older than `snd_una` nor beyond `snd_nxt` counts `TcpExtTCPPureAcks` when the segment
    /// takes no sequence space, and may update the peer's window.
    func tcp_ack(_ skb: inout SKBuff, tuple t: FourTuple, slowPath: Bool = true) {
        traced(tcp_input.tcp_ack, &skb) { skb in
            guard let c = sockets.tcp[t], let th = skb.tcp_hdr(), th.flags.contains(.ack) else { return }
            let ack = th.acknowledgment
            let old = c.sndUna.map { Int32(bitPattern: ack &- $0) < 0 } ?? false
            let unsent = c.sndNxt.map { Int32(bitPattern: ack &- $0) > 0 } ?? false
            if !old, !unsent {
                // Without a known snd_una the capture showed nothing for this ACK to advance over.
                let advanced = c.sndUna.map { Int32(bitPattern: ack &- $0) > 0 } ?? false
                if slowPath { tcp_sacktag_write_queue(th, tuple: t, advanced: advanced) }
                if advanced { sockets.tcp[t]?.icskRetransmits = 0 }
                if !slowPath, advanced {
                    sockets.tcp[t]?.sndWl1 = th.sequence
                    count("TcpExtTCPHPAcks")
                } else {
                    if tcpSegmentLength(skb) == 0 { count("TcpExtTCPPureAcks") }
                    tcpAckUpdateWindow(th, tuple: t, advanced: advanced)
                }
                tcpProcessTlpAck(skb, th, tuple: t, advanced: advanced, windowChanged: sockets.tcp[t]?.sndWnd != c.sndWnd)
                if advanced { tcpRecoveryAck(th, tuple: t) }
            }
            countNewlyDelivered(t, ack: ack)
            if let una = sockets.tcp[t]?.sndUna { sockets.sackScoreboards[t]?.acknowledged(to: una) }
            let finAcked = c.sndNxt.map { ack == $0 } ?? true
            switch c.state {
            case .TCP_SYN_RECV:
                setState(t, .TCP_ESTABLISHED)
                // The SYN_RECV case of tcp_rcv_state_process takes the window of this ACK and turns
                // header prediction on (tcp_fast_path_on).
                let scale = UInt32(sockets.tcp[t]?.sndWscale ?? 0)
                sockets.tcp[t]?.sndWnd = UInt32(th.window) << scale
                sockets.tcp[t]?.sndWl1 = th.sequence
                tcpFastPathCheck(tuple: t, th)
            case .TCP_FIN_WAIT1 where finAcked: setState(t, .TCP_FIN_WAIT2)
            case .TCP_CLOSING where finAcked: setState(t, .TCP_TIME_WAIT)
            case .TCP_LAST_ACK where finAcked:
                sockets.removeConnection(t)
                tracer.state("socket \(t) TCP_LAST_ACK -> TCP_CLOSE")
            default: break
            }
        }
    }

    /// `tcp_ack_update_window` (static, inlined): takes the segment's window when it is newer than the
    /// one held (`tcp_may_update_window`: the ACK advances, the segment is later than `snd_wl1`, or it
    /// is as old and opens the window wider); a changed window turns header prediction off and checks
    /// it on again with the new window (`tcp_fast_path_check`).
    private func tcpAckUpdateWindow(_ th: TCPPacket, tuple t: FourTuple, advanced: Bool) {
        guard let c = sockets.tcp[t] else { return }
        let nwin = UInt32(th.window) << (th.flags.contains(.syn) ? 0 : UInt32(c.sndWscale))
        guard let wnd = c.sndWnd, let wl1 = c.sndWl1 else {
            sockets.tcp[t]?.sndWnd = nwin
            sockets.tcp[t]?.sndWl1 = th.sequence
            return
        }
        let later = Int32(bitPattern: th.sequence &- wl1)
        guard advanced || later > 0 || (later == 0 && (nwin > wnd || nwin == 0)) else { return }
        sockets.tcp[t]?.sndWl1 = th.sequence
        if nwin != wnd {
            sockets.tcp[t]?.sndWnd = nwin
            sockets.tcp[t]?.prediction = .off
            tcpFastPathCheck(tuple: t, th)
        }
    }

    /// `tcp_fast_path_check` (include/net/tcp.h): turns header prediction on for the peer's window
    /// while the host's own receive window is open (the model keeps no out-of-order queue, urgent data
    /// or receive-buffer limit, the function's other conditions). The header length is the connection's
    /// (`tcp_header_len`), or the segment's when the capture did not show the handshake.
    func tcpFastPathCheck(tuple t: FourTuple, _ th: TCPPacket) {
        guard let c = sockets.tcp[t], c.rcvWnd != 0, let wnd = c.sndWnd else { return }
        let headerLength = c.tstampOK.map { $0 ? TCPPacket.minimumHeaderLength + 12 : TCPPacket.minimumHeaderLength }
            ?? th.headerLength
        sockets.tcp[t]?.prediction = .on(headerLength: headerLength, window: UInt16(truncatingIfNeeded: wnd >> UInt32(c.sndWscale)))
    }

    /// Ends a connection with an error (6.1 and later; 4.14's callers set `sk_err` and call `tcp_done`
    /// themselves): the error becomes the socket's next one (`sk_err`, reported with
    /// `sk_error_report`), what was queued to send is discarded and the connection is done.
    func tcp_done_with_error(tuple t: FourTuple, errno: String) {
        traced(tcp_input.tcp_done_with_error) {
            tracer.note("sk_err = \(errno), the unsent queue purged")
            tcp_done(tuple: t)
        }
    }

    /// Handles a valid RST: the connection ends with the error its state gives (`tcp_done_with_error`;
    /// 4.14 does the same in place).
    func tcp_reset(tuple t: FourTuple) {
        traced(tcp_input.tcp_reset) {
            guard let state = sockets.tcp[t]?.state else { return }
            let errno = switch state {
            case .TCP_SYN_SENT: "ECONNREFUSED"
            case .TCP_CLOSE_WAIT: "EPIPE"
            default: "ECONNRESET"
            }
            tcp_done_with_error(tuple: t, errno: errno)
        }
    }

    /// Checks a segment against the connection before it is processed (RFC 9293 §3.10.7.4, RFC 5961).
    /// Outside the window (`tcp_sequence`) it is dropped, answered with a duplicate ACK unless it is a
    /// RST (a SYN gets a challenge ACK instead); a RST at `rcv_nxt` (or one short of it after the
    /// peer's FIN, `tcp_reset_check`) resets the connection, elsewhere in the window it gets a challenge
    /// ACK and is dropped (`TCP_RESET`); a SYN gets a challenge ACK and is dropped (`TCP_INVALID_SYN`),
    /// counted in `TcpInErrs` on the established path (`synInErr`). Returns false when it was consumed.
    func tcp_validate_incoming(_ skb: inout SKBuff, tuple t: FourTuple, synInErr: Bool) -> Bool {
        traced(tcp_input.tcp_validate_incoming) {
            guard let th = skb.tcp_hdr() else { return true }
            let rst = th.flags.contains(.rst), syn = th.flags.contains(.syn)
            let next = sockets.tcp[t]?.rcvNxt
            // tcp_reset_check: a RST one short of rcv_nxt once the peer's FIN was taken.
            let resetCheck = next.map { th.sequence == $0 &- 1 } == true
                && [.TCP_CLOSE_WAIT, .TCP_LAST_ACK, .TCP_CLOSING].contains(sockets.tcp[t]?.state)
            if let reason = tcp_sequence(skb, tuple: t) {
                if rst, resetCheck {
                    tcp_reset(tuple: t)
                    __kfree_skb(&skb)
                    return false
                }
                if !rst {
                    if syn { return synChallenge(&skb, tuple: t, synInErr: synInErr) }
                    if !tcp_oow_rate_limited(skb, tuple: t, mib: "TcpExtTCPACKSkippedSeq") { tcp_send_dupack(&skb, tuple: t) }
                } else {
                    tracer.note("RST outside the window: dropped without an answer")
                }
                tcp_drop_reason(&skb, reason)
                return false
            }
            if rst {
                if next == nil || th.sequence == next || resetCheck {
                    tcp_reset(tuple: t)
                    __kfree_skb(&skb)
                    return false
                }
                tracer.note("RST in the window but not at rcv_nxt \(next ?? 0): challenge ACK (RFC 5961 §3.2)")
                tcp_send_challenge_ack(tuple: t)
                tcp_drop_reason(&skb, .TCP_RESET)
                return false
            }
            if syn { return synChallenge(&skb, tuple: t, synInErr: synInErr) }
            return true
        }
    }

    /// A SYN on a synchronized connection (RFC 5961 §4.2): challenge ACK, drop (`TCP_INVALID_SYN`; 4.14
    /// names no reason). Always returns false, for `tcp_validate_incoming` to return.
    private func synChallenge(_ skb: inout SKBuff, tuple t: FourTuple, synInErr: Bool) -> Bool {
        tracer.note("SYN on a synchronized connection: challenge ACK (RFC 5961 §4.2)")
        if synInErr { count("TcpInErrs") }
        count("TcpExtTCPSYNChallenge")
        tcp_send_challenge_ack(tuple: t)
        tcp_drop_reason(&skb, .TCP_INVALID_SYN)
        return false
    }

    /// The established-state receive: the header-prediction fast path for in-order ACKs and data, or
    /// the slow path through validation, ACK processing and the data queue.
    func tcp_rcv_established(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_input.tcp_rcv_established, &skb) { skb in
            guard let th = skb.tcp_hdr() else { return }
            let dataLength = tcpDataLength(skb, th)
            if droppedForBadChecksum(&skb) {
                return
            }
            sockets.tcp[t]?.hasRxDst = true
            if headerPredicted(th, tuple: t) {
                let end = th.sequence &+ UInt32(max(0, dataLength))
                if dataLength == 0 {
                    tracer.note("fast path: pure ACK")
                    tcp_ack(&skb, tuple: t, slowPath: false)
                    __kfree_skb(&skb)
                    return
                }
                if fitsForwardAlloc(dataLength, tuple: t) {
                    tracer.note("fast path: in-order data")
                    count("TcpExtTCPHPHits")
                    sockets.tcp[t]?.rcvNxt = end
                    tcp_queue_rcv(&skb, tuple: t)
                    // An ACK that moves nothing only updates snd_wl1 (tcp_update_wl).
                    if th.acknowledgment != sockets.tcp[t]?.sndUna {
                        tcp_ack(&skb, tuple: t, slowPath: false)
                    } else {
                        sockets.tcp[t]?.sndWl1 = th.sequence
                    }
                    expectTransmit(.tcpAck(t), from: currentFrame)
                    return
                }
                // step5: validated by the prediction, queued through the slow path's functions.
                tracer.note("predicted, but the socket's receive memory (sk_forward_alloc) cannot hold it: slow path")
            } else {
                tracer.note("slow path: flags [\(th.flags)]")
                guard tcp_validate_incoming(&skb, tuple: t, synInErr: true) else { return }
            }
            tcp_ack(&skb, tuple: t)
            tcp_data_queue(&skb, tuple: t)
        }
    }

    /// Whether a segment takes the fast path of `tcp_rcv_established`: its flags (PSH aside), data
    /// offset and window are the predicted ones, it starts at `rcv_nxt` (a connection the capture
    /// joined midway takes its first segment as in order), its ACK is not beyond `snd_nxt` (nor,
    /// from 6.1, before `snd_una`), and a 32-byte header holds the aligned timestamps option (PAWS,
    /// the TSval check that follows, is not modeled).
    private func headerPredicted(_ th: TCPPacket, tuple t: FourTuple) -> Bool {
        guard let c = sockets.tcp[t], th.flags.subtracting(.psh) == .ack, th.sequence == c.rcvNxt ?? th.sequence else {
            return false
        }
        let headerLength: Int
        switch c.prediction {
        case .off: return false
        case .unknown: headerLength = th.headerLength
        case let .on(length, window):
            guard th.headerLength == length, th.window == window else { return false }
            headerLength = length
        }
        let ack = th.acknowledgment
        if let nxt = c.sndNxt, Int32(bitPattern: ack &- nxt) > 0 { return false }
        if profile.version >= .v6_1, let una = c.sndUna, Int32(bitPattern: ack &- una) < 0 { return false }
        if headerLength == TCPPacket.minimumHeaderLength + 12, !th.hasAlignedTimestamp { return false }
        // A prediction the capture did not show is what this segment matched.
        if c.prediction == .unknown {
            sockets.tcp[t]?.prediction = .on(headerLength: headerLength, window: th.window)
            sockets.tcp[t]?.sndWnd = UInt32(th.window) << UInt32(c.sndWscale)
        }
        return true
    }

    /// The page size of the modeled hosts (x86-64's `PAGE_SIZE`), the unit socket memory is charged in.
    static let PAGE_SIZE = 4096

    /// Whether a predicted data segment fits the memory the socket has charged but not used
    /// (`skb->truesize` against `sk_forward_alloc`). Memory is charged in whole pages (the send side's
    /// `sk_wmem_schedule`, the receive side's `sk_rmem_schedule`) and each freeing returns whole pages
    /// at once (6.1 and 6.12: `sk_mem_uncharge` calls `sk_mem_reclaim`; 4.14 reclaims later, and is taken
    /// to behave alike), so what is left is less than a page, and
    /// nothing once every skb is freed. The model takes the application to read what arrives before the
    /// next segment (its reads are not in the capture): the socket then holds the remainder of the
    /// pages its unacknowledged segments were charged, and a small segment fits only while it holds some.
    private func fitsForwardAlloc(_ dataLength: Int, tuple t: FourTuple) -> Bool {
        sockets.unacked[t]?.isEmpty == false && dataLength < Self.PAGE_SIZE
    }

    /// A segment for a connection in SYN_SENT: a RST that acknowledges the SYN resets it, a SYN-ACK
    /// establishes it (true: the caller frees the segment), anything else is dropped.
    private func tcp_rcv_synsent_state_process(_ skb: inout SKBuff, _ th: TCPPacket, tuple t: FourTuple) -> Bool {
        traced(tcp_input.tcp_rcv_synsent_state_process, &skb) { skb in
            if th.flags.contains(.rst) && th.flags.contains(.ack) {
                tcp_reset(tuple: t)
                __kfree_skb(&skb)
                return false
            }
            guard th.flags.contains(.syn) && th.flags.contains(.ack) else {
                tcp_drop_reason(&skb, .NOT_SPECIFIED)
                return false
            }
            // The SYN is acknowledged (through tcp_ack, not followed here).
            countNewlyDelivered(t, ack: th.acknowledgment)
            // A SYN the timer sent again put the socket in loss, which this acknowledgment ends.
            sockets.tcp[t]?.caState = .TCP_CA_Open
            sockets.tcp[t]?.rcvNxt = th.sequence &+ 1
            // Scaling holds only when both ends offered it (RFC 7323 §2.2).
            if th.windowScale == nil { sockets.tcp[t]?.rcvWscale = 0 }
            sockets.tcp[t]?.sndWscale = th.windowScale ?? 0
            sockets.tcp[t]?.tstampOK = th.timestampValue != nil
            sockets.tcp[t]?.sackOK = sackAgreed(th)
            sockets.tcp[t]?.sndWnd = UInt32(th.window)
            sockets.tcp[t]?.sndWl1 = th.sequence
            tcp_finish_connect(th, tuple: t)
            expectTransmit(.tcpAck(t), from: currentFrame)
            return true
        }
    }

    /// The connection is established: the socket keeps the SYN-ACK's input route (`sk_rx_dst_set`, so
    /// that early demux routes what follows), and header prediction is on unless the peer scales its
    /// window.
    private func tcp_finish_connect(_ th: TCPPacket, tuple t: FourTuple) {
        traced(tcp_input.tcp_finish_connect) {
            setState(t, .TCP_ESTABLISHED)
            sockets.tcp[t]?.hasRxDst = true
            sockets.tcp[t]?.prediction = .off
            if th.windowScale == nil { tcpFastPathCheck(tuple: t, th) }
        }
    }

    /// The state machine for every state but ESTABLISHED (and TIME_WAIT/NEW_SYN_RECV, handled by mini
    /// sockets). Returns true when the caller must answer with a RST.
    func tcp_rcv_state_process(_ skb: inout SKBuff, tuple t: FourTuple, state: TCPState) -> Bool {
        traced(tcp_input.tcp_rcv_state_process) {
            guard let th = skb.tcp_hdr() else { return false }
            switch state {
            case .TCP_LISTEN:
                if th.flags.contains(.ack) {
                    tracer.note("ACK to a listener: answered with RST")
                    return true
                }
                if th.flags.contains(.rst) {
                    tcp_drop_reason(&skb, .TCP_RESET)
                    return false
                }
                guard th.flags.contains(.syn), !th.flags.contains(.fin) else {
                    tcp_drop_reason(&skb, .TCP_FLAGS)
                    return false
                }
                tcpConnRequest(&skb, tuple: t)
                consume_skb(&skb)
                return false
            case .TCP_SYN_SENT:
                // What tcp_rcv_synsent_state_process leaves ("-1": the SYN-ACK it took) is freed here,
                // "step 6 onward by hand".
                if tcp_rcv_synsent_state_process(&skb, th, tuple: t) { __kfree_skb(&skb) }
                return false
            default:
                guard tcp_validate_incoming(&skb, tuple: t, synInErr: false) else { return false }
                let before = sockets.tcp[t]?.state
                tcp_ack(&skb, tuple: t)
                let after = sockets.tcp[t]?.state
                // The ACK of our FIN ends LAST_ACK and CLOSING: the segment is used up.
                if (before == .TCP_LAST_ACK && after == nil) || (before == .TCP_CLOSING && after == .TCP_TIME_WAIT) {
                    __kfree_skb(&skb)
                    return false
                }
                switch after {
                case .TCP_CLOSE_WAIT, .TCP_CLOSING, .TCP_LAST_ACK:
                    // Nothing more to receive in these states: the segment is discarded.
                    tcp_drop_reason(&skb, .NOT_SPECIFIED)
                default:
                    tcp_data_queue(&skb, tuple: t)
                }
                return false
            }
        }
    }

    /// Creates a request socket for a SYN to a listener and answers with a SYN-ACK. With the SYN queue
    /// full (more request sockets than the listen backlog, `somaxconn` 4096 by default; 4.14: as many)
    /// or `tcp_syncookies` at 2, `tcp_syn_flood_action` decides: with syncookies on it answers with a
    /// cookie and keeps no state (the request is freed once its SYN-ACK is sent), otherwise the SYN is
    /// dropped.
    func tcp_conn_request(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_input.tcp_conn_request) {
            let syncookies = sysctl.tcp_syncookies
            let backlog = sysctl.somaxconn
            // inet_csk_reqsk_queue_is_full: `>=` in 4.14, `>` from 5.x on.
            let full = profile.version >= .v6_1 ? sockets.requestSockets > backlog : sockets.requestSockets >= backlog
            if syncookies == 2 || full {
                guard tcp_syn_flood_action(syncookies: syncookies, backlog: backlog) else {
                    count("TcpExtListenDrops")
                    return
                }
                tcpRouteReq(tuple: t, dev: skb.dev)
                // cookie_init_sequence (include/net/tcp.h, inline): counted, then the family's function.
                count("TcpExtSyncookiesSent")
                if t.isIPv6 { cookie_v6_init_sequence() } else { cookie_v4_init_sequence() }
                tracer.note("SYN cookie: no request socket is kept")
                tcpSendSynack(tuple: t)
                return
            }
            var req = TCPConnection(state: .TCP_NEW_SYN_RECV)
            req.hasRxDst = false
            if let th = skb.tcp_hdr() {
                req.rcvNxt = th.sequence &+ 1
                req.tstampOK = th.timestampValue != nil
                req.sackOK = sackAgreed(th)
                req.sndWscale = th.windowScale ?? 0
                req.sndWnd = UInt32(th.window)
                req.sndWl1 = th.sequence
            }
            sockets.setConnection(t, req)
            tracer.state("request socket created for \(t) (TCP_NEW_SYN_RECV)")
            tcpRouteReq(tuple: t, dev: skb.dev)
            tcpSendSynack(tuple: t)
        }
    }

    /// Decides what a listener whose SYN queue is full does with a SYN: a cookie when syncookies are
    /// on (`TcpExtTCPReqQFullDoCookies`), a drop otherwise (`TcpExtTCPReqQFullDrop`). Returns whether to
    /// send a cookie.
    func tcp_syn_flood_action(syncookies: Int, backlog: Int) -> Bool {
        traced(tcp_input.tcp_syn_flood_action) {
            if syncookies != 0 {
                count("TcpExtTCPReqQFullDoCookies")
                if syncookies != 2 { tracer.note("SYN queue full (\(backlog)): possible SYN flooding, sending cookies") }
                return true
            }
            count("TcpExtTCPReqQFullDrop")
            tracer.note("SYN queue full (\(backlog)) and syncookies off: the SYN is dropped")
            return false
        }
    }

    /// Moves a connection to `TCP_CLOSE`, out of the lookup tables, as `tcp_set_state` does, which counts
    /// `TcpEstabResets` when it leaves `ESTABLISHED` or `CLOSE_WAIT`: the end of every connection
    /// `tcp_done` ends, and of one the host resets itself.
    func closeConnection(_ t: FourTuple) {
        if let state = sockets.tcp[t]?.state, state == .TCP_ESTABLISHED || state == .TCP_CLOSE_WAIT {
            count("TcpEstabResets")
        }
        sockets.removeConnection(t)
    }

    /// Remembers a segment the host sent on `t` that the peer must acknowledge (SYN, new data, FIN).
    func queueUnacked(_ t: FourTuple, end: UInt32) {
        guard sockets.tcp[t] != nil else { return }
        func add(_ queue: inout [UInt32]) {
            if queue.count >= TCPConnection.unackedLimit { queue.removeFirst() }
            queue.append(end)
        }
        add(&sockets.unacked[t, default: []])
    }

    /// A segment from `seq` to `end` sent again in pieces of a smaller MSS (`tcp_fragment` of a segment
    /// marked lost): in what the peer must acknowledge, its end replaces the ends of the larger segments
    /// it cuts.
    func recutUnacked(_ t: FourTuple, seq: UInt32, end: UInt32) {
        guard var queue = sockets.unacked[t] else { return }
        queue.removeAll { Int32(bitPattern: $0 &- seq) > 0 && Int32(bitPattern: end &- $0) >= 0 }
        queue.insert(end, at: queue.firstIndex { Int32(bitPattern: $0 &- end) > 0 } ?? queue.count)
        if queue.count > TCPConnection.unackedLimit { queue.removeFirst() }
        sockets.unacked[t] = queue
    }

    /// The segments an acknowledgment `ack` covers for the first time leave the retransmission queue
    /// (`tcp_clean_rtx_queue` adds them to `tp->delivered`) and `tcp_newly_delivered` counts them as
    /// `TcpExtTCPDelivered`, from 6.1 (4.14 has no such counter).
    func countNewlyDelivered(_ t: FourTuple, ack: UInt32) {
        // snd_una moves up to an acknowledgment of data the host sent (tcp_snd_una_update).
        if let una = sockets.tcp[t]?.sndUna, let nxt = sockets.tcp[t]?.sndNxt,
           Int32(bitPattern: ack &- una) > 0, Int32(bitPattern: nxt &- ack) >= 0 {
            sockets.tcp[t]?.sndUna = ack
        }
        guard let queue = sockets.unacked[t], !queue.isEmpty else { return }
        let acked = queue.prefix { Int32(bitPattern: ack &- $0) >= 0 }.count
        guard acked > 0 else { return }
        sockets.unacked[t]?.removeFirst(acked)
        if profile.version >= .v6_1 { count("TcpExtTCPDelivered", acked) }
    }

    /// Moves a connection to `state`, saying so in the trace.
    ///
    /// Entering TIME_WAIT, the kernel hands the connection to a time-wait socket (`tcp_time_wait`, not
    /// modeled) and arms its timer: from 6.1 `__inet_twsk_schedule` (net/ipv4/inet_timewait_sock.c)
    /// counts `TcpExtTW` then; 4.14 counts it in `tw_timer_handler` when the timer ends, a minute on
    /// (after most captures: the model runs it after the last frame).
    func setState(_ t: FourTuple, _ state: TCPState) {
        guard let old = sockets.tcp[t]?.state, old != state else { return }
        if state == .TCP_TIME_WAIT {
            if profile.version >= .v6_1 { count("TcpExtTW") }
            if timeWaitTimers.count < SocketTable.connectionLimit {
                let expires = now.clampedAdding(Self.TCP_TIMEWAIT_LEN)
                timeWaitTimers.arm(t, expires: expires, armedBy: currentFrame)
            }
        }
        sockets.tcp[t]?.state = state
        tracer.state("socket \(t) \(old.rawValue) -> \(state.rawValue)")
    }
}
