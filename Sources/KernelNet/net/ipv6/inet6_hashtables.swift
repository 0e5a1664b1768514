// Mirrors net/ipv6/inet6_hashtables.c (Linux 6.1; 4.14.177 and 6.12 alike here): TCP socket lookup
// for segments received over IPv6.
// Not modeled: IPv6 connections (no lookup finds one), reuseport groups, bound devices.
import Trace
import Wire

/// Functions modeled from `net/ipv6/inet6_hashtables.c`.
public enum inet6_hashtables: String, KernelSourceFile {
    public static let path = "net/ipv6/inet6_hashtables.c"
    case __inet6_lookup_established, inet6_lookup_listener
}

extension Kernel {
    /// Finds the established (or request, or time-wait) socket of a segment: none over IPv6 in the model.
    func __inet6_lookup_established() -> Bool {
        traced(inet6_hashtables.__inet6_lookup_established) { false }
    }

    /// Finds a listener that takes IPv6 (bound to `::`) on `port`.
    func inet6_lookup_listener(_ port: UInt16) -> Bool {
        traced(inet6_hashtables.inet6_lookup_listener) { sockets.tcpListeners6.contains(port) }
    }
}
