// Mirrors net/netfilter/nft_reject_inet.c and net/ipv4/netfilter/nf_reject_ipv4.c (Linux 6.1): the
// answers of a reject rule.
import Trace
import Wire

/// Functions modeled from `net/netfilter/nft_reject_inet.c`.
public enum nft_reject_inet: String, KernelSourceFile {
    public static let path = "net/netfilter/nft_reject_inet.c"
    case nft_reject_inet_eval
}

/// Functions modeled from `net/ipv4/netfilter/nf_reject_ipv4.c`.
public enum nf_reject_ipv4: String, KernelSourceFile {
    public static let path = "net/ipv4/netfilter/nf_reject_ipv4.c"
    case nf_send_reset, nf_send_unreach
}

extension Kernel {
    /// Answers the packet a reject rule matched: a TCP RST, or an ICMP destination unreachable.
    func nft_reject_inet_eval(_ skb: inout SKBuff, _ with: RejectWith) {
        traced(nft_reject_inet.nft_reject_inet_eval) {
            switch with {
            case .tcpReset: nf_send_reset(&skb)
            case .icmpPortUnreachable: nf_send_unreach(&skb, code: 3)
            case .icmpHostUnreachable: nf_send_unreach(&skb, code: 1)
            case .icmpAdminProhibited: nf_send_unreach(&skb, code: 13)
            }
        }
    }

    /// Builds a RST for the matched TCP segment and sends it with `ip_local_out`.
    func nf_send_reset(_ skb: inout SKBuff) {
        traced(nf_reject_ipv4.nf_send_reset) {
            if var out = transmitSKB {
                ip_local_out(&out)
                transmitSKB = out
            } else if let t = receivedTuple(skb), skb.tcp_hdr()?.flags.contains(.rst) == false {
                expectTransmit(.netfilterReset(t), from: currentFrame)
                tracer.note("RST to \(t.remote):\(t.remotePort) built and sent: see the transmitted frame")
            }
        }
    }

    /// Sends ICMP destination unreachable with `code` about the matched packet.
    func nf_send_unreach(_ skb: inout SKBuff, code: UInt8) {
        traced(nf_reject_ipv4.nf_send_unreach) {
            icmp_send(&skb, type: ICMPv4Packet.destinationUnreachable, code: code)
        }
    }
}
