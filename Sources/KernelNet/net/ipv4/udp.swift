// Mirrors net/ipv4/udp.c (Linux 6.1): UDP receive and send (RFC 768, RFC 1122 §4.1).
// Not modeled: UDP-Lite, encapsulation sockets, GSO/GRO, socket filters, receive-buffer limits,
// connected-socket early demux (unicast early demux finds none).
import Trace
import Wire

/// Functions modeled from `net/ipv4/udp.c`, in the file's order.
public enum udp: String, KernelSourceFile {
    public static let path = "net/ipv4/udp.c"
    case __udp4_lib_lookup, __udp4_lib_err, udp_err, udp_send_skb, udp_sendmsg, __udp_enqueue_schedule_skb, udp_queue_rcv_one_skb,
        udp_queue_rcv_skb, udp_unicast_rcv_skb, __udp4_lib_mcast_deliver, __udp4_lib_rcv, udp_v4_early_demux,
        udp_rcv
}

extension Kernel {
    /// Finds the socket bound to the destination port (exact address, then wildcard).
    func __udp4_lib_lookup(_ address: IPv4Address, _ port: UInt16) -> SocketConfig? {
        traced(udp.__udp4_lib_lookup) {
            guard let s = sockets.udp[port], s.address == .any || s.address == address else { return nil }
            return s
        }
    }

    /// Finds the UDP socket that sent the datagram an ICMP error quotes and reports the error to it:
    /// a connected socket (or one with `IP_RECVERR`) gets it as its next error (`sk_err`, e.g.
    /// `ECONNREFUSED` for port unreachable); with no socket the error counts as `IcmpInErrors`.
    func __udp4_lib_err(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(udp.__udp4_lib_err) {
            guard let s = __udp4_lib_lookup(t.local, t.localPort) else {
                tracer.note("no UDP socket for \(t.local):\(t.localPort): the error concerns nobody")
                count("IcmpInErrors")
                return
            }
            if s.remote == t.remote, s.remotePort == t.remotePort {
                tracer.note("error reported to the connected socket \(t) (sk_err, sk_error_report)")
            } else {
                tracer.note("unconnected socket without IP_RECVERR: the error is not reported")
            }
        }
    }

    /// UDP's ICMP error handler (`udp_protocol.err_handler`).
    func udp_err(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(udp.udp_err) { __udp4_lib_err(&skb, tuple: t) }
    }

    /// Hands a built datagram to IP.
    func udp_send_skb(_ skb: inout SKBuff) {
        traced(udp.udp_send_skb) {
            count("UdpOutDatagrams")
            ip_send_skb(&skb)
        }
    }

    /// The `sendmsg` of UDP sockets: routes and builds the datagram, then sends it. The sending socket is
    /// the one bound to the source port, whose multicast loop flag (`IP_MULTICAST_LOOP`) `ip_mc_output` reads.
    func udp_sendmsg(_ skb: inout SKBuff) {
        traced(udp.udp_sendmsg) {
            if let sk = sockets.udp[skb.bytes.u16be(at: skb.transport_header)] { transmitContext.multicastLoop = sk.multicastLoop }
            if let iph = skb.ip_hdr() { _ = ip_route_output_flow(daddr: iph.destination) }
            udp_send_skb(&skb)
        }
    }

    /// Queues a datagram on the socket's receive queue.
    func __udp_enqueue_schedule_skb(_ skb: inout SKBuff) {
        traced(udp.__udp_enqueue_schedule_skb) {
            if skb.protocol == .ipv6 { count("Udp6InDatagrams") } else { count("UdpInDatagrams") }
        }
    }

    /// Delivers one datagram to a socket.
    func udp_queue_rcv_one_skb(_ skb: inout SKBuff) {
        traced(udp.udp_queue_rcv_one_skb) { __udp_enqueue_schedule_skb(&skb) }
    }

    /// Delivers a datagram to a socket (splitting GSO packets first).
    func udp_queue_rcv_skb(_ skb: inout SKBuff) {
        traced(udp.udp_queue_rcv_skb) { udp_queue_rcv_one_skb(&skb) }
    }

    /// Delivers a unicast datagram to the socket found.
    func udp_unicast_rcv_skb(_ skb: inout SKBuff) {
        traced(udp.udp_unicast_rcv_skb) { udp_queue_rcv_skb(&skb) }
    }

    /// Delivers a broadcast or multicast datagram to every matching socket.
    func __udp4_lib_mcast_deliver(_ skb: inout SKBuff, port: UInt16, group: IPv4Address) {
        traced(udp.__udp4_lib_mcast_deliver) {
            if let s = sockets.udp[port], skb.dst?.type == .broadcast || s.groups.contains(group) {
                tracer.note("socket: bound to port \(port)")
                udp_queue_rcv_skb(&skb)
            } else {
                tracer.note("no socket on port \(port) for the group")
                count("UdpIgnoredMulti")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
            }
        }
    }

    /// The UDP receive path: header and checksum checks, socket lookup, delivery or ICMP port unreachable.
    func __udp4_lib_rcv(_ skb: inout SKBuff) {
        traced(udp.__udp4_lib_rcv) {
            outcome.set(.deliver, proto: "udp")
            guard skb.pskb_may_pull(UDPPacket.headerLength), let uh = skb.udp_hdr(), let iph = skb.ip_hdr() else {
                count("UdpInErrors")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return
            }
            let ulen = uh.length
            guard ulen <= skb.len, ulen >= UDPPacket.headerLength else {
                tracer.note("UDP length \(ulen) does not fit the \(skb.len)-byte datagram")
                count("UdpInErrors")
                kfree_skb_reason(&skb, .PKT_TOO_SMALL)
                return
            }
            // udp4_csum_init: a zero checksum means none (RFC 768); any other is verified at once.
            if uh.checksum != 0, skb.ip_summed == .CHECKSUM_NONE {
                guard __skb_checksum_complete(skb, proto: .udp) else {
                    count("UdpInCsumErrors")
                    count("UdpInErrors")
                    kfree_skb_reason(&skb, .UDP_CSUM)
                    return
                }
                skb.ip_summed = .CHECKSUM_UNNECESSARY
            } else if uh.checksum == 0 {
                tracer.note("checksum 0: none (RFC 768)")
            }
            if skb.dst?.type == .broadcast || skb.dst?.type == .multicast {
                __udp4_lib_mcast_deliver(&skb, port: uh.destinationPort, group: iph.destination)
                return
            }
            if __udp4_lib_lookup(iph.destination, uh.destinationPort) != nil {
                tracer.note("socket: bound to port \(uh.destinationPort)")
                udp_unicast_rcv_skb(&skb)
                return
            }
            tracer.note("socket: none on port \(uh.destinationPort)")
            count("UdpNoPorts")
            icmp_send(&skb, type: ICMPv4Packet.destinationUnreachable, code: 3)
            kfree_skb_reason(&skb, .NO_SOCKET)
        }
    }

    /// Early demux for UDP: only multicast and connected sockets are found here (none in the model).
    func udp_v4_early_demux(_ skb: inout SKBuff) {
        traced(udp.udp_v4_early_demux) {}
    }

    /// The UDP protocol handler.
    func udp_rcv(_ skb: inout SKBuff) {
        traced(udp.udp_rcv) { __udp4_lib_rcv(&skb) }
    }
}
