// Mirrors net/ipv4/tcp_minisocks.c (Linux 6.1): request and time-wait sockets.
// Not modeled: PAWS and sequence checks on request sockets (a RST anywhere ends the request; 6.1 and
// 6.12 answer one not at rcv_nxt with a challenge ACK instead), TIME_WAIT reuse by a new SYN.
import Trace
import Wire

/// Functions modeled from `net/ipv4/tcp_minisocks.c`.
public enum tcp_minisocks: String, KernelSourceFile {
    public static let path = "net/ipv4/tcp_minisocks.c"
    case tcp_timewait_state_process, tcp_check_req, tcp_child_process
}

/// Models `enum tcp_tw_status`: what a segment to a time-wait socket calls for.
enum TimewaitVerdict {
    case TCP_TW_SUCCESS, TCP_TW_RST, TCP_TW_ACK, TCP_TW_SYN
}

extension Kernel {
    /// Handles a segment for a connection in TIME_WAIT: a RST ends it; anything else is absorbed.
    /// Returns true for `TCP_TW_ACK` (a repeated FIN or data): the caller acknowledges it again.
    /// The receive handler frees the segment in every case.
    func tcp_timewait_state_process(_ skb: inout SKBuff, tuple t: FourTuple) -> TimewaitVerdict {
        traced(tcp_minisocks.tcp_timewait_state_process) {
            guard let th = skb.tcp_hdr() else { return .TCP_TW_SUCCESS }
            if th.flags.contains(.rst) {
                sockets.removeConnection(t)
                tracer.state("time-wait socket \(t) closed by RST")
                return .TCP_TW_SUCCESS
            }
            // A new connection from the same port: a SYN beyond what the old one received, or newer by
            // its timestamp (the model keeps no ts_recent: a timestamp on a SYN from the same peer is
            // taken to be newer, as its clock and offset are the same).
            if th.flags.contains(.syn), !th.flags.contains(.ack) {
                let beyond = sockets.tcp[t]?.rcvNxt.map { Int32(bitPattern: th.sequence &- $0) > 0 } ?? true
                if beyond || th.timestampValue != nil {
                    tracer.note("TCP_TW_SYN: a new connection from the same port replaces the time-wait socket")
                    return .TCP_TW_SYN
                }
            }
            if th.flags.contains(.fin) || skb.len > th.headerLength || th.flags.contains(.syn) {
                tracer.note("TCP_TW_ACK: acknowledged again from the time-wait socket")
                return .TCP_TW_ACK
            }
            return .TCP_TW_SUCCESS
        }
    }

    /// Completes a handshake on a request socket: the ACK of the SYN-ACK creates the child socket
    /// through the listener's `syn_recv_sock` (the receive handler, `tcp_v4_rcv` or `tcp_v6_rcv`, then
    /// hands the segment to it with `tcp_child_process`). Returns false when no child was made: the
    /// receive handler then discards the segment.
    func tcp_check_req(_ skb: inout SKBuff, tuple t: FourTuple) -> Bool {
        traced(tcp_minisocks.tcp_check_req) {
            guard let th = skb.tcp_hdr() else { return false }
            if th.flags.contains(.rst) {
                // A reset ends the attempt (TcpAttemptFails) and unlinks the request (TcpExtEmbryonicRsts),
                // in all three versions.
                count("TcpAttemptFails")
                count("TcpExtEmbryonicRsts")
                sockets.removeConnection(t)
                tracer.state("request socket \(t) removed by RST")
                return false
            }
            guard th.flags.contains(.ack) else {
                // The request's own SYN again: its SYN-ACK is sent again, unless the out-of-window rate
                // limit holds it back.
                if th.flags.contains(.syn), th.sequence &+ 1 == sockets.tcp[t]?.rcvNxt,
                    !tcp_oow_rate_limited(skb, tuple: t, mib: "TcpExtTCPACKSkippedSynRecv")
                {
                    tracer.note("retransmitted SYN: the SYN-ACK is sent again")
                    inet_rtx_syn_ack(tuple: t)
                }
                return false
            }
            tcpSynRecvSock(&skb, tuple: t)
            var child = TCPConnection(state: .TCP_SYN_RECV)
            child.hasRxDst = true
            // The child inherits the request socket's receive state (tcp_create_openreq_child).
            child.rcvNxt = sockets.tcp[t]?.rcvNxt
            child.rcvWup = sockets.tcp[t]?.rcvWup
            child.rcvWnd = sockets.tcp[t]?.rcvWnd
            child.rcvWscale = sockets.tcp[t]?.rcvWscale
            if let req = sockets.tcp[t] {
                (child.tstampOK, child.sackOK, child.sndWscale) = (req.tstampOK, req.sackOK, req.sndWscale)
                (child.sndWnd, child.sndWl1) = (req.sndWnd, req.sndWl1)
            }
            sockets.setConnection(t, child)
            count("TcpPassiveOpens")
            tracer.state("child socket created for \(t) (TCP_SYN_RECV)")
            return true
        }
    }

    /// Runs the state machine on a new child socket. Returns true when the segment must be answered
    /// with a RST (the receive handler sends it and discards the segment).
    func tcp_child_process(_ skb: inout SKBuff, tuple t: FourTuple) -> Bool {
        traced(tcp_minisocks.tcp_child_process) { tcp_rcv_state_process(&skb, tuple: t, state: .TCP_SYN_RECV) }
    }
}
