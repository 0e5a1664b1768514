// Mirrors net/ipv6/ip6_input.c (Linux 6.1): only the IPv6 receive entry, and its counters on a device
// with IPv6 disabled.
// Not modeled: the IPv6 stack beyond its entry (the trace says so).
import Trace

/// Functions modeled from `net/ipv6/ip6_input.c`.
public enum ip6_input: String, KernelSourceFile {
    public static let path = "net/ipv6/ip6_input.c"
    case ip6_rcv_core, ipv6_rcv
}

extension Kernel {
    /// Validates an IPv6 packet; here it only drops packets on devices with IPv6 disabled. A frame for
    /// another host's MAC goes first (`OTHERHOST`, counted in the device's `rx_otherhost_dropped` from
    /// 6.1); any other packet counts as received (`Ip6InReceives`, `Ip6InOctets`) and, IPv6 being
    /// disabled, discarded (`Ip6InDiscards`), as in all three versions (4.14 in `ipv6_rcv`).
    func ip6_rcv_core(_ skb: inout SKBuff) -> NetRxResult {
        traced(ip6_input.ip6_rcv_core) {
            if skb.pkt_type == .PACKET_OTHERHOST {
                if profile.version >= .v6_1 { countLink(skb.dev) { $0.rx_otherhost_dropped += 1 } }
                kfree_skb_reason(&skb, .OTHERHOST)
                return .NET_RX_DROP
            }
            count("Ip6InReceives")
            count("Ip6InOctets", skb.len)
            count("Ip6InDiscards")
            kfree_skb_reason(&skb, .IPV6DISABLED)
            return .NET_RX_DROP
        }
    }

    /// The IPv6 receive entry: drops when IPv6 is disabled on the device, else the model stops.
    @discardableResult
    func ipv6_rcv(_ skb: inout SKBuff) -> NetRxResult {
        traced(ip6_input.ipv6_rcv) {
            let disabled = (sysctl.values["net.ipv6.conf.all.disable_ipv6"] ?? 0) != 0
                || (sysctl.values["net.ipv6.conf.\(skb.dev.name).disable_ipv6"] ?? 0) != 0
            if disabled {
                return ip6_rcv_core(&skb)
            }
            tracer.notModeled("IPv6 receive path")
            return .NET_RX_SUCCESS
        }
    }
}
