// Mirrors include/net/route.h (Linux 6.1): inline route helpers.
import Trace
import Wire

/// Functions modeled from `include/net/route.h` (all `static inline`).
public enum route_h: String, KernelSourceFile {
    public static let path = "include/net/route.h"
    case __ip_route_output_key, ip_route_connect
}

extension Kernel {
    /// Output route lookup without a socket or policy check.
    func __ip_route_output_key(daddr: IPv4Address) -> DstEntry? {
        traced(route_h.__ip_route_output_key) { ip_route_output_key_hash(daddr: daddr) }
    }

    /// Output route lookup for a socket being connected (source address and port still open).
    func ip_route_connect(daddr: IPv4Address) -> DstEntry? {
        traced(route_h.ip_route_connect) { ip_route_output_flow(daddr: daddr) }
    }
}
