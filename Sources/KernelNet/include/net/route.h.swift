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

    /// Ends the path of a packet the host sent to `daddr`, IPv4 or IPv6, when its profile has no route
    /// there: the kernel would have failed the send or the connect (`-ENETUNREACH`) before making the
    /// packet, so the host had a route its profile lacks, and the trace says so instead of following the
    /// packet out.
    func sentWithoutRoute(to daddr: String) {
        tracer.notModeled("sending to \(daddr), which the host profile has no route to: the kernel would fail the send "
            + "(ENETUNREACH), yet the capture shows the packet leave (the host had a route its profile lacks)")
        outcome.verdict = .unknown
    }
}
