// Mirrors net/ipv6/addrconf.c (Linux 6.1; 4.14.177 and 6.12 alike here): the host's IPv6 addresses.
// Not modeled: address flags (tentative, optimistic, deprecated: every address of the profile is
// taken as valid and past DAD), address lifetimes, SLAAC.
import Trace
import Wire

/// Functions modeled from `net/ipv6/addrconf.c`.
public enum addrconf_c: String, KernelSourceFile {
    public static let path = "net/ipv6/addrconf.c"
    case ipv6_get_ifaddr
}

extension Kernel {
    /// Finds `addr` among the addresses of `dev` (`ipv6_get_ifaddr` with a device: the address must be
    /// on that device, or on any device when `dev` is nil). Returns the device holding it.
    @discardableResult
    func ipv6_get_ifaddr(_ addr: IPv6Address, dev: NetDevice?) -> NetDevice? {
        traced(addrconf_c.ipv6_get_ifaddr) {
            let found = devices.first { d in (dev == nil || d === dev) && d.addresses6.contains { $0.address == addr } }
            tracer.note("\(addr) \(found == nil ? "is not" : "is") an address of \(dev?.name ?? "this host")")
            return found
        }
    }
}
