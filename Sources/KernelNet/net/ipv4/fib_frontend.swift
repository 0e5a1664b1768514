// Mirrors net/ipv4/fib_frontend.c (Linux 6.1): source validation of received packets.
// Not modeled: accept_local, source-address validation marks, tclassid accounting.
import Trace
import Wire

/// Functions modeled from `net/ipv4/fib_frontend.c`.
public enum fib_frontend: String, KernelSourceFile {
    public static let path = "net/ipv4/fib_frontend.c"
    case inet_addr_type_dev_table, __fib_validate_source, fib_validate_source
}

extension Kernel {
    /// The route type of an address as seen from a device (local, broadcast, unicast, …).
    @discardableResult
    func inet_addr_type_dev_table(_ address: IPv4Address) -> RouteType {
        traced(fib_frontend.inet_addr_type_dev_table) { fib_table_lookup(address)?.type ?? .unicast }
    }

    /// What `__fib_validate_source` returns: 0, `-EINVAL` (a source no host may use towards this one,
    /// such as one of its own addresses) or `-EXDEV` (the reverse-path filter refused it).
    enum SourceCheck { case valid, EINVAL, EXDEV }

    /// The reverse-path check (RFC 3704): the route back to `saddr` must be unicast (a local route is
    /// `-EINVAL`: accept_local is off) and use the interface the packet came in on (strict, `rp_filter`
    /// 1) or exist at all (loose, 2; `-EXDEV` otherwise).
    func __fib_validate_source(_ skb: inout SKBuff, saddr: IPv4Address, rpf: Int) -> SourceCheck {
        traced(fib_frontend.__fib_validate_source) {
            guard let back = fib_lookup(saddr) else {
                tracer.note("rp_filter: no route back to \(saddr)")
                return .EXDEV
            }
            if back.type != .unicast {
                tracer.note("the route back to \(saddr) is \(back.type == .local ? "local: one of this host's addresses" : "not unicast"), a martian source")
                return .EINVAL
            }
            if back.dev === skb.dev { return .valid }
            if rpf == 1 {
                tracer.note("rp_filter (strict): the route back to \(saddr) leaves via \(back.dev?.name ?? "?"), not \(skb.dev.name)")
                return .EXDEV
            }
            return .valid
        }
    }

    /// Checks the source address of a received packet: one of the host's own addresses is a martian;
    /// with reverse-path filtering on, the route back must fit (`__fib_validate_source`). Returns
    /// false for an invalid source; `rpFiltered` says whether it was the reverse-path filter (`-EXDEV`,
    /// `SKB_DROP_REASON_IP_RPFILTER`), not a martian (`-EINVAL`, which 6.1 and 6.12 drop unnamed).
    func fib_validate_source(_ skb: inout SKBuff, saddr: IPv4Address) -> Bool {
        traced(fib_frontend.fib_validate_source) {
            let rpf = devconf(skb.dev).rp_filter
            if rpf == 0 {
                if isLocal(saddr), skb.dev.ops.driverName != "loopback" {
                    tracer.note("martian source \(saddr): one of this host's addresses")
                    return false
                }
                return true
            }
            switch __fib_validate_source(&skb, saddr: saddr, rpf: rpf) {
            case .valid: return true
            case .EINVAL: return false
            case .EXDEV:
                skb.rpFiltered = true
                return false
            }
        }
    }
}
