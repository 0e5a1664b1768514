// Mirrors net/ipv6/udp.c (Linux 6.1; 4.14.177 and 6.12 where they differ): UDP over IPv6 receive
// (RFC 768, RFC 8200 §8.1: the checksum is mandatory). The file is udp6.swift because
// net/ipv4/udp.c's mirror is udp.swift, and one module cannot build two files of one name.
// 4.14 has no `udpv6_queue_rcv_one_skb` (`udpv6_queue_rcv_skb` does its work).
// Not modeled: UDP-Lite, encapsulation sockets, GRO, socket filters, receive-buffer limits,
// connected sockets (lookups find sockets bound to `::`), corked sends (`udp_v6_push_pending_frames`),
// IPv4-mapped destinations of an IPv6 socket (sent by `udp_sendmsg`).
import Trace
import Wire

/// Functions modeled from `net/ipv6/udp.c`, in the file's order.
public enum ipv6_udp_c: String, KernelSourceFile {
    public static let path = "net/ipv6/udp.c"
    case udp6_lib_lookup2, __udp6_lib_lookup, __udp6_lib_err, udpv6_err, __udpv6_queue_rcv_skb, udpv6_queue_rcv_one_skb, udpv6_queue_rcv_skb,
        __udp6_lib_mcast_deliver, udp6_unicast_rcv_skb, __udp6_lib_rcv, udp_v6_early_demux, udpv6_rcv, udp_v6_send_skb,
        udpv6_sendmsg
}

extension Kernel {
    /// Searches one slot of the port-and-address hash (`udptable->hash2`): the destination address's,
    /// or the wildcard's.
    func udp6_lib_lookup2(_ port: UInt16, wildcard: Bool) -> SocketConfig? {
        traced(ipv6_udp_c.udp6_lib_lookup2) {
            guard wildcard, let s = sockets.udp[port], s.ipv6 else { return nil }
            return s
        }
    }

    /// Finds the socket for the destination port: one bound to the destination address, else one
    /// bound to `::` (the model's sockets take IPv6 only when bound to `::`).
    func __udp6_lib_lookup(_ port: UInt16) -> SocketConfig? {
        traced(ipv6_udp_c.__udp6_lib_lookup) {
            udp6_lib_lookup2(port, wildcard: false) ?? udp6_lib_lookup2(port, wildcard: true)
        }
    }

    /// Finds the UDP socket that sent the datagram an ICMPv6 error quotes (its UDP header at `offset`) and
    /// hands it the error: with none it counts as `Icmp6InErrors`. A packet too big lowers the path MTU of
    /// the socket's flow (`ip6_sk_update_pmtu`; `ip6_sk_accept_pmtu` takes it under the default
    /// `IPV6_PMTUDISC_WANT`) and is a hard error, as are the errors `icmpv6_err_convert` calls fatal; a
    /// connected socket gets a hard error as its next error (`sk_err`), an unconnected one without
    /// `IPV6_RECVERR` nothing.
    func __udp6_lib_err(_ skb: inout SKBuff, quoted: IPv6Packet, offset: Int, type: UInt8, info: UInt32) {
        traced(ipv6_udp_c.__udp6_lib_err) {
            let port = skb.bytes.u16be(at: offset)
            guard let s = __udp6_lib_lookup(port) else {
                tracer.note("no UDP socket for [\(quoted.source)]:\(port): the error concerns nobody")
                count("Icmp6InErrors")
                return
            }
            let conversion = icmpv6_err_convert(type: type, code: skb.bytes.u8(at: skb.transport_header + 1))
            if type == ICMPv6Type.ICMPV6_PKT_TOOBIG { ip6_sk_update_pmtu(quoted: quoted, mtu: Int(info), dev: skb.dev) }
            let hard = type == ICMPv6Type.ICMPV6_PKT_TOOBIG || conversion.fatal
            if s.remotePort != nil, hard {
                tracer.note("error reported to the connected socket (sk_err, sk_error_report)")
            } else {
                tracer.note("\(s.remotePort == nil ? "unconnected socket" : "soft error") without IPV6_RECVERR: not reported")
            }
        }
    }

    /// UDP's ICMPv6 error handler (`udpv6_protocol.err_handler`, inline over `__udp6_lib_err`).
    func udpv6_err(_ skb: inout SKBuff, quoted: IPv6Packet, offset: Int, type: UInt8, info: UInt32) {
        traced(ipv6_udp_c.udpv6_err) { __udp6_lib_err(&skb, quoted: quoted, offset: offset, type: type, info: info) }
    }

    /// Queues the datagram on the socket (`Udp6InDatagrams`).
    func __udpv6_queue_rcv_skb(_ skb: inout SKBuff) {
        traced(ipv6_udp_c.__udpv6_queue_rcv_skb) { __udp_enqueue_schedule_skb(&skb) }
    }

    /// Delivers one datagram to a socket (an encapsulation socket would take it here).
    func udpv6_queue_rcv_one_skb(_ skb: inout SKBuff) {
        traced(ipv6_udp_c.udpv6_queue_rcv_one_skb) { __udpv6_queue_rcv_skb(&skb) }
    }

    /// Delivers a datagram (or each segment of a GRO one) to a socket.
    func udpv6_queue_rcv_skb(_ skb: inout SKBuff) {
        traced(ipv6_udp_c.udpv6_queue_rcv_skb) { udpv6_queue_rcv_one_skb(&skb) }
    }

    /// Delivers a multicast datagram to every socket bound to its port: a socket takes a group it has
    /// no filter for (`inet6_mc_check`: `IPV6_MULTICAST_ALL` is on by default). None: freed and counted
    /// as `Udp6IgnoredMulti`.
    func __udp6_lib_mcast_deliver(_ skb: inout SKBuff, port: UInt16, group: IPv6Address) {
        traced(ipv6_udp_c.__udp6_lib_mcast_deliver) {
            guard let s = sockets.udp[port], s.ipv6 else {
                tracer.note("no socket on port \(port) for \(group)")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                count("Udp6IgnoredMulti")
                return
            }
            outcome.set(.deliver, proto: "udp")
            udpv6_queue_rcv_skb(&skb)
        }
    }

    /// Hands a datagram to the unicast socket found for it.
    func udp6_unicast_rcv_skb(_ skb: inout SKBuff) {
        traced(ipv6_udp_c.udp6_unicast_rcv_skb) {
            outcome.set(.deliver, proto: "udp")
            udpv6_queue_rcv_skb(&skb)
        }
    }

    /// Validates a datagram (length, checksum: a zero checksum is an error over IPv6), then delivers
    /// it to multicast sockets, the socket bound to its port, or answers port unreachable
    /// (`Udp6NoPorts`, `NO_SOCKET`).
    func __udp6_lib_rcv(_ skb: inout SKBuff) {
        traced(ipv6_udp_c.__udp6_lib_rcv) {
            outcome.set(.deliver, proto: "udp")
            var reason = SKBDropReason.NOT_SPECIFIED
            func discard(_ csum: Bool) {
                if csum {
                    if reason == .NOT_SPECIFIED { reason = .UDP_CSUM }
                    count("Udp6InCsumErrors")
                }
                count("Udp6InErrors")
                kfree_skb_reason(&skb, reason)
            }
            guard skb.pskb_may_pull(UDPPacket.headerLength), let hdr = skb.ipv6_hdr(), let uh = skb.udp_hdr() else {
                return discard(false)
            }
            var ulen = uh.length
            if ulen == 0 { ulen = skb.len }  // a jumbogram's length is in its jumbo option
            guard ulen <= skb.len, ulen >= UDPPacket.headerLength else {
                tracer.note("UDP length \(uh.length) with \(skb.len) bytes")
                reason = .PKT_TOO_SMALL
                return discard(false)
            }
            skb.len = ulen
            guard udp6_csum_init(&skb) else {
                tracer.note("UDP checksum is wrong")
                return discard(true)
            }
            if hdr.destination.isMulticast {
                return __udp6_lib_mcast_deliver(&skb, port: uh.destinationPort, group: hdr.destination)
            }
            if __udp6_lib_lookup(uh.destinationPort) != nil {
                if uh.checksum == 0 {
                    tracer.note("zero UDP checksum over IPv6")
                    return discard(true)
                }
                return udp6_unicast_rcv_skb(&skb)
            }
            reason = .NO_SOCKET
            if uh.checksum == 0 {
                tracer.note("zero UDP checksum over IPv6")
                return discard(true)
            }
            // udp_lib_checksum_complete: a longer datagram is verified before it is answered.
            if skb.ip_summed == .CHECKSUM_NONE, !__skb_checksum_complete(skb, proto: .udp) {
                tracer.note("UDP checksum is wrong")
                return discard(true)
            }
            tracer.note("no socket on port \(uh.destinationPort)")
            count("Udp6NoPorts")
            icmpv6_send(&skb, type: ICMPv6Type.ICMPV6_DEST_UNREACH, code: ICMPv6Type.ICMPV6_PORT_UNREACH)
            kfree_skb_reason(&skb, reason)
        }
    }

    /// Early demux: finds a connected socket for a unicast datagram; the model has none.
    func udp_v6_early_demux(_ skb: inout SKBuff) {
        traced(ipv6_udp_c.udp_v6_early_demux) {}
    }

    /// The UDP handler (`inet6_protos[IPPROTO_UDP]`).
    func udpv6_rcv(_ skb: inout SKBuff) -> Inet6HandlerResult {
        traced(ipv6_udp_c.udpv6_rcv) {
            __udp6_lib_rcv(&skb)
            return .done
        }
    }

    /// Completes the UDP header and checksum of a built datagram and hands it to IP (`ip6_send_skb`),
    /// counting it (`Udp6OutDatagrams`).
    func udp_v6_send_skb(_ skb: inout SKBuff) {
        traced(ipv6_udp_c.udp_v6_send_skb) {
            count("Udp6OutDatagrams")
            _ = ip6_send_skb(&skb)
        }
    }

    /// The `sendmsg` of IPv6 UDP sockets: routes the datagram (`ip6_sk_dst_lookup_flow`), makes it
    /// (`ip6_make_skb`) and sends it.
    func udpv6_sendmsg(_ skb: inout SKBuff) {
        traced(ipv6_udp_c.udpv6_sendmsg) {
            guard let daddr = skb.ipv6_hdr()?.destination,
                  routesCapturedSend(ip6_sk_dst_lookup_flow(daddr, dev: skb.dev), to: daddr) else { return }
            ip6_make_skb(&skb)
            udp_v6_send_skb(&skb)
        }
    }
}
