// Mirrors include/net/neighbour.h (Linux 6.1): neighbour entries, NUD states and the inline output helpers.
// Not modeled: per-entry timers beyond state changes the capture shows, proxy ARP, the hh_cache seqlock.
import Trace
import Wire

/// Functions modeled from `include/net/neighbour.h` (all `static inline`).
public enum neighbour_h: String, KernelSourceFile {
    public static let path = "include/net/neighbour.h"
    case neigh_output, neigh_hh_output, neigh_event_send
}

/// Models the `NUD_*` neighbour states.
public enum NUDState: String, Sendable {
    case NUD_NONE, NUD_INCOMPLETE, NUD_REACHABLE, NUD_STALE, NUD_DELAY, NUD_PROBE, NUD_FAILED, NUD_NOARP,
        NUD_PERMANENT

    /// `NUD_CONNECTED`: usable without confirmation.
    public var isConnected: Bool { self == .NUD_PERMANENT || self == .NUD_NOARP || self == .NUD_REACHABLE }
    /// `NUD_VALID`: has a link-layer address.
    public var isValid: Bool { isConnected || self == .NUD_STALE || self == .NUD_DELAY || self == .NUD_PROBE }

    /// Parses `reachable`, `permanent`, `NUD_STALE`, … as host profiles and `ip neigh` spell them.
    public init?(name: String) {
        let upper = name.uppercased()
        self.init(rawValue: upper.hasPrefix("NUD_") ? upper : "NUD_" + upper)
    }
}

/// Models `struct neighbour`: one entry of `arp_tbl` (IPv4) or `nd_tbl` (IPv6), keyed by its address.
public struct Neighbour: Sendable {
    /// The link-layer address, once known (`ha`).
    public var ha: MACAddress?
    public var state: NUDState
    /// Whether the cached hardware header (`hh_cache`) is filled: the fast `neigh_hh_output` path.
    public var hh_cached: Bool
    /// The capture frame whose ARP answer resolved this entry while a packet waited on its
    /// `arp_queue`; the next packet the capture shows leaving for it is that packet.
    public var flushedBy: Int?

    public init(ha: MACAddress?, state: NUDState, hh_cached: Bool) {
        self.ha = ha
        self.state = state
        self.hh_cached = hh_cached
    }
}

/// An address a neighbour table is keyed by: the table it lives in and the protocol's neighbour
/// operations (`neigh_table` and its `neigh_ops`: ARP's for IPv4, neighbour discovery's for IPv6).
protocol NeighbourAddress: HashTableKey, CustomStringConvertible {
    /// The table holding this protocol's entries (`arp_tbl`, `nd_tbl`).
    static var table: ReferenceWritableKeyPath<Kernel, HashTable<Self, Neighbour>> { get }
    /// The table's constructor for a new entry (`arp_constructor`, `ndisc_constructor`).
    func constructor(_ kernel: Kernel)
    /// The entry's solicitation (`neigh_ops->solicit`: `arp_solicit`, `ndisc_solicit`).
    func solicit(_ kernel: Kernel)
    /// The sysctl bounding the table's size (`gc_thresh3`).
    static var gcThresh3Sysctl: String { get }
}

extension IPv4Address: NeighbourAddress {
    static var table: ReferenceWritableKeyPath<Kernel, HashTable<IPv4Address, Neighbour>> { \.neighbours }
    func constructor(_ kernel: Kernel) { kernel.arp_constructor(self) }
    func solicit(_ kernel: Kernel) { kernel.arp_solicit(self) }
    static let gcThresh3Sysctl = "net.ipv4.neigh.default.gc_thresh3"
}

extension Kernel {
    /// Sends through a neighbour: the cached header when the entry is connected and its header cached,
    /// else the entry's `output` (`neigh_resolve_output` for ARP on Ethernet).
    @discardableResult
    func neigh_output<A: NeighbourAddress>(_ skb: inout SKBuff, nexthop: A) -> NetdevTx {
        traced(neighbour_h.neigh_output) {
            let n = self[keyPath: A.table][nexthop]
            if let sent = uncachedNeighbourOutput(&skb, connected: n?.state.isConnected ?? false) { return sent }
            if let n, n.state.isConnected, n.hh_cached {
                return neigh_hh_output(&skb)
            }
            return neigh_resolve_output(&skb, nexthop: nexthop)
        }
    }

    /// The output of a neighbour whose device caches no hardware header, or nil when the device does.
    /// A device without header operations (a tun device in 4.14) outputs through `neigh_direct_output`;
    /// a VLAN device or a tun device in 6.1 and 6.12 (the `*_generic_ops` of ARP and neighbour
    /// discovery, as `arp_constructor` and `ndisc_constructor` choose them) through
    /// `neigh_connected_output` once the neighbour is `connected`.
    func uncachedNeighbourOutput(_ skb: inout SKBuff, connected: Bool) -> NetdevTx? {
        let headerOps = skb.dev.ops.headerOps(in: self)
        if headerOps == .none { return neigh_direct_output(&skb) }
        if connected, skb.dev.vlan != nil || headerOps == .ipTunnel { return neigh_connected_output(&skb) }
        return nil
    }

    /// Prepends the cached hardware header and queues the packet on the device.
    func neigh_hh_output(_ skb: inout SKBuff) -> NetdevTx {
        traced(neighbour_h.neigh_hh_output) { dev_queue_xmit(&skb) }
    }

    /// Whether the entry can be used now; starts resolution (`__neigh_event_send`) when it cannot.
    /// Returns `true` when the packet was queued instead of sent.
    func neigh_event_send<A: NeighbourAddress>(_ nexthop: A, frame: Int) -> Bool {
        traced(neighbour_h.neigh_event_send) {
            let state = self[keyPath: A.table][nexthop]?.state ?? .NUD_NONE
            if state.isConnected || state == .NUD_DELAY || state == .NUD_PROBE { return false }
            return __neigh_event_send(nexthop, frame: frame)
        }
    }
}
