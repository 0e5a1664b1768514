// Mirrors net/ipv4/fib_trie.c (Linux 6.1): longest-prefix match in the FIB.
// Not modeled: the trie itself (a longest-prefix match over a sorted list gives the same answer), route metrics,
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
        if let dev = fib.local[daddr] { return DstEntry(type: .local, dev: dev) }
        if daddr == .broadcast, let dev = fib.limitedBroadcastDevice {
            var d = DstEntry(type: .broadcast, dev: dev)
            d.isLimitedBroadcast = true
            return d
        }
        if let dev = fib.subnetBroadcast[daddr] { return DstEntry(type: .broadcast, dev: dev) }
        return fib.unicast.first { $0.prefix.contains(daddr) }?.dst
    }
}

/// The host's FIB as `routeLookup` reads it, built once from the devices' addresses and the
/// profile's routes (neither changes during a replay): lookups by address instead of a scan of every
/// device on every packet.
struct FIBTable {
    /// The device of each local address (the first device that has it).
    var local = HashTable<IPv4Address, NetDevice>()
    /// The device of each subnet broadcast address (the first device whose subnet it is).
    var subnetBroadcast = HashTable<IPv4Address, NetDevice>()
    /// Where 255.255.255.255 goes: the first device with an address.
    var limitedBroadcastDevice: NetDevice?
    /// Connected subnets, then the profile's routes, longest prefix first; among prefixes of one
    /// length, connected subnets in device order before routes in profile order (the first that
    /// contains an address is its route).
    var unicast: [(prefix: IPv4Prefix, dst: DstEntry)] = []

    init(devices: [NetDevice], routes: [RouteConfig]) {
        limitedBroadcastDevice = devices.first { !$0.addresses.isEmpty }
        var candidates: [(prefix: IPv4Prefix, dst: DstEntry)] = []
        for dev in devices {
            for a in dev.addresses {
                if local[a.address] == nil { local[a.address] = dev }
                if a.length < 31, subnetBroadcast[a.broadcast] == nil {
                    subnetBroadcast[a.broadcast] = dev
                }
                candidates.append((a, DstEntry(type: .unicast, dev: dev)))
            }
        }
        for r in routes {
            let dev = devices.first { $0.name == r.device }
                ?? r.gateway.flatMap { gw in devices.first { d in d.addresses.contains { $0.contains(gw) } } }
            candidates.append((r.destination, DstEntry(type: .unicast, dev: dev, gateway: r.gateway)))
        }
        // A stable sort keeps the order within one length.
        unicast = candidates.enumerated().sorted { ($1.element.prefix.length, $0.offset) < ($0.element.prefix.length, $1.offset) }.map(\.element)
    }
}
