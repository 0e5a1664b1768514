// Mirrors net/ipv6/ping.c (Linux 6.1; 4.14.177 and 6.12 alike here): echo requests sent by ICMPv6
// datagram (ping) sockets, where `net.ipv4.ping_group_range` permits them. The file is ping6.swift because
// net/ipv4/ping.c's mirror is ping.swift, and one module cannot build two files of one name.
// Their replies come back through `ping_rcv` (net/ipv4/ping.c, shared with IPv4).
import Trace
import Wire

/// Functions modeled from `net/ipv6/ping.c`.
public enum ipv6_ping_c: String, KernelSourceFile {
    public static let path = "net/ipv6/ping.c"
    case ping_v6_sendmsg
}

extension Kernel {
    /// The `sendmsg` of ICMPv6 datagram sockets: routes the echo request (`ip6_sk_dst_lookup_flow`), queues
    /// it and sends it with `icmpv6_push_pending_frames`; the socket's port is the request's identifier,
    /// which its replies come back to. The message is counted as the datagram is made (`__ip6_make_skb`).
    func ping_v6_sendmsg(_ skb: inout SKBuff, identifier: UInt16) {
        traced(ipv6_ping_c.ping_v6_sendmsg) {
            guard let daddr = skb.ipv6_hdr()?.destination,
                  routesCapturedSend(ip6_sk_dst_lookup_flow(daddr, dev: skb.dev), to: daddr) else { return }
            pingSockets.insert(identifier)
            ip6_append_data()
            count("Icmp6OutMsgs")
            countIcmp6Msg(ICMPv6Type.ICMPV6_ECHO_REQUEST, incoming: false)
            icmpv6_push_pending_frames(&skb)
        }
    }
}
