// Mirrors net/ipv4/tcp.c (Linux 6.1; 4.14.177 and 6.12 alike here): the socket layer of TCP, as far
// as the receive path reaches it.
// Not modeled: the timers `tcp_done` clears, the socket's wake-up (`sk_state_change`), Fast Open
// requests.
import Trace

/// Functions modeled from `net/ipv4/tcp.c`.
public enum ipv4_tcp_c: String, KernelSourceFile {
    public static let path = "net/ipv4/tcp.c"
    case tcp_done
}

extension Kernel {
    /// Ends a connection for good: a connection attempt (`SYN_SENT` or `SYN_RECV`) counts as
    /// `TcpAttemptFails`, an established one (or one in `CLOSE_WAIT`) as `TcpEstabResets` (`tcp_set_state`
    /// to `TCP_CLOSE`); the socket leaves the lookup tables, so that later segments for its four-tuple
    /// find no socket.
    func tcp_done(tuple t: FourTuple) {
        traced(ipv4_tcp_c.tcp_done) {
            guard let state = sockets.tcp[t]?.state else { return }
            if state == .TCP_SYN_SENT || state == .TCP_SYN_RECV { count("TcpAttemptFails") }
            closeConnection(t)
            tracer.state("socket \(t) \(state.rawValue) -> TCP_CLOSE")
        }
    }
}
