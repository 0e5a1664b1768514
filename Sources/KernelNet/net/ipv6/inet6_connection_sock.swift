// Mirrors net/ipv6/inet6_connection_sock.c (Linux 6.1; 4.14.177 and 6.12 alike here): routing for
// IPv6 request sockets and the transmit of IPv6 TCP sockets.
// Not modeled: routing headers on the socket (`fl6_update_dst`), a socket's route that is no longer
// valid (the route cached on a connection, `__inet6_csk_dst_check`, is taken as valid).
import Trace
import Wire

/// Functions modeled from `net/ipv6/inet6_connection_sock.c`, in the file's order.
public enum inet6_connection_sock: String, KernelSourceFile {
    public static let path = "net/ipv6/inet6_connection_sock.c"
    case inet6_csk_route_req, inet6_csk_xmit
}

extension Kernel {
    /// Finds the output route of a request socket (its SYN-ACK, and its child) to the peer.
    func inet6_csk_route_req(tuple t: FourTuple, dev: NetDevice) {
        traced(inet6_connection_sock.inet6_csk_route_req) { ip6_dst_lookup_flow(t.remote6, dev: dev) }
    }

    /// The IPv6 `queue_xmit` of TCP (`icsk_af_ops->queue_xmit`): the socket's route
    /// (`inet6_csk_route_socket`, inline, finds it cached), then `ip6_xmit`.
    func inet6_csk_xmit(_ skb: inout SKBuff) {
        traced(inet6_connection_sock.inet6_csk_xmit) {
            tracer.note("route: cached on the socket (__inet6_csk_dst_check)")
            _ = ip6_xmit(&skb)
        }
    }
}
