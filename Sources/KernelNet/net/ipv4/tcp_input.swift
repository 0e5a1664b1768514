// Mirrors net/ipv4/tcp_input.c (Linux 6.1): the TCP state machine on receive (RFC 9293 §3.10.7).
// Not modeled: sequence-window validation (segments are taken as in-window), SACK, congestion control,
// out-of-order queueing, receive-buffer pruning, delayed-ACK timing (the capture shows the ACKs).
import Trace
import Wire

/// Functions modeled from `net/ipv4/tcp_input.c`, in the file's order.
public enum tcp_input: String, KernelSourceFile {
    public static let path = "net/ipv4/tcp_input.c"
    case tcp_fin, tcp_data_queue, tcp_ack, tcp_reset, tcp_rcv_established, tcp_rcv_state_process,
        tcp_conn_request
}

extension Kernel {
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

    /// Queues in-order data (and a FIN) for the socket.
    func tcp_data_queue(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_input.tcp_data_queue) {
            if skb.tcp_hdr()?.flags.contains(.fin) == true { tcp_fin(tuple: t) }
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
                sockets.tcp[t] = nil
                tracer.state("socket \(t) TCP_LAST_ACK -> TCP_CLOSE")
            default: break
            }
        }
    }

    /// Handles a valid RST: the connection is closed.
    func tcp_reset(tuple t: FourTuple) {
        traced(tcp_input.tcp_reset) {
            sockets.tcp[t] = nil
            tracer.state("socket \(t) reset -> TCP_CLOSE")
        }
    }

    /// The established-state receive: the header-prediction fast path for in-order ACKs and data, or
    /// the slow path through validation, ACK processing and the data queue.
    func tcp_rcv_established(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_input.tcp_rcv_established) {
            guard let th = skb.tcp_hdr(), let iph = skb.ip_hdr() else { return }
            let dataLength = iph.totalLength - iph.headerLength - th.headerLength
            guard checksumOK(&skb) else {
                count("TcpInCsumErrors")
                count("TcpInErrs")
                kfree_skb_reason(&skb, .TCP_CSUM)
                return
            }
            sockets.tcp[t]?.hasRxDst = true
            if th.flags.contains(.rst) {
                tcp_reset(tuple: t)
                kfree_skb_reason(&skb, .TCP_RESET)
                return
            }
            let flags = th.flags.subtracting(.psh)
            if flags == .ack {
                tracer.note(dataLength > 0 ? "fast path: in-order data" : "fast path: pure ACK")
                if dataLength > 0 { expectTransmit(.tcpAck(t), from: currentFrame) }
                consume_skb(&skb)
                return
            }
            tracer.note("slow path: flags [\(th.flags)]")
            tcp_ack(&skb, tuple: t)
            tcp_data_queue(&skb, tuple: t)
            consume_skb(&skb)
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
                    kfree_skb_reason(&skb, .TCP_RESET)
                    return false
                }
                guard th.flags.contains(.syn), !th.flags.contains(.fin) else {
                    kfree_skb_reason(&skb, .TCP_FLAGS)
                    return false
                }
                _ = tcp_v4_conn_request(&skb, tuple: t)
                consume_skb(&skb)
                return false
            case .TCP_SYN_SENT:
                if th.flags.contains(.rst) {
                    tcp_reset(tuple: t)
                    kfree_skb_reason(&skb, .TCP_RESET)
                } else if th.flags.contains([.syn, .ack]) {
                    setState(t, .TCP_ESTABLISHED)
                    expectTransmit(.tcpAck(t), from: currentFrame)
                    consume_skb(&skb)
                } else {
                    kfree_skb_reason(&skb, .NOT_SPECIFIED)
                }
                return false
            default:
                if th.flags.contains(.rst) {
                    tcp_reset(tuple: t)
                    kfree_skb_reason(&skb, .TCP_RESET)
                    return false
                }
                tcp_ack(&skb, tuple: t)
                tcp_data_queue(&skb, tuple: t)
                consume_skb(&skb)
                return false
            }
        }
    }

    /// Creates a request socket for a SYN to a listener and answers with a SYN-ACK.
    func tcp_conn_request(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_input.tcp_conn_request) {
            var req = TCPConnection(state: .TCP_NEW_SYN_RECV)
            req.hasRxDst = false
            sockets.setConnection(t, req)
            tracer.state("request socket created for \(t) (TCP_NEW_SYN_RECV)")
            tcp_v4_route_req(daddr: t.remote)
            tcp_v4_send_synack(tuple: t)
        }
    }

    /// Moves a connection to `state`, saying so in the trace.
    func setState(_ t: FourTuple, _ state: TCPState) {
        guard let old = sockets.tcp[t]?.state, old != state else { return }
        sockets.tcp[t]?.state = state
        tracer.state("socket \(t) \(old.rawValue) -> \(state.rawValue)")
    }
}
