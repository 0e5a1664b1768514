// Mirrors net/ipv6/ip6_input.c (Linux 6.1; 4.14.177 and 6.12 where they differ): IPv6 receive, from
// the device layer to the upper-layer protocols (RFC 8200).
// 4.14 has no `ip6_rcv_core`, `ip6_rcv_finish_core`, `ip6_protocol_deliver_rcu` or list receive: the
// caller does their work.
// Not modeled: l3mdev (VRF), route hints between list members, XFRM policy, multicast routing
// (`ip6_mr_input`), UDP encapsulation (a final protocol handing back another).
import Trace
import Wire

/// Functions modeled from `net/ipv6/ip6_input.c`, in the file's order.
public enum ip6_input_c: String, KernelSourceFile {
    public static let path = "net/ipv6/ip6_input.c"
    case ip6_rcv_finish_core, ip6_rcv_finish, ip6_sublist_rcv_finish, ip6_list_rcv_finish, ip6_rcv_core, ipv6_rcv,
        ip6_sublist_rcv, ipv6_list_rcv, ip6_protocol_deliver_rcu, ip6_input_finish, ip6_input, ip6_mc_input
}

/// What an IPv6 upper-layer handler (`inet6_protocol.handler`) returns: the packet was taken (0),
/// an extension header was consumed and the next header follows (a positive value), or it was
/// dropped (-1).
enum Inet6HandlerResult {
    case done, nextHeader, dropped
}

extension Kernel {
    /// Early demux, then the input route unless the packet already has one.
    func ip6_rcv_finish_core(_ skb: inout SKBuff) {
        traced(ip6_input_c.ip6_rcv_finish_core) {
            guard let hdr = skb.ipv6_hdr() else { return }
            if sysctl.ip_early_demux, skb.dst == nil {
                switch hdr.nextHeader {
                case .tcp where sysctl.tcp_early_demux: tcp_v6_early_demux(&skb)
                case .udp where sysctl.udp_early_demux: udp_v6_early_demux(&skb)
                default: break
                }
            }
            if skb.dst == nil { ip6_route_input(&skb) }
        }
    }

    /// The PRE_ROUTING continuation: route the packet, then follow the route.
    func ip6_rcv_finish(_ skb: inout SKBuff) -> NetRxResult {
        traced(ip6_input_c.ip6_rcv_finish) {
            ip6_rcv_finish_core(&skb)
            return dst_input(&skb)
        }
    }

    /// Follows the input route of each packet of a sublist.
    func ip6_sublist_rcv_finish(_ skb: inout SKBuff) {
        traced(ip6_input_c.ip6_sublist_rcv_finish) { dst_input(&skb) }
    }

    /// Routes each packet of a list (as `ip6_rcv_finish` does for one) and groups them by route.
    func ip6_list_rcv_finish(_ skb: inout SKBuff) {
        traced(ip6_input_c.ip6_list_rcv_finish) {
            ip6_rcv_finish_core(&skb)
            ip6_sublist_rcv_finish(&skb)
        }
    }

    /// Validates an IPv6 header before any routing decision: frames for other hosts, a device with
    /// IPv6 disabled, a version other than 6, loopback addresses off the loopback device, multicast
    /// destinations of interface-local or reserved scope, multicast sources (RFC 4291 §2.5.3, §2.7)
    /// and truncated packets are dropped; a hop-by-hop header is parsed here (RFC 8200 §4.3).
    ///
    /// Returns false after freeing `skb`; the kernel returns `NULL`. 4.14 does this in `ipv6_rcv`.
    func ip6_rcv_core(_ skb: inout SKBuff) -> Bool {
        traced(ip6_input_c.ip6_rcv_core) {
            if skb.pkt_type == .PACKET_OTHERHOST {
                // 6.1 and 6.12 count it in the device's core rx_otherhost_dropped; 4.14 has no such counter.
                if profile.version >= .v6_1 { countLink(skb.dev) { $0.rx_otherhost_dropped += 1 } }
                kfree_skb_reason(&skb, .OTHERHOST)
                return false
            }
            count("Ip6InReceives")
            count("Ip6InOctets", skb.len)
            if devconf(skb.dev).disable_ipv6 {
                count("Ip6InDiscards")
                kfree_skb_reason(&skb, .IPV6DISABLED)
                return false
            }
            /// The header error path (`goto err`): counted, and dropped with `reason` or `IP_INHDR`.
            func headerError(_ why: String, _ reason: SKBDropReason = .IP_INHDR) -> Bool {
                tracer.note(why)
                count("Ip6InHdrErrors")
                kfree_skb_reason(&skb, reason)
                return false
            }
            guard skb.pskb_may_pull(IPv6Packet.headerLength) else { return headerError("shorter than an IPv6 header") }
            guard let hdr = skb.ipv6_hdr() else {
                tracer.notModeled("IPv6 header not in the capture (snap length)")
                outcome.set(.unknown)
                return false
            }
            guard hdr.version == 6 else { return headerError("version \(hdr.version)", .UNHANDLED_PROTO) }
            count(Self.ecn6Counters[Int(hdr.trafficClass & 3)], max(1, skb.gso_segs))
            let saddr = hdr.source, daddr = hdr.destination
            let loopbackDevice = skb.dev.isLoopback
            if saddr == .loopback || daddr == .loopback, !loopbackDevice {
                return headerError("loopback address \(saddr == .loopback ? "source" : "destination") on \(skb.dev.name)")
            }
            if !(skb.pkt_type == .PACKET_LOOPBACK || loopbackDevice), daddr.isMulticast, daddr.multicastScope == 1 {
                return headerError("interface-local multicast destination from another node")
            }
            if !daddr.isMulticast, skb.pkt_type == .PACKET_BROADCAST || skb.pkt_type == .PACKET_MULTICAST,
               devconf(skb.dev).drop_unicast_in_l2_multicast {
                return headerError("unicast in a link-layer multicast frame", .UNICAST_IN_L2_MULTICAST)
            }
            if daddr.isMulticast, daddr.multicastScope == 0 { return headerError("multicast destination of scope 0") }
            if saddr.isMulticast { return headerError("multicast source address") }
            skb.transport_header = skb.network_header + IPv6Packet.headerLength
            skb.nhoff = IPv6Packet.Field.nextHeader
            let payloadLength = hdr.payloadLength
            // A payload length of 0 with a hop-by-hop header announces a jumbogram (RFC 2675).
            if payloadLength != 0 || hdr.nextHeader != .hopopts {
                guard payloadLength + IPv6Packet.headerLength <= skb.len else {
                    tracer.note("payload length \(payloadLength) > \(skb.len - IPv6Packet.headerLength) bytes received")
                    count("Ip6InTruncatedPkts")
                    kfree_skb_reason(&skb, .PKT_TOO_SMALL)
                    return false
                }
                // pskb_trim_rcsum: link-layer padding beyond the payload is cut off.
                skb.len = payloadLength + IPv6Packet.headerLength
            }
            if hdr.nextHeader == .hopopts, ipv6_parse_hopopts(&skb) < 0 {
                count("Ip6InHdrErrors")
                return false
            }
            return true
        }
    }

    /// The counters of received packets by the ECN field of their traffic class (RFC 3168), in its
    /// order: not ECN-capable, ECT(1), ECT(0), CE.
    static let ecn6Counters: [StaticString] = ["Ip6InNoECTPkts", "Ip6InECT1Pkts", "Ip6InECT0Pkts", "Ip6InCEPkts"]

    /// The IPv6 receive entry for one packet (`ipv6_packet_type.func`).
    @discardableResult
    func ipv6_rcv(_ skb: inout SKBuff) -> NetRxResult {
        traced(ip6_input_c.ipv6_rcv) {
            skb.skb_reset_network_header()
            guard ip6_rcv_core(&skb) else { return .NET_RX_DROP }
            return NF_HOOK(.NF_INET_PRE_ROUTING, &skb, okfn: { ip6_rcv_finish(&$0) }, dropped: .NET_RX_DROP)
        }
    }

    /// Runs PRE_ROUTING over a sublist, then routes it.
    func ip6_sublist_rcv(_ skb: inout SKBuff) {
        traced(ip6_input_c.ip6_sublist_rcv) {
            NF_HOOK_LIST(.NF_INET_PRE_ROUTING, &skb)
            ip6_list_rcv_finish(&skb)
        }
    }

    /// The IPv6 list receive entry (`ipv6_packet_type.list_func`): validates each packet with
    /// `ip6_rcv_core`, then processes the survivors as a sublist.
    func ipv6_list_rcv(_ skb: inout SKBuff) {
        traced(ip6_input_c.ipv6_list_rcv) {
            skb.skb_reset_network_header()
            guard ip6_rcv_core(&skb) else { return }
            ip6_sublist_rcv(&skb)
        }
    }

    /// Walks the extension headers and hands the packet to the handler registered for each next
    /// header (`inet6_protos`) until a final protocol takes it: raw sockets see it first; a multicast
    /// packet for a group the device has not joined stops at the first final protocol unless it is
    /// MLD; an unknown next header is answered with a parameter problem (RFC 8200 §4) unless a raw
    /// socket took it. A packet a handler took counts as delivered (`Ip6InDelivers`).
    func ip6_protocol_deliver_rcu(_ skb: inout SKBuff) {
        traced(ip6_input_c.ip6_protocol_deliver_rcu) {
            var haveFinal = false
            // Each extension header is at least 8 bytes: the walk ends with the packet.
            while true {
                guard skb.transport_header - skb.data <= skb.len else {
                    count("Ip6InDiscards")
                    kfree_skb_reason(&skb, .NOT_SPECIFIED)
                    return
                }
                skb.skb_pull(skb.transport_header - skb.data)
                let nexthdr = IPProtocol(rawValue: skb.bytes.u8(at: skb.network_header + skb.nhoff))
                let raw = raw6_local_deliver(&skb, protocol: nexthdr)
                guard let handler = Self.inet6Protocol(nexthdr) else {
                    if raw {
                        count("Ip6InDelivers")
                        outcome.set(.deliver, proto: "raw")
                        return
                    }
                    tracer.note("no handler registered for next header \(nexthdr.rawValue) (inet6_protos)")
                    count("Ip6InUnknownProtos")
                    icmpv6_send(&skb, type: ICMPv6Type.paramProblem, code: ICMPv6Type.unknownNextHeader)
                    kfree_skb_reason(&skb, .IP_NOPROTO)
                    return
                }
                if handler.final, !haveFinal {
                    haveFinal = true
                    if let hdr = skb.ipv6_hdr(), hdr.destination.isMulticast,
                       !ipv6_chk_mcast_addr(skb.dev, hdr.destination), !ipv6IsMLD(skb, nexthdr) {
                        count("Ip6InDiscards")
                        kfree_skb_reason(&skb, .IP_INADDRERRORS)
                        return
                    }
                }
                let result: Inet6HandlerResult
                switch nexthdr {
                case .tcp: result = tcp_v6_rcv(&skb)
                case .udp: result = udpv6_rcv(&skb)
                case .icmpv6: result = icmpv6_rcv(&skb)
                case .routing: result = ipv6_rthdr_rcv(&skb)
                case .dstopts: result = ipv6_destopt_rcv(&skb)
                case .ipv6Fragment: result = ipv6_frag_rcv(&skb)
                default:
                    tracer.notModeled("IPv6 next header \(nexthdr.rawValue) (\(handler.name))")
                    outcome.set(.unknown)
                    return
                }
                switch result {
                case .done:
                    count("Ip6InDelivers")
                    return
                case .dropped: return
                case .nextHeader: continue
                }
            }
        }
    }

    /// An upper-layer protocol of `inet6_protos`: its handler's name and whether it is final (a
    /// transport, `INET6_PROTO_FINAL`) rather than an extension header.
    static func inet6Protocol(_ nexthdr: IPProtocol) -> (name: String, final: Bool)? {
        switch nexthdr {
        case .tcp: ("tcp_v6_rcv", true)
        case .udp: ("udpv6_rcv", true)
        case .icmpv6: ("icmpv6_rcv", true)
        case .routing: ("ipv6_rthdr_rcv", false)
        case .dstopts: ("ipv6_destopt_rcv", false)
        case .ipv6Fragment: ("ipv6_frag_rcv", false)
        case .udplite: ("udplitev6_rcv", true)
        case .sctp: ("sctp6_rcv", true)
        case .gre: ("gre_rcv", true)
        case .ipip: ("tunnel6_rcv", true)
        case .ipv6: ("tunnel6_rcv", true)
        case .esp: ("xfrm6_esp_rcv", false)
        case .ah: ("xfrm6_ah_rcv", false)
        case .noNextHeader: nil
        default: nil
        }
    }

    /// The LOCAL_IN continuation: deliver to the upper layers. 4.14 walks the headers here.
    func ip6_input_finish(_ skb: inout SKBuff) -> NetRxResult {
        traced(ip6_input_c.ip6_input_finish) {
            ip6_protocol_deliver_rcu(&skb)
            return .NET_RX_SUCCESS
        }
    }

    /// The input of a route to this host (`dst->input`): the LOCAL_IN hook, then delivery.
    @discardableResult
    func ip6_input(_ skb: inout SKBuff) -> NetRxResult {
        traced(ip6_input_c.ip6_input) {
            NF_HOOK(.NF_INET_LOCAL_IN, &skb, okfn: { ip6_input_finish(&$0) }, dropped: .NET_RX_DROP)
        }
    }

    /// The input of a multicast route: counted (`Ip6InMcastPkts`), delivered when the device joined
    /// the group, else freed.
    func ip6_mc_input(_ skb: inout SKBuff) -> NetRxResult {
        traced(ip6_input_c.ip6_mc_input) {
            count("Ip6InMcastPkts")
            count("Ip6InMcastOctets", skb.len)
            guard let hdr = skb.ipv6_hdr(), ipv6_chk_mcast_addr(skb.dev, hdr.destination) else {
                tracer.note("group not joined on \(skb.dev.name)")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .NET_RX_SUCCESS
            }
            ip6_input(&skb)
            return .NET_RX_SUCCESS
        }
    }

    /// Whether the packet is an MLD message (`ipv6_is_mld`), which a host takes for any group.
    func ipv6IsMLD(_ skb: SKBuff, _ nexthdr: IPProtocol) -> Bool {
        guard nexthdr == .icmpv6, skb.captured(1) else { return false }
        return ICMPv6Type.isMLD(skb.bytes.u8(at: skb.data))
    }
}
