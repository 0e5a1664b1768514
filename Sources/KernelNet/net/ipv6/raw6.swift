// Mirrors net/ipv6/raw.c (Linux 6.1; 4.14.177 and 6.12 alike here): raw IPv6 sockets: receive, and the
// sending of a raw ICMPv6 socket (iputils ping's echo requests where ping sockets are not permitted).
// The file is raw6.swift because net/ipv4/raw.c's mirror is raw.swift, and one module cannot build
// two files of one name.
// Not modeled: raw sockets themselves (a host profile has none): every packet and error passes them by.
import Trace
import Wire

/// Functions modeled from `net/ipv6/raw.c`.
public enum ipv6_raw_c: String, KernelSourceFile {
    public static let path = "net/ipv6/raw.c"
    case raw6_icmp_error, raw6_local_deliver, rawv6_push_pending_frames, rawv6_sendmsg
}

extension Kernel {
    /// Offers an ICMPv6 error to the raw sockets of the quoted packet's next header (none in the model).
    func raw6_icmp_error(_ skb: inout SKBuff) {
        traced(ipv6_raw_c.raw6_icmp_error) {}
    }

    /// Offers the packet to raw sockets of its next header; returns whether one took a copy (never:
    /// the model has no raw sockets).
    func raw6_local_deliver(_ skb: inout SKBuff, protocol proto: IPProtocol) -> Bool {
        traced(ipv6_raw_c.raw6_local_deliver) { false }
    }

    /// Completes the ICMPv6 checksum of a raw ICMPv6 socket's pending data (`rp->checksum`) and makes and
    /// sends the datagram.
    func rawv6_push_pending_frames(_ skb: inout SKBuff) {
        traced(ipv6_raw_c.rawv6_push_pending_frames) { _ = ip6_push_pending_frames(&skb) }
    }

    /// The `sendmsg` of a raw IPv6 socket that lets the kernel build the IPv6 header: routes the datagram
    /// (`ip6_dst_lookup_flow`), queues its data and sends it. An ICMPv6 message of `type` is counted as
    /// the datagram is made (`__ip6_make_skb`).
    func rawv6_sendmsg(_ skb: inout SKBuff, type: UInt8) {
        traced(ipv6_raw_c.rawv6_sendmsg) {
            guard let daddr = skb.ipv6_hdr()?.destination,
                  routesCapturedSend(ip6_dst_lookup_flow(daddr, dev: skb.dev), to: daddr) else { return }
            ip6_append_data()
            count("Icmp6OutMsgs")
            countIcmp6Msg(type, incoming: false)
            rawv6_push_pending_frames(&skb)
        }
    }
}
