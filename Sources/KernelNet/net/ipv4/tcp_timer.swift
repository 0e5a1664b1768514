// Mirrors net/ipv4/tcp_timer.c (Linux 6.1; 4.14.177 and 6.12 where they differ): the retransmission
// timer, where a capture shows it fire: a SYN the host sends again unanswered (the same initial
// sequence number on a connection still in SYN_SENT). Not modeled: the timer's schedule (the RTO and
// its backoff), data retransmitted by it (a retransmission of data that is not a tail loss probe may come
// from it or from fast retransmit, which only the RTT estimate and SACK scoreboard tell apart:
// `tcp_retransmit_skb` counts those alone), keepalive, zero-window probes and giving up (`tcp_write_err`).
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
    /// again. From 6.1 every expiry counts `TcpExtTCPTimeouts`; 4.14 counts only the first of a run
    /// (`icsk_retransmits` 0, reset by an ACK that advances `snd_una`) in the open state.
    func tcp_retransmit_timer(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_timer.tcp_retransmit_timer) {
            let first = (sockets.tcp[t]?.icskRetransmits ?? 0) == 0
            if profile.version >= .v6_1 { count("TcpExtTCPTimeouts") }
            tcp_write_timeout()
            if profile.version < .v6_1, first { count("TcpExtTCPTimeouts") }
            sockets.tcp[t]?.icskRetransmits += 1
            tcp_retransmit_skb(&skb)
        }
    }
}
