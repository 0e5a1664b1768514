// Mirrors net/ipv4/icmp.c (Linux 6.1): ICMP receive, echo replies and error messages (RFC 792,
// RFC 1122 §3.2.2).
// Rate limits (RFC 1812 §4.3.2.8) by the capture clock: the global token bucket
// (`icmp_msgs_per_sec`, `icmp_msgs_burst`) and the per-destination one (`icmp_ratelimit`) for the
// types in `icmp_ratemask`.
// Not modeled: ICMP errors delivered to sockets (`icmp_unreach` consumes them), timestamps, extended
// echo (RFC 8335); `icmp_global_consume` takes a random 0-2 credits in the kernel, the model always 1.
import Trace
import Wire

/// Functions modeled from `net/ipv4/icmp.c`, in the file's order.
public enum icmp: String, KernelSourceFile {
    public static let path = "net/ipv4/icmp.c"
    case icmp_global_allow, icmp_global_consume, icmpv4_mask_allow, icmpv4_global_allow, icmpv4_xrlim_allow,
        icmp_push_reply, icmp_reply, icmp_route_lookup, __icmp_send, icmp_socket_deliver, icmp_err, icmp_unreach, icmp_redirect, icmp_echo,
        icmp_timestamp, icmp_discard, icmp_rcv
}

/// Functions modeled from `include/net/icmp.h`.
public enum icmp_h: String, KernelSourceFile {
    public static let path = "include/net/icmp.h"
    case icmp_send
}

/// The namespace-wide ICMP token bucket (`net->ipv4.icmp_global_credit` and `icmp_global_stamp`).
struct ICMPGlobalLimit {
    var credit = 0
    /// Jiffies of the last refill.
    var stamp: Int64 = 0
}

extension Kernel {
    /// `net.ipv4.icmp_ratelimit` in jiffies (the sysctl is in milliseconds; default 1000).
    var icmpRatelimit: Int64 { Self.msecs_to_jiffies(sysctl.icmp_ratelimit) }

    /// Whether the transmit path of a frame the capture shows leaving is being traced: the rate limits
    /// were decided when its cause was processed, so they are traced again without changing state.
    var tracingTransmit: Bool { transmitSKB != nil }

    /// Counts an ICMP message received (`incoming`: `ICMPMSGIN_INC_STATS` in `icmp_rcv`) or built to be
    /// sent (`icmp_out_count`, which also counts `IcmpOutMsgs`): per type as `IcmpMsg{In,Out}Type<N>`,
    /// and under its `Icmp` name for the types RFC 1213 names (`icmpmibmap`, net/ipv4/proc.c).
    func countIcmpMsg(_ type: UInt8, incoming: Bool) {
        if !incoming { count("IcmpOutMsgs") }
        let perType = incoming ? Self.icmpMsgIn : Self.icmpMsgOut
        if Int(type) < perType.count {
            count(perType[Int(type)])
        } else {
            count(named: (incoming ? "IcmpMsgInType" : "IcmpMsgOutType") + String(type))
        }
        if let name = (incoming ? Self.icmpInNames : Self.icmpOutNames)[type] { count(name) }
    }

    /// `IcmpMsgInType<N>` for the types up to 18 (`NR_ICMP_TYPES`).
    static let icmpMsgIn: [StaticString] = [
        "IcmpMsgInType0", "IcmpMsgInType1", "IcmpMsgInType2", "IcmpMsgInType3", "IcmpMsgInType4", "IcmpMsgInType5",
        "IcmpMsgInType6", "IcmpMsgInType7", "IcmpMsgInType8", "IcmpMsgInType9", "IcmpMsgInType10",
        "IcmpMsgInType11", "IcmpMsgInType12", "IcmpMsgInType13", "IcmpMsgInType14", "IcmpMsgInType15",
        "IcmpMsgInType16", "IcmpMsgInType17", "IcmpMsgInType18"
    ]
    /// `IcmpMsgOutType<N>` for the types up to 18.
    static let icmpMsgOut: [StaticString] = [
        "IcmpMsgOutType0", "IcmpMsgOutType1", "IcmpMsgOutType2", "IcmpMsgOutType3", "IcmpMsgOutType4",
        "IcmpMsgOutType5", "IcmpMsgOutType6", "IcmpMsgOutType7", "IcmpMsgOutType8", "IcmpMsgOutType9",
        "IcmpMsgOutType10", "IcmpMsgOutType11", "IcmpMsgOutType12", "IcmpMsgOutType13", "IcmpMsgOutType14",
        "IcmpMsgOutType15", "IcmpMsgOutType16", "IcmpMsgOutType17", "IcmpMsgOutType18"
    ]
    /// The `Icmp` names of received message types.
    static let icmpInNames: [UInt8: StaticString] = [
        3: "IcmpInDestUnreachs", 11: "IcmpInTimeExcds", 12: "IcmpInParmProbs", 4: "IcmpInSrcQuenchs", 5:
        "IcmpInRedirects", 8: "IcmpInEchos", 0: "IcmpInEchoReps", 13: "IcmpInTimestamps", 14: "IcmpInTimestampReps",
        17: "IcmpInAddrMasks", 18: "IcmpInAddrMaskReps"
    ]
    /// The `Icmp` names of sent message types.
    static let icmpOutNames: [UInt8: StaticString] = [
        3: "IcmpOutDestUnreachs", 11: "IcmpOutTimeExcds", 12: "IcmpOutParmProbs", 4: "IcmpOutSrcQuenchs", 5:
        "IcmpOutRedirects", 8: "IcmpOutEchos", 0: "IcmpOutEchoReps", 13: "IcmpOutTimestamps", 14:
        "IcmpOutTimestampReps", 17: "IcmpOutAddrMasks", 18: "IcmpOutAddrMaskReps"
    ]

    /// The global ICMP token bucket: allowed while credit remains; otherwise refilled at
    /// `icmp_msgs_per_sec` (at most once every 20 ms, up to `icmp_msgs_burst`).
    func icmp_global_allow() -> Bool {
        traced(icmp.icmp_global_allow) {
            if icmpGlobal.credit > 0 || tracingTransmit { return true }
            let delta = min(jiffies - icmpGlobal.stamp, Self.HZ)
            guard delta >= Self.HZ / 50 else { return false }
            let incr = Int(Int64(sysctl.icmp_msgs_per_sec) * delta / Self.HZ)
            guard incr > 0 else { return false }
            icmpGlobal.stamp = jiffies
            icmpGlobal.credit = min(icmpGlobal.credit + incr, sysctl.icmp_msgs_burst)
            return true
        }
    }

    /// Takes the credit of one message from the global bucket (the kernel takes 0, 1 or 2 at random;
    /// the model 1, the mean).
    func icmp_global_consume() {
        traced(icmp.icmp_global_consume) { if !tracingTransmit { icmpGlobal.credit -= 1 } }
    }

    /// Whether a message type is exempt from rate limiting: types outside `icmp_ratemask`, and
    /// fragmentation needed (PMTU discovery).
    func icmpv4_mask_allow(type: UInt8, code: UInt8) -> Bool {
        traced(icmp.icmpv4_mask_allow) {
            if type > 18 { return true }
            if type == ICMPv4Packet.destinationUnreachable && code == 4 { return true }
            return (1 << Int(type)) & sysctl.icmp_ratemask == 0
        }
    }

    /// The global limit for a message type. Returns whether it may go, and whether the per-destination
    /// limit applies to it (`apply_ratelimit`).
    func icmpv4_global_allow(type: UInt8, code: UInt8) -> (allowed: Bool, applyRatelimit: Bool) {
        traced(icmp.icmpv4_global_allow) {
            if icmpv4_mask_allow(type: type, code: code) { return (true, false) }
            if icmp_global_allow() { return (true, true) }
            tracer.note("global ICMP rate limit (icmp_msgs_per_sec) exhausted: ICMP type \(type) suppressed")
            countRateLimited("IcmpOutRateLimitGlobal")
            return (false, false)
        }
    }

    /// Counts a suppressed message: `IcmpOutRateLimitGlobal`/`Host` exist from 6.1.192 (a stable
    /// backport) on; 4.14 has no such counters.
    private func countRateLimited(_ name: StaticString) {
        if profile.version >= .v6_1 { count(name) }
    }

    /// The per-destination limit (`icmp_ratelimit`, through the destination's `inet_peer`); a message
    /// that passes takes its credit from the global bucket. Its callers skip it when the limit does
    /// not apply (that test is inlined at their call sites in 6.1, `icmpv4_xrlim_allow.part.0`).
    func icmpv4_xrlim_allow(daddr: IPv4Address, dev: NetDevice?) -> Bool {
        traced(icmp.icmpv4_xrlim_allow) {
            var allowed = true
            if dev?.isLoopback != true {
                inet_getpeer(.v4(daddr))
                allowed = inet_peer_xrlim_allow(.v4(daddr), timeout: icmpRatelimit)
            }
            if !allowed {
                countRateLimited("IcmpOutRateLimitHost")
            } else {
                icmp_global_consume()
            }
            return allowed
        }
    }

    /// Appends the ICMP message to the socket and sends the datagram.
    func icmp_push_reply(_ skb: inout SKBuff) {
        traced(icmp.icmp_push_reply) { ip_push_pending_frames(&skb) }
    }

    /// Sends an ICMP reply (echo reply) to the sender of `request`. A reply to a broadcast address
    /// leaves through `ip_mc_output`, which loops a copy back to this host: the copy is queued on the
    /// backlog here, so the frame that asked for the reply shows it received (the reply's own frame
    /// shows it leaving).
    func icmp_reply(_ type: UInt8 = ICMPv4Packet.echoReply, to dst: IPv4Address, id: UInt16, seq: UInt16,
                    request: SKBuff? = nil) {
        traced(icmp.icmp_reply) {
            let limit = icmpv4_global_allow(type: type, code: 0)
            guard limit.allowed else { return }
            if var out = transmitSKB {
                let rt = ip_route_output_flow(daddr: dst)
                if limit.applyRatelimit { _ = icmpv4_xrlim_allow(daddr: dst, dev: rt?.dev) }
                icmp_push_reply(&out)
                transmitSKB = out
            } else if routeLookup(dst) == nil {
                _ = ip_route_output_flow(daddr: dst)
                tracer.note("no route back to \(dst): no reply")
            } else if let rule = netfilterRules.firstIndex(where: {
                $0.hook == .NF_INET_LOCAL_OUT && $0.verdict != .accept && ($0.proto ?? .icmp) == .icmp
                    && $0.applies(ipv6: false) && ($0.daddr?.contains(dst) ?? true) && $0.sport == nil && $0.dport == nil
            }) {
                tracer.note("the reply to \(dst) is dropped at LOCAL_OUT by netfilter rule \(rule + 1): none leaves")
                // Built and counted before the hook (icmp_out_count in __ip_make_skb; 6.12 counts the
                // request in __ip_local_out), discarded by ip_send_skb after it.
                countIcmpMsg(type, incoming: false)
                if profile.version >= .v6_12 { count("IpOutRequests") }
                count("IpOutDiscards")
            } else {
                countIcmpMsg(type, incoming: false)
                expectTransmit(.icmpReply(type, to: dst, id: id, seq: seq), from: currentFrame)
                tracer.note("\(type == ICMPv4Packet.echoReply ? "echo" : "timestamp") reply to \(dst) built and sent: see the transmitted frame")
                if outputsThroughMulticast(dst), let request, let reply = echoReply(to: request) {
                    expected.markLastLoopedBack()
                    backlog.append(loopedBack(reply))
                    tracer.note("ip_mc_output loops a copy back to this host (dev_loopback_xmit): received after this frame")
                }
            }
        }
    }

    /// The echo reply `icmp_reply` builds for the echo request `request`: from the address the request
    /// was sent to (`fib_compute_spec_dst`; the receiving device's first address when that was a
    /// broadcast), back to its source, with its identifier, sequence and data, TTL 64. The skb is the
    /// request's, on the output route to its sender, with only the reply in its bytes.
    func echoReply(to request: SKBuff) -> SKBuff? {
        guard let iph = request.ip_hdr(), let ih = request.icmp_hdr() else { return nil }
        let start = request.transport_header + ICMPv4Packet.headerLength
        let end = min(request.bytes.count, request.network_header + iph.totalLength)
        let data = start < end ? Array(request.bytes[start..<end]) : []
        let spec = isLocal(iph.destination) ? iph.destination : request.dev.addresses.first?.address ?? iph.destination
        var icmpBytes = FrameBuilder.icmp(type: ICMPv4Packet.echoReply,
                                          rest: [UInt8(ih.identifier >> 8), UInt8(ih.identifier & 0xff),
                                                 UInt8(ih.sequence >> 8), UInt8(ih.sequence & 0xff)],
                                          data: data)
        FrameBuilder.fillChecksum(&icmpBytes, .icmp, spec, iph.source)
        let header = IPv4Header(source: spec, destination: iph.source, proto: .icmp, payloadLength: icmpBytes.count,
                                ttl: 64, identification: 0, dontFragment: false)
        var reply = request
        reply.bytes = header.bytes + icmpBytes
        reply.data = 0
        reply.len = reply.bytes.count
        reply.network_header = 0
        reply.transport_header = IPv4Packet.minimumHeaderLength
        reply.mac_header = nil
        reply.ip_summed = .CHECKSUM_NONE
        reply.dst = routeLookup(iph.source)
        reply.dev = reply.dst?.dev ?? request.dev
        return reply
    }

    /// Routes an ICMP error back to the sender of the offending packet `skb` (from `saddr` to `daddr`),
    /// and checks the reverse route as RFC 1812 §4.3.2.3 asks: the address types of both ends, then a
    /// second lookup. When the offending packet was addressed to this host, that is an output lookup
    /// back to its sender; when the host was forwarding it, the packet's return journey is routed as
    /// input arriving on the device towards its destination (`ip_route_input`), as a reply from there
    /// would be.
    func icmp_route_lookup(_ skb: SKBuff, to daddr: IPv4Address, from saddr: IPv4Address) {
        traced(icmp.icmp_route_lookup) {
            _ = ip_route_output_key_hash(daddr: daddr, inline: false)
            xfrm_lookup()
            // 6.x first checks the error's own destination (net/ipv4/icmp.c); 4.14 only the reverse.
            if profile.version >= .v6_1 { inet_addr_type_dev_table(daddr) }
            inet_addr_type_dev_table(saddr)
            if isLocal(saddr) {
                _ = ip_route_output_key_hash(daddr: daddr, inline: false)
            } else if let towards = ip_route_output_key_hash(daddr: saddr, inline: false)?.dev {
                tracer.note("error about a forwarded packet: its way back from \(towards.name) is routed as input")
                var reverse = skb
                reverse.dev = towards
                reverse.dst = nil
                _ = ip_route_input_noref(&reverse, daddr: daddr, saddr: saddr)
            }
            xfrm_lookup()
        }
    }

    /// Sends an ICMP error about `skb` to its sender (the inline wrapper callers use, without IP options
    /// of their own).
    func icmp_send(_ skb: inout SKBuff, type: UInt8, code: UInt8) {
        traced(icmp_h.icmp_send) { __icmp_send(&skb, type: type, code: code) }
    }

    /// Sends an ICMP error about `skb` to its sender, unless RFC 1122 §3.2.2 forbids it (errors about
    /// errors, fragments other than the first, link-layer or IP broadcasts and multicasts; a looped-back
    /// copy, `PACKET_LOOPBACK`, is not `PACKET_HOST` either).
    func __icmp_send(_ skb: inout SKBuff, type: UInt8, code: UInt8) {
        traced(icmp.__icmp_send) {
            guard let iph = skb.ip_hdr() else { return }
            if skb.pkt_type != .PACKET_HOST {
                tracer.note("no ICMP error for a packet not addressed to this host's MAC (\(skb.pkt_type))")
                return
            }
            if skb.dst?.type == .broadcast || skb.dst?.type == .multicast || iph.fragmentOffset != 0 {
                tracer.note("no ICMP error for a broadcast, multicast or non-first fragment")
                return
            }
            if iph.proto == .icmp, let inner = ICMPv4Packet(skb.bytes, at: iph.payloadOffset), inner.isError {
                tracer.note("no ICMP error about an ICMP error")
                return
            }
            // The global limit is not applied to errors about packets that came in on loopback.
            var limit = (allowed: true, applyRatelimit: true)
            if !skb.dev.isLoopback { limit = icmpv4_global_allow(type: type, code: code) }
            guard limit.allowed else { return }
            if var out = transmitSKB {
                icmp_route_lookup(skb, to: iph.source, from: iph.destination)
                if limit.applyRatelimit { _ = icmpv4_xrlim_allow(daddr: iph.source, dev: routeLookup(iph.source)?.dev) }
                icmp_push_reply(&out)
                transmitSKB = out
            } else {
                if limit.applyRatelimit {
                    if !inetPeerWouldAllow(.v4(iph.source)) {
                        // The kernel routes the error before its per-destination check; when the error
                        // leaves, the transmitted frame's path shows that lookup instead.
                        icmp_route_lookup(skb, to: iph.source, from: iph.destination)
                    }
                    guard icmpv4_xrlim_allow(daddr: iph.source, dev: routeLookup(iph.source)?.dev) else {
                        tracer.note("ICMP type \(type) code \(code) to \(iph.source) suppressed by icmp_ratelimit")
                        return
                    }
                }
                countIcmpMsg(type, incoming: false)
                expectTransmit(.icmpError(to: iph.source, type: type, code: code), from: currentFrame)
                tracer.note("ICMP type \(type) code \(code) to \(iph.source) built and sent: "
                    + (afterCapture ? "after the capture ended, so not in it" : "see the transmitted frame"))
            }
        }
    }

    /// Handles a received ICMP error: hands it to the protocol of the quoted datagram.
    func icmp_unreach(_ skb: inout SKBuff) -> SKBDropReason? {
        traced(icmp.icmp_unreach) {
            guard let ih = skb.icmp_hdr() else { return nil }
            let quotedAt = skb.transport_header + ICMPv4Packet.headerLength
            guard let quoted = IPv4Packet(skb.bytes, at: quotedAt) else {
                count("IcmpInErrors")
                return .NOT_SPECIFIED
            }
            guard quoted.ihl >= 5 else {
                tracer.note("quoted IPv4 header mangled (ihl \(quoted.ihl))")
                count("IcmpInErrors")
                return .IP_INHDR
            }
            switch ih.type {
            case ICMPv4Packet.destinationUnreachable where ih.code > 15:
                return nil  // beyond NR_ICMP_UNREACH: ignored
            case ICMPv4Packet.timeExceeded where ih.code == 1:
                tracer.note("fragment reassembly time exceeded: nothing to tell a socket")
                return nil
            default:
                break
            }
            icmp_socket_deliver(&skb, quoted: quoted, at: quotedAt)
            return nil
        }
    }

    /// ICMP's own error handler (`icmp_protocol.err_handler`), for an error about an ICMP message the host
    /// sent (its header at `quotedICMP`): one about an echo request goes to the ping socket that sent it
    /// (`ping_err`); one about an echo reply the kernel sent would only note a path MTU or a redirect for
    /// its route (`ipv4_update_pmtu`, `ipv4_redirect`, not modeled).
    func icmp_err(_ skb: inout SKBuff, quotedICMP: Int) {
        traced(icmp.icmp_err) {
            if skb.bytes.u8(at: quotedICMP) != ICMPv4Packet.echoReply {
                ping_err(identifier: skb.bytes.u16be(at: quotedICMP + 4))
            } else {
                tracer.note("an error about an echo reply the host sent: only a path MTU or redirect would be kept for its route")
            }
        }
    }

    /// Hands an ICMP error to the raw sockets and to the error handler of the quoted packet's
    /// protocol (`inet_protos[]->err_handler`), which finds the socket that sent it.
    func icmp_socket_deliver(_ skb: inout SKBuff, quoted: IPv4Packet, at offset: Int) {
        traced(icmp.icmp_socket_deliver) {
            // The full quoted IP header plus 8 bytes of its transport header must be there.
            guard skb.bytes.count >= offset + quoted.headerLength + 8, quoted.proto.rawValue != 255 else {
                count("IcmpInErrors")
                return
            }
            raw_icmp_error(&skb, protocol: quoted.proto)
            let l4 = offset + quoted.headerLength
            let tuple = FourTuple(local: quoted.source, localPort: skb.bytes.u16be(at: l4),
                                  remote: quoted.destination, remotePort: skb.bytes.u16be(at: l4 + 2))
            switch quoted.proto {
            case .udp: udp_err(&skb, tuple: tuple)
            case .tcp: tcp_v4_err(&skb, tuple: tuple, seq: skb.bytes.u32be(at: l4 + 4))
            case .icmp: icmp_err(&skb, quotedICMP: l4)
            default: tracer.note("protocol \(quoted.proto) has no error handler")
            }
        }
    }

    /// Handles a redirect: hands it to the protocol of the quoted datagram, which may update the route.
    func icmp_redirect(_ skb: inout SKBuff) -> SKBDropReason? {
        traced(icmp.icmp_redirect) {
            tracer.notModeled("redirect handling (route exceptions)")
            return nil
        }
    }

    /// Answers a timestamp request (RFC 792) with a timestamp reply.
    func icmp_timestamp(_ skb: inout SKBuff) -> SKBDropReason? {
        traced(icmp.icmp_timestamp) {
            guard let iph = skb.ip_hdr(), let ih = skb.icmp_hdr(),
                iph.totalLength - iph.headerLength - ICMPv4Packet.headerLength >= 4 else {
                count("IcmpInErrors")
                return .PKT_TOO_SMALL
            }
            inet_current_timestamp()
            icmp_reply(ICMPv4Packet.timestampReply, to: iph.source, id: ih.identifier, seq: ih.sequence)
            return nil
        }
    }

    /// Answers an echo request (RFC 792), unless `icmp_echo_ignore_all` is set.
    func icmp_echo(_ skb: inout SKBuff) -> SKBDropReason? {
        traced(icmp.icmp_echo) {
            if sysctl.icmp_echo_ignore_all {
                tracer.note("icmp_echo_ignore_all: no reply")
                return nil
            }
            guard let iph = skb.ip_hdr(), let ih = skb.icmp_hdr() else { return nil }
            icmp_reply(to: iph.source, id: ih.identifier, seq: ih.sequence, request: skb)
            return nil
        }
    }

    /// Discards ICMP messages the host does not act on.
    func icmp_discard(_ skb: inout SKBuff) -> SKBDropReason? {
        traced(icmp.icmp_discard) { nil }
    }

    /// The ICMP protocol handler: verifies the checksum, then runs the handler for the message type.
    func icmp_rcv(_ skb: inout SKBuff) {
        traced(icmp.icmp_rcv) {
            outcome.set(.deliver, proto: "icmp")
            count("IcmpInMsgs")
            if skb.ip_summed != .CHECKSUM_UNNECESSARY, !__skb_checksum_complete(skb, proto: .icmp) {
                count("IcmpInCsumErrors")
                count("IcmpInErrors")
                kfree_skb_reason(&skb, .ICMP_CSUM)
                return
            }
            guard let ih = skb.icmp_hdr() else {
                count("IcmpInErrors")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return
            }
            countIcmpMsg(ih.type, incoming: true)
            guard ih.type <= 18 else {
                count("IcmpInErrors")
                kfree_skb_reason(&skb, .UNHANDLED_PROTO)
                return
            }
            if skb.dst?.type == .broadcast || skb.dst?.type == .multicast {
                let echoLike = ih.type == ICMPv4Packet.echoRequest || ih.type == ICMPv4Packet.timestamp
                let addressLike = ih.type == 17 || ih.type == 18  // ICMP_ADDRESS, ICMP_ADDRESSREPLY
                if (echoLike && sysctl.icmp_echo_ignore_broadcasts) || (!echoLike && !addressLike) {
                    tracer.note("ICMP type \(ih.type) to a broadcast/multicast address ignored")
                    count("IcmpInErrors")
                    kfree_skb_reason(&skb, .INVALID_PROTO)
                    return
                }
            }
            let reason: SKBDropReason?
            switch ih.type {
            case ICMPv4Packet.echoRequest: reason = icmp_echo(&skb)
            case ICMPv4Packet.destinationUnreachable, 4, ICMPv4Packet.timeExceeded, ICMPv4Packet.parameterProblem:
                reason = icmp_unreach(&skb)
            case ICMPv4Packet.redirect: reason = icmp_redirect(&skb)
            case ICMPv4Packet.timestamp: reason = icmp_timestamp(&skb)
            case ICMPv4Packet.echoReply: reason = ping_rcv(&skb)
            default: reason = icmp_discard(&skb)
            }
            if let reason { kfree_skb_reason(&skb, reason) } else { consume_skb(&skb) }
        }
    }
}
