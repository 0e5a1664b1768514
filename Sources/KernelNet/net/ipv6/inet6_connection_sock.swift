// Mirrors net/ipv6/inet6_connection_sock.c (Linux 6.1; 4.14.177 and 6.12 alike here): routing for
// IPv6 request sockets and the transmit of IPv6 TCP sockets.
// Not modeled: routing headers on the socket (`fl6_update_dst`), a socket's route that is no longer
// valid (the route cached on a connection, `__inet6_csk_dst_check`, is taken as valid).
import Trace
import Wire

/// Functions modeled from `net/ipv6/inet6_connection_sock.c`, in the file's order.
public enum inet6_connection_sock: String, KernelSourceFile {
    public static let path = "net/ipv6/inet6_connection_sock.c"
    case inet6_csk_route_req, inet6_csk_route_socket, inet6_csk_xmit, inet6_csk_update_pmtu
}

extension Kernel {
    /// Finds the output route of a request socket (its SYN-ACK, and its child) to the peer.
    func inet6_csk_route_req(tuple t: FourTuple, dev: NetDevice) {
        traced(inet6_connection_sock.inet6_csk_route_req) { ip6_dst_lookup_flow(t.remote6, dev: dev) }
    }

    /// The route of a connection: the one it cached (`__inet6_csk_dst_check`), unless that is `stale` (a
    /// route exception was added under it since), then a new lookup (`ip6_dst_lookup_flow`) it caches.
    func inet6_csk_route_socket(tuple t: FourTuple, dev: NetDevice, stale: Bool) -> DstEntry {
        traced(inet6_connection_sock.inet6_csk_route_socket) {
            guard stale else {
                tracer.note("route: cached on the socket")
                return DstEntry(type: .unicast, dev: dev)
            }
            tracer.note("the socket's cached route is stale (an exception was added under it): looked up again")
            return ip6_dst_lookup_flow(t.remote6, dev: dev)
        }
    }

    /// Lowers the path MTU of a connection's route to `mtu` (the route's `update_pmtu`), then returns its
    /// route again, as the connection now finds it (nil if there is none).
    func inet6_csk_update_pmtu(tuple t: FourTuple, mtu: Int, dev: NetDevice) -> Int? {
        traced(inet6_connection_sock.inet6_csk_update_pmtu) {
            let dst = inet6_csk_route_socket(tuple: t, dev: dev, stale: false)
            let added = ip6_rt_update_pmtu(dst, daddr: t.remote6, mtu: mtu)
            let now = inet6_csk_route_socket(tuple: t, dev: dev, stale: added)
            return now.type == .unreachable ? nil : ip6PathMTU(to: t.remote6, dev: now.dev ?? dev)
        }
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
