// Mirrors net/ipv6/raw.c (Linux 6.1; 4.14.177 and 6.12 alike here): raw IPv6 sockets: receive, and the
// sending of a raw ICMPv6 socket (iputils ping's echo requests where ping sockets are not permitted).
// The file is raw6.swift because net/ipv4/raw.c's mirror is raw.swift, and one module cannot build
// two files of one name.
// The raw sockets modeled are those of the pings the host ran where ping sockets are not permitted
// (iputils ping): a host profile lists no raw socket. Not modeled: other raw sockets, IPV6_HDRINCL.
import Trace
import Wire

/// Functions modeled from `net/ipv6/raw.c`.
public enum ipv6_raw_c: String, KernelSourceFile {
    public static let path = "net/ipv6/raw.c"
    case raw6_icmp_error, rawv6_err, raw6_local_deliver, ipv6_raw_deliver, __raw_v6_lookup, raw_v6_match, rawv6_rcv,
         rawv6_push_pending_frames, rawv6_sendmsg
}

extension Kernel {
    /// Offers an ICMPv6 error (`type`, with `info`: the MTU of a packet too big) to the raw sockets of the
    /// quoted packet's next header: an error about an ICMPv6 message goes to every open raw ping socket
    /// (`rawv6_err`).
    func raw6_icmp_error(_ skb: inout SKBuff, nexthdr: IPProtocol, quoted: IPv6Packet, type: UInt8, info: UInt32) {
        traced(ipv6_raw_c.raw6_icmp_error) {
            guard nexthdr == .icmpv6 else { return }
            for id in openRawPingSockets(&raw6PingSockets, reply: nil) {
                if has(ipv6_raw_c.raw_v6_match) { raw_v6_match() } else { __raw_v6_lookup() }
                rawv6_err(skb, ping: id, quoted: quoted, type: type, info: info)
            }
        }
    }

    /// Reports an ICMPv6 error to a raw socket: a packet too big lowers the socket's path MTU
    /// (`ip6_sk_update_pmtu`); iputils ping sets `IPV6_RECVERR`, so the error is queued on its error
    /// queue (`ipv6_icmp_error`).
    func rawv6_err(_ skb: SKBuff, ping id: UInt16, quoted: IPv6Packet, type: UInt8, info: UInt32) {
        traced(ipv6_raw_c.rawv6_err) {
            if type == ICMPv6Type.ICMPV6_PKT_TOOBIG { ip6_sk_update_pmtu(quoted: quoted, mtu: Int(info), dev: skb.dev) }
            ipv6_icmp_error(ping: id)
        }
    }

    /// Offers the packet to raw sockets of its next header; returns whether one matched it. Those of the
    /// pings the host ran take a clone of an ICMPv6 message their filter passes.
    func raw6_local_deliver(_ skb: inout SKBuff, protocol proto: IPProtocol) -> Bool {
        traced(ipv6_raw_c.raw6_local_deliver) {
            guard proto == .icmpv6, !raw6PingSockets.isEmpty else { return false }
            return ipv6_raw_deliver(skb)
        }
    }

    /// Walks the raw sockets of ICMPv6, newest first: each that matches the packet (`raw_v6_match`; 4.14's
    /// `__raw_v6_lookup`) and whose `ICMP6_FILTER` passes its type gets a clone (`rawv6_rcv`). iputils
    /// ping's filter passes echo replies and the errors (destination unreachable, packet too big, time
    /// exceeded, parameter problem).
    func ipv6_raw_deliver(_ skb: SKBuff) -> Bool {
        traced(ipv6_raw_c.ipv6_raw_deliver) {
            let type = skb.bytes.u8(at: skb.transport_header)
            let passed = type == ICMPv6Type.ICMPV6_ECHO_REPLY || (1...4).contains(type)
            let reply = type == ICMPv6Type.ICMPV6_ECHO_REPLY ? skb.bytes.u16be(at: skb.transport_header + 4) : nil
            for id in openRawPingSockets(&raw6PingSockets, reply: reply) {
                if has(ipv6_raw_c.raw_v6_match) { raw_v6_match() } else { __raw_v6_lookup() }
                guard passed else {
                    tracer.note("ICMPv6 type \(type) blocked by the ICMP6_FILTER of ping \(id)'s raw socket")
                    continue
                }
                rawv6_rcv(skb_clone(skb), ping: id)
            }
            return true
        }
    }

    /// Whether a raw IPv6 socket takes the packet (its next header, bound and connected addresses,
    /// device): a ping's raw socket is bound to none, so every ICMPv6 packet for the host matches.
    func raw_v6_match() {
        traced(ipv6_raw_c.raw_v6_match) {}
    }

    /// 4.14's walk to the next raw IPv6 socket of the chain that takes the packet (what `raw_v6_match`
    /// checks in later versions).
    func __raw_v6_lookup() {
        traced(ipv6_raw_c.__raw_v6_lookup) {}
    }

    /// Takes a clone for one raw ICMPv6 socket: verifies the checksum (the socket checks ICMPv6's:
    /// `rawv6_rcv_skb`, inline), then queues it on the socket of ping `id`, whose iputils filter takes
    /// its own echo replies and every other message.
    func rawv6_rcv(_ skb: SKBuff, ping id: UInt16) {
        traced(ipv6_raw_c.rawv6_rcv) {
            guard skb.ip_summed == .CHECKSUM_UNNECESSARY || __skb_checksum_complete(skb, proto: .icmpv6) else {
                tracer.note("bad ICMPv6 checksum: the clone is freed")
                return
            }
            let echoReply = skb.bytes.u8(at: skb.transport_header) == ICMPv6Type.ICMPV6_ECHO_REPLY
            let mine = !echoReply || skb.bytes.u16be(at: skb.transport_header + 4) == id
            // 6.12 calls the reason-giving queueing directly; 6.1 through the inline sock_queue_rcv_skb.
            let queued = profile.version >= .v6_12 ? sock_queue_rcv_skb_reason(skb, accepts: mine)
                : sock_queue_rcv_skb(skb, accepts: mine)
            if queued { tracer.note("a clone queued on the raw socket of ping \(id)") }
        }
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
            if type == ICMPv6Type.ICMPV6_ECHO_REQUEST {
                rawPingSent(skb.bytes.u16be(at: skb.transport_header + 4), sockets: &raw6PingSockets)
            }
            ip6_append_data()
            count("Icmp6OutMsgs")
            countIcmp6Msg(type, incoming: false)
            rawv6_push_pending_frames(&skb)
        }
    }
}
