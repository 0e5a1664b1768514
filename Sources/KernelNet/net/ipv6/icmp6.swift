// Mirrors net/ipv6/icmp.c (Linux 6.1; 4.14.177 and 6.12 where they differ): ICMPv6 receive, echo
// replies and error messages (RFC 4443). The file is icmp6.swift because net/ipv4/icmp.c's mirror is
// icmp.swift, and one module cannot build two files of one name.
// How each version frees what it received: 4.14 frees every message but a delivered echo reply as a
// drop (`kfree_skb`), 6.1 with `NOT_SPECIFIED`; 6.12 takes the reason from the handler (an answered
// echo request is freed with `SKB_CONSUMED`, a consume).
// Echo replies go to `ping_rcv` (net/ipv4/ping.c, shared with IPv4): a ping socket the capture showed
// sending takes them, else `NO_SOCKET`.
// Neighbour discovery goes to `ndisc_rcv` (ndisc.swift).
// MLD queries and MLDv1 reports go to `igmp6_event_query`/`igmp6_event_report` (mcast.swift).
// Not modeled: the ICMPv6 rate limits themselves (`icmpv6_global_allow`, the per-peer credit in
// `icmpv6_xrlim_allow`: only its route lookup is; `net.ipv6.icmp.ratemask` is taken as its default),
// the IPsec lookups of the answer's route (`xfrm_lookup`), segment routing headers quoted in errors
// (`seg6_icmp_srh`), extended echo (RFC 8335).
// Errors received go to the error handler of the quoted packet's protocol (`tcp_v6_err`, `udpv6_err`,
// `icmpv6_err`) and to the raw sockets (`raw6_icmp_error`); a packet too big lowers the path MTU.
import Trace
import Wire

/// Functions modeled from `net/ipv6/icmp.c`, in the file's order.
public enum ipv6_icmp_c: String, KernelSourceFile {
    public static let path = "net/ipv6/icmp.c"
    case icmpv6_err, icmpv6_xrlim_allow, icmpv6_route_lookup, icmpv6_push_pending_frames, icmp6_send, icmpv6_param_prob_reason,
        icmpv6_echo_reply, icmpv6_notify, icmpv6_rcv, icmpv6_err_convert
}

/// Functions modeled from `include/linux/icmpv6.h` (`static inline`).
public enum icmpv6_h: String, KernelSourceFile {
    public static let path = "include/linux/icmpv6.h"
    case icmpv6_param_prob, icmpv6_send
}

/// ICMPv6 message types and codes by their kernel names (include/uapi/linux/icmpv6.h,
/// include/net/ndisc.h).
enum ICMPv6Type {
    static let ICMPV6_DEST_UNREACH: UInt8 = 1
    static let ICMPV6_PKT_TOOBIG: UInt8 = 2
    static let ICMPV6_TIME_EXCEED: UInt8 = 3
    static let ICMPV6_PARAMPROB: UInt8 = 4
    static let ICMPV6_ECHO_REQUEST: UInt8 = 128
    static let ICMPV6_ECHO_REPLY: UInt8 = 129
    static let ICMPV6_MGM_QUERY: UInt8 = 130
    static let ICMPV6_MGM_REPORT: UInt8 = 131
    static let ICMPV6_MGM_REDUCTION: UInt8 = 132
    static let NDISC_ROUTER_SOLICITATION: UInt8 = 133
    static let NDISC_REDIRECT: UInt8 = 137
    static let ICMPV6_MLD2_REPORT: UInt8 = 143
    /// Destination unreachable codes.
    static let ICMPV6_NOROUTE: UInt8 = 0
    static let ICMPV6_ADM_PROHIBITED: UInt8 = 1
    static let ICMPV6_ADDR_UNREACH: UInt8 = 3
    static let ICMPV6_PORT_UNREACH: UInt8 = 4
    /// Parameter problem codes.
    static let ICMPV6_HDR_FIELD: UInt8 = 0
    static let ICMPV6_UNK_NEXTHDR: UInt8 = 1
    static let ICMPV6_UNK_OPTION: UInt8 = 2
    /// Aliases the receive path uses.
    static let paramProblem = ICMPV6_PARAMPROB
    static let unknownNextHeader = ICMPV6_UNK_NEXTHDR

    /// Whether `type` is an MLD message (`ipv6_is_mld`'s list: query, v1 report and done, v2 report).
    static func isMLD(_ type: UInt8) -> Bool {
        (ICMPV6_MGM_QUERY...ICMPV6_MGM_REDUCTION).contains(type) || type == ICMPV6_MLD2_REPORT
    }

    /// Whether `type` is an error message (types below 128, RFC 4443 §2.1).
    static func isError(_ type: UInt8) -> Bool { type < 128 }
}

extension Kernel {
    /// ICMPv6's own error handler (`icmpv6_protocol.err_handler`), for an error about an ICMPv6 message the
    /// host sent (its header at `offset`): a packet too big lowers the path MTU toward the quoted
    /// destination; an error about an echo request goes to the ping socket that sent it (`ping_err`).
    func icmpv6_err(_ skb: inout SKBuff, quoted: IPv6Packet, offset: Int, type: UInt8, info: UInt32) {
        traced(ipv6_icmp_c.icmpv6_err) {
            if type == ICMPv6Type.ICMPV6_PKT_TOOBIG { ip6_update_pmtu(quoted: quoted, mtu: Int(info), dev: skb.dev) }
            if type == ICMPv6Type.NDISC_REDIRECT, let hdr = skb.ipv6_hdr() {
                let start = skb.transport_header
                ip6_redirect(quoted: quoted, NDiscInput(bytes: skb.bytes, start: start, length: skb.data + skb.len - start, header: hdr),
                             dev: skb.dev)
            }
            if ICMPv6Type.isError(type), skb.bytes.u8(at: offset) == ICMPv6Type.ICMPV6_ECHO_REQUEST {
                ping_err(identifier: skb.bytes.u16be(at: offset + 4))
            }
        }
    }

    /// Counts an ICMPv6 message received or sent in its per-type MIB slot, which /proc/net/snmp6 shows
    /// twice: under its `Icmp6In…`/`Icmp6Out…` name (`icmp6type2name`) when it has one, and as
    /// `Icmp6InType<N>`/`Icmp6OutType<N>`.
    func countIcmp6Msg(_ type: UInt8, incoming: Bool) {
        for name in ipv6_proc_c.icmp6MsgCounters(type, out: !incoming) { count(named: name) }
    }

    /// The per-destination rate limit of an ICMPv6 message of `type` to `daddr`: a type the rate mask
    /// exempts (packet too big and the informational types, by default) passes at once; for the others
    /// the limit looks the output route up (`ip6_route_output`, inline), whose prefix sets the interval.
    /// 6.1 and 6.12 skip the lookup too on a loopback device (`icmpv6_global_allow` is not consulted
    /// there, so no limit applies). The credit itself (`inet_peer_xrlim_allow`) is not modeled: the
    /// message the capture shows was allowed.
    func icmpv6_xrlim_allow(type: UInt8, to daddr: IPv6Address, dev: NetDevice) {
        traced(ipv6_icmp_c.icmpv6_xrlim_allow) {
            let exempt = type > 127 || type == ICMPv6Type.ICMPV6_PKT_TOOBIG
            guard !exempt, !(profile.version >= .v6_1 && dev.isLoopback) else { return }
            _ = ip6_route_output_flags(daddr, dev: dev)
        }
    }

    /// Finds the route of an ICMPv6 error (`ip6_dst_lookup`), then, the IPsec lookup (`xfrm_lookup`)
    /// having left it as it was, looks it up again for the reverse of the offending packet's flow.
    func icmpv6_route_lookup(to daddr: IPv6Address, dev: NetDevice) {
        traced(ipv6_icmp_c.icmpv6_route_lookup) {
            guard ip6_dst_lookup(daddr, dev: dev).type != .unreachable else { return }
            _ = ip6_dst_lookup(daddr, dev: dev)
        }
    }

    /// Builds and sends an ICMPv6 error about `skb` (RFC 4443 §2.4): never about an ICMPv6 error, nor
    /// (but for packet too big and an unknown option) about a packet to a multicast address or not for
    /// this host, nor to an unspecified or multicast source. The message leaves as a frame of its own.
    func icmp6_send(_ skb: inout SKBuff, type: UInt8, code: UInt8) {
        traced(ipv6_icmp_c.icmp6_send) {
            // Whether the packet the error quotes is eligible (`is_ineligible`), a preferred source from the
            // error's route when the host was not that packet's destination (`icmpv6_rt_has_prefsrc`, 6.1 and
            // later, over an inline `ip6_route_output`), the flow's multipath hash, the rate limit, the route.
            let offending = skb
            if sendsCapturedFrame(route: { daddr, dev in
                let quotedAt = offending.transport_header + 8
                _ = icmpv6IsIneligible(offending, header: quotedAt)
                if profile.version >= .v6_1, let quoted = IPv6Packet(offending.bytes, at: quotedAt),
                   quoted.destination.isMulticast || localDevice6(for: quoted.destination) == nil {
                    _ = ip6_route_output_flags(daddr, dev: dev)
                }
                rt6_multipath_hash(offending)
                icmpv6_xrlim_allow(type: type, to: daddr, dev: dev)
                icmpv6_route_lookup(to: daddr, dev: dev)
            }) { return }
            guard let hdr = skb.ipv6_hdr() else { return }
            let daddr = hdr.destination, saddr = hdr.source
            if daddr.isMulticast || skb.pkt_type != .PACKET_HOST,
               type != ICMPv6Type.ICMPV6_PKT_TOOBIG,
               !(type == ICMPv6Type.ICMPV6_PARAMPROB && code == ICMPv6Type.ICMPV6_UNK_OPTION) {
                tracer.note("no error for a packet to a multicast address or for another host")
                return
            }
            if saddr == .any || saddr.isMulticast {
                tracer.note("no error to the unspecified or a multicast source")
                return
            }
            if icmpv6IsIneligible(skb, header: skb.network_header) {
                tracer.note("no error about an ICMPv6 error message")
                return
            }
            count("Icmp6OutMsgs")
            countIcmp6Msg(type, incoming: false)
            expectTransmit(.icmpv6Error(to: saddr, type: type, code: code), from: currentFrame)
            tracer.note("ICMPv6 type \(type) code \(code) to \(saddr) built and sent: see the transmitted frame")
        }
    }

    /// Finishes the ICMPv6 message (its checksum) and sends the socket's pending data.
    func icmpv6_push_pending_frames(_ skb: inout SKBuff) {
        traced(ipv6_icmp_c.icmpv6_push_pending_frames) { _ = ip6_push_pending_frames(&skb) }
    }

    /// On the frame the capture shows leaving, where an ICMPv6 sender runs as its origin: finds the
    /// frame's route with `route` (given its destination and device) and sends it; returns true.
    private func sendsCapturedFrame(route: (IPv6Address, NetDevice) -> Void) -> Bool {
        guard var out = transmitSKB else { return false }
        if let daddr = out.ipv6_hdr()?.destination { route(daddr, out.dev) }
        icmpv6_push_pending_frames(&out)
        transmitSKB = out
        return true
    }

    /// Sends an ICMPv6 error about `skb` with the options the receive path recorded (`IP6CB`).
    func icmpv6_send(_ skb: inout SKBuff, type: UInt8, code: UInt8) {
        traced(icmpv6_h.icmpv6_send) { icmp6_send(&skb, type: type, code: code) }
    }

    /// Whether the packet whose IPv6 header is at `header` in `skb` is one no error may be sent about
    /// (`is_ineligible`, inline): cut inside its IPv6 header, or an ICMPv6 error message, or an ICMPv6
    /// message whose type is not in the packet (6.1 and later except in a fragment). Its extension headers
    /// are walked to the upper-layer header (`ipv6_skip_exthdr`); a walk that fails makes it eligible.
    private func icmpv6IsIneligible(_ skb: SKBuff, header: Int) -> Bool {
        let end = skb.data + skb.len
        guard header + IPv6Packet.headerLength <= end else { return true }
        guard let (upper, nexthdr, fragmentOffset) = ipv6_skip_exthdr(skb, header: header), nexthdr == .icmpv6 else {
            return false
        }
        guard upper < end else { return !(profile.version >= .v6_1 && fragmentOffset != 0) }
        return ICMPv6Type.isError(skb.bytes.u8(at: upper))
    }

    /// Sends a parameter problem pointing at byte `pointer` of the packet, then frees it with `reason`.
    func icmpv6_param_prob_reason(_ skb: inout SKBuff, code: UInt8, pointer: Int, reason: SKBDropReason) {
        traced(ipv6_icmp_c.icmpv6_param_prob_reason) {
            tracer.note("parameter problem code \(code), pointer \(pointer)")
            icmp6_send(&skb, type: ICMPv6Type.ICMPV6_PARAMPROB, code: code)
            kfree_skb_reason(&skb, reason)
        }
    }

    /// Sends a parameter problem and frees the packet without a reason: a header inline over
    /// `icmpv6_param_prob_reason` in 6.1 and later, a function of net/ipv6/icmp.c in 4.14.
    func icmpv6_param_prob(_ skb: inout SKBuff, code: UInt8, pointer: Int) {
        traced(icmpv6_h.icmpv6_param_prob) {
            guard has(ipv6_icmp_c.icmpv6_param_prob_reason) else {
                tracer.note("parameter problem code \(code), pointer \(pointer)")
                icmp6_send(&skb, type: ICMPv6Type.ICMPV6_PARAMPROB, code: code)
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return
            }
            icmpv6_param_prob_reason(&skb, code: code, pointer: pointer, reason: .NOT_SPECIFIED)
        }
    }

    /// A parameter problem freed with `reason` where the version passes one (6.1 and later); 4.14's
    /// callers use `icmpv6_param_prob`.
    func icmpv6ParamProb(_ skb: inout SKBuff, code: UInt8, pointer: Int, reason: SKBDropReason) {
        if has(ipv6_icmp_c.icmpv6_param_prob_reason) {
            icmpv6_param_prob_reason(&skb, code: code, pointer: pointer, reason: reason)
        } else {
            icmpv6_param_prob(&skb, code: code, pointer: pointer)
        }
    }

    /// Answers an echo request (RFC 4443 §4.2) from the address it was sent to; a request to a
    /// multicast address is answered from the device's address unless `echo_ignore_multicast` (6.1
    /// and later; default 0). The reply leaves as a frame of its own.
    func icmpv6_echo_reply(_ skb: inout SKBuff) {
        traced(ipv6_icmp_c.icmpv6_echo_reply) {
            guard let hdr = skb.ipv6_hdr() else { return }
            if hdr.destination.isMulticast, profile.version >= .v6_1,
               (sysctl.values["net.ipv6.icmp.echo_ignore_multicast"] ?? 0) != 0 {
                tracer.note("echo_ignore_multicast: no reply to a multicast echo")
                return
            }
            // The reply's route, then the rate limit (4.14 applies none to echo replies).
            if sendsCapturedFrame(route: { daddr, dev in
                _ = ip6_dst_lookup(daddr, dev: dev)
                if profile.version >= .v6_1 { icmpv6_xrlim_allow(type: ICMPv6Type.ICMPV6_ECHO_REPLY, to: daddr, dev: dev) }
            }) { return }
            let id = skb.bytes.u16be(at: skb.transport_header + 4), seq = skb.bytes.u16be(at: skb.transport_header + 6)
            count("Icmp6OutMsgs")
            countIcmp6Msg(ICMPv6Type.ICMPV6_ECHO_REPLY, incoming: false)
            expectTransmit(.icmpv6Reply(to: hdr.source, id: id, seq: seq), from: currentFrame)
            tracer.note("echo reply to \(hdr.source) built and sent: see the transmitted frame")
        }
    }

    /// Hands an ICMPv6 error (`type`, `code`, and `info`: the MTU of a packet too big) to the error handler
    /// of the quoted packet's protocol, past its extension headers, and to the raw sockets. A quote too
    /// short for the protocol's first 8 bytes, or whose headers run out, counts as an input error.
    /// Returns the reason 6.12 frees the message with: nil when the error was handed on (consumed).
    func icmpv6_notify(_ skb: inout SKBuff, type: UInt8, code: UInt8, info: UInt32, quotedAt: Int? = nil) -> SKBDropReason? {
        traced(ipv6_icmp_c.icmpv6_notify) {
            // icmpv6_rcv pulled the ICMPv6 header: the quoted packet starts 8 bytes into the message (a
            // redirect's, `quotedAt`, after its redirected-header option's header).
            let inner = quotedAt ?? skb.transport_header + 8, end = skb.data + skb.len
            guard inner + IPv6Packet.headerLength <= end, let quoted = IPv6Packet(skb.bytes, at: inner) else {
                count("Icmp6InErrors")
                return .PKT_TOO_SMALL
            }
            var nexthdr = quoted.nextHeader, offset = inner + IPv6Packet.headerLength
            if ipv6_ext_hdr(nexthdr) {
                guard let walked = ipv6_skip_exthdr(skb, header: inner) else {
                    tracer.note("quoted extension headers run past the message")
                    count("Icmp6InErrors")
                    return .IPV6_BAD_EXTHDR
                }
                (offset, nexthdr) = (walked.start, walked.nexthdr)
            }
            guard offset + 8 <= end else {
                count("Icmp6InErrors")
                return .PKT_TOO_SMALL
            }
            guard nexthdr.rawValue != 255 else {  // IPPROTO_RAW
                count("Icmp6InErrors")
                return .NOT_SPECIFIED
            }
            switch nexthdr {
            case .tcp: tcp_v6_err(&skb, quoted: quoted, offset: offset, type: type, code: code, info: info)
            case .udp: udpv6_err(&skb, quoted: quoted, offset: offset, type: type, info: info)
            case .icmpv6: icmpv6_err(&skb, quoted: quoted, offset: offset, type: type, info: info)
            default: tracer.note("next header \(nexthdr.rawValue) has no error handler")
            }
            raw6_icmp_error(&skb, nexthdr: nexthdr, quoted: quoted, type: type, info: info)
            return nil
        }
    }

    /// `icmpv6_notify` with the code and the MTU (or pointer) field of the message's header.
    private func icmpv6Notify(_ skb: inout SKBuff, type: UInt8) -> SKBDropReason? {
        icmpv6_notify(&skb, type: type, code: skb.bytes.u8(at: skb.transport_header + 1),
                      info: skb.bytes.u32be(at: skb.transport_header + 4))
    }

    /// The ICMPv6 handler (`inet6_protos[IPPROTO_ICMPV6]`): counts the message, checks its checksum
    /// over the pseudo-header (RFC 4443 §2.3), and dispatches by type.
    func icmpv6_rcv(_ skb: inout SKBuff) -> Inet6HandlerResult {
        traced(ipv6_icmp_c.icmpv6_rcv) {
            count("Icmp6InMsgs")
            outcome.set(.deliver, proto: "icmpv6")
            // skb_checksum_validate over the pseudo-header.
            if skb.ip_summed == .CHECKSUM_NONE, !__skb_checksum_complete(skb, proto: .icmpv6) {
                tracer.note("ICMPv6 checksum is wrong")
                count("Icmp6InCsumErrors")
                count("Icmp6InErrors")
                kfree_skb_reason(&skb, .ICMP_CSUM)
                return .done
            }
            guard skb.transport_header - skb.data + 4 <= skb.len else {
                count("Icmp6InErrors")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .done
            }
            let type = skb.bytes.u8(at: skb.transport_header)
            countIcmp6Msg(type, incoming: true)
            // 6.12 frees with the handler's reason (`nil`: consumed); older versions drop all but a
            // delivered echo reply.
            var reason: SKBDropReason? = .NOT_SPECIFIED
            var answered = false
            switch type {
            case ICMPv6Type.ICMPV6_ECHO_REQUEST:
                if !sysctl.icmpv6_echo_ignore_all {
                    icmpv6_echo_reply(&skb)
                    answered = profile.version >= .v6_12
                }
            case ICMPv6Type.ICMPV6_ECHO_REPLY:
                reason = ping_rcv(&skb)
            case ICMPv6Type.ICMPV6_DEST_UNREACH...ICMPv6Type.ICMPV6_PARAMPROB:
                // A packet too big must quote at least an IPv6 header (`pskb_may_pull`).
                if type == ICMPv6Type.ICMPV6_PKT_TOOBIG, skb.transport_header + 8 + IPv6Packet.headerLength > skb.data + skb.len {
                    count("Icmp6InErrors")
                    kfree_skb_reason(&skb, .NOT_SPECIFIED)
                    return .done
                }
                let notified = icmpv6Notify(&skb, type: type)
                if profile.version >= .v6_12 { reason = notified }
            case ICMPv6Type.NDISC_ROUTER_SOLICITATION...ICMPv6Type.NDISC_REDIRECT:
                let handled = ndisc_rcv(&skb)
                if profile.version >= .v6_12 {
                    reason = handled
                    answered = handled == nil
                }
            case ICMPv6Type.ICMPV6_MGM_QUERY:
                // 6.1 and later hand the query to MLD's worker, which frees it; 4.14 frees it below.
                igmp6_event_query(&skb)
                if has(ipv6_mcast_c.mld_query_work) { return .done }
            case ICMPv6Type.ICMPV6_MGM_REPORT:
                igmp6_event_report(&skb)
                if has(ipv6_mcast_c.mld_report_work) { return .done }
            case ICMPv6Type.ICMPV6_MGM_REDUCTION, ICMPv6Type.ICMPV6_MLD2_REPORT, 139, 140, 144...147:
                // MLD done, MLDv2 reports, node information, Mobile IPv6: nothing to do.
                break
            default:
                // An unknown informational message is ignored; an unknown error goes to the upper layer.
                if ICMPv6Type.isError(type) {
                    let notified = icmpv6Notify(&skb, type: type)
                    if profile.version >= .v6_12 { reason = notified }
                }
            }
            if answered {
                // 6.12's icmpv6_echo_reply returns SKB_CONSUMED, which icmpv6_rcv passes to kfree_skb_reason.
                kfree_skb_consumed(&skb)
            } else if let reason {
                // A message the host processed is freed as a drop all the same: the real kernel's
                // kfree_skb tracepoint reports it so, and so does the verdict.
                kfree_skb_reason(&skb, reason)
            } else {
                consume_skb(&skb)
            }
            return .done
        }
    }

    /// Turns an ICMPv6 error into the `errno` a socket reports and says whether it is fatal (a hard
    /// error: it ends a connection attempt, RFC 1122 §4.2.3.9 and RFC 4443 §3). Destination unreachable
    /// is fatal but for no route and address unreachable (and the reserved code 2), which may be
    /// transient; parameter problem is fatal; time exceeded and packet too big are not.
    func icmpv6_err_convert(type: UInt8, code: UInt8) -> ICMPv6ErrorConversion {
        traced(ipv6_icmp_c.icmpv6_err_convert) {
            let conversion: ICMPv6ErrorConversion
            switch type {
            case ICMPv6Type.ICMPV6_DEST_UNREACH:
                let table = [("ENETUNREACH", false), ("EACCES", true), ("EHOSTUNREACH", false), ("EHOSTUNREACH", false),
                             ("ECONNREFUSED", true), ("EACCES", true), ("EACCES", true)]
                let (errno, fatal) = Int(code) < table.count ? table[Int(code)] : ("EPROTO", true)
                conversion = ICMPv6ErrorConversion(errno: errno, fatal: fatal)
            case ICMPv6Type.ICMPV6_PKT_TOOBIG: conversion = ICMPv6ErrorConversion(errno: "EMSGSIZE", fatal: false)
            case ICMPv6Type.ICMPV6_PARAMPROB: conversion = ICMPv6ErrorConversion(errno: "EPROTO", fatal: true)
            case ICMPv6Type.ICMPV6_TIME_EXCEED: conversion = ICMPv6ErrorConversion(errno: "EHOSTUNREACH", fatal: false)
            default: conversion = ICMPv6ErrorConversion(errno: "EPROTO", fatal: false)
            }
            tracer.note("\(conversion.errno), \(conversion.fatal ? "fatal" : "not fatal")")
            return conversion
        }
    }
}

/// What `icmpv6_err_convert` makes of an ICMPv6 error: the socket's error and whether it is fatal.
struct ICMPv6ErrorConversion {
    /// The `errno` name the socket reports (`sk_err` or `sk_err_soft`).
    let errno: String
    /// Whether the error is hard: it ends a request socket or an unconnected attempt.
    let fatal: Bool
}
