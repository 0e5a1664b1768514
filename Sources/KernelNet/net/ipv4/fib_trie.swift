// Mirrors net/ipv4/fib_trie.c (Linux 6.1): longest-prefix match in the FIB.
// Not modeled: the trie itself (a linear longest-prefix match gives the same answer), route metrics,
// multipath.
import Trace
import Wire

/// Functions modeled from `net/ipv4/fib_trie.c`.
public enum fib_trie: String, KernelSourceFile {
    public static let path = "net/ipv4/fib_trie.c"
    case fib_table_lookup
}

extension Kernel {
    /// Finds the most specific route to `daddr`: local addresses and subnet broadcasts (the local
    /// table), then connected subnets and the host profile's routes (the main table).
    func fib_table_lookup(_ daddr: IPv4Address) -> DstEntry? {
        traced(fib_trie.fib_table_lookup) { routeLookup(daddr) }
    }

    /// The FIB's answer for `daddr`, without recording anything: for decisions the model must take
    /// before the kernel function that takes them is traced.
    func routeLookup(_ daddr: IPv4Address) -> DstEntry? {
        if let dev = localDevice(for: daddr) { return DstEntry(type: .local, dev: dev) }
        if daddr == .broadcast, let dev = devices.first(where: { !$0.addresses.isEmpty }) {
            var d = DstEntry(type: .broadcast, dev: dev)
            d.isLimitedBroadcast = true
            return d
        }
        for dev in devices {
            for a in dev.addresses where a.length < 31 && a.broadcast == daddr {
                return DstEntry(type: .broadcast, dev: dev)
            }
        }
        var best: (length: Int, dst: DstEntry)?
        for dev in devices {
            for a in dev.addresses where a.contains(daddr) && a.length > (best?.length ?? -1) {
                best = (a.length, DstEntry(type: .unicast, dev: dev))
            }
        }
        for r in routes where r.destination.contains(daddr) && r.destination.length > (best?.length ?? -1) {
            let dev = devices.first { $0.name == r.device }
                ?? r.gateway.flatMap { gw in devices.first { d in d.addresses.contains { $0.contains(gw) } } }
            best = (r.destination.length, DstEntry(type: .unicast, dev: dev, gateway: r.gateway))
        }
        return best?.dst
    }
}
