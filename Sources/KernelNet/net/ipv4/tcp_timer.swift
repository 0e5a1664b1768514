// Mirrors net/ipv4/tcp_timer.c (Linux 6.1; 4.14.177 and 6.12 where they differ): the retransmission
// timer, where a capture shows it fire: a SYN the host sends again unanswered (the same initial
// sequence number on a connection still in SYN_SENT), and data sent again that no acknowledgment
// explains (no SACK reported data beyond a hole, no probe is due, no loss is being repaired on ACKs).
// Not modeled: the timer's schedule (the RTO and its backoff), keepalive, zero-window probes and giving
// up (`tcp_write_err`).
import Trace

/// Functions modeled from `net/ipv4/tcp_timer.c`, in the file's order.
public enum tcp_timer: String, KernelSourceFile {
    public static let path = "net/ipv4/tcp_timer.c"
    case tcp_write_timeout, tcp_retransmit_timer, tcp_syn_ack_timeout
}

extension Kernel {
    /// Decides whether the connection has retransmitted for too long (never, in the model: the capture
    /// shows it went on) and, from 6.1, gives the socket a new flow hash so that the retry may take
    /// another path (`sk_rethink_txhash`, on with `net.core.txrehash`'s default), counted in
    /// `TcpExtTcpTimeoutRehash`; 4.14 has neither.
    func tcp_write_timeout() {
        traced(tcp_timer.tcp_write_timeout) {
            if profile.version >= .v6_1 { count("TcpExtTcpTimeoutRehash") }
        }
    }

    /// A request socket's SYN-ACK timer expired: counted in `TcpExtTCPTimeouts` (all three versions).
    func tcp_syn_ack_timeout() {
        traced(tcp_timer.tcp_syn_ack_timeout) { count("TcpExtTCPTimeouts") }
    }

    /// The retransmission timer of connection `t` expired: it sends the oldest unacknowledged segment
    /// again, after `tcp_enter_loss`. From 6.1 every expiry counts `TcpExtTCPTimeouts`; the first of a run
    /// (`icsk_retransmits` 0, reset by an ACK that advances `snd_una`) counts how the connection failed:
    /// `TcpExtTCPSackRecoveryFail` in fast recovery, `TcpExtTCPLossFailures` in loss,
    /// `TcpExtTCPSackFailures` with data SACKed above a hole (`TcpExtTCPRenoFailures` and
    /// `TcpExtTCPRenoRecoveryFail` without SACK, which the model does not tell); 4.14 counts
    /// `TcpExtTCPTimeouts` there, in the open state, instead of at every expiry.
    func tcp_retransmit_timer(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_timer.tcp_retransmit_timer) {
            let c = sockets.tcp[t]
            if profile.version >= .v6_1 { count("TcpExtTCPTimeouts") }
            tcp_write_timeout()
            if c?.icskRetransmits ?? 0 == 0 {
                switch c?.caState {
                case .TCP_CA_Recovery: count("TcpExtTCPSackRecoveryFail")
                case .TCP_CA_Loss: count("TcpExtTCPLossFailures")
                default:
                    if c?.sackedBy != nil {
                        count("TcpExtTCPSackFailures")
                    } else if profile.version < .v6_1 {
                        count("TcpExtTCPTimeouts")
                    }
                }
            }
            tcp_enter_loss(tuple: t, seq: skb.tcp_hdr()?.sequence ?? 0)
            sockets.tcp[t]?.icskRetransmits += 1
            tcp_retransmit_skb(&skb)
        }
    }
}
