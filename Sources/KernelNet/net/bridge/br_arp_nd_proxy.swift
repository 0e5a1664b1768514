// Mirrors net/bridge/br_arp_nd_proxy.c (Linux 6.1): the bridge's ARP proxy and neighbour
// suppression, which look at every ARP packet a port receives.
// Not modeled: proxy ARP ports (BR_PROXYARP, BR_PROXYARP_WIFI) and neighbour suppression
// (BROPT_NEIGH_SUPPRESS_ENABLED), both off by default, and with them the replies the bridge would
// make itself; IPv6 neighbour discovery suppression.
import Trace
import Wire

/// Functions modeled from `net/bridge/br_arp_nd_proxy.c`.
public enum br_arp_nd_proxy: String, KernelSourceFile {
    public static let path = "net/bridge/br_arp_nd_proxy.c"
    case br_do_proxy_suppress_arp
}

extension Kernel {
    /// Looks at an ARP request received on a bridge port: the bridge looks its target up in the
    /// neighbour table (of the bridge device), to answer for it on a proxy ARP port, which no port is
    /// by default: nothing more happens. Other ARP packets, and requests for loopback or multicast
    /// targets, are left alone.
    func br_do_proxy_suppress_arp(_ skb: SKBuff, _ br: net_bridge) {
        traced(br_arp_nd_proxy.br_do_proxy_suppress_arp) { proxyARPLookup(skb, br) }
    }

    /// What both versions' proxy ARP functions do with an ARP packet when no port proxies: an ARP
    /// request's target, unless loopback or multicast, is looked up in the neighbour table.
    func proxyARPLookup(_ skb: SKBuff, _ br: net_bridge) {
        guard let arp = ARPPacket(skb.bytes, at: skb.data), arp.operation == 1,
            !arp.targetProtocol.isLoopback, !arp.targetProtocol.isMulticast else { return }
        _ = neigh_lookup(arp.targetProtocol)
        tracer.note("no proxy ARP port: the bridge does not answer for \(arp.targetProtocol)")
    }
}
