// Mirrors net/ipv4/inet_connection_sock.c (Linux 6.1): routing for request sockets.
import Trace
import Wire

/// Functions modeled from `net/ipv4/inet_connection_sock.c`.
public enum inet_connection_sock: String, KernelSourceFile {
    public static let path = "net/ipv4/inet_connection_sock.c"
    case inet_csk_route_req
}

extension Kernel {
    /// Finds the output route a request socket's SYN-ACK takes.
    func inet_csk_route_req(daddr: IPv4Address) {
        traced(inet_connection_sock.inet_csk_route_req) { _ = ip_route_output_flow(daddr: daddr) }
    }
}
