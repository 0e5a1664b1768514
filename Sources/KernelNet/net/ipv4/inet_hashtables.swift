// Mirrors net/ipv4/inet_hashtables.c (Linux 6.1; 4.14 and 6.12 alike here): socket lookup for received
// segments, and the check of a connecting socket's four-tuple against a time-wait socket.
// Not modeled: the port search of a connect without a bound port, and the hashing of the new socket
// (the model shows `inet_hash_connect` only where the four-tuple was in time-wait).
import Trace
import Wire

/// Functions modeled from `net/ipv4/inet_hashtables.c`.
public enum inet_hashtables: String, KernelSourceFile {
    public static let path = "net/ipv4/inet_hashtables.c"
    case __inet_lookup_listener, __inet_lookup_established, __inet_check_established, __inet_hash_connect, inet_hash_connect
}

extension Kernel {
    /// Finds the established (or request, or time-wait) socket of a four-tuple.
    func __inet_lookup_established(_ t: FourTuple) -> TCPConnection? {
        traced(inet_hashtables.__inet_lookup_established) { sockets.tcp[t] }
    }

    /// The four-tuple `t` a socket connects from belongs to a time-wait socket (`check_established`, which
    /// `inet_hash_connect` passes): `twsk_unique` lets the new connection take it over (from 6.12
    /// `tcp_twsk_unique` is called by name; the model does not check its conditions, the capture shows the
    /// SYN leave), counted in `TcpExtTWRecycled`, and the time-wait socket ends early.
    func __inet_check_established(tuple t: FourTuple) {
        traced(inet_hashtables.__inet_check_established) {
            tracer.note("the four-tuple is a time-wait socket's, which twsk_unique lets the new connection reuse (net.ipv4.tcp_tw_reuse)")
            count("TcpExtTWRecycled")
            inet_twsk_deschedule_put(t)
        }
    }

    /// Hashes a connecting socket: a bound port is checked against the established and time-wait sockets.
    func __inet_hash_connect(tuple t: FourTuple) {
        traced(inet_hashtables.__inet_hash_connect) { __inet_check_established(tuple: t) }
    }

    /// Gives a connecting socket its four-tuple (`tcp_v4_connect`).
    func inet_hash_connect(tuple t: FourTuple) {
        traced(inet_hashtables.inet_hash_connect) { __inet_hash_connect(tuple: t) }
    }

    /// Finds a listener on the destination address and port (exact address first, then wildcard).
    func __inet_lookup_listener(_ address: IPv4Address, _ port: UInt16) -> IPv4Address? {
        traced(inet_hashtables.__inet_lookup_listener) { sockets.listener(address, port) }
    }
}
