// Mirrors net/ipv4/inet_connection_sock.c (Linux 6.1): routing for request sockets and their children.
import Trace
import Wire

/// Functions modeled from `net/ipv4/inet_connection_sock.c`.
public enum inet_connection_sock: String, KernelSourceFile {
    public static let path = "net/ipv4/inet_connection_sock.c"
    case inet_csk_route_req, inet_csk_route_child_sock
}

extension Kernel {
    /// Finds the output route a request socket's SYN-ACK takes.
    func inet_csk_route_req(daddr: IPv4Address) {
        traced(inet_connection_sock.inet_csk_route_req) { _ = ip_route_output_flow(daddr: daddr) }
    }

    /// Finds the output route of a child socket made from a request (when none was passed on).
    func inet_csk_route_child_sock(daddr: IPv4Address) {
        traced(inet_connection_sock.inet_csk_route_child_sock) { _ = ip_route_output_flow(daddr: daddr) }
    }
}
