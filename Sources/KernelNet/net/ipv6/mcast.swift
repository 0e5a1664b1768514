// Mirrors net/ipv6/mcast.c (Linux 6.1; 4.14.177 and 6.12 alike here): which multicast groups a
// device has joined.
// Not modeled: MLD itself (queries, reports, the host's own reports), source filters (MLDv2
// include/exclude lists), groups joined by sockets.
import Trace
import Wire

/// Functions modeled from `net/ipv6/mcast.c`.
public enum ipv6_mcast_c: String, KernelSourceFile {
    public static let path = "net/ipv6/mcast.c"
    case ipv6_chk_mcast_addr
}

extension Kernel {
    /// Whether `dev` has joined `group`: every IPv6 device joins all-nodes (`ff02::1`, `ff01::1`) and
    /// the solicited-node group of each of its addresses (RFC 4291 §2.8); a forwarding host all-routers
    /// (`ff02::2`, `ff01::2`, `ff05::2`).
    func ipv6_chk_mcast_addr(_ dev: NetDevice, _ group: IPv6Address) -> Bool {
        traced(ipv6_mcast_c.ipv6_chk_mcast_addr) {
            let joined = joinedGroups6(dev).contains(group)
            tracer.note("\(group) \(joined ? "joined" : "not joined") on \(dev.name)")
            return joined
        }
    }

    /// The groups `dev` has joined (`idev->mc_list`), as addrconf and the forwarding setting join them.
    func joinedGroups6(_ dev: NetDevice) -> Set<IPv6Address> {
        guard !dev.addresses6.isEmpty || dev.isLoopback else { return [] }
        var groups: Set<IPv6Address> = [.allNodes, IPv6Address(high: 0xff01 << 48, low: 1)]
        for a in dev.addresses6 { groups.insert(a.address.solicitedNode) }
        if sysctl.ipv6_forwarding {
            for scope: UInt64 in [0xff01, 0xff02, 0xff05] { groups.insert(IPv6Address(high: scope << 48, low: 2)) }
        }
        return groups
    }
}
