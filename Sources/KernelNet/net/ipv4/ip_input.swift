// Mirrors net/ipv4/ip_input.c (Linux 6.1): IPv4 receive, from the device layer to the transport
// protocols (RFC 791, RFC 1122 §3.2.1).
// Not modeled: forwarding along a source route (`ip_options_rcv_srr`), the router-alert chain
// (`ip_call_ra_chain`), l3mdev, route hints between list members, XFRM policy.
import Trace
import Wire

/// Functions modeled from `net/ipv4/ip_input.c`, in the file's order.
public enum ip_input: String, KernelSourceFile {
    public static let path = "net/ipv4/ip_input.c"
    case ip_protocol_deliver_rcu, ip_local_deliver_finish, ip_local_deliver, ip_rcv_options, ip_rcv_finish_core,
        ip_rcv_finish, ip_rcv_core, ip_rcv, ip_sublist_rcv_finish, ip_list_rcv_finish, ip_sublist_rcv, ip_list_rcv
}

extension Kernel {
    /// Hands a packet to raw sockets and to the handler registered for its protocol (TCP, UDP, ICMP);
    /// answers an unknown protocol with ICMP protocol unreachable. A packet a handler took counts as
    /// delivered (`IpInDelivers`) whatever the handler then did with it, drops included.
    func ip_protocol_deliver_rcu(_ skb: inout SKBuff, protocol proto: IPProtocol) {
        traced(ip_input.ip_protocol_deliver_rcu) {
            raw_local_deliver(&skb, protocol: proto)
            switch proto {
            case .tcp:
                tcp_v4_rcv(&skb)
            case .udp:
                udp_rcv(&skb)
            case .icmp:
                icmp_rcv(&skb)
            case .igmp:
                tracer.notModeled("IGMP (igmp_rcv)")
                outcome.set(.unknown)
            default:
                tracer.note("no handler registered for \(proto) (inet_protos)")
                count("IpInUnknownProtos")
                icmp_send(&skb, type: ICMPv4Packet.destinationUnreachable, code: 2)
                kfree_skb_reason(&skb, .IP_NOPROTO)
                return
            }
            count("IpInDelivers")
        }
    }

    /// Strips the IP header and delivers to the transport protocol.
    func ip_local_deliver_finish(_ skb: inout SKBuff) -> NetRxResult {
        traced(ip_input.ip_local_deliver_finish) {
            let proto = skb.ip_hdr()?.proto ?? IPProtocol(rawValue: 0)
            skb.skb_pull(skb.transport_header - skb.data)
            ip_protocol_deliver_rcu(&skb, protocol: proto)
            return .NET_RX_SUCCESS
        }
    }

    /// Delivers a packet for this host: reassembles fragments first, then runs the LOCAL_IN hook.
    func ip_local_deliver(_ skb: inout SKBuff) -> NetRxResult {
        traced(ip_input.ip_local_deliver) {
            if let iph = skb.ip_hdr(), iph.isFragment {
                guard ip_defrag(&skb) else { return .NET_RX_SUCCESS }
            }
            return NF_HOOK(.NF_INET_LOCAL_IN, &skb, okfn: { ip_local_deliver_finish(&$0) }, dropped: .NET_RX_DROP)
        }
    }

    /// Processes IP options (RFC 791 §3.1): malformed options, and source routes when
    /// `accept_source_route` is off (the default), drop the packet. Returns true when it must be dropped.
    func ip_rcv_options(_ skb: inout SKBuff) -> Bool {
        traced(ip_input.ip_rcv_options) {
            guard let iph = skb.ip_hdr() else { return true }
            let options = ip_options_compile(&skb, iph)
            if options.problemAt != nil {
                count("IpInHdrErrors")
                return true
            }
            if options.sourceRoute {
                // IN_DEV_SOURCE_ROUTE: "all" (default 0) and the device (default 1) must both allow it.
                guard sysctl.andConf("accept_source_route", dev: skb.dev.name, deviceDefault: 1) else {
                    tracer.note("source route option with accept_source_route off")
                    return true
                }
                tracer.notModeled("forwarding along a source route (ip_options_rcv_srr)")
            }
            return false
        }
    }

    /// Routes a received packet: early demux to an established socket, else the input route lookup;
    /// then options and the link-layer broadcast rule of RFC 1122 §3.3.6.
    func ip_rcv_finish_core(_ skb: inout SKBuff) -> NetRxResult {
        traced(ip_input.ip_rcv_finish_core) {
            guard let iph = skb.ip_hdr() else { return .NET_RX_DROP }
            if sysctl.ip_early_demux, skb.dst == nil, !iph.isFragment {
                switch iph.proto {
                case .tcp where sysctl.tcp_early_demux: tcp_v4_early_demux(&skb)
                case .udp where sysctl.udp_early_demux: udp_v4_early_demux(&skb)
                default: break
                }
            }
            if skb.dst == nil {
                guard ip_route_input_noref(&skb, daddr: iph.destination, saddr: iph.source) else {
                    if skb.rpFiltered {
                        count("TcpExtIPReversePathFilter")
                        kfree_skb_reason(&skb, .IP_RPFILTER)
                    } else {
                        kfree_skb_reason(&skb, .NOT_SPECIFIED)
                    }
                    return .NET_RX_DROP
                }
            }
            if iph.hasOptions, ip_rcv_options(&skb) {
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .NET_RX_DROP
            }
            switch skb.dst?.type {
            case .multicast:
                count("IpExtInMcastPkts")
                count("IpExtInMcastOctets", skb.len)
            case .broadcast:
                count("IpExtInBcastPkts")
                count("IpExtInBcastOctets", skb.len)
            default: break
            }
            return .NET_RX_SUCCESS
        }
    }

    /// The PRE_ROUTING continuation: route, then follow the route.
    func ip_rcv_finish(_ skb: inout SKBuff) -> NetRxResult {
        traced(ip_input.ip_rcv_finish) {
            guard ip_rcv_finish_core(&skb) != .NET_RX_DROP else { return .NET_RX_DROP }
            return dst_input(&skb)
        }
    }

    /// Validates an IPv4 header before any routing decision (RFC 1122 §3.2.1.1–3): frames for other
    /// hosts, short or malformed headers, bad header checksums and truncated datagrams are dropped.
    ///
    /// Returns false after freeing `skb`; the kernel returns `NULL`.
    func ip_rcv_core(_ skb: inout SKBuff) -> Bool {
        traced(ip_input.ip_rcv_core) {
            if skb.pkt_type == .PACKET_OTHERHOST {
                // 6.1 and 6.12 count it in the device's core rx_otherhost_dropped; 4.14 has no such counter.
                if profile.version >= .v6_1 { countLink(skb.dev) { $0.rx_otherhost_dropped += 1 } }
                kfree_skb_reason(&skb, .OTHERHOST)
                return false
            }
            count("IpInReceives")
            count("IpExtInOctets", skb.len)
            guard skb.pskb_may_pull(IPv4Packet.minimumHeaderLength) else {
                count("IpInHdrErrors")
                kfree_skb_reason(&skb, .IP_INHDR)
                return false
            }
            guard let iph = skb.ip_hdr() else {
                tracer.notModeled("IPv4 header not in the capture (snap length)")
                outcome.set(.unknown)
                return false
            }
            guard iph.ihl >= 5, iph.version == 4 else {
                tracer.note("version \(iph.version), ihl \(iph.ihl)")
                count("IpInHdrErrors")
                kfree_skb_reason(&skb, .IP_INHDR)
                return false
            }
            // A GSO skb counts each segment it stands for.
            count(Self.ecnCounters[Int(iph.tos & 3)], max(1, skb.gso_segs))
            guard skb.pskb_may_pull(iph.headerLength) else {
                count("IpInHdrErrors")
                kfree_skb_reason(&skb, .IP_INHDR)
                return false
            }
            guard iph.headerIsCaptured else {
                tracer.notModeled("IPv4 options not in the capture (snap length)")
                outcome.set(.unknown)
                return false
            }
            guard iph.headerChecksumIsValid else {
                tracer.note("header checksum 0x\(String(iph.headerChecksum, radix: 16)) is wrong")
                count("IpExtInCsumErrors")
                count("IpInHdrErrors")
                kfree_skb_reason(&skb, .IP_CSUM)
                return false
            }
            let totalLength = iph.totalLength
            if skb.len < totalLength {
                tracer.note("total length \(totalLength) > \(skb.len) bytes received")
                count("IpExtInTruncatedPkts")
                kfree_skb_reason(&skb, .PKT_TOO_SMALL)
                return false
            } else if totalLength < iph.headerLength {
                count("IpInHdrErrors")
                kfree_skb_reason(&skb, .IP_INHDR)
                return false
            }
            // pskb_trim_rcsum: Ethernet padding beyond the total length is cut off.
            skb.len = totalLength
            skb.transport_header = skb.network_header + iph.headerLength
            return true
        }
    }

    /// The counters of received packets by the ECN field of their header (RFC 3168), in its order:
    /// not ECN-capable, ECT(1), ECT(0), CE.
    static let ecnCounters: [StaticString] = ["IpExtInNoECTPkts", "IpExtInECT1Pkts", "IpExtInECT0Pkts", "IpExtInCEPkts"]

    /// The IPv4 receive entry for one packet (`ip_packet_type.func`).
    @discardableResult
    func ip_rcv(_ skb: inout SKBuff) -> NetRxResult {
        traced(ip_input.ip_rcv) {
            skb.skb_reset_network_header()
            guard ip_rcv_core(&skb) else { return .NET_RX_DROP }
            return NF_HOOK(.NF_INET_PRE_ROUTING, &skb, okfn: { ip_rcv_finish(&$0) }, dropped: .NET_RX_DROP)
        }
    }

    /// Follows the input route of each packet of a sublist.
    func ip_sublist_rcv_finish(_ skb: inout SKBuff) {
        traced(ip_input.ip_sublist_rcv_finish) { dst_input(&skb) }
    }

    /// Routes each packet of a list (as `ip_rcv_finish` does for one) and groups them by route.
    func ip_list_rcv_finish(_ skb: inout SKBuff) {
        traced(ip_input.ip_list_rcv_finish) {
            guard ip_rcv_finish_core(&skb) != .NET_RX_DROP else { return }
            ip_sublist_rcv_finish(&skb)
        }
    }

    /// Runs PRE_ROUTING over a sublist, then routes it.
    func ip_sublist_rcv(_ skb: inout SKBuff) {
        traced(ip_input.ip_sublist_rcv) {
            NF_HOOK_LIST(.NF_INET_PRE_ROUTING, &skb)
            ip_list_rcv_finish(&skb)
        }
    }

    /// The IPv4 list receive entry (`ip_packet_type.list_func`): validates each packet with
    /// `ip_rcv_core`, then processes the survivors as a sublist.
    func ip_list_rcv(_ skb: inout SKBuff) {
        traced(ip_input.ip_list_rcv) {
            skb.skb_reset_network_header()
            guard ip_rcv_core(&skb) else { return }
            ip_sublist_rcv(&skb)
        }
    }
}
