// Mirrors net/ipv4/raw.c (Linux 6.1): delivery to raw sockets.
// Not modeled: raw sockets receiving (the host profile has none, so nothing is delivered), IP_HDRINCL.
import Trace
import Wire

/// Functions modeled from `net/ipv4/raw.c`.
public enum raw: String, KernelSourceFile {
    public static let path = "net/ipv4/raw.c"
    case raw_icmp_error, raw_local_deliver, raw_sendmsg
}

extension Kernel {
    /// Offers an ICMP error to the raw sockets of the quoted packet's protocol (none in the model).
    func raw_icmp_error(_ skb: inout SKBuff) {
        traced(raw.raw_icmp_error) {}
    }

    /// Offers the packet to raw sockets bound to its protocol (none in the model).
    func raw_local_deliver(_ skb: inout SKBuff, protocol proto: IPProtocol) {
        traced(raw.raw_local_deliver) {}
    }

    /// The `sendmsg` of a raw socket that lets the kernel build the IP header: routes the datagram and
    /// sends it (iputils ping sends its echo requests so when ping sockets are not permitted). The ICMP
    /// message is counted as the packet is made (`__ip_make_skb`).
    func raw_sendmsg(_ skb: inout SKBuff) {
        traced(raw.raw_sendmsg) {
            if let iph = skb.ip_hdr() { _ = ip_route_output_flow(daddr: iph.destination) }
            countIcmpMsg(skb.icmp_hdr()?.type ?? ICMPv4Packet.echoRequest, incoming: false)
            ip_push_pending_frames(&skb)
        }
    }
}
