// Mirrors net/core/neighbour.c (Linux 6.1): neighbour resolution and state (RFC 1122 §2.3.2.1,
// RFC 4861 NUD as Linux applies it to ARP).
// Not modeled: the reachability timers (states change only on what the capture shows), garbage
// collection, proxy neighbours, the unresolved queue's byte limit.
import Trace
import Wire

/// Functions modeled from `net/core/neighbour.c`, in the file's order.
public enum neighbour: String, KernelSourceFile {
    public static let path = "net/core/neighbour.c"
    case neigh_lookup, ___neigh_create, __neigh_create, neigh_probe, neigh_timer_handler, __neigh_event_send, __neigh_update, __neigh_notify, neigh_update, neigh_event_ns,
        neigh_resolve_output, neigh_connected_output, neigh_direct_output
}

extension Kernel {
    /// Looks an address up in the neighbour table.
    func neigh_lookup<A: NeighbourAddress>(_ ip: A) -> Bool {
        traced(neighbour.neigh_lookup) { self[keyPath: A.table][ip] != nil }
    }

    /// Allocates a neighbour entry and runs the table's constructor (`arp_constructor`, `ndisc_constructor`).
    func ___neigh_create<A: NeighbourAddress>(_ ip: A) {
        traced(neighbour.___neigh_create) { ip.constructor(self) }
    }

    /// Creates a neighbour entry. `inline` says whether the build inlined it at the caller's site.
    func __neigh_create<A: NeighbourAddress>(_ ip: A, inline: Bool? = nil) {
        traced(neighbour.__neigh_create, inline: inline) { ___neigh_create(ip) }
    }

    /// Sends a solicitation for the entry (`arp_solicit`, `ndisc_solicit` through the table's ops).
    func neigh_probe<A: NeighbourAddress>(_ ip: A) {
        traced(neighbour.neigh_probe) { ip.solicit(self) }
    }

    /// The entry's timer: retransmits a solicitation while resolution is pending, or probes a stale
    /// entry.
    func neigh_timer_handler<A: NeighbourAddress>(_ ip: A) {
        traced(neighbour.neigh_timer_handler) {
            if let n = self[keyPath: A.table][ip], n.state.isValid, n.state != .NUD_PROBE {
                self[keyPath: A.table][ip]?.state = .NUD_PROBE
                tracer.state("neigh \(ip) \(n.state.rawValue) -> NUD_PROBE")
            }
            neigh_probe(ip)
        }
    }

    /// Starts resolution of an entry that cannot be used yet: an unresolved entry becomes
    /// `NUD_INCOMPLETE` and sends its first solicitation; the packet waits on the entry's queue.
    /// Returns true when the packet was queued.
    func __neigh_event_send<A: NeighbourAddress>(_ ip: A, frame: Int) -> Bool {
        traced(neighbour.__neigh_event_send) {
            let n = self[keyPath: A.table][ip] ?? Neighbour(ha: nil, state: .NUD_NONE, hh_cached: false)
            switch n.state {
            case .NUD_STALE:
                self[keyPath: A.table][ip]?.state = .NUD_DELAY
                tracer.state("neigh \(ip) NUD_STALE -> NUD_DELAY")
                return false
            case .NUD_NONE, .NUD_FAILED:
                self[keyPath: A.table][ip, default: n].state = .NUD_INCOMPLETE
                tracer.state("neigh \(ip) \(n.state.rawValue) -> NUD_INCOMPLETE; packet queued on arp_queue")
                neigh_probe(ip)
                return true
            default:
                tracer.note("neigh \(ip) NUD_INCOMPLETE: packet queued on arp_queue")
                return true
            }
        }
    }

    /// Updates an entry with a link-layer address learned from the wire (`nil`: the message carried
    /// none, the entry keeps its own); a newly valid entry sends the packets queued on it.
    func __neigh_update<A: NeighbourAddress>(_ ip: A, ha newHA: MACAddress?, state: NUDState) {
        traced(neighbour.__neigh_update) {
            let old = self[keyPath: A.table][ip]
            var n = old ?? Neighbour(ha: nil, state: .NUD_NONE, hh_cached: false)
            if old?.state == .NUD_PERMANENT || old?.state == .NUD_NOARP {
                tracer.note("neigh \(ip) is \(old!.state.rawValue): not updated")
                return
            }
            guard let ha = newHA ?? n.ha else {
                tracer.note("neigh \(ip): no link-layer address to update with")
                return
            }
            // A valid entry that only hears of its own address again (a request, a solicitation) keeps
            // its state: STALE would only weaken it.
            let newState = state == .NUD_STALE && n.state.isValid && n.ha == ha ? n.state : state
            if n.ha != ha { n.hh_cached = false }
            n.ha = ha
            if n.state == .NUD_INCOMPLETE, newState.isValid {
                n.flushedBy = currentFrame
                tracer.note("the packet queued while resolving is sent now")
            }
            n.state = newState
            self[keyPath: A.table][ip] = n
            if old?.state != newState || old?.ha != ha {
                tracer.state("neigh \(ip) \((old?.state ?? .NUD_NONE).rawValue) -> \(newState.rawValue)")
                __neigh_notify()
            }
        }
    }

    /// Announces a changed entry to netlink listeners (RTM_NEWNEIGH). With no listener the message
    /// built for the broadcast is freed again.
    func __neigh_notify() {
        traced(neighbour.__neigh_notify) { rtnl_notify() }
    }

    /// Updates an entry (the locked wrapper of `__neigh_update`).
    func neigh_update<A: NeighbourAddress>(_ ip: A, ha: MACAddress?, state: NUDState) {
        traced(neighbour.neigh_update) { __neigh_update(ip, ha: ha, state: state) }
    }

    /// Creates or refreshes the entry of a host that just asked us something (`NUD_STALE`). Returns
    /// false when the table is full (`gc_thresh3`) and no entry could be made.
    @discardableResult
    func neigh_event_ns<A: NeighbourAddress>(_ ip: A, ha: MACAddress) -> Bool {
        traced(neighbour.neigh_event_ns) {
            if !neigh_lookup(ip) {
                let limit = gcThresh3(A.self)
                guard self[keyPath: A.table].count < limit else {
                    tracer.note("neighbour table full (gc_thresh3 \(limit)): no entry for \(ip)")
                    return false
                }
                // Reached through the inline __neigh_lookup here, and inlined into it in the 6.x builds,
                // where it only wraps ___neigh_create (4.14's does all the work itself).
                __neigh_create(ip, inline: has(neighbour.___neigh_create))
            }
            // Inlined at this call site in the 6.1 build, where it only wraps __neigh_update (4.14's
            // does all the work itself).
            traced(neighbour.neigh_update, inline: has(neighbour.__neigh_update)) {
                __neigh_update(ip, ha: ha, state: .NUD_STALE)
            }
            return true
        }
    }

    /// `net.ipv4.neigh.default.gc_thresh3` (`net.ipv6.…` for `nd_tbl`): the most entries a table holds.
    func gcThresh3<A: NeighbourAddress>(_: A.Type) -> Int { sysctl.values[A.gcThresh3Sysctl] ?? 1024 }

    /// The output of entries that may need resolution: resolves (or queues), fills the cached header
    /// the first time, writes the Ethernet header and queues the packet on the device.
    func neigh_resolve_output<A: NeighbourAddress>(_ skb: inout SKBuff, nexthop: A) -> NetdevTx {
        traced(neighbour.neigh_resolve_output) {
            if neigh_event_send(nexthop, frame: skb.frame) {
                outcome.set(.queue)
                return .NETDEV_TX_OK
            }
            // A device whose header_ops have no `cache` (a VLAN device) never fills the cached header.
            if skb.dev.vlan == nil, self[keyPath: A.table][nexthop]?.hh_cached == false {
                eth_header_cache()
                self[keyPath: A.table][nexthop]?.hh_cached = true
            }
            dev_hard_header(&skb)
            return dev_queue_xmit(&skb)
        }
    }

    /// The output of every entry of a device without link-layer headers (a tun device: arp_constructor
    /// gives it arp_direct_ops): nothing to resolve or write, the packet goes to the device.
    func neigh_direct_output(_ skb: inout SKBuff) -> NetdevTx {
        traced(neighbour.neigh_direct_output) { dev_queue_xmit(&skb) }
    }

    /// The output of a resolved entry on a device without a cached-header operation (arp_generic_ops,
    /// which a VLAN device's neighbours get): writes the hardware header and queues the packet.
    func neigh_connected_output(_ skb: inout SKBuff) -> NetdevTx {
        traced(neighbour.neigh_connected_output) {
            dev_hard_header(&skb)
            return dev_queue_xmit(&skb)
        }
    }

    /// Writes the hardware header through the device's `header_ops->create` (`dev_hard_header`, an
    /// inline of include/linux/netdevice.h): Ethernet's, or a VLAN device's, which writes its real
    /// device's.
    func dev_hard_header(_ skb: inout SKBuff) {
        // ip_tunnel_header_ops has no `create`: nothing to write.
        guard skb.dev.ops.headerOps(in: self) == .ethernet else { return }
        if skb.dev.vlan != nil { vlan_header_ops_create(&skb) } else { eth_header(&skb) }
    }
}
