// Mirrors net/ipv4/ping.c (Linux 6.1): ICMP echo requests sent by ping sockets (iputils ping).
import Trace
import Wire

/// Functions modeled from `net/ipv4/ping.c`.
public enum ping: String, KernelSourceFile {
    public static let path = "net/ipv4/ping.c"
    case ping_lookup, ping_err, ping_v4_push_pending_frames, ping_v4_sendmsg, ping_rcv
}

extension Kernel {
    /// Finds the ping socket bound to an echo `identifier` (its port): one the capture showed sending.
    func ping_lookup(identifier: UInt16) -> Bool {
        traced(ping.ping_lookup) { pingSockets.contains(identifier) }
    }

    /// Hands an ICMP or ICMPv6 error about an echo request to the ping socket that sent it: a packet too
    /// big or a soft error is kept only with `IP_RECVERR`, a hard one becomes the socket's error.
    func ping_err(identifier: UInt16) {
        traced(ping.ping_err) {
            guard ping_lookup(identifier: identifier) else {
                tracer.note("no ping socket with identifier \(identifier)")
                return
            }
            tracer.note("error reported to the ping socket with identifier \(identifier)")
        }
    }

    /// Completes the ICMP header, counts the message (`icmp_out_count`) and sends the datagram.
    func ping_v4_push_pending_frames(_ skb: inout SKBuff) {
        traced(ping.ping_v4_push_pending_frames) {
            countIcmpMsg(skb.icmp_hdr()?.type ?? ICMPv4Packet.echoRequest, incoming: false)
            ip_push_pending_frames(&skb)
        }
    }

    /// Delivers an echo reply to the ping socket that sent the request with its identifier, if the
    /// host has one (a ping socket the capture showed sending); none answers `NO_SOCKET` (a raw socket's
    /// ping got its copy in `raw_local_deliver`).
    func ping_rcv(_ skb: inout SKBuff) -> SKBDropReason? {
        traced(ping.ping_rcv) {
            guard let id = skb.icmp_hdr()?.identifier, ping_lookup(identifier: id) else {
                tracer.note("no ping socket for this echo reply")
                return .NO_SOCKET
            }
            tracer.note("queued on the ping socket with identifier \(id)")
            return nil
        }
    }

    /// The `sendmsg` of ICMP datagram sockets: routes and sends an echo request; the socket's port is the
    /// request's identifier, which its replies come back to.
    func ping_v4_sendmsg(_ skb: inout SKBuff) {
        traced(ping.ping_v4_sendmsg) {
            if let iph = skb.ip_hdr() { _ = ip_route_output_flow(daddr: iph.destination) }
            if let id = skb.icmp_hdr()?.identifier { pingSockets.insert(id) }
            ping_v4_push_pending_frames(&skb)
        }
    }
}
