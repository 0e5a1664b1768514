// Mirrors net/ipv6/tcp_ipv6.c (Linux 6.1; 4.14.177 and 6.12 alike on these paths): TCP over IPv6
// receive up to the socket lookup, and the resets sent for segments no socket takes (RFC 9293 §3.10.7.1).
// Not modeled: IPv6 connections (a segment other than a SYN, which may belong to one, ends in a
// not-modeled note), segments for listening IPv6 sockets (`tcp_v6_do_rcv` and what follows: the trace
// says so), SYN cookies, IPv4-mapped sockets, time-wait, MD5 and AO signatures.
import Trace
import Wire

/// Functions modeled from `net/ipv6/tcp_ipv6.c`, in the file's order.
public enum tcp_ipv6: String, KernelSourceFile {
    public static let path = "net/ipv6/tcp_ipv6.c"
    case tcp_v6_send_response, tcp_v6_send_reset, tcp_v6_fill_cb, tcp_v6_rcv, tcp_v6_early_demux
}

extension Kernel {
    /// Builds a reset or acknowledgment on the control socket and sends it with `ip6_xmit` (the output
    /// route lookup, `ip6_dst_lookup_flow`, is not modeled).
    func tcp_v6_send_response(_ skb: inout SKBuff) {
        traced(tcp_ipv6.tcp_v6_send_response) { _ = ip6_xmit(&skb) }
    }

    /// Answers a segment no socket takes with a reset (never a reset to a reset, nor to a multicast
    /// destination). The reset leaves as a frame of its own.
    func tcp_v6_send_reset(_ skb: inout SKBuff) {
        traced(tcp_ipv6.tcp_v6_send_reset) {
            if var out = transmitSKB {
                tcp_v6_send_response(&out)
                transmitSKB = out
                return
            }
            guard let th = skb.tcp_hdr(), let hdr = skb.ipv6_hdr(), !th.flags.contains(.rst) else {
                tracer.note("no reset in answer to a reset")
                return
            }
            guard !hdr.destination.isMulticast else { return }
            count("TcpOutSegs")
            count("TcpOutRsts")
            expectTransmit(.tcpv6Reset(to: hdr.source, port: th.sourcePort, from: th.destinationPort), from: currentFrame)
            tracer.note("RST to [\(hdr.source)]:\(th.sourcePort) built and sent: see the transmitted frame")
        }
    }

    /// Copies header fields into the skb's control block (`TCP_SKB_CB`).
    func tcp_v6_fill_cb(_ skb: inout SKBuff) {
        traced(tcp_ipv6.tcp_v6_fill_cb) {}
    }

    /// The TCP handler (`inet6_protos[IPPROTO_TCP]`): header checks, then the socket lookup; a
    /// segment for no socket is answered with a reset and dropped (`NO_SOCKET`).
    func tcp_v6_rcv(_ skb: inout SKBuff) -> Inet6HandlerResult {
        traced(tcp_ipv6.tcp_v6_rcv) {
            outcome.set(.deliver, proto: "tcp")
            guard skb.pkt_type == .PACKET_HOST else {
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .done
            }
            count("TcpInSegs")
            guard skb.pskb_may_pull(TCPPacket.minimumHeaderLength), let th = skb.tcp_hdr() else {
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .done
            }
            guard th.headerLength >= TCPPacket.minimumHeaderLength else {
                count("TcpInErrs")
                kfree_skb_reason(&skb, .PKT_TOO_SMALL)
                return .done
            }
            guard skb.pskb_may_pull(th.headerLength) else {
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .done
            }
            // skb_checksum_init: short segments are verified at once (CHECKSUM_BREAK = 76 bytes).
            if skb.ip_summed == .CHECKSUM_NONE, skb.len <= 76, droppedForBadChecksum(&skb) { return .done }
            // __inet6_lookup_skb: the established table, then the listeners.
            if !__inet6_lookup_established(), inet6_lookup_listener(th.destinationPort) {
                tracer.notModeled("TCP over IPv6 to the listener on port \(th.destinationPort) (tcp_v6_do_rcv)")
                outcome.set(.unknown)
                return .done
            }
            // The model keeps no IPv6 connections: only a SYN is known to find none.
            guard th.flags.contains(.syn), !th.flags.contains(.ack) else {
                tracer.notModeled("the IPv6 connection this segment may belong to (no IPv6 TCP connections are modeled)")
                outcome.set(.unknown)
                return .done
            }
            tracer.note("socket: none for port \(th.destinationPort)")
            tcp_v6_fill_cb(&skb)
            if droppedForBadChecksum(&skb) { return .done }
            tcp_v6_send_reset(&skb)
            kfree_skb_reason(&skb, .NO_SOCKET)
            return .done
        }
    }

    /// Early demux: finds the established socket of a segment before routing; the model has none
    /// over IPv6.
    func tcp_v6_early_demux(_ skb: inout SKBuff) {
        traced(tcp_ipv6.tcp_v6_early_demux) {
            guard skb.pkt_type == .PACKET_HOST else { return }
            _ = __inet6_lookup_established()
        }
    }
}
