// Mirrors net/ipv4/ip_forward.c (Linux 6.1): forwarding of packets routed through the host
// (RFC 1812 §5.3.1).
// Not modeled: router alert, IPsec forward policy, redirects, `skb_cow` of the header.
import Trace
import Wire

/// Functions modeled from `net/ipv4/ip_forward.c`.
public enum ip_forward_c: String, KernelSourceFile {
    public static let path = "net/ipv4/ip_forward.c"
    case ip_forward_finish, ip_forward
}

extension Kernel {
    /// Sends a forwarded packet out through its route: the output chain down to the egress driver.
    func ip_forward_finish(_ skb: inout SKBuff) -> NetRxResult {
        traced(ip_forward_c.ip_forward_finish) {
            if profile.version < .v6_12 { count("IpForwDatagrams") }
            outcome.set(.forward)
            guard let out = skb.dst?.dev, let iph = skb.ip_hdr() else { return .NET_RX_SUCCESS }
            skb.dev = out
            transmitContext.nexthop = skb.dst?.gateway ?? iph.destination
            dst_output(&skb)
            // A capture on every interface (`-i any`) shows the packet again as it leaves.
            if transmitSKB == nil {
                expectTransmit(.forwarded(FragmentKey(saddr: iph.source, daddr: iph.destination, id: iph.identification,
                                                      proto: iph.proto.rawValue)), from: currentFrame)
            }
            return .NET_RX_SUCCESS
        }
    }

    /// Forwards a packet not addressed to this host: TTL check (ICMP time exceeded when it runs out),
    /// then the FORWARD hook.
    func ip_forward(_ skb: inout SKBuff) -> NetRxResult {
        traced(ip_forward_c.ip_forward) {
            guard skb.pkt_type == .PACKET_HOST else {
                // A link-layer broadcast or multicast routed as unicast: dropped with no named reason.
                tracer.note("not addressed to this host at the link layer (\(skb.pkt_type))")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .NET_RX_DROP
            }
            guard let iph = skb.ip_hdr() else { return .NET_RX_DROP }
            if iph.ttl <= 1 {
                tracer.note("TTL \(iph.ttl) runs out here")
                icmp_send(&skb, type: ICMPv4Packet.timeExceeded, code: 0)
                count("IpInHdrErrors")
                kfree_skb_reason(&skb, .IP_INHDR)
                return .NET_RX_DROP
            }
            countForwardedEarly()
            // ip_exceeds_mtu: a GSO packet is measured by its segments.
            if iph.dontFragment, let out = skb.dst?.dev, iph.totalLength > out.mtu,
                !(skb.skb_is_gso() && skb.skb_gso_validate_network_len(out.mtu))
            {
                tracer.note("\(iph.totalLength) bytes with DF over MTU \(out.mtu) of \(out.name)")
                icmp_send(&skb, type: ICMPv4Packet.destinationUnreachable, code: 4)
                count("IpFragFails")
                kfree_skb_reason(&skb, .PKT_TOO_BIG)
                return .NET_RX_DROP
            }
            return ip_forward_hook(&skb)
        }
    }

    /// 6.12 counts `IpForwDatagrams` in `ip_forward` once the TTL check passed, before the MTU check
    /// (net/ipv4/ip_forward.c); 4.14 and 6.1 count in `ip_forward_finish`.
    func countForwardedEarly() {
        if profile.version >= .v6_12 { count("IpForwDatagrams") }
    }

    /// The FORWARD hook, then `ip_forward_finish`: the part of `ip_forward` after its checks.
    func ip_forward_hook(_ skb: inout SKBuff) -> NetRxResult {
        NF_HOOK(.NF_INET_FORWARD, &skb, okfn: { ip_forward_finish(&$0) }, dropped: .NET_RX_DROP)
    }
}
