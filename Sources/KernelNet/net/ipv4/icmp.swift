// Mirrors net/ipv4/icmp.c (Linux 6.1): ICMP receive, echo replies and error messages (RFC 792,
// RFC 1122 §3.2.2).
// Not modeled: the global and per-destination rate limits (every error is sent), ICMP errors
// delivered to sockets (`icmp_unreach` consumes them), timestamps, extended echo (RFC 8335).
import Trace
import Wire

/// Functions modeled from `net/ipv4/icmp.c`, in the file's order.
public enum icmp: String, KernelSourceFile {
    public static let path = "net/ipv4/icmp.c"
    case icmp_push_reply, icmp_reply, icmp_route_lookup, __icmp_send, icmp_unreach, icmp_redirect, icmp_echo,
        icmp_timestamp, icmp_discard, icmp_rcv
}

/// Functions modeled from `include/net/icmp.h`.
public enum icmp_h: String, KernelSourceFile {
    public static let path = "include/net/icmp.h"
    case icmp_send
}

extension Kernel {
    /// Appends the ICMP message to the socket and sends the datagram.
    func icmp_push_reply(_ skb: inout SKBuff) {
        traced(icmp.icmp_push_reply) { ip_push_pending_frames(&skb) }
    }

    /// Sends an ICMP reply (echo reply) to the sender of `skb`.
    func icmp_reply(to dst: IPv4Address, id: UInt16, seq: UInt16) {
        traced(icmp.icmp_reply) {
            if var out = transmitSKB {
                _ = ip_route_output_flow(daddr: dst)
                icmp_push_reply(&out)
                transmitSKB = out
            } else if routeLookup(dst) == nil {
                _ = ip_route_output_flow(daddr: dst)
                tracer.note("no route back to \(dst): no reply")
            } else if let rule = netfilterRules.firstIndex(where: {
                $0.hook == .NF_INET_LOCAL_OUT && $0.verdict != .accept && ($0.proto ?? .icmp) == .icmp
                    && ($0.daddr?.contains(dst) ?? true) && $0.sport == nil && $0.dport == nil
            }) {
                tracer.note("the echo reply to \(dst) is dropped at LOCAL_OUT by netfilter rule \(rule + 1): none leaves")
            } else {
                count("IcmpOutMsgs")
                count("IcmpOutEchoReps")
                expectTransmit(.icmpEchoReply(to: dst, id: id, seq: seq), from: currentFrame)
                tracer.note("echo reply to \(dst) built and sent: see the transmitted frame")
            }
        }
    }

    /// Routes an ICMP error back to the sender of the offending packet, and checks the reverse route
    /// as RFC 1812 §4.3.2.3 asks (the address types of both ends, then a second output lookup).
    func icmp_route_lookup(to daddr: IPv4Address, from saddr: IPv4Address) {
        traced(icmp.icmp_route_lookup) {
            _ = ip_route_output_key_hash(daddr: daddr, inline: false)
            xfrm_lookup()
            inet_addr_type_dev_table(daddr)
            inet_addr_type_dev_table(saddr)
            _ = ip_route_output_key_hash(daddr: daddr, inline: false)
            xfrm_lookup()
        }
    }

    /// Sends an ICMP error about `skb` to its sender (the inline wrapper callers use, without IP options
    /// of their own).
    func icmp_send(_ skb: inout SKBuff, type: UInt8, code: UInt8) {
        traced(icmp_h.icmp_send) { __icmp_send(&skb, type: type, code: code) }
    }

    /// Sends an ICMP error about `skb` to its sender, unless RFC 1122 §3.2.2 forbids it (errors about
    /// errors, fragments other than the first, broadcasts).
    func __icmp_send(_ skb: inout SKBuff, type: UInt8, code: UInt8) {
        traced(icmp.__icmp_send) {
            guard let iph = skb.ip_hdr() else { return }
            if skb.dst?.type == .broadcast || skb.dst?.type == .multicast || iph.fragmentOffset != 0 {
                tracer.note("no ICMP error for a broadcast, multicast or non-first fragment")
                return
            }
            if iph.proto == .icmp, let inner = ICMPv4Packet(skb.bytes, at: iph.payloadOffset), inner.isError {
                tracer.note("no ICMP error about an ICMP error")
                return
            }
            if var out = transmitSKB {
                icmp_route_lookup(to: iph.source, from: iph.destination)
                icmp_push_reply(&out)
                transmitSKB = out
            } else {
                count("IcmpOutMsgs")
                expectTransmit(.icmpError(to: iph.source, type: type, code: code), from: currentFrame)
                tracer.note("ICMP type \(type) code \(code) to \(iph.source) built and sent: see the transmitted frame")
            }
        }
    }

    /// Handles a received ICMP error: hands it to the protocol of the quoted datagram.
    func icmp_unreach(_ skb: inout SKBuff) -> SKBDropReason? {
        traced(icmp.icmp_unreach) {
            tracer.notModeled("ICMP error delivery to the socket it concerns (err_handler)")
            return nil
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
            tracer.notModeled("timestamp replies")
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
            icmp_reply(to: iph.source, id: ih.identifier, seq: ih.sequence)
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
            guard ih.type <= 18 else {
                count("IcmpInErrors")
                kfree_skb_reason(&skb, .UNHANDLED_PROTO)
                return
            }
            if skb.dst?.type == .broadcast || skb.dst?.type == .multicast {
                let echoLike = ih.type == ICMPv4Packet.echoRequest || ih.type == ICMPv4Packet.timestamp
                if (echoLike && sysctl.icmp_echo_ignore_broadcasts) || (!echoLike && ih.type != 17) {
                    tracer.note("ICMP type \(ih.type) to a broadcast/multicast address ignored")
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
