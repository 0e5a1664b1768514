// Mirrors net/ipv4/ping.c (Linux 6.1): ICMP echo requests sent by ping sockets (iputils ping).
import Trace
import Wire

/// Functions modeled from `net/ipv4/ping.c`.
public enum ping: String, KernelSourceFile {
    public static let path = "net/ipv4/ping.c"
    case ping_v4_push_pending_frames, ping_v4_sendmsg, ping_rcv
}

extension Kernel {
    /// Completes the ICMP header, counts the message (`icmp_out_count`) and sends the datagram.
    func ping_v4_push_pending_frames(_ skb: inout SKBuff) {
        traced(ping.ping_v4_push_pending_frames) {
            countIcmpMsg(skb.icmp_hdr()?.type ?? ICMPv4Packet.echoRequest, incoming: false)
            ip_push_pending_frames(&skb)
        }
    }

    /// Delivers an echo reply to the ping socket that sent the request (none in the model: the host
    /// profile has no ping sockets).
    func ping_rcv(_ skb: inout SKBuff) -> SKBDropReason? {
        traced(ping.ping_rcv) {
            tracer.note("no ping socket for this echo reply")
            return .NO_SOCKET
        }
    }

    /// The `sendmsg` of ICMP datagram sockets: routes and sends an echo request.
    func ping_v4_sendmsg(_ skb: inout SKBuff) {
        traced(ping.ping_v4_sendmsg) {
            if let iph = skb.ip_hdr() { _ = ip_route_output_flow(daddr: iph.destination) }
            ping_v4_push_pending_frames(&skb)
        }
    }
}
