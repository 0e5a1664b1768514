// Mirrors net/ipv4/fib_frontend.c (Linux 6.1): source validation of received packets.
// Not modeled: reverse-path filtering (rp_filter) — with it off, as the kernel defaults, the source is
// accepted without a lookup; a profile that turns it on gets a not_modeled note.
import Trace
import Wire

/// Functions modeled from `net/ipv4/fib_frontend.c`.
public enum fib_frontend: String, KernelSourceFile {
    public static let path = "net/ipv4/fib_frontend.c"
    case inet_addr_type_dev_table, fib_validate_source
}

extension Kernel {
    /// The route type of an address as seen from a device (local, broadcast, unicast, …).
    @discardableResult
    func inet_addr_type_dev_table(_ address: IPv4Address) -> RouteType {
        traced(fib_frontend.inet_addr_type_dev_table) { fib_table_lookup(address)?.type ?? .unicast }
    }

    /// Checks the source address of a received packet against the routing table (RFC 3704 when
    /// rp_filter is on). Returns false for a martian source.
    func fib_validate_source(_ skb: inout SKBuff, saddr: IPv4Address) -> Bool {
        traced(fib_frontend.fib_validate_source) {
            if isLocal(saddr), skb.dev.ops.driverName != "loopback" {
                tracer.note("martian source \(saddr): one of this host's addresses")
                return false
            }
            if (sysctl.values["net.ipv4.conf.all.rp_filter"] ?? 0) != 0 {
                tracer.notModeled("rp_filter: source accepted without the reverse-path lookup")
            }
            return true
        }
    }
}
