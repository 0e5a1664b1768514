// Mirrors net/ipv6/route.c (Linux 6.1; 4.14.177 and 6.12 alike on these paths): the input route of
// received IPv6 packets and the output route of the packets the host makes. The file is route6.swift because net/ipv4/route.c's mirror is route.swift,
// and one module cannot build two files of one name.
// 4.14's `ip6_pol_route` finds the node itself (`fib6_lookup` in net/ipv6/ip6_fib.c, not modeled)
// where later versions call `fib6_table_lookup`, and its `ip6_route_output_flags` runs the rules
// itself where later versions call `ip6_route_output_flags_noref`.
// Path MTU (RFC 8201): a packet too big makes an exception of the route to the destination it quotes
// (`ip6_rt_cache_alloc`, `rt6_insert_exception`; 4.14 inserts the clone into the tree, `ip6_ins_rt`) with
// the smaller MTU, which expires after `net.ipv6.route.mtu_expires`; the host's later packets to that
// destination take its MTU.
// Not modeled: the lookups' own visit of the exceptions and per-CPU copies (`rt6_find_cached_rt`), neighbour
// probing (`rt6_probe`), multipath selection (the hash is taken, no route has several paths), policy routing,
// locked MTU metrics (`mtu lock`).
// Router advertisements add and remove the default router (`rt6_add_dflt_router`, `ip6_del_rt`) and
// on-link prefixes; the host's packets to a destination behind a route with a gateway go to the
// gateway's neighbour entry. Not modeled there: router preference between several default routers,
// `ra_defrtr_metric` other than its default, the route's own hop limit and MTU metrics (the device's
// settings stand for them).
import Trace
import Wire

/// Functions modeled from `net/ipv6/route.c`, in the file's order.
public enum ipv6_route_c: String, KernelSourceFile {
    public static let path = "net/ipv6/route.c"
    case ip6_neigh_lookup, ip6_confirm_neigh, rt6_route_rcv, ip6_rt_copy_init, ip6_ins_rt, ip6_rt_cache_alloc, rt6_insert_exception, fib6_table_lookup,
        ip6_pol_route, ip6_pol_route_input, ip6_multipath_l3_keys, rt6_multipath_hash, ip6_route_input, ip6_pol_route_output,
        ip6_route_output_flags_noref, ip6_route_output_flags, rt6_do_update_pmtu, __ip6_rt_update_pmtu, ip6_rt_update_pmtu,
        ip6_update_pmtu, ip6_sk_update_pmtu, __ip6_route_redirect, ip6_route_redirect, ip6_redirect, ip6_redirect_no_header, rt6_do_redirect,
        ip6_route_add, ip6_del_rt, rt6_get_route_info, rt6_add_route_info, rt6_get_dflt_router, inet6_rt_notify, rt6_add_dflt_router, ip6_pkt_drop, ip6_pkt_discard, rt6_mtu_change
}

/// The path MTUs the host learned from packets too big: the exceptions (`rt6_exception`, `RTF_CACHE`
/// clones) of its routes, by destination, each with the capture time it expires at. Bounded: the kernel
/// keeps at most `FIB6_MAX_DEPTH` (5) in each of a route's 1024 buckets; beyond the model's limit the
/// one expiring first goes (`rt6_exception_remove_oldest`).
struct RT6Exceptions {
    static let limit = 5 * 1024
    private var entries: [IPv6Address: (mtu: Int, expires: Int64)] = [:]

    /// The learned MTU to `daddr` at time `now`, unless it expired (`rt6_check_expired`).
    func mtu(to daddr: IPv6Address, now: Int64) -> Int? {
        guard let e = entries[daddr], e.expires > now else { return nil }
        return e.mtu
    }

    /// Sets the MTU to `daddr` until `expires`.
    mutating func set(_ mtu: Int, to daddr: IPv6Address, expires: Int64) {
        if entries[daddr] == nil, entries.count >= Self.limit,
           let oldest = entries.min(by: { $0.value.expires < $1.value.expires })?.key {
            entries[oldest] = nil
        }
        entries[daddr] = (mtu, expires)
    }
}

/// The first hops redirects set (the `RTF_CACHE` clones `rt6_do_redirect` makes), by destination.
/// Bounded as the path MTU exceptions are: beyond the limit an arbitrary one goes.
struct RT6Redirects {
    private var firstHops: [IPv6Address: IPv6Address] = [:]

    /// The first hop a redirect set for `daddr`.
    func firstHop(to daddr: IPv6Address) -> IPv6Address? { firstHops[daddr] }

    /// Makes `firstHop` the first hop to `daddr`.
    mutating func set(_ firstHop: IPv6Address, for daddr: IPv6Address) {
        if firstHops[daddr] == nil, firstHops.count >= RT6Exceptions.limit, let any = firstHops.keys.first {
            firstHops[any] = nil
        }
        firstHops[daddr] = firstHop
    }
}

/// Which lookup `fib6_rule_lookup` runs in each table: the input route of a received packet
/// (`ip6_pol_route_input`) or the output route of one the host makes (`ip6_pol_route_output`).
enum RT6Lookup {
    case input, output
    /// The route a redirect from `gateway` is about (`__ip6_route_redirect`).
    case redirect(gateway: IPv6Address)
}

/// The IPv6 routing tables the default rules consult (`RT6_TABLE_LOCAL`, `RT6_TABLE_MAIN`).
enum RT6Table {
    case local, main
}

extension Kernel {
    /// The neighbour entry of a route's gateway `gw` (the route's `neigh_lookup`), created when there is
    /// none (`neigh_create`).
    func ip6_neigh_lookup(_ gw: IPv6Address) {
        traced(ipv6_route_c.ip6_neigh_lookup) {
            if neighbours6[gw] == nil { __neigh_create(gw) }
        }
    }

    /// Confirms the route's neighbour (`dst_confirm_neigh`, the route's `confirm_neigh`) for the flow to
    /// `daddr`: a packet too big shows the path beyond it works.
    func ip6_confirm_neigh(_ daddr: IPv6Address) {
        traced(ipv6_route_c.ip6_confirm_neigh) {}
    }

    /// Copies the route's device, gateway and metrics into a new clone.
    func ip6_rt_copy_init() {
        traced(ipv6_route_c.ip6_rt_copy_init) {}
    }

    /// Clones a route into a host route to `daddr` (`RTF_CACHE`, prefix length 128).
    func ip6_rt_cache_alloc(_ daddr: IPv6Address) {
        traced(ipv6_route_c.ip6_rt_cache_alloc) { ip6_rt_copy_init() }
    }

    /// Finds the route to `daddr` in `table` (the longest prefix, `fib6_node_lookup`).
    func fib6_table_lookup(_ daddr: IPv6Address, table: RT6Table, dev: NetDevice) -> DstEntry? {
        traced(ipv6_route_c.fib6_table_lookup) { fib6TableEntry(daddr, table: table, dev: dev) }
    }

    /// Looks `daddr` up in one routing table and makes the route the packet takes.
    func ip6_pol_route(_ daddr: IPv6Address, table: RT6Table, dev: NetDevice) -> DstEntry? {
        traced(ipv6_route_c.ip6_pol_route) {
            fib6_table_lookup(daddr, table: table, dev: dev)
        }
    }

    /// The input lookup of one table (the `lookup` function `fib6_rule_lookup` is given).
    func ip6_pol_route_input(_ daddr: IPv6Address, table: RT6Table, dev: NetDevice) -> DstEntry? {
        traced(ipv6_route_c.ip6_pol_route_input) { ip6_pol_route(daddr, table: table, dev: dev) }
    }

    /// The output lookup of one table (the `lookup` function `fib6_rule_lookup` is given).
    func ip6_pol_route_output(_ daddr: IPv6Address, table: RT6Table, dev: NetDevice) -> DstEntry? {
        traced(ipv6_route_c.ip6_pol_route_output) { ip6_pol_route(daddr, table: table, dev: dev) }
    }

    /// Takes the addresses, flow label and next header of the packet into the multipath hash (for an
    /// ICMPv6 error, those of the packet it quotes).
    func ip6_multipath_l3_keys(_ skb: SKBuff) {
        traced(ipv6_route_c.ip6_multipath_l3_keys) {}
    }

    /// The multipath hash of an ICMPv6 packet, so that an error follows the path of the flow it is
    /// about (`fib_multipath_hash_policy` 0: layer 3).
    func rt6_multipath_hash(_ skb: SKBuff) {
        traced(ipv6_route_c.rt6_multipath_hash) { ip6_multipath_l3_keys(skb) }
    }

    /// Attaches the input route of a received packet (`skb_dst_set_noref`): local for the host's own
    /// addresses and multicast for `ff00::/8` (the local table), unicast (forwarding) for another
    /// destination the host has a route to, else the discard route (`ip6_null_entry`).
    func ip6_route_input(_ skb: inout SKBuff) {
        traced(ipv6_route_c.ip6_route_input) {
            guard let hdr = skb.ipv6_hdr() else { return }
            if hdr.nextHeader == .icmpv6 { rt6_multipath_hash(skb) }
            let dst = fib6_rule_lookup(hdr.destination, dev: skb.dev, lookup: .input)
            tracer.note("route: \(dst.type.rawValue)\(dst.type == .unicast ? " via \(dst.dev?.name ?? "?")" : "")")
            skb.dst = dst
        }
    }

    /// Sets the output lookup's flags (the interface is strict for link-local and multicast
    /// destinations) and runs the rules with `ip6_pol_route_output`.
    func ip6_route_output_flags_noref(_ daddr: IPv6Address, dev: NetDevice) -> DstEntry {
        traced(ipv6_route_c.ip6_route_output_flags_noref) { fib6_rule_lookup(daddr, dev: dev, lookup: .output) }
    }

    /// The output route of a packet the host makes, to `daddr` (`ip6_route_output`, an inline
    /// wrapper, calls it): a route that is not the discard route takes a reference. The model takes
    /// the device the capture shows the packet leave on as the one the route chooses.
    func ip6_route_output_flags(_ daddr: IPv6Address, dev: NetDevice) -> DstEntry {
        traced(ipv6_route_c.ip6_route_output_flags) {
            let dst = has(ipv6_route_c.ip6_route_output_flags_noref)
                ? ip6_route_output_flags_noref(daddr, dev: dev) : fib6_rule_lookup(daddr, dev: dev, lookup: .output)
            let gateway = rt6Nexthop(daddr) == daddr ? "" : " gateway \(rt6Nexthop(daddr))"
            tracer.note("output route: \(dst.type.rawValue)\(dst.type == .unicast ? " via \(dst.dev?.name ?? "?")\(gateway)" : "")")
            return dst
        }
    }

    /// Adds a clone to the routing tree (4.14: its clones are tree nodes, not exceptions).
    func ip6_ins_rt() {
        traced(ipv6_route_c.ip6_ins_rt) {}
    }

    /// Hangs a clone under its route as an exception for its destination.
    func rt6_insert_exception() {
        traced(ipv6_route_c.rt6_insert_exception) {}
    }

    /// Drops a packet whose route is a discard route: an unspecified destination is an address
    /// error (`IP_INADDRERRORS`), any other has no route (`Ip6InNoRoutes`, `IP_INNOROUTES`) and is
    /// answered with destination unreachable, code `code`.
    func ip6_pkt_drop(_ skb: inout SKBuff, code: UInt8) -> NetRxResult {
        traced(ipv6_route_c.ip6_pkt_drop) {
            if skb.ipv6_hdr()?.destination == .any {
                count("Ip6InAddrErrors")
                kfree_skb_reason(&skb, .IP_INADDRERRORS)
                return .NET_RX_DROP
            }
            count("Ip6InNoRoutes")
            icmpv6_send(&skb, type: ICMPv6Type.ICMPV6_DEST_UNREACH, code: code)
            kfree_skb_reason(&skb, .IP_INNOROUTES)
            return .NET_RX_DROP
        }
    }

    /// The input of the discard route (`dst->input` of `ip6_null_entry`): no route to the destination.
    func ip6_pkt_discard(_ skb: inout SKBuff) -> NetRxResult {
        traced(ipv6_route_c.ip6_pkt_discard) { ip6_pkt_drop(&skb, code: ICMPv6Type.ICMPV6_NOROUTE) }
    }

    /// Sets a route's MTU metric to `mtu` (`RTF_MODIFIED`), to expire after `net.ipv6.route.mtu_expires`
    /// (600 s by default).
    func rt6_do_update_pmtu(_ daddr: IPv6Address, mtu: Int) {
        traced(ipv6_route_c.rt6_do_update_pmtu) {
            let expires = Int64(sysctl.values["net.ipv6.route.mtu_expires"] ?? 600) * 1_000_000_000
            rt6Exceptions.set(mtu, to: daddr, expires: now + expires)
            tracer.note("path MTU to \(daddr): \(mtu)")
        }
    }

    /// Lowers the path MTU of `dst` for the flow to `daddr` (RFC 8201 §4): never below 1280 (4.14 raises a
    /// smaller value to 1280, later versions ignore it) nor up. A route that is already a clone for
    /// `daddr` takes the MTU itself; else a clone of it does, hung under it as an exception (in 4.14
    /// added to the tree). Returns whether a clone was added (which makes the routes cached on sockets
    /// stale).
    @discardableResult
    func __ip6_rt_update_pmtu(_ dst: DstEntry, daddr: IPv6Address, mtu reported: Int) -> Bool {
        traced(ipv6_route_c.__ip6_rt_update_pmtu) {
            ip6_confirm_neigh(daddr)
            var mtu = reported
            if mtu < Self.IPV6_MIN_MTU {
                guard profile.version == .v4_14 else {
                    tracer.note("MTU \(mtu) below 1280: ignored")
                    return false
                }
                mtu = Self.IPV6_MIN_MTU
            }
            let current = ip6PathMTU(to: daddr, dev: dst.dev)
            guard mtu < current else {
                tracer.note("MTU \(mtu) not below the route's \(current): nothing to change")
                return false
            }
            if rt6Exceptions.mtu(to: daddr, now: now) != nil {
                tracer.note("the route is the exception for \(daddr) already")
                rt6_do_update_pmtu(daddr, mtu: mtu)
                return false
            }
            ip6_rt_cache_alloc(daddr)
            rt6_do_update_pmtu(daddr, mtu: mtu)
            if profile.version == .v4_14 { ip6_ins_rt() } else { rt6_insert_exception() }
            return true
        }
    }

    /// The route's `update_pmtu` (`dst->ops->update_pmtu`) for a socket's flow to `daddr`; returns whether
    /// a clone was added.
    func ip6_rt_update_pmtu(_ dst: DstEntry, daddr: IPv6Address, mtu: Int) -> Bool {
        traced(ipv6_route_c.ip6_rt_update_pmtu) { __ip6_rt_update_pmtu(dst, daddr: daddr, mtu: mtu) }
    }

    /// Lowers the path MTU toward the destination of `quoted` (the packet a packet too big is about): finds
    /// its output route (`ip6_route_output`, inline) and updates that.
    func ip6_update_pmtu(quoted: IPv6Packet, mtu: Int, dev: NetDevice) {
        traced(ipv6_route_c.ip6_update_pmtu) {
            let dst = ip6_route_output_flags(quoted.destination, dev: dev)
            guard dst.type != .unreachable else { return }
            __ip6_rt_update_pmtu(dst, daddr: quoted.destination, mtu: mtu)
        }
    }

    /// Lowers the path MTU for a datagram socket's flow (`ip6_update_pmtu` with the socket's device and
    /// mark); a route the socket cached is renewed by its next send (the model's sockets cache none).
    func ip6_sk_update_pmtu(quoted: IPv6Packet, mtu: Int, dev: NetDevice) {
        traced(ipv6_route_c.ip6_sk_update_pmtu) { ip6_update_pmtu(quoted: quoted, mtu: mtu, dev: dev) }
    }

    /// The MTU of the host's packets to `daddr` leaving on `dev` (`dst_mtu`, `ip6_mtu`): a path MTU learned
    /// from a packet too big, else the device's IPv6 MTU (`net.ipv6.conf.DEV.mtu`, which a router
    /// advertisement may lower), else the device's.
    func ip6PathMTU(to daddr: IPv6Address, dev: NetDevice?) -> Int {
        if let learnt = rt6Exceptions.mtu(to: daddr, now: now) { return learnt }
        return dev.map(ipv6MTU) ?? Self.IPV6_MIN_MTU
    }

    /// The IPv6 MTU of `dev` (`idev->cnf.mtu6`): a router advertisement's, else the profile's
    /// `net.ipv6.conf.DEV.mtu`, never above the device's.
    func ipv6MTU(_ dev: NetDevice) -> Int {
        min(dev.mtu, raState[dev.name]?.mtu6 ?? sysctl.ipv6Conf("mtu", dev: dev.name, fallback: dev.mtu))
    }

    /// Follows an IPv6 input route (`dst->input`): `ip6_input`, `ip6_mc_input`, `ip6_forward` or
    /// `ip6_pkt_discard`.
    func ip6DstInput(_ skb: inout SKBuff) -> NetRxResult {
        switch skb.dst?.type ?? .unreachable {
        case .local, .broadcast: return ip6_input(&skb)
        case .multicast: return ip6_mc_input(&skb)
        case .unicast: return ip6_forward(&skb)
        case .unreachable: return ip6_pkt_discard(&skb)
        }
    }

    /// The route `table` holds for `daddr`, without recording anything: the local table holds the
    /// host's addresses (before `ff00::/8`, being longer); main holds the connected prefixes, `fe80::/64` on every IPv6
    /// device and the profile's routes.
    func fib6TableEntry(_ daddr: IPv6Address, table: RT6Table, dev: NetDevice) -> DstEntry? {
        switch table {
        case .local:
            // A host route of an address (even a multicast one, added with `autojoin`) is longer than ff00::/8.
            if let own = localDevice6(for: daddr) { return DstEntry(type: .local, dev: own) }
            return daddr.isMulticast ? DstEntry(type: .multicast, dev: dev) : nil
        case .main:
            if daddr.isLinkLocal { return DstEntry(type: .unicast, dev: dev) }
            return routeLookup6(daddr).map { DstEntry(type: .unicast, dev: $0) }
        }
    }

    /// The device that owns `address`, if it is one of the host's IPv6 addresses.
    func localDevice6(for address: IPv6Address) -> NetDevice? {
        devices.first { d in d.addresses6.contains { $0.address == address } }
    }

    /// The output device of the route to `daddr`: a connected prefix of a device, else the device of
    /// an IPv6 route of the profile (the longest prefix), else none. A link-local destination is on
    /// the link of the device it came from.
    func routeLookup6(_ daddr: IPv6Address) -> NetDevice? {
        if let dev = devices.first(where: { d in d.addresses6.contains { $0.length < 128 && $0.contains(daddr) } }) {
            return dev
        }
        guard let best = route6(to: daddr) else { return nil }
        return devices.first { $0.name == best.device } ?? devices.first { !$0.addresses6.isEmpty }
    }

    /// The profile's or a router advertisement's route to `daddr` (the longest prefix) that has not
    /// expired, without recording anything.
    func route6(to daddr: IPv6Address) -> RouteConfig6? {
        var best: RouteConfig6?
        for r in routes6 where r.destination.contains(daddr) && r.destination.length > best?.destination.length ?? -1
            && r.expires.map({ $0 > now }) ?? true {
            best = r
        }
        return best
    }

    /// The next hop of the host's packet to `daddr` (`rt6_nexthop`): the first hop a redirect set, else
    /// the gateway of its route, unless a prefix of the device holds `daddr` (on-link) or the route has none.
    func rt6Nexthop(_ daddr: IPv6Address) -> IPv6Address {
        if let first = rt6Redirects.firstHop(to: daddr) { return first }
        if daddr.isMulticast || daddr.isLinkLocal
            || devices.contains(where: { d in d.addresses6.contains { $0.length < 128 && $0.contains(daddr) } }) {
            return daddr
        }
        return route6(to: daddr)?.gateway ?? daddr
    }
}

// Redirects (RFC 4861 §8.3): a received ND redirect (without a redirected-header option, or through
// `icmpv6_notify` with one) is checked against the route it concerns and, accepted, makes the target
// the first hop to its destination: a clone of the route (`RTF_CACHE`, an exception under it; 4.14
// inserts it into the tree) with the target as gateway, or none for an on-link destination (target
// equal to destination). Not modeled: the netevent notice, the garbage collection of unused clones.
extension Kernel {
    /// Checks a redirect against the route it concerns: refused when its destination is multicast,
    /// its target neither the destination nor link-local, the host a router or `accept_redirects` 0,
    /// its options invalid, or its source not the first hop of the route (the reject route). Accepted,
    /// it learns the target's entry (STALE, with the target link-layer address option's address) and
    /// clones the route with the target as the destination's first hop.
    func rt6_do_redirect(_ dst: DstEntry, _ m: NDiscInput, dev: NetDevice) {
        traced(ipv6_route_c.rt6_do_redirect) {
            let target = m.target, dest = IPv6Address(m.bytes, at: m.start + 24)
            guard m.length >= 40, !dest.isMulticast, target == dest || target.isLinkLocal else {
                tracer.note("redirect too short, to a multicast destination, or to a target not link-local: ignored")
                return
            }
            // idev->cnf.accept_redirects: the device's own setting (all's does not reach it).
            if devconf6Forwarding(dev) || sysctl.ipv6Conf("accept_redirects", dev: dev.name, fallback: 1) == 0 {
                tracer.note("a router, or accept_redirects 0: redirect ignored")
                return
            }
            guard let options = ndisc_parse_options(m) else { return }
            var lladdr: MACAddress?
            if let o = options.first(NDOption.targetLinkLayerAddress) {
                guard o.length == 8, m.bytes.count >= o.offset + 8 else {
                    tracer.note("target link-layer address option of the wrong length: redirect ignored")
                    return
                }
                lladdr = MACAddress(m.bytes, at: o.offset + 2)
            }
            guard dst.type != .unreachable else {
                tracer.note("\(m.header.source) is not the first hop of the route to \(dest): redirect ignored")
                return
            }
            ip6_confirm_neigh(m.header.source)
            // __neigh_lookup (inline): the target's entry, made when there is none
            if !neigh_lookup(target) { __neigh_create(target) }
            ndisc_update(target, ha: lladdr, state: .NUD_STALE, inline: false)
            ip6_rt_cache_alloc(dest)
            if profile.version == .v4_14 {
                ip6_ins_rt()
            } else {
                rt6_insert_exception()
                // The clone copies the route's metrics: one with its own MTU metric (a router
                // advertisement's MTU option) is not below the route's MTU, and the exception is refused.
                if let mtu = routes6.first(where: { $0.gateway == m.header.source && $0.destination.contains(dest) })?.mtu {
                    tracer.note("the route's MTU metric \(mtu) is copied into the clone, which is then not below the route's "
                        + "MTU: the exception is refused (EINVAL), no route changes")
                    return
                }
            }
            rt6Redirects.set(target, for: dest)
            tracer.state(target == dest ? "\(dest) is on-link (redirect)" : "first hop to \(dest): \(target) (redirect)")
        }
    }

    /// Follows a redirect that quotes the packet it is about (`icmpv6_err`, the datagram protocols'
    /// error handlers): the route from the quoted packet's destination through the redirect's
    /// sender, then `rt6_do_redirect` with the redirect message.
    func ip6_redirect(quoted: IPv6Packet, _ m: NDiscInput, dev: NetDevice) {
        traced(ipv6_route_c.ip6_redirect) {
            let dst = ip6_route_redirect(quoted.destination, gateway: m.header.source, dev: dev)
            rt6_do_redirect(dst, m, dev: dev)
        }
    }

    /// The lookup of one table for a redirect: a route to the destination whose first hop is `gateway`,
    /// of which 6.x makes a copy to hand back (`ip6_create_rt_rcu`; 4.14 takes a reference).
    func __ip6_route_redirect(_ daddr: IPv6Address, table: RT6Table, gateway: IPv6Address) -> DstEntry? {
        traced(ipv6_route_c.__ip6_route_redirect) {
            guard table == .main else { return nil }
            let via = routes6.filter { $0.gateway == gateway && $0.destination.contains(daddr) }
                .max { $0.destination.length < $1.destination.length }
            guard let via else { return nil }
            if profile.version != .v4_14 { ip6_rt_copy_init() }
            return DstEntry(type: .unicast, dev: devices.first { $0.name == via.device })
        }
    }

    /// Finds the route a redirect from `gateway` about `daddr` concerns, through the policy rules.
    func ip6_route_redirect(_ daddr: IPv6Address, gateway: IPv6Address, dev: NetDevice) -> DstEntry {
        traced(ipv6_route_c.ip6_route_redirect) { fib6_rule_lookup(daddr, dev: dev, lookup: .redirect(gateway: gateway)) }
    }

    /// Handles a redirect without a redirected-header option: finds the route it concerns and checks it.
    func ip6_redirect_no_header(_ m: NDiscInput, dev: NetDevice) {
        traced(ipv6_route_c.ip6_redirect_no_header) {
            let dst = ip6_route_redirect(IPv6Address(m.bytes, at: m.start + 24), gateway: m.header.source, dev: dev)
            rt6_do_redirect(dst, m, dev: dev)
        }
    }
}

// Routes a router advertisement adds, refreshes and removes (RFC 4861 §6.3.4): the default router
// and, through addrconf, on-link prefixes.
extension Kernel {
    /// Adds `route` to the main table (`fib6_add` under it, the netlink notice).
    func ip6_route_add(_ route: RouteConfig6) {
        traced(ipv6_route_c.ip6_route_add) {
            routes6.append(route)
            fib6_add()
            tracer.state("route \(route.destination)\(route.gateway.map { " via \($0)" } ?? "") dev \(route.device ?? "?") added")
        }
    }

    /// Removes the address configuration route to `destination` (via `gateway`) on `dev`.
    func ip6_del_rt(_ destination: IPv6Prefix, gateway: IPv6Address?, dev: NetDevice) {
        traced(ipv6_route_c.ip6_del_rt) {
            routes6.removeAll { $0.addrconf && $0.destination == destination && $0.gateway == gateway && $0.device == dev.name }
            fib6_del()
            tracer.state("route \(destination)\(gateway.map { " via \($0)" } ?? "") dev \(dev.name) removed")
        }
    }

    /// Takes a route information option from router `gateway` (RFC 4191 §3.1): an option whose length
    /// cannot hold its prefix, or whose preference is the reserved value, is refused (`EINVAL`); else the
    /// route to its prefix through the router (the default route for a prefix length of 0) is removed
    /// when the lifetime is 0, added when there is none, and takes the option's preference and lifetime
    /// (0xffffffff: no expiry).
    func rt6_route_rcv(_ bytes: [UInt8], _ o: NDOption, gateway: IPv6Address, dev: NetDevice) {
        traced(ipv6_route_c.rt6_route_rcv) {
            let length = Int(bytes[o.offset + 1]), plen = Int(bytes[o.offset + 2])
            let pref = (bytes[o.offset + 3] >> 3) & 3, lifetime = bytes.u32be(at: o.offset + 4)
            let valid = length <= 3 && plen <= 128 && (plen <= 64 || length == 3) && (plen == 0 || length >= 2)
            guard valid, bytes.count >= o.offset + length * 8 else {
                tracer.note("route information option of length \(length) for a /\(plen): refused (EINVAL)")
                return
            }
            guard pref != 2 else {
                tracer.note("route information with the reserved preference: refused (EINVAL)")
                return
            }
            // The prefix field as long as the option holds it; shorter than 16 bytes, masked to the length.
            var raw = [UInt8](repeating: 0, count: 16)
            for i in 0..<(length - 1) * 8 {
                let bits = length == 3 ? 8 : max(0, min(8, plen - i * 8))
                raw[i] = bytes[o.offset + 8 + i] & UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            }
            let prefix = IPv6Prefix(address: IPv6Address(raw, at: 0), length: plen)
            let preference = ["medium", "high", "invalid", "low"][Int(pref)]
            let expires: Int64? = lifetime == 0xffff_ffff ? nil : now + Int64(lifetime) * 1_000_000_000
            let found = plen == 0 ? rt6_get_dflt_router(gateway, dev: dev) : rt6_get_route_info(prefix, gateway: gateway, dev: dev)
            if found != nil, lifetime == 0 {
                ip6_del_rt(prefix, gateway: gateway, dev: dev)
            } else if found == nil, lifetime != 0 {
                _ = rt6_add_route_info(prefix, gateway: gateway, dev: dev, expires: expires)
                tracer.note("route \(prefix) via \(gateway): preference \(preference), lifetime \(lifetime) s")
            } else if found != nil {
                if let i = routes6.firstIndex(where: { $0.addrconf && $0.destination == prefix && $0.gateway == gateway && $0.device == dev.name }) {
                    routes6[i].expires = expires
                }
                tracer.note("route \(prefix) via \(gateway) refreshed: preference \(preference), lifetime \(lifetime) s")
            }
        }
    }

    /// The route to `prefix` through `gateway` on `dev` a route information option made, if there is one.
    func rt6_get_route_info(_ prefix: IPv6Prefix, gateway: IPv6Address, dev: NetDevice) -> RouteConfig6? {
        traced(ipv6_route_c.rt6_get_route_info) {
            routes6.first { $0.addrconf && $0.destination == prefix && $0.gateway == gateway && $0.device == dev.name }
        }
    }

    /// Adds the route of a route information option (`RTF_ROUTEINFO | RTF_ADDRCONF | RTF_GATEWAY`), then
    /// finds it again.
    func rt6_add_route_info(_ prefix: IPv6Prefix, gateway: IPv6Address, dev: NetDevice, expires: Int64?) -> RouteConfig6? {
        traced(ipv6_route_c.rt6_add_route_info) {
            var route = RouteConfig6(destination: prefix, gateway: gateway, device: dev.name)
            route.addrconf = true
            route.expires = expires
            ip6_route_add(route)
            return rt6_get_route_info(prefix, gateway: gateway, dev: dev)
        }
    }

    /// The default route through `gateway` on `dev` a router advertisement made, if there is one
    /// (expired or not: the kernel's garbage collector, not the lookup, removes it).
    func rt6_get_dflt_router(_ gateway: IPv6Address, dev: NetDevice) -> RouteConfig6? {
        traced(ipv6_route_c.rt6_get_dflt_router) {
            fib6_get_table()
            return routes6.first { $0.addrconf && $0.destination.length == 0 && $0.gateway == gateway && $0.device == dev.name }
        }
    }

    /// Adds a default route through the router `gateway` on `dev` (`RTF_ADDRCONF | RTF_DEFAULT`,
    /// expiring after the advertisement's lifetime), then finds it again.
    func rt6_add_dflt_router(_ gateway: IPv6Address, dev: NetDevice, lifetime: Int) -> RouteConfig6? {
        traced(ipv6_route_c.rt6_add_dflt_router) {
            var route = RouteConfig6(destination: IPv6Prefix(address: .any, length: 0), gateway: gateway, device: dev.name)
            route.addrconf = true
            route.expires = now + Int64(lifetime) * 1_000_000_000
            ip6_route_add(route)
            fib6_get_table()
            return rt6_get_dflt_router(gateway, dev: dev)
        }
    }

    /// Tells netlink listeners of a new or removed route (RTM_NEWROUTE, RTM_DELROUTE): with none, the
    /// message is freed again.
    func inet6_rt_notify() {
        traced(ipv6_route_c.inet6_rt_notify) { rtnl_notify() }
    }

    /// Lowers the MTU of the routes through `dev` to `mtu` (`rt6_mtu_change_route` over the tree): the
    /// host's later packets on `dev` take it, and a route whose own MTU metric is not below it (the
    /// default router's, `router`, which the advertisement set just before) takes it as its metric.
    func rt6_mtu_change(_ dev: NetDevice, mtu: Int, router: RouteConfig6?) {
        traced(ipv6_route_c.rt6_mtu_change) {
            tracer.state("IPv6 MTU of \(dev.name): \(mtu)")
            if router != nil { fib6_metric_set(router, .RTAX_MTU, mtu) }
        }
    }
}
