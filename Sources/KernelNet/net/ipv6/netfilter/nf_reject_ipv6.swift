// Mirrors net/ipv6/netfilter/nf_reject_ipv6.c (Linux 6.1; 4.14.177 and 6.12 alike on the modeled
// paths): building the answers of an IPv6 reject.
// Not modeled: bridged packets (br_netfilter), rejects at PRE_ROUTING (the packet has no route yet:
// `nf_ip6_route`, `nf_reject6_fill_skb_dst`), the ingress hook, the hop limit of the reset
// (`ip6_dst_hoplimit`).
import Trace
import Wire

/// Functions modeled from `net/ipv6/netfilter/nf_reject_ipv6.c`.
public enum nf_reject_ipv6: String, KernelSourceFile {
    public static let path = "net/ipv6/netfilter/nf_reject_ipv6.c"
    case nf_reject_ip6_tcphdr_get, nf_reject_ip6hdr_put, nf_reject_ip6_tcphdr_put, nf_send_reset6, reject6_csum_ok,
         nf_send_unreach6
}

extension Kernel {
    /// Finds the TCP header of the rejected segment past the extension headers (`ipv6_skip_exthdr`):
    /// none for another protocol, a later fragment, a segment shorter than a TCP header, a RST (never
    /// answered) or a segment whose checksum is wrong (`nf_ip6_checksum`). Returns where it starts.
    func nf_reject_ip6_tcphdr_get(_ skb: SKBuff, _ hook: NFHook) -> Int? {
        traced(nf_reject_ipv6.nf_reject_ip6_tcphdr_get) {
            guard let (start, proto, fragOff) = ipv6_skip_exthdr(skb), start <= skb.data + skb.len else { return nil }
            guard proto == .tcp, fragOff == 0, skb.data + skb.len - start >= TCPPacket.minimumHeaderLength,
                  let th = TCPPacket(skb.bytes, at: start) else {
                tracer.note("not a whole TCP header: no reset")
                return nil
            }
            guard !th.flags.contains(.rst) else {
                tracer.note("no reset in answer to a reset")
                return nil
            }
            guard nf_ip6_checksum(skb, hook, dataoff: start, proto: .tcp) else {
                tracer.note("TCP checksum wrong: no reset")
                return nil
            }
            return start
        }
    }

    /// Writes the reset's IPv6 header: the rejected segment's addresses swapped, the route's hop limit.
    func nf_reject_ip6hdr_put() {
        traced(nf_reject_ipv6.nf_reject_ip6hdr_put) {}
    }

    /// Writes the reset's TCP header: ports swapped, sequence numbers from the rejected segment.
    func nf_reject_ip6_tcphdr_put() {
        traced(nf_reject_ipv6.nf_reject_ip6_tcphdr_put) {}
    }

    /// Builds a RST for the matched TCP segment (both addresses unicast), routes it
    /// (`ip6_route_output`, inline, then `xfrm_lookup`) and sends it with `ip6_local_out`: LOCAL_OUT
    /// and the route's output, no TCP or `Ip6OutRequests` counting. A reset at FORWARD leaves from the
    /// forwarded packet's destination.
    func nf_send_reset6(_ skb: inout SKBuff, _ hook: NFHook = .NF_INET_LOCAL_IN) {
        traced(nf_reject_ipv6.nf_send_reset6) {
            if var out = transmitSKB {
                // The capture shows the RST itself: the segment it answers passed these checks.
                if let daddr = out.ipv6_hdr()?.destination { _ = ip6_route_output_flags(daddr, dev: out.dev) }
                xfrm_lookup()
                nf_reject_ip6hdr_put()
                nf_reject_ip6_tcphdr_put()
                ip6_local_out(&out)
                transmitSKB = out
                return
            }
            guard let hdr = skb.ipv6_hdr() else { return }
            guard !hdr.source.isMulticast, hdr.source != .any, !hdr.destination.isMulticast, hdr.destination != .any else {
                tracer.note("an address is not unicast: no reset")
                return
            }
            guard let thoff = nf_reject_ip6_tcphdr_get(skb, hook), let th = TCPPacket(skb.bytes, at: thoff) else { return }
            let t = FourTuple(local6: hdr.destination, localPort: th.destinationPort, remote6: hdr.source,
                              remotePort: th.sourcePort)
            expectTransmit(.netfilterReset(t), from: currentFrame)
            tracer.note("RST to [\(t.remote6)]:\(t.remotePort) built and sent: see the transmitted frame")
        }
    }

    /// Whether the packet's transport checksum allows an ICMPv6 error about it: a checksum already
    /// verified, else found past the extension headers (`ipv6_skip_exthdr`: none in a later fragment)
    /// and checked (`nf_ip6_checksum`) unless its protocol has none over its payload (6.x:
    /// `nf_reject_verify_csum`).
    func reject6_csum_ok(_ skb: SKBuff, _ hook: NFHook) -> Bool {
        traced(nf_reject_ipv6.reject6_csum_ok) {
            if skb.ip_summed == .CHECKSUM_UNNECESSARY { return true }
            guard let (thoff, proto, fragOff) = ipv6_skip_exthdr(skb), thoff < skb.data + skb.len, fragOff == 0 else {
                return false
            }
            if profile.version >= .v6_1 {
                switch proto.rawValue {
                case IPProtocol.udp.rawValue:
                    if thoff + 8 <= skb.bytes.count, skb.bytes.u16be(at: thoff + 6) == 0 { return true }
                case 47, 50, 51, 132: return true
                default: break
                }
            }
            return nf_ip6_checksum(skb, hook, dataoff: thoff, proto: proto)
        }
    }

    /// Sends an ICMPv6 destination unreachable with `code` about the matched packet (`icmpv6_send`),
    /// once its transport checksum is known to be good (`reject6_csum_ok`).
    func nf_send_unreach6(_ skb: inout SKBuff, _ hook: NFHook, code: UInt8) {
        traced(nf_reject_ipv6.nf_send_unreach6) {
            guard reject6_csum_ok(skb, hook) else {
                tracer.note("transport checksum wrong or not found: no ICMPv6 error")
                return
            }
            icmpv6_send(&skb, type: ICMPv6Type.ICMPV6_DEST_UNREACH, code: code)
        }
    }
}
