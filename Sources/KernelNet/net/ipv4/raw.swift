// Mirrors net/ipv4/raw.c (Linux 6.1; 4.14.177 and 6.12 where noted): delivery to raw sockets.
// The raw sockets modeled are those of the pings the host ran where ping sockets are not permitted
// (iputils ping): a host profile lists no raw socket. Not modeled: other raw sockets, IP_HDRINCL.
import Trace
import Wire

/// Functions modeled from `net/ipv4/raw.c`.
public enum raw: String, KernelSourceFile {
    public static let path = "net/ipv4/raw.c"
    case raw_icmp_error, raw_err, raw_local_deliver, raw_v4_input, __raw_v4_lookup, raw_v4_match, raw_rcv, raw_rcv_skb, raw_sendmsg
}

extension Kernel {
    /// Offers an ICMP error to the raw sockets of the quoted packet's protocol: an error about an ICMP
    /// message goes to every open raw ping socket (`raw_err`).
    func raw_icmp_error(_ skb: inout SKBuff, protocol proto: IPProtocol) {
        traced(raw.raw_icmp_error) {
            guard proto == .icmp else { return }
            for id in openRawPingSockets(&rawPingSockets, reply: nil) {
                if has(raw.raw_v4_match) { raw_v4_match() } else { __raw_v4_lookup() }
                raw_err(skb, ping: id)
            }
        }
    }

    /// Reports an ICMP error to a raw socket. iputils ping sets `IP_RECVERR`, so every error but a
    /// source quench is queued on its error queue (`ip_icmp_error`); a fragmentation-needed error also
    /// lowers the socket's path MTU (`ipv4_sk_update_pmtu`, not modeled).
    func raw_err(_ skb: SKBuff, ping id: UInt16) {
        traced(raw.raw_err) {
            guard skb.icmp_hdr()?.type != ICMPv4Packet.sourceQuench else { return }
            ip_icmp_error(ping: id)
        }
    }

    /// Offers the packet to the raw sockets of its protocol: those of the pings the host ran take a
    /// clone of an ICMP message their filter passes.
    func raw_local_deliver(_ skb: inout SKBuff, protocol proto: IPProtocol) {
        traced(raw.raw_local_deliver) {
            guard proto == .icmp, !rawPingSockets.isEmpty else { return }
            raw_v4_input(skb)
        }
    }

    /// Walks the raw sockets of ICMP, newest first (the hash chain's order): each that matches the
    /// packet (`raw_v4_match`; 4.14's `__raw_v4_lookup`) and whose `ICMP_FILTER` passes its type gets a
    /// clone (`raw_rcv`). iputils ping's filter passes echo replies and the errors (destination
    /// unreachable, source quench, redirect, time exceeded, parameter problem).
    func raw_v4_input(_ skb: SKBuff) {
        traced(raw.raw_v4_input) {
            let type = skb.icmp_hdr()?.type ?? 0
            let passed = [ICMPv4Packet.echoReply, ICMPv4Packet.destinationUnreachable, ICMPv4Packet.sourceQuench,
                          ICMPv4Packet.redirect, ICMPv4Packet.timeExceeded, ICMPv4Packet.parameterProblem].contains(type)
            let reply = type == ICMPv4Packet.echoReply ? skb.icmp_hdr()?.identifier : nil
            for id in openRawPingSockets(&rawPingSockets, reply: reply) {
                if has(raw.raw_v4_match) { raw_v4_match() } else { __raw_v4_lookup() }
                guard passed else {
                    tracer.note("ICMP type \(type) blocked by the ICMP_FILTER of ping \(id)'s raw socket")
                    continue
                }
                raw_rcv(skb_clone(skb), ping: id)
            }
        }
    }

    /// Whether a raw socket takes the packet (its protocol, bound and connected addresses, device): a
    /// ping's raw socket is bound to none, so every ICMP packet for the host matches.
    func raw_v4_match() {
        traced(raw.raw_v4_match) {}
    }

    /// 4.14's walk to the next raw socket of the chain that takes the packet (what `raw_v4_match` checks
    /// in later versions).
    func __raw_v4_lookup() {
        traced(raw.__raw_v4_lookup) {}
    }

    /// Takes a clone for one raw socket: the IP header pushed back on, then queued (`raw_rcv_skb`).
    func raw_rcv(_ skb: SKBuff, ping id: UInt16) {
        traced(raw.raw_rcv) { raw_rcv_skb(skb, ping: id) }
    }

    /// Queues the clone on the raw socket of ping `id`. iputils ping attaches a filter that takes its own
    /// echo replies (its identifier) and every other message.
    func raw_rcv_skb(_ skb: SKBuff, ping id: UInt16) {
        traced(raw.raw_rcv_skb) {
            let mine = skb.icmp_hdr().map { $0.type != ICMPv4Packet.echoReply || $0.identifier == id } ?? true
            // 6.1 and 6.12 call the reason-giving queueing directly; 4.14 has only sock_queue_rcv_skb.
            let queued = has(sock.sock_queue_rcv_skb_reason) ? sock_queue_rcv_skb_reason(skb, accepts: mine)
                : sock_queue_rcv_skb(skb, accepts: mine)
            if queued { tracer.note("a clone queued on the raw socket of ping \(id)") }
        }
    }

    /// The `sendmsg` of a raw socket that lets the kernel build the IP header: routes the datagram and
    /// sends it (iputils ping sends its echo requests so when ping sockets are not permitted; the socket
    /// then takes the replies). The ICMP message is counted as the packet is made (`__ip_make_skb`).
    func raw_sendmsg(_ skb: inout SKBuff) {
        traced(raw.raw_sendmsg) {
            if let iph = skb.ip_hdr() { _ = ip_route_output_flow(daddr: iph.destination) }
            if let icmp = skb.icmp_hdr(), icmp.type == ICMPv4Packet.echoRequest { rawPingSent(icmp.identifier, sockets: &rawPingSockets) }
            countIcmpMsg(skb.icmp_hdr()?.type ?? ICMPv4Packet.echoRequest, incoming: false)
            ip_push_pending_frames(&skb)
        }
    }

    /// Opens, or renews, the raw socket of the ping whose echo request the host sends now.
    func rawPingSent(_ id: UInt16, sockets: inout [RawPingSocket]) {
        if let i = sockets.firstIndex(where: { $0.id == id }) {
            sockets[i].lastRequest = now
            sockets[i].unanswered = true
            return
        }
        // A newer ping: the older ones with every request answered had ended (ping exits on its last reply).
        sockets.removeAll { !$0.unanswered || now - $0.lastRequest > RawPingSocket.linger }
        if sockets.count == RawPingSocket.limit { sockets.removeFirst() }
        sockets.append(RawPingSocket(id: id, lastRequest: now))
    }

    /// The raw ping sockets open now, newest first (the hash chain's order), after marking the one an
    /// echo reply with identifier `reply` answers.
    func openRawPingSockets(_ sockets: inout [RawPingSocket], reply: UInt16?) -> [UInt16] {
        sockets.removeAll { now - $0.lastRequest > RawPingSocket.linger }
        if let reply, let i = sockets.firstIndex(where: { $0.id == reply }) { sockets[i].unanswered = false }
        return sockets.reversed().map(\.id)
    }
}

/// The raw socket of a ping the host ran: open from its first echo request until `linger` after its
/// last (iputils ping's default wait for a reply, `-W`), or until a newer ping starts once every request
/// of this one was answered.
struct RawPingSocket {
    /// The identifier of its echo requests.
    let id: UInt16
    /// When it sent its last echo request (capture clock).
    var lastRequest: Int64
    /// Whether its last echo request is still unanswered.
    var unanswered = true

    /// How long ping waits for a reply after its last request: 10 s.
    static let linger: Int64 = 10_000_000_000
    /// The most raw ping sockets kept open at once.
    static let limit = 8
}
