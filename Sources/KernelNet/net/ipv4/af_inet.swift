// Mirrors net/ipv4/af_inet.c (Linux 6.1): helpers of the IPv4 socket family the model calls, and
// IPv4's GRO callbacks.
// Not modeled: GRO of UDP and of tunnels (`udp4_gro_receive`, `ipip_gro_receive`), IP ID checks.
import Trace
import Wire

/// Functions modeled from `net/ipv4/af_inet.c`.
public enum af_inet: String, KernelSourceFile {
    public static let path = "net/ipv4/af_inet.c"
    case inet_gro_receive, inet_current_timestamp, inet_gro_complete
}

extension Kernel {
    /// IPv4's GRO receive: checks the IP header of a segment and hands it to its transport protocol's
    /// GRO callback (TCP's here), with the network and transport headers set at `skb->data`.
    /// Returns whether the flow is to be flushed.
    func inet_gro_receive(_ skb: inout SKBuff) -> Bool {
        traced(af_inet.inet_gro_receive) {
            skb.network_header = skb.data
            skb.transport_header = skb.data + (skb.ip_hdr()?.headerLength ?? IPv4Packet.minimumHeaderLength)
            return tcp4_gro_receive(&skb)
        }
    }

    /// Milliseconds since midnight UTC, for ICMP timestamp replies (RFC 792).
    func inet_current_timestamp() {
        traced(af_inet.inet_current_timestamp) {}
    }

    /// Fixes the merged packet's IP total length and calls the transport protocol's GRO completion.
    func inet_gro_complete(_ skb: inout SKBuff) {
        traced(af_inet.inet_gro_complete) { tcp4_gro_complete(&skb) }
    }
}
