// Mirrors net/ipv4/inet_hashtables.c (Linux 6.1): socket lookup for received segments.
import Trace
import Wire

/// Functions modeled from `net/ipv4/inet_hashtables.c`.
public enum inet_hashtables: String, KernelSourceFile {
    public static let path = "net/ipv4/inet_hashtables.c"
    case __inet_lookup_listener, __inet_lookup_established
}

extension Kernel {
    /// Finds the established (or request, or time-wait) socket of a four-tuple.
    func __inet_lookup_established(_ t: FourTuple) -> TCPConnection? {
        traced(inet_hashtables.__inet_lookup_established) { sockets.tcp[t] }
    }

    /// Finds a listener on the destination address and port (exact address first, then wildcard).
    func __inet_lookup_listener(_ address: IPv4Address, _ port: UInt16) -> IPv4Address? {
        traced(inet_hashtables.__inet_lookup_listener) { sockets.listener(address, port) }
    }
}
