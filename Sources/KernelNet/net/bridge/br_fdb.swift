// Mirrors net/bridge/br_fdb.c (Linux 6.1): the bridge's forwarding database, learned from the
// sources of received frames.
// Not modeled: ageing (entries never expire within a capture), static and externally learned
// entries, per-VLAN entries, the FDB limit.
import Trace
import Wire

/// Functions modeled from `net/bridge/br_fdb.c`.
public enum br_fdb: String, KernelSourceFile {
    public static let path = "net/bridge/br_fdb.c"
    case fdb_notify, br_fdb_find_rcu, br_fdb_update
}

extension Kernel {
    /// The FDB entry for `addr`, if the bridge has one.
    func br_fdb_find_rcu(_ br: net_bridge, _ addr: MACAddress) -> net_bridge_fdb_entry? {
        traced(br_fdb.br_fdb_find_rcu) {
            let entry = br.fdb[addr]
            switch entry {
            case .none: tracer.note("FDB: \(addr) not known")
            case .some(let e) where e.isLocal: tracer.note("FDB: \(addr) is local")
            case .some(let e): tracer.note("FDB: \(addr) behind \(e.dst?.dev.name ?? "")")
            }
            return entry
        }
    }

    /// Tells rtnetlink's neighbour group (`ip monitor neigh`, `bridge monitor fdb`) about a new or
    /// changed entry; nobody listens in the model, so the message is freed.
    func fdb_notify() {
        traced(br_fdb.fdb_notify) { rtnl_notify() }
    }

    /// Learns that `source` is behind port `p` (a new entry, or one that moved: either is announced
    /// with `fdb_notify`); a local address is never relearned.
    func br_fdb_update(_ br: net_bridge, _ p: net_bridge_port, _ source: MACAddress) {
        traced(br_fdb.br_fdb_update) {
            if let e = br.fdb[source] {
                if e.isLocal { tracer.note("FDB: \(source) is local, not learned"); return }
                if e.dst === p { return }
                tracer.note("FDB: \(source) moved to \(p.dev.name)")
            } else {
                if br.fdb.count >= net_bridge.fdbLimit { return }
                tracer.note("FDB: learned \(source) behind \(p.dev.name)")
            }
            br.fdb[source] = net_bridge_fdb_entry(dst: p, isLocal: false)
            fdb_notify()
        }
    }
}
