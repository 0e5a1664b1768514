// Mirrors net/ipv6/inet6_hashtables.c (Linux 6.1; 4.14.177 and 6.12 alike here): TCP socket lookup
// for segments received over IPv6.
// Not modeled: reuseport groups, bound devices, listeners bound to one address.
import Trace
import Wire

/// Functions modeled from `net/ipv6/inet6_hashtables.c`.
public enum inet6_hashtables: String, KernelSourceFile {
    public static let path = "net/ipv6/inet6_hashtables.c"
    case __inet6_lookup_established, inet6_lookup_listener
}

extension Kernel {
    /// Finds the established (or request, or time-wait) socket of an IPv6 four-tuple.
    func __inet6_lookup_established(_ t: FourTuple) -> TCPConnection? {
        traced(inet6_hashtables.__inet6_lookup_established) { sockets.tcp[t] }
    }

    /// Finds a listener that takes IPv6 (bound to `::`) on `port`.
    func inet6_lookup_listener(_ port: UInt16) -> Bool {
        traced(inet6_hashtables.inet6_lookup_listener) { sockets.tcpListeners6.contains(port) }
    }
}
