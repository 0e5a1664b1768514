// Mirrors net/ipv4/netfilter/nf_reject_ipv4.c (Linux 6.1): building the answers of an IPv4 reject.
// Not modeled: bridged packets (br_netfilter), the conntrack attachment of the RST.
import Trace
import Wire

/// Functions modeled from `net/ipv4/netfilter/nf_reject_ipv4.c`.
public enum nf_reject_ipv4: String, KernelSourceFile {
    public static let path = "net/ipv4/netfilter/nf_reject_ipv4.c"
    case nf_reject_ip_tcphdr_get, nf_reject_iphdr_put, nf_reject_ip_tcphdr_put, nf_send_reset, nf_send_unreach
}

extension Kernel {
    /// Reads the TCP header of the rejected segment; none for a fragment or a RST (never answered).
    func nf_reject_ip_tcphdr_get(_ skb: SKBuff) -> TCPPacket? {
        traced(nf_reject_ipv4.nf_reject_ip_tcphdr_get) {
            guard let iph = skb.ip_hdr(), iph.fragmentOffset == 0, let th = skb.tcp_hdr(), !th.flags.contains(.rst) else {
                return nil
            }
            return th
        }
    }

    /// Writes the RST's IPv4 header: the rejected segment's addresses swapped.
    func nf_reject_iphdr_put() {
        traced(nf_reject_ipv4.nf_reject_iphdr_put) {}
    }

    /// Writes the RST's TCP header: ports swapped, sequence numbers from the rejected segment.
    func nf_reject_ip_tcphdr_put() {
        traced(nf_reject_ipv4.nf_reject_ip_tcphdr_put) {}
    }

    /// Whether the rejected packet's transport checksum is worth verifying (`nf_reject_verify_csum`,
    /// inline in include/net/netfilter/nf_reject.h): not for UDP without a checksum, GRE, AH, ESP or
    /// SCTP.
    func nf_reject_verify_csum(_ skb: SKBuff, proto: IPProtocol) -> Bool {
        switch proto.rawValue {
        case IPProtocol.udp.rawValue: return (skb.udp_hdr()?.checksum ?? 1) != 0
        case 47, 50, 51, 132: return false
        default: return true
        }
    }

    /// Builds a RST for the matched TCP segment, routes it (`ip_route_me_harder`) and sends it with
    /// `ip_local_out`.
    func nf_send_reset(_ skb: inout SKBuff) {
        traced(nf_reject_ipv4.nf_send_reset) {
            if var out = transmitSKB {
                // The capture shows the RST itself: the segment it answers passed these checks.
                nf_reject_iphdr_put()
                nf_reject_ip_tcphdr_put()
                ip_route_me_harder(&out)
                ip_local_out(&out)
                transmitSKB = out
            } else if let t = receivedTuple(skb), nf_reject_ip_tcphdr_get(skb) != nil {
                expectTransmit(.netfilterReset(t), from: currentFrame)
                tracer.note("RST to \(t.remote):\(t.remotePort) built and sent: see the transmitted frame")
            }
        }
    }

    /// Sends ICMP destination unreachable with `code` about the matched packet, once its transport
    /// checksum is known to be good (never about a later fragment).
    func nf_send_unreach(_ skb: inout SKBuff, code: UInt8) {
        traced(nf_reject_ipv4.nf_send_unreach) {
            guard let iph = skb.ip_hdr(), iph.fragmentOffset == 0 else { return }
            // 6.x skips protocols without a whole-payload checksum (nf_reject_verify_csum).
            let verifies = profile.version < .v6_1 || nf_reject_verify_csum(skb, proto: iph.proto)
            if skb.ip_summed == .CHECKSUM_UNNECESSARY || !verifies {
                icmp_send(&skb, type: ICMPv4Packet.destinationUnreachable, code: code)
                return
            }
            guard nf_ip_checksum(skb, proto: iph.proto) else {
                tracer.note("transport checksum wrong: no ICMP error")
                return
            }
            icmp_send(&skb, type: ICMPv4Packet.destinationUnreachable, code: code)
        }
    }
}
