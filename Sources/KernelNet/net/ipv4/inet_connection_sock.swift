// Mirrors net/ipv4/inet_connection_sock.c (Linux 6.1; the same in 4.14 and 6.12): routing for request
// sockets and their children, and the request socket's SYN-ACK timer.
import Trace
import Wire

/// Functions modeled from `net/ipv4/inet_connection_sock.c`.
public enum inet_connection_sock: String, KernelSourceFile {
    public static let path = "net/ipv4/inet_connection_sock.c"
    case inet_rtx_syn_ack, inet_csk_route_req, inet_csk_route_child_sock, inet_csk_reqsk_queue_drop, reqsk_timer_handler
}

extension Kernel {
    /// Sends a request socket's SYN-ACK again (`rsk_ops->rtx_syn_ack`, `tcp_rtx_synack`).
    func inet_rtx_syn_ack(tuple t: FourTuple) {
        traced(inet_connection_sock.inet_rtx_syn_ack) { tcp_rtx_synack(tuple: t) }
    }

    /// Finds the output route a request socket's SYN-ACK takes.
    func inet_csk_route_req(daddr: IPv4Address) {
        traced(inet_connection_sock.inet_csk_route_req) { _ = ip_route_output_flow(daddr: daddr) }
    }

    /// Finds the output route of a child socket made from a request (when none was passed on).
    func inet_csk_route_child_sock(daddr: IPv4Address) {
        traced(inet_connection_sock.inet_csk_route_child_sock) { _ = ip_route_output_flow(daddr: daddr) }
    }

    /// Unlinks a request socket from the listener's queue (and stops its SYN-ACK timer): the handshake it
    /// stood for is over.
    func inet_csk_reqsk_queue_drop(tuple t: FourTuple) {
        traced(inet_connection_sock.inet_csk_reqsk_queue_drop) {
            sockets.removeConnection(t)
            tracer.state("request socket \(t) removed")
        }
    }

    /// A request socket's timer expired with its SYN-ACK unanswered: the timeout is counted
    /// (`rsk_ops->syn_ack_timeout`, `tcp_syn_ack_timeout`) and the SYN-ACK sent again. The timer's
    /// schedule (1 s, doubling) and giving up after `tcp_synack_retries` are not modeled: the capture
    /// shows when it fired.
    func reqsk_timer_handler(tuple t: FourTuple) {
        traced(inet_connection_sock.reqsk_timer_handler) {
            tcp_syn_ack_timeout()
            inet_rtx_syn_ack(tuple: t)
        }
    }
}
