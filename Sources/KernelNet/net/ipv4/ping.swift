// Mirrors net/ipv4/ping.c (Linux 6.1): ICMP echo requests sent by ping sockets (iputils ping).
import Trace

/// Functions modeled from `net/ipv4/ping.c`.
public enum ping: String, KernelSourceFile {
    public static let path = "net/ipv4/ping.c"
    case ping_v4_push_pending_frames, ping_v4_sendmsg
}

extension Kernel {
    /// Completes the ICMP header and sends the datagram.
    func ping_v4_push_pending_frames(_ skb: inout SKBuff) {
        traced(ping.ping_v4_push_pending_frames) { ip_push_pending_frames(&skb) }
    }

    /// The `sendmsg` of ICMP datagram sockets: routes and sends an echo request.
    func ping_v4_sendmsg(_ skb: inout SKBuff) {
        traced(ping.ping_v4_sendmsg) {
            if let iph = skb.ip_hdr() { _ = ip_route_output_flow(daddr: iph.destination) }
            ping_v4_push_pending_frames(&skb)
        }
    }
}
