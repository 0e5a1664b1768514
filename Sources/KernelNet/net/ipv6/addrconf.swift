// Mirrors net/ipv6/addrconf.c (Linux 6.1; 4.14.177 and 6.12 alike here): the host's IPv6 addresses,
// and the prefixes router advertisements announce (RFC 4862 §5.5.3): an on-link prefix becomes a
// route on the device (`addrconf_prefix_route`, removed again by a valid lifetime of 0), an
// autonomous /64 becomes an address formed from the device's EUI-64 interface identifier.
// DAD (RFC 4862 §5.4): an address carries the profile's flags (`tentative`, `optimistic`, `dadfailed`,
// as `ip -6 addr` shows them) and is tentative from the host's probe the capture shows until its DAD
// ends (`dad_transmits` retransmit timers later) or another node claims it (`addrconf_dad_failure`:
// `dadfailed tentative`). The host's DAD probes and what DAD's completion sends (`addrconf_dad_work`,
// `addrconf_dad_completed`) are transmit origins, recognized in the capture.
// Not modeled: a tentative address taking no packets (its local route comes with DAD's end; the
// model delivers to it), `deprecated`, DAD's start (`addrconf_dad_start`: a SLAAC address is used at
// once), `accept_dad` above 1, address lifetimes (a prefix's lifetimes only add or remove its route), stable
// privacy and tokenized identifiers, temporary addresses (RFC 4941), `max_addresses`, the netlink
// notice of the prefix (`inet6_prefix_notify`).
import Trace
import Wire

/// Functions modeled from `net/ipv6/addrconf.c`, in the file's order.
public enum addrconf_c: String, KernelSourceFile {
    public static let path = "net/ipv6/addrconf.c"
    case ipv6_generate_eui64, addrconf_get_prefix_route, addrconf_rs_timer, ipv6_add_addr, ipv6_chk_addr, ipv6_get_ifaddr, ipv6_get_lladdr,
        addrconf_dad_failure, addrconf_prefix_route, addrconf_prefix_rcv_add_addr, addrconf_prefix_rcv, addrconf_dad_work, addrconf_dad_completed,
        inet6_ifinfo_notify, inet6_prefix_notify
}

/// The DAD state of an IPv6 address, as `ip -6 addr` shows it (`IFA_F_TENTATIVE`, `IFA_F_OPTIMISTIC`,
/// `IFA_F_DADFAILED`): in DAD, in optimistic DAD (RFC 4429: usable meanwhile), or found a duplicate (it
/// stays tentative, unused).
public struct IPv6AddressFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let tentative = IPv6AddressFlags(rawValue: 1)
    public static let optimistic = IPv6AddressFlags(rawValue: 2)
    public static let dadfailed = IPv6AddressFlags(rawValue: 4)

    /// The flags by the words `ip -6 addr` prints for them, in its order.
    public static let names: [(String, IPv6AddressFlags)] = [("optimistic", .optimistic), ("dadfailed", .dadfailed),
                                                              ("tentative", .tentative)]
    /// The words `ip -6 addr` prints.
    public var words: [String] { Self.names.filter { contains($0.1) }.map(\.0) }
}

/// What DAD's completion sends that the frame being transmitted is (`addrconf_dad_completed`).
enum DADCompletionSend {
    /// The initial MLD report, now from the link-local address (`ipv6_mc_dad_complete`).
    case mldReport
    /// The first router solicitation (`ndisc_send_rs`).
    case routerSolicitation
}

extension Kernel {
    /// The interface identifier of `dev` (RFC 4291 §2.5.1, modified EUI-64 from its MAC address):
    /// the low 64 bits of a SLAAC address.
    func ipv6_generate_eui64(_ dev: NetDevice) -> UInt64 {
        traced(addrconf_c.ipv6_generate_eui64) { dev.dev_addr.eui64InterfaceIdentifier }
    }

    /// The route a prefix announcement made before (`RTF_ADDRCONF | RTF_PREFIX_RT`) for `prefix` on `dev`.
    func addrconf_get_prefix_route(_ prefix: IPv6Prefix, dev: NetDevice) -> RouteConfig6? {
        traced(addrconf_c.addrconf_get_prefix_route) {
            fib6_get_table()
            fib6_locate(prefix)
            return routes6.first { $0.addrconf && $0.destination == prefix && $0.gateway == nil && $0.device == dev.name }
        }
    }

    /// The router solicitation timer of a device (RFC 4861 §6.3.7): while no advertisement came and
    /// `router_solicitations` allows more, it sends the next solicitation.
    func addrconf_rs_timer() {
        traced(addrconf_c.addrconf_rs_timer) { ndisc_send_rs() }
    }

    /// Adds `address` to `dev` (and its local route).
    func ipv6_add_addr(_ address: IPv6Prefix, dev: NetDevice) {
        traced(addrconf_c.ipv6_add_addr) {
            dev.addresses6.append(address)
            tracer.state("address \(address) added to \(dev.name)")
        }
    }

    /// Whether `addr` is one of the host's addresses (a link-local one only on `dev`).
    func ipv6_chk_addr(_ addr: IPv6Address, dev: NetDevice) -> Bool {
        traced(addrconf_c.ipv6_chk_addr) {
            devices.contains { d in (d === dev || !addr.isLinkLocal) && d.addresses6.contains { $0.address == addr } }
        }
    }

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

    /// The link-local address of `dev` (the first the device holds) that is not tentative, if it has one
    /// (the callers here ban `IFA_F_TENTATIVE`).
    func ipv6_get_lladdr(_ dev: NetDevice) -> IPv6Address? {
        traced(addrconf_c.ipv6_get_lladdr) {
            dev.addresses6.first { $0.address.isLinkLocal && !ifaFlags($0.address, dev: dev).contains(.tentative) }?.address
        }
    }

    /// The DAD flags of `addr` on `dev` (none: valid). An address whose probes all went unanswered has
    /// passed DAD by now (the last probe's retransmit time after it, `addrconf_dad_completed`).
    func ifaFlags(_ addr: IPv6Address, dev: NetDevice) -> IPv6AddressFlags {
        let flags = dev.addressFlags6[addr] ?? []
        guard flags.contains(.tentative), !flags.contains(.dadfailed), let end = dadEnds[addr], end <= now else { return flags }
        dev.addressFlags6[addr] = nil
        dadEnds[addr] = nil
        tracer.note("\(addr) on \(dev.name) passed DAD (its probes went unanswered): valid")
        return []
    }

    /// Another node claims `addr`, which `dev` has in DAD (its probe, or an advertisement of it): DAD
    /// fails (RFC 4862 §5.4.5). The address is kept, unused, as `dadfailed tentative`; the DAD work stops
    /// it (`addrconf_dad_stop`). An address past DAD or failed already is left as it is.
    func addrconf_dad_failure(_ addr: IPv6Address, dev: NetDevice, from sender: MACAddress?) {
        traced(addrconf_c.addrconf_dad_failure) {
            let flags = ifaFlags(addr, dev: dev)
            guard flags.contains(.tentative), !flags.contains(.dadfailed) else {
                tracer.note("\(addr) is not in DAD: nothing to fail")
                return
            }
            dev.addressFlags6[addr] = flags.subtracting(.optimistic).union([.dadfailed, .tentative])
            tracer.state("\(dev.name): duplicate address \(addr) used by \(sender.map(\.description) ?? "another node") detected: "
                + "dadfailed tentative")
        }
    }

    /// Adds the route of an on-link prefix to `dev`, expiring after `lifetime` seconds (`nil`: never).
    func addrconf_prefix_route(_ prefix: IPv6Prefix, dev: NetDevice, lifetime: UInt32?) {
        traced(addrconf_c.addrconf_prefix_route) {
            var route = RouteConfig6(destination: prefix, gateway: nil, device: dev.name)
            route.addrconf = true
            route.expires = lifetime.map { now + Int64($0) * 1_000_000_000 }
            ip6_route_add(route)
        }
    }

    /// Forms the address `address` of an autonomous prefix: added when `dev` has it not and the
    /// prefix is valid; an address it has already keeps it.
    func addrconf_prefix_rcv_add_addr(_ address: IPv6Prefix, dev: NetDevice, valid: UInt32) {
        traced(addrconf_c.addrconf_prefix_rcv_add_addr) {
            guard ipv6_get_ifaddr(address.address, dev: dev) == nil, valid != 0 else { return }
            ipv6_add_addr(address, dev: dev)
            tracer.note("duplicate address detection starts for \(address.address) (addrconf_dad_start)")
        }
    }

    /// Handles a prefix information option of a router advertisement (RFC 4862 §5.5.3): refused for
    /// a link-local or multicast prefix or a preferred lifetime beyond the valid one; an on-link
    /// prefix's route is added, refreshed or (valid lifetime 0) removed; an autonomous /64 makes an
    /// address from the device's interface identifier when `autoconf` is on (6.12: and the prefix does
    /// not ask for DHCPv6 prefix delegation, the P flag, under `ra_honor_pio_pflag`).
    func addrconf_prefix_rcv(_ pinfo: NDPrefixInformation?, dev: NetDevice) {
        traced(addrconf_c.addrconf_prefix_rcv) {
            guard let pinfo else {
                tracer.note("prefix option shorter than 32 bytes: ignored")
                return
            }
            guard !pinfo.prefix.isMulticast, !pinfo.prefix.isLinkLocal, pinfo.preferredLifetime <= pinfo.validLifetime else {
                tracer.note("prefix \(pinfo.prefix) link-local or multicast, or preferred beyond valid lifetime: ignored")
                return
            }
            let minLifetime = profile.version == .v4_14 ? 0 : sysctl.ipv6Conf("accept_ra_min_lft", dev: dev.name)
            if pinfo.validLifetime != 0, pinfo.validLifetime < minLifetime {
                tracer.note("valid lifetime \(pinfo.validLifetime) s below accept_ra_min_lft: ignored")
                return
            }
            let prefix = IPv6Prefix(address: pinfo.prefix, length: Int(min(pinfo.prefixLength, 128)))
            if pinfo.onLink {
                let lifetime = pinfo.validLifetime == .max ? nil : pinfo.validLifetime
                if let route = addrconf_get_prefix_route(prefix, dev: dev) {
                    if pinfo.validLifetime == 0 {
                        ip6_del_rt(prefix, gateway: nil, dev: dev)
                    } else {
                        setRoute6Expiry(route, lifetime: lifetime)
                    }
                } else if pinfo.validLifetime != 0 {
                    addrconf_prefix_route(prefix, dev: dev, lifetime: lifetime)
                }
            }
            // 6.12 leaves a prefix with the P flag to DHCPv6 prefix delegation when ra_honor_pio_pflag is on.
            let leftToPD = profile.version >= .v6_12 && pinfo.preferPD && sysctl.ipv6Conf("ra_honor_pio_pflag", dev: dev.name) != 0
            if leftToPD { tracer.note("prefix with the P flag and ra_honor_pio_pflag 1: no address (left to DHCPv6-PD)") }
            if pinfo.autonomous, !leftToPD, sysctl.ipv6Conf("autoconf", dev: dev.name, fallback: 1) != 0 {
                guard pinfo.prefixLength == 64 else {
                    tracer.note("autonomous prefix of length \(pinfo.prefixLength), not 64: no address")
                    return
                }
                let address = IPv6Address(high: pinfo.prefix.high, low: ipv6_generate_eui64(dev))
                addrconf_prefix_rcv_add_addr(IPv6Prefix(address: address, length: 64), dev: dev, valid: pinfo.validLifetime)
            }
            inet6_prefix_notify()
        }
    }

    /// The DAD work of an address being added (`ifp->dad_work`, RFC 4862 §5.4): `step` is what this
    /// run does, a probe (`ndisc_send_ns` from `::`) while probes remain, else DAD's completion.
    func addrconf_dad_work(_ step: () -> Void) {
        traced(addrconf_c.addrconf_dad_work) { step() }
    }

    /// An address passed DAD and becomes usable. The device's first link-local address to pass it
    /// resends the MLD reports from that address and starts router solicitation (when it accepts
    /// router advertisements); `send` is the one the frame being transmitted is.
    func addrconf_dad_completed(_ dev: NetDevice, sends send: DADCompletionSend) {
        traced(addrconf_c.addrconf_dad_completed) {
            for a in dev.addresses6 where a.address.isLinkLocal && ifaFlags(a.address, dev: dev) == .tentative {
                dev.addressFlags6[a.address] = nil
                tracer.state("\(a.address) on \(dev.name): passed DAD, valid")
            }
            switch send {
            case .mldReport: ipv6_mc_dad_complete(dev)
            case .routerSolicitation: ndisc_send_rs()
            }
        }
    }

    /// A DAD probe the host sent (a neighbour solicitation from `::` for `target`, RFC 4862 §5.4.2),
    /// the frame being transmitted: the DAD work of the address being added. A probe for a link-local
    /// address means the device's MLD reports come from `::` until it passes.
    func transmitDADProbe(target: IPv6Address, dev: NetDevice) {
        if target.isLinkLocal { mld[dev.name, default: MLDDevice()].linkLocalInDAD = true }
        if dev.addresses6.contains(where: { $0.address == target }), !ifaFlags(target, dev: dev).contains(.dadfailed) {
            dev.addressFlags6[target, default: []].insert(.tentative)
            // The last probe's retransmit time after it (RetransTimer: a router advertisement's, else 1 s),
            // with dad_transmits probes in all; this one taken as the first.
            let retransMs = raState[dev.name]?.retransTimeMs ?? 1000
            let probes = max(sysctl.ipv6Conf("dad_transmits", dev: dev.name, fallback: 1), 1)
            dadEnds[target] = now.clampedAdding(Int64(retransMs).clampedMultiplied(by: Int64(probes) * 1_000_000))
            tracer.state("\(target) on \(dev.name): tentative (in DAD)")
        }
        addrconf_dad_work { ndisc_send_ns(target) }
    }

    /// Tells netlink listeners of the prefix (RTM_NEWPREFIX), inline in `addrconf_prefix_rcv`.
    func inet6_prefix_notify() {
        traced(addrconf_c.inet6_prefix_notify, inline: true) { rtnl_notify() }
    }

    /// Tells netlink listeners that the device's router advertisement settings changed (RA flags,
    /// timers, the advertised MTU).
    func inet6_ifinfo_notify() {
        traced(addrconf_c.inet6_ifinfo_notify) { rtnl_notify() }
    }

    /// Sets the expiry of an address configuration route (`fib6_set_expires`, `fib6_clean_expires`):
    /// `lifetime` seconds from now, or never.
    func setRoute6Expiry(_ route: RouteConfig6, lifetime: UInt32?) {
        for i in routes6.indices where routes6[i].addrconf && routes6[i].destination == route.destination
            && routes6[i].gateway == route.gateway && routes6[i].device == route.device {
            routes6[i].expires = lifetime.map { now + Int64($0) * 1_000_000_000 }
        }
    }
}
