// Mirrors net/ipv4/tcp_input.c (Linux 6.1): the TCP state machine on receive (RFC 9293 §3.10.7).
// Not modeled: sequence-window validation (segments are taken as in-window), SACK, congestion control,
// out-of-order queueing, receive-buffer pruning, delayed-ACK timing (the capture shows the ACKs).
import Trace
import Wire

/// Functions modeled from `net/ipv4/tcp_input.c`, in the file's order.
public enum tcp_input: String, KernelSourceFile {
    public static let path = "net/ipv4/tcp_input.c"
    case tcp_fin, tcp_queue_rcv, tcp_data_queue, tcp_ack, tcp_reset, tcp_validate_incoming, tcp_rcv_established,
        tcp_rcv_state_process,
        tcp_conn_request
}

extension Kernel {
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
        outcome.verdict = .drop
        outcome.dropReason = nil
        outcome.dropFunction = dropper?.function
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

    /// Appends in-order data to the socket's receive queue (the fast path's delivery).
    func tcp_queue_rcv(_ skb: inout SKBuff) {
        traced(tcp_input.tcp_queue_rcv) {}
    }

    /// Queues in-order data (and a FIN) for the socket; a segment with neither is freed, one wholly
    /// below the next expected sequence number is old data (a retransmission already received).
    func tcp_data_queue(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_input.tcp_data_queue) {
            guard let th = skb.tcp_hdr() else { return }
            let dataLength = skb.len - (skb.transport_header - skb.data) - th.headerLength
            let end = th.sequence &+ UInt32(max(0, dataLength)) &+ (th.flags.contains(.fin) ? 1 : 0)
            if dataLength > 0 || th.flags.contains(.fin), let next = sockets.tcp[t]?.rcvNxt,
                Int32(bitPattern: end &- next) <= 0
            {
                tracer.note("segment ends at or before rcv_nxt: old data, a duplicate ACK (D-SACK) answers")
                expectTransmit(.tcpAck(t), from: currentFrame)
                tcp_drop_reason(&skb, .TCP_OLD_DATA)
                return
            }
            if dataLength > 0 || th.flags.contains(.fin) { sockets.tcp[t]?.rcvNxt = end }
            if th.flags.contains(.fin) {
                tcp_fin(tuple: t)
            } else if dataLength <= 0 {
                __kfree_skb(&skb)
            }
        }
    }

    /// Processes an acknowledgment: an ACK of our FIN advances the closing states.
    func tcp_ack(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_input.tcp_ack) {
            guard let c = sockets.tcp[t], let th = skb.tcp_hdr(), th.flags.contains(.ack) else { return }
            let finAcked = c.sndNxt.map { th.acknowledgment == $0 } ?? true
            switch c.state {
            case .TCP_SYN_RECV: setState(t, .TCP_ESTABLISHED)
            case .TCP_FIN_WAIT1 where finAcked: setState(t, .TCP_FIN_WAIT2)
            case .TCP_CLOSING where finAcked: setState(t, .TCP_TIME_WAIT)
            case .TCP_LAST_ACK where finAcked:
                sockets.removeConnection(t)
                tracer.state("socket \(t) TCP_LAST_ACK -> TCP_CLOSE")
            default: break
            }
        }
    }

    /// Handles a valid RST: the connection is closed.
    func tcp_reset(tuple t: FourTuple) {
        traced(tcp_input.tcp_reset) {
            closeByReset(t)
            tracer.state("socket \(t) reset -> TCP_CLOSE")
        }
    }

    /// Checks a segment against the connection before it is processed (RFC 9293 §3.10.7.4): a
    /// valid RST resets the connection and the segment is freed. Returns false when it was consumed.
    func tcp_validate_incoming(_ skb: inout SKBuff, tuple t: FourTuple) -> Bool {
        traced(tcp_input.tcp_validate_incoming) {
            guard skb.tcp_hdr()?.flags.contains(.rst) == true else { return true }
            tcp_reset(tuple: t)
            __kfree_skb(&skb)
            return false
        }
    }

    /// The established-state receive: the header-prediction fast path for in-order ACKs and data, or
    /// the slow path through validation, ACK processing and the data queue.
    func tcp_rcv_established(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_input.tcp_rcv_established) {
            guard let th = skb.tcp_hdr(), let iph = skb.ip_hdr() else { return }
            let dataLength = iph.totalLength - iph.headerLength - th.headerLength
            if droppedForBadChecksum(&skb) {
                return
            }
            sockets.tcp[t]?.hasRxDst = true
            let flags = th.flags.subtracting(.psh)
            // Header prediction needs the next expected sequence number (unknown for a connection the
            // capture joined midway: then the first segment sets it).
            let end = th.sequence &+ UInt32(max(0, dataLength)) &+ (th.flags.contains(.fin) ? 1 : 0)
            let expected = sockets.tcp[t]?.rcvNxt ?? th.sequence
            if flags == .ack, th.sequence == expected {
                if dataLength > 0 {
                    tracer.note("fast path: in-order data")
                    sockets.tcp[t]?.rcvNxt = end
                    tcp_queue_rcv(&skb)
                    tcp_ack(&skb, tuple: t)
                    expectTransmit(.tcpAck(t), from: currentFrame)
                } else {
                    tracer.note("fast path: pure ACK")
                    tcp_ack(&skb, tuple: t)
                    __kfree_skb(&skb)
                }
                return
            }
            tracer.note("slow path: flags [\(th.flags)]")
            guard tcp_validate_incoming(&skb, tuple: t) else { return }
            tcp_ack(&skb, tuple: t)
            tcp_data_queue(&skb, tuple: t)
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
                _ = tcp_v4_conn_request(&skb, tuple: t)
                consume_skb(&skb)
                return false
            case .TCP_SYN_SENT:
                if th.flags.contains([.rst, .ack]) {
                    tcp_reset(tuple: t)
                    __kfree_skb(&skb)
                } else if th.flags.contains([.syn, .ack]) {
                    sockets.tcp[t]?.rcvNxt = th.sequence &+ 1
                    setState(t, .TCP_ESTABLISHED)
                    expectTransmit(.tcpAck(t), from: currentFrame)
                    consume_skb(&skb)
                } else {
                    tcp_drop_reason(&skb, .NOT_SPECIFIED)
                }
                return false
            default:
                guard tcp_validate_incoming(&skb, tuple: t) else { return false }
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
    /// full (the listen backlog, `somaxconn` 4096 by default) and syncookies on, it answers with a
    /// cookie and keeps no state.
    func tcp_conn_request(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_input.tcp_conn_request) {
            let backlog = sysctl.values["net.core.somaxconn"] ?? 4096
            if sockets.requestSockets >= backlog {
                count("TcpExtTCPReqQFullDoCookies")
                tracer.note("SYN queue full (\(backlog)): SYN cookie, no request socket")
                tcp_v4_send_synack(tuple: t)
                return
            }
            var req = TCPConnection(state: .TCP_NEW_SYN_RECV)
            req.hasRxDst = false
            req.rcvNxt = skb.tcp_hdr().map { $0.sequence &+ 1 }
            sockets.setConnection(t, req)
            tracer.state("request socket created for \(t) (TCP_NEW_SYN_RECV)")
            tcp_v4_route_req(daddr: t.remote)
            tcp_v4_send_synack(tuple: t)
        }
    }

    /// Closes a connection that a reset ended, received or sent: `tcp_set_state` counts
    /// `TcpEstabResets` when it leaves `ESTABLISHED` or `CLOSE_WAIT` for `CLOSE`.
    func closeByReset(_ t: FourTuple) {
        if let state = sockets.tcp[t]?.state, state == .TCP_ESTABLISHED || state == .TCP_CLOSE_WAIT {
            count("TcpEstabResets")
        }
        sockets.removeConnection(t)
    }

    /// Moves a connection to `state`, saying so in the trace.
    func setState(_ t: FourTuple, _ state: TCPState) {
        guard let old = sockets.tcp[t]?.state, old != state else { return }
        sockets.tcp[t]?.state = state
        tracer.state("socket \(t) \(old.rawValue) -> \(state.rawValue)")
    }
}
