// Mirrors net/ipv6/ndisc.c (Linux 6.1; 4.14.177 and 6.12 where they differ): neighbour discovery
// (RFC 4861) on receive, the advertisements it answers with, and `nd_tbl`'s neighbour operations.
// `ndisc_rcv` refuses a message with a hop limit other than 255 or a code other than 0 before any
// handler runs. 6.12 returns a drop reason from each handler (`IPV6_NDISC_*`, `PKT_TOO_SMALL`,
// `SKB_CONSUMED` for a message acted on), which `icmpv6_rcv` frees the message with; 4.14 and 6.1
// return none, and `icmpv6_rcv` frees every message as a drop without a reason.
// An NS or NA for an address in DAD (tentative: the profile's flag, or the host's probe seen) fails
// its DAD (`addrconf_dad_failure`); a solicitation for a tentative address is not answered, one for an
// optimistic address is. Route information options (RFC 4191) are taken per `accept_ra_rtr_pref` and
// the `accept_ra_rt_info_{min,max}_plen` limits; their route preference is shown, not used (routes are
// chosen by prefix length alone). Not modeled: DAD nonces (RFC 7527: the host's own probe looped
// back), router preference, user options
// (`ndisc_ra_useropt`), the default router's own neighbour flag (`NTF_ROUTER`), a redirect quoting
// a TCP or UDP packet (its protocol's error handler), anycast and
// proxy neighbour discovery, `drop_unsolicited_na`/`accept_untracked_na` other than their defaults,
// the neighbour's router flag, a link-layer address that differs from the entry's without the
// override flag, the optimistic-address
// check of `ndisc_send_rs` (`CONFIG_IPV6_OPTIMISTIC_DAD`),
// fragmented messages (`ndisc_suppress_frag_ndisc`).
import Trace
import Wire

/// Functions modeled from `net/ipv6/ndisc.c`, in the file's order.
public enum ndisc_c: String, KernelSourceFile {
    public static let path = "net/ipv6/ndisc.c"
    case ndisc_next_option, ndisc_parse_options, ndisc_ra_useropt, ndisc_constructor, ndisc_send_skb, ndisc_send_na, ndisc_send_ns, ndisc_send_rs, ndisc_solicit, ndisc_update,
        ndisc_send_redirect,
        ndisc_recv_ns, ndisc_recv_na, ndisc_recv_rs, ndisc_router_discovery, ndisc_redirect_rcv, ndisc_rcv
}

extension IPv6Address: NeighbourAddress {
    static var table: ReferenceWritableKeyPath<Kernel, HashTable<IPv6Address, Neighbour>> { \.neighbours6 }
    func constructor(_ kernel: Kernel) { kernel.ndisc_constructor(self) }
    func solicit(_ kernel: Kernel) { kernel.ndisc_solicit(self) }
    static let gcThresh3Sysctl = "net.ipv6.neigh.default.gc_thresh3"
}

/// What router advertisements left on an IPv6 device (`struct inet6_dev`): the M and O flags of
/// the last one (`IF_RA_MANAGED`, `IF_RA_OTHERCONF`, as the message's flag bits), the MTU it
/// advertised (`ra_mtu`, 6.x), and the settings taken from them (`cnf.hop_limit`, `cnf.mtu6`, the
/// neighbour parameters `RETRANS_TIME` and `BASE_REACHABLE_TIME`, in milliseconds).
struct RAState {
    var flags: UInt8 = 0
    var raMTU: Int?
    var hopLimit: Int?
    var mtu6: Int?
    var retransTimeMs: Int?
    var baseReachableTimeMs: Int?
}

extension ICMPv6Type {
    static let NDISC_ROUTER_ADVERTISEMENT: UInt8 = 134
    static let NDISC_NEIGHBOUR_SOLICITATION: UInt8 = 135
    static let NDISC_NEIGHBOUR_ADVERTISEMENT: UInt8 = 136
}

/// A neighbour discovery message as `ndisc_rcv` hands it on: where its ICMPv6 header is, its length
/// (`skb->len` once `ndisc_rcv` pushed the data back to that header) and the frame's bytes.
struct NDiscInput {
    let bytes: [UInt8]
    let start: Int
    let length: Int
    let header: IPv6Packet

    var type: UInt8 { bytes.u8(at: start) }
    /// The target address of an NS or NA (`nd_msg.target`), the first of a redirect.
    var target: IPv6Address { IPv6Address(bytes, at: start + 8) }
    /// Whether the fixed part of the message (`struct nd_msg`, `rs_msg`, ...) is in the capture.
    var fixedPartCaptured: Bool { bytes.count - start >= NDMessage.fixedLength(type: type) ?? 0 }
}

extension Kernel {
    /// Reads the options after the message's fixed part. Returns `nil` when the kernel refuses them
    /// (an option of length 0 or past the end of the message); options a capture cut are taken as none.
    func ndisc_parse_options(_ m: NDiscInput) -> NDOptions? {
        traced(ndisc_c.ndisc_parse_options) {
            let fixed = NDMessage.fixedLength(type: m.type) ?? 0
            do throws(WireError) {
                return try NDOptions(parsing: m.bytes, at: m.start + fixed, length: m.length - fixed)
            } catch {
                if case .truncated = error {
                    // The kernel had the whole message; the options the capture cut cannot be read.
                    tracer.note("options cut by the capture: taken as none")
                    return NDOptions()
                }
                tracer.note("an option of length 0 or past the end of the message: the message is refused")
                return nil
            }
        }
    }

    /// The link-layer address an option carries, as `ndisc_opt_addr_data` reads it for Ethernet:
    /// only from an option of exactly 8 bytes. `.some(nil)`: the option is there but invalid.
    private func ndiscLinkLayerAddress(_ options: NDOptions, _ type: UInt8, in bytes: [UInt8]) -> MACAddress?? {
        guard let o = options.first(type) else { return .none }
        guard o.length == 8, bytes.count >= o.offset + 8 else { return .some(nil) }
        return .some(MACAddress(bytes, at: o.offset + 2))
    }

    /// Initialises a new `nd_tbl` entry: an entry for a multicast address needs no resolution
    /// (`NUD_NOARP`, its link-layer address mapped from the group, RFC 2464 §7).
    func ndisc_constructor(_ addr: IPv6Address) {
        traced(ndisc_c.ndisc_constructor) {
            guard addr.isMulticast else { return }
            neighbours6[addr] = Neighbour(ha: MACAddress(rawValue: 0x3333_0000_0000 | addr.low & 0xffff_ffff),
                                          state: .NUD_NOARP, hh_cached: false)
        }
    }

    /// Sends a neighbour discovery message the host built: counts it, runs LOCAL_OUT and the route's
    /// output (`dst_output`, inline). The route is a throwaway one to the destination
    /// (`icmp6_dst_alloc`), whose output is `ip6_output`.
    func ndisc_send_skb(_ skb: inout SKBuff, type: UInt8) {
        traced(ndisc_c.ndisc_send_skb) { localOutICMPv6(&skb, type: type) }
    }

    /// Sends an ICMPv6 message the kernel built itself (neighbour discovery, MLD): counts it as made,
    /// runs LOCAL_OUT and the route's output (`dst_output`, inline), and counts the message as sent.
    func localOutICMPv6(_ skb: inout SKBuff, type: UInt8) {
        countIp6OutRequest(skb)
        _ = NF_HOOK(.NF_INET_LOCAL_OUT, &skb, okfn: { dst_output(&$0) }, dropped: .NETDEV_TX_OK)
        count("Icmp6OutMsgs")
        countIcmp6Msg(type, incoming: false)
    }

    /// Sends the frame being transmitted as an ICMPv6 message the kernel built (`localOutICMPv6`).
    func sendTransmitICMPv6(type: UInt8) {
        guard var skb = transmitSKB else { return }
        localOutICMPv6(&skb, type: type)
        transmitSKB = skb
    }

    /// Sends a neighbour advertisement for `target` to `daddr` (RFC 4861 §7.2.4): from the target
    /// when it is one of the host's addresses (`ipv6_get_ifaddr`). While tracing a received frame it
    /// records that the advertisement will leave; the transmitted frame runs the send.
    func ndisc_send_na(to daddr: IPv6Address, target: IPv6Address, dev: NetDevice) {
        traced(ndisc_c.ndisc_send_na) {
            ipv6_get_ifaddr(target, dev: dev)
            if var skb = transmitSKB {
                ndisc_send_skb(&skb, type: ICMPv6Type.NDISC_NEIGHBOUR_ADVERTISEMENT)
                transmitSKB = skb
                return
            }
            expectTransmit(.ndiscAdvertisement(to: daddr, target: target), from: currentFrame)
            tracer.note("neighbour advertisement for \(target) to \(daddr) built and sent: see the transmitted frame")
        }
    }

    /// Sends a neighbour solicitation for `addr` (RFC 4861 §7.2.2), built by `ndisc_ns_create`: the
    /// frame being transmitted when the capture shows it leave.
    func ndisc_send_ns(_ addr: IPv6Address) {
        traced(ndisc_c.ndisc_send_ns) {
            guard transmitContext.isNeighbourSolicitation, var skb = transmitSKB else {
                tracer.note("neighbour solicitation for \(addr) built and sent: see the transmitted frame")
                return
            }
            ndisc_send_skb(&skb, type: ICMPv6Type.NDISC_NEIGHBOUR_SOLICITATION)
            transmitSKB = skb
        }
    }

    /// Sends a router solicitation (RFC 4861 §6.3.7) to all-routers from the device's link-local
    /// address, with the device's link-layer address: the frame being transmitted.
    func ndisc_send_rs() {
        traced(ndisc_c.ndisc_send_rs) {
            guard var skb = transmitSKB else { return }
            ndisc_send_skb(&skb, type: ICMPv6Type.NDISC_ROUTER_SOLICITATION)
            transmitSKB = skb
        }
    }

    /// Tells `source` that its packets to `destination` have a better first hop, `target`, on its link
    /// (RFC 4861 §8.2): sent by a router that forwards a packet back out the interface it came in on
    /// (`ip6_forward`). None is sent when the device has no link-local address (`ipv6_get_lladdr`: the
    /// message's source), when the target is neither the destination nor link-local, when the source
    /// is not a neighbour (its output route has a gateway), or when the source's `inet_peer` has no
    /// credit left (one a second, bursts of six). The message carries the target's link-layer address
    /// when its entry is valid, and as much of the packet as fits in 1280 bytes. While tracing a
    /// received frame it records that the redirect will leave; the transmitted frame runs the send.
    func ndisc_send_redirect(source: IPv6Address, destination: IPv6Address, target: IPv6Address, dev: NetDevice) {
        traced(ndisc_c.ndisc_send_redirect) {
            guard let lladdr = ipv6_get_lladdr(dev) else {
                tracer.note("no redirect: \(dev.name) has no link-local address to send it from")
                return
            }
            guard target == destination || target.isLinkLocal else {
                tracer.note("no redirect: the target \(target) is neither the destination nor link-local")
                return
            }
            _ = ip6_route_output_flags(source, dev: dev)
            guard rt6Nexthop(source) == source else {
                tracer.note("no redirect: the source \(source) is not a neighbour (its route has a gateway)")
                return
            }
            inet_getpeer(.v6(source))
            guard inet_peer_xrlim_allow(.v6(source), timeout: Self.HZ) else { return }
            if var skb = transmitSKB {
                ndisc_send_skb(&skb, type: ICMPv6Type.NDISC_REDIRECT)
                transmitSKB = skb
                return
            }
            let option = neighbours6[target].map { $0.state.isValid } == true ? ", with its link-layer address" : ""
            expectTransmit(.ndiscRedirect(to: source, target: target, destination: destination), from: currentFrame)
            tracer.note("redirect from \(lladdr) to \(source): \(destination) through \(target)\(option), built and sent: see the transmitted frame")
        }
    }

    /// `nd_tbl`'s solicitation (`neigh_ops->solicit`): solicits the entry's address.
    func ndisc_solicit(_ addr: IPv6Address) {
        traced(ndisc_c.ndisc_solicit) { ndisc_send_ns(addr) }
    }

    /// Updates an `nd_tbl` entry from a neighbour discovery message. `inline`: ndisc.c's own callers,
    /// into which the builds the oracle traced inlined it; route.c's redirect calls it.
    func ndisc_update(_ addr: IPv6Address, ha: MACAddress?, state: NUDState, inline: Bool = true) {
        traced(ndisc_c.ndisc_update, inline: inline) { neigh_update(addr, ha: ha, state: state) }
    }

    /// Handles a neighbour solicitation (RFC 4861 §7.2.3): for one of the host's addresses it learns
    /// the sender (`NUD_STALE`) and answers with an advertisement; a DAD probe (source `::`) for one
    /// of them is answered to all-nodes. Returns the 6.12 reason (`nil`: consumed).
    func ndisc_recv_ns(_ skb: inout SKBuff, _ m: NDiscInput) -> SKBDropReason? {
        traced(ndisc_c.ndisc_recv_ns) {
            let saddr = m.header.source, daddr = m.header.destination, target = m.target
            let dad = saddr == .any
            guard m.length >= 24 else { return .PKT_TOO_SMALL }
            if target.isMulticast {
                tracer.note("NS for the multicast target \(target): refused")
                return .NOT_SPECIFIED
            }
            if dad, daddr.high != IPv6Address.allNodes.high || daddr.low >> 24 != 0x1ff {
                tracer.note("DAD probe not sent to a solicited-node group: refused")
                return .NOT_SPECIFIED
            }
            guard let options = ndisc_parse_options(m) else { return .IPV6_NDISC_BAD_OPTIONS }
            let lladdr = ndiscLinkLayerAddress(options, NDOption.sourceLinkLayerAddress, in: m.bytes)
            if let lladdr {
                guard lladdr != nil else {
                    tracer.note("source link-layer address option of the wrong length: refused")
                    return .NOT_SPECIFIED
                }
                if dad {
                    tracer.note("DAD probe with a source link-layer address (RFC 4861 §7.1.1): refused")
                    return .NOT_SPECIFIED
                }
            }
            guard ipv6_get_ifaddr(target, dev: skb.dev) != nil else {
                tracer.note("\(target) is not this host's: no answer")
                return profile.version >= .v6_12 ? .IPV6_NDISC_NS_OTHERHOST : .NOT_SPECIFIED
            }
            let flags = ifaFlags(target, dev: skb.dev)
            if !flags.isDisjoint(with: [.tentative, .optimistic]) {
                // Another node probing the address this host is probing: both lose it. A solicitation for
                // a tentative address is not answered (an optimistic one is, RFC 4429).
                if dad {
                    addrconf_dad_failure(target, dev: skb.dev, from: skb.eth_hdr()?.source)
                    return .NOT_SPECIFIED
                }
                if !flags.contains(.optimistic) {
                    tracer.note("\(target) is tentative (\(flags.words.joined(separator: " "))): not answered")
                    return .NOT_SPECIFIED
                }
            }
            if dad {
                tracer.note("DAD probe for \(target), one of this host's addresses: defended")
                ndisc_send_na(to: .allNodes, target: target, dev: skb.dev)
                return .NOT_SPECIFIED
            }
            // __neigh_lookup (inline): the sender's entry, created unless the NS was multicast without
            // a link-layer address.
            let inc = daddr.isMulticast
            var known = neigh_lookup(saddr)
            if !known, !inc || lladdr != nil {
                if neighbours6.count < gcThresh3(IPv6Address.self) {
                    __neigh_create(saddr)
                    known = true
                } else {
                    tracer.note("neighbour table full: no entry for \(saddr)")
                }
            }
            guard known else { return .NOT_SPECIFIED }
            ndisc_update(saddr, ha: lladdr ?? nil, state: .NUD_STALE)
            ndisc_send_na(to: saddr, target: target, dev: skb.dev)
            return nil
        }
    }

    /// Handles a neighbour advertisement (RFC 4861 §7.2.5): updates the target's entry if there is
    /// one (`NUD_REACHABLE` when solicited, else `NUD_STALE`). Returns the 6.12 reason.
    func ndisc_recv_na(_ skb: inout SKBuff, _ m: NDiscInput) -> SKBDropReason? {
        traced(ndisc_c.ndisc_recv_na) {
            let target = m.target
            guard m.length >= 24 else { return .PKT_TOO_SMALL }
            let solicited = m.bytes.u8(at: m.start + 4) & 0x40 != 0
            if target.isMulticast {
                tracer.note("NA for the multicast target \(target): refused")
                return .NOT_SPECIFIED
            }
            if m.header.destination.isMulticast, solicited {
                tracer.note("solicited NA sent to a multicast address: refused")
                return .NOT_SPECIFIED
            }
            guard let options = ndisc_parse_options(m) else { return .IPV6_NDISC_BAD_OPTIONS }
            let lladdr = ndiscLinkLayerAddress(options, NDOption.targetLinkLayerAddress, in: m.bytes)
            if let lladdr, lladdr == nil {
                tracer.note("target link-layer address option of the wrong length: refused")
                return .NOT_SPECIFIED
            }
            if ipv6_get_ifaddr(target, dev: skb.dev) != nil {
                if skb.pkt_type != .PACKET_LOOPBACK, ifaFlags(target, dev: skb.dev).contains(.tentative) {
                    addrconf_dad_failure(target, dev: skb.dev, from: skb.eth_hdr()?.source)
                } else {
                    tracer.note("NA for \(target), this host's own address: ignored")
                }
                return .NOT_SPECIFIED
            }
            guard neigh_lookup(target) else {
                tracer.note("no entry for \(target): the NA is not tracked (accept_untracked_na=0)")
                return .NOT_SPECIFIED
            }
            if neighbours6[target]?.state == .NUD_FAILED { return .NOT_SPECIFIED }
            ndisc_update(target, ha: lladdr ?? nil, state: solicited ? .NUD_REACHABLE : .NUD_STALE)
            return nil
        }
    }

    /// Handles a router solicitation: only a router (`forwarding`) learns the sender from it.
    func ndisc_recv_rs(_ skb: inout SKBuff, _ m: NDiscInput) -> SKBDropReason? {
        traced(ndisc_c.ndisc_recv_rs) {
            guard m.length >= 8 else { return .PKT_TOO_SMALL }
            guard devconf6Forwarding(skb.dev) else {
                tracer.note("not a router (forwarding=0): router solicitation ignored")
                return .NOT_SPECIFIED
            }
            guard m.header.source != .any else { return .NOT_SPECIFIED }
            guard let options = ndisc_parse_options(m) else { return .IPV6_NDISC_BAD_OPTIONS }
            guard let lladdr = ndiscLinkLayerAddress(options, NDOption.sourceLinkLayerAddress, in: m.bytes) ?? nil else {
                tracer.notModeled("a router's neighbour entry from a solicitation without a valid link-layer address")
                return .NOT_SPECIFIED
            }
            if !neigh_lookup(m.header.source) { __neigh_create(m.header.source) }
            ndisc_update(m.header.source, ha: lladdr, state: .NUD_STALE)
            return nil
        }
    }

    /// Handles a router advertisement (RFC 4861 §6.3.4): refused unless from a link-local source with
    /// valid options. Where the device accepts advertisements (`ipv6_accept_ra`: `accept_ra`, or
    /// `accept_ra` 2 on a router) it keeps the M and O flags, adds, refreshes or (lifetime 0) removes
    /// the default route through the sender, takes the hop limit (not below `accept_ra_min_hop_limit`)
    /// and the reachable time and retransmit timer; the sender's entry learns its link-layer address
    /// either way; then the prefix options go to addrconf and the MTU option (1280 up to the device's
    /// MTU) lowers the device's IPv6 MTU. Returns the 6.12 reason (`nil`: the entry was updated).
    func ndisc_router_discovery(_ skb: inout SKBuff, _ m: NDiscInput) -> SKBDropReason? {
        traced(ndisc_c.ndisc_router_discovery) {
            let saddr = m.header.source, dev = skb.dev
            guard saddr.isLinkLocal else {
                tracer.note("RA from \(saddr), not a link-local address: refused")
                return .NOT_SPECIFIED
            }
            guard m.length >= 16 else { return .PKT_TOO_SMALL }
            guard let options = ndisc_parse_options(m) else { return .IPV6_NDISC_BAD_OPTIONS }
            let accept = ipv6_accept_ra(dev)
            var notify = false
            var router: RouteConfig6?
            var neighbourFound = false
            if accept {
                let flags = m.bytes.u8(at: m.start + 5) & 0xc0
                notify = flags != raState[dev.name, default: RAState()].flags
                raState[dev.name, default: RAState()].flags = flags
                (router, neighbourFound) = ndiscDefaultRouter(m, dev: dev)
                notify = ndiscLinkParameters(m, dev: dev) || notify
                if profile.version == .v4_14, notify { inet6_ifinfo_notify() }
            } else {
                tracer.note("accept_ra \(sysctl.ipv6Conf("accept_ra", dev: dev.name, fallback: 1)) with forwarding "
                    + "\(devconf6Forwarding(dev) ? 1 : 0): link parameters and prefixes ignored")
            }
            var reason: SKBDropReason? = .NOT_SPECIFIED
            if !neighbourFound, !neigh_lookup(saddr) { __neigh_create(saddr) }
            let lladdr = ndiscLinkLayerAddress(options, NDOption.sourceLinkLayerAddress, in: m.bytes)
            if let lladdr, lladdr == nil {
                tracer.note("source link-layer address option of the wrong length: the rest is ignored")
            } else {
                ndisc_update(saddr, ha: lladdr ?? nil, state: .NUD_STALE)
                reason = nil
                if accept { notify = ndiscRAOptions(m, options, router: router, dev: dev) || notify }
            }
            if profile.version != .v4_14, notify { inet6_ifinfo_notify() }
            return reason
        }
    }

    /// Whether `dev` takes router advertisements (`ipv6_accept_ra`, inline): `accept_ra` 1 on a host,
    /// 2 on a router (`forwarding`) too.
    func ipv6_accept_ra(_ dev: NetDevice) -> Bool {
        let acceptRA = sysctl.ipv6Conf("accept_ra", dev: dev.name, fallback: 1)
        return devconf6Forwarding(dev) ? acceptRA == 2 : acceptRA != 0
    }

    /// The default router part of `ndisc_router_discovery`: the route through the sender added,
    /// refreshed or (lifetime 0) removed, its entry found or made (`ip6_neigh_lookup`), and the hop
    /// limit. Returns the route and whether the sender's entry was looked up.
    private func ndiscDefaultRouter(_ m: NDiscInput, dev: NetDevice) -> (RouteConfig6?, Bool) {
        let saddr = m.header.source
        guard sysctl.ipv6Conf("accept_ra_defrtr", dev: dev.name, fallback: 1) != 0 else {
            tracer.note("accept_ra_defrtr 0: default router ignored")
            return (nil, false)
        }
        let lifetime = Int(m.bytes.u16be(at: m.start + 6))
        if profile.version != .v4_14, lifetime != 0, lifetime < sysctl.ipv6Conf("accept_ra_min_lft", dev: dev.name) {
            tracer.note("router lifetime \(lifetime) s below accept_ra_min_lft: default router ignored")
            return (nil, false)
        }
        if sysctl.ipv6Conf("accept_ra_from_local", dev: dev.name) == 0, ipv6_chk_addr(saddr, dev: dev) {
            tracer.note("RA from the host's own address \(saddr): default router ignored")
            return (nil, false)
        }
        var route = rt6_get_dflt_router(saddr, dev: dev)
        var looked = false
        if route != nil {
            ip6_neigh_lookup(saddr)
            looked = true
        }
        if route != nil, lifetime == 0 {
            ip6_del_rt(IPv6Prefix(address: .any, length: 0), gateway: saddr, dev: dev)
            route = nil
        }
        if route == nil, lifetime != 0 {
            route = rt6_add_dflt_router(saddr, dev: dev, lifetime: lifetime)
            ip6_neigh_lookup(saddr)
            looked = true
        } else if let r = route {
            setRoute6Expiry(r, lifetime: UInt32(lifetime))
            tracer.note("default router \(saddr) refreshed: \(lifetime) s")
        }
        let hopLimit = Int(m.bytes.u8(at: m.start + 4))
        let minHopLimit = sysctl.ipv6Conf("accept_ra_min_hop_limit", dev: dev.name, fallback: 1)
        if minHopLimit < 256, hopLimit != 0 {
            if minHopLimit <= hopLimit {
                raState[dev.name, default: RAState()].hopLimit = hopLimit
                tracer.state("hop limit of \(dev.name): \(hopLimit)")
                fib6_metric_set(route, .RTAX_HOPLIMIT, hopLimit)
            } else {
                tracer.note("hop limit \(hopLimit) below accept_ra_min_hop_limit \(minHopLimit): ignored")
            }
        }
        return (route, looked)
    }

    /// Takes the advertisement's retransmit timer and reachable time (milliseconds; 0: unspecified)
    /// into `nd_tbl`'s settings for `dev`. Returns whether either changed.
    private func ndiscLinkParameters(_ m: NDiscInput, dev: NetDevice) -> Bool {
        var changed = false
        let retrans = Int(m.bytes.u32be(at: m.start + 12)), reachable = Int(m.bytes.u32be(at: m.start + 8))
        if retrans != 0 {
            // 4.14 takes at least 100 ms, later versions 10 ms.
            raState[dev.name, default: RAState()].retransTimeMs = max(retrans, profile.version == .v4_14 ? 100 : 10)
            tracer.state("retransmit timer of \(dev.name): \(retrans) ms")
            changed = true
        }
        if reachable != 0, max(reachable, 100) != raState[dev.name]?.baseReachableTimeMs ?? 30_000 {
            raState[dev.name, default: RAState()].baseReachableTimeMs = max(reachable, 100)
            tracer.state("base reachable time of \(dev.name): \(reachable) ms")
            changed = true
        }
        return changed
    }

    /// The options part of `ndisc_router_discovery` on a device that takes advertisements: each prefix
    /// option to `addrconf_prefix_rcv` (`ndisc_next_option` between them), then the MTU option.
    /// Returns whether the advertised MTU changed (6.x tells netlink of it).
    private func ndiscRAOptions(_ m: NDiscInput, _ options: NDOptions, router: RouteConfig6?, dev: NetDevice) -> Bool {
        if options.first(NDOption.routeInformation) != nil {
            if sysctl.ipv6Conf("accept_ra_from_local", dev: dev.name) == 0, ipv6_chk_addr(m.header.source, dev: dev) {
                tracer.note("RA from the host's own address: route information ignored")
            } else if sysctl.ipv6Conf("accept_ra_rtr_pref", dev: dev.name, fallback: 1) != 0 {
                for o in options.all where o.type == NDOption.routeInformation {
                    ndiscRouteInformation(m, o, dev: dev)
                    ndisc_next_option()
                }
            }
        } else if sysctl.ipv6Conf("accept_ra_from_local", dev: dev.name) == 0 {
            _ = ipv6_chk_addr(m.header.source, dev: dev)
        }
        if sysctl.ipv6Conf("accept_ra_pinfo", dev: dev.name, fallback: 1) != 0 {
            let prefixes = options.all.filter { $0.type == NDOption.prefixInformation }
            for p in prefixes {
                addrconf_prefix_rcv(NDPrefixInformation(m.bytes, option: p), dev: dev)
                ndisc_next_option()
            }
        }
        defer { ndiscUserOptions(options) }
        guard let o = options.first(NDOption.mtu), sysctl.ipv6Conf("accept_ra_mtu", dev: dev.name, fallback: 1) != 0,
              o.length >= 8, m.bytes.count >= o.offset + 8 else { return false }
        let mtu = Int(m.bytes.u32be(at: o.offset + 4))
        let changed = profile.version != .v4_14 && raState[dev.name]?.raMTU != mtu
        raState[dev.name, default: RAState()].raMTU = mtu
        if mtu < Self.IPV6_MIN_MTU || mtu > dev.mtu {
            tracer.note("MTU option \(mtu) outside 1280...\(dev.mtu): ignored")
        } else if ipv6MTU(dev) != mtu {
            raState[dev.name, default: RAState()].mtu6 = mtu
            fib6_metric_set(router, .RTAX_MTU, mtu)
            rt6_mtu_change(dev, mtu: mtu, router: router)
        }
        return changed
    }

    /// One route information option (RFC 4191 §2.3) of an accepted advertisement: to `rt6_route_rcv`
    /// unless the device's limits leave it out: a default route (prefix length 0) without
    /// `accept_ra_defrtr`, a lifetime below `accept_ra_min_lft` (not 4.14), a prefix length outside
    /// `accept_ra_rt_info_min_plen` ... `accept_ra_rt_info_max_plen` (by default 0 ... 0: only default routes).
    private func ndiscRouteInformation(_ m: NDiscInput, _ o: NDOption, dev: NetDevice) {
        guard m.bytes.count >= o.offset + 8 else { return }
        let plen = Int(m.bytes[o.offset + 2]), lifetime = Int(m.bytes.u32be(at: o.offset + 4))
        let conf = { (name: String, fallback: Int) in self.sysctl.ipv6Conf(name, dev: dev.name, fallback: fallback) }
        let (minPlen, maxPlen) = (conf("accept_ra_rt_info_min_plen", 0), conf("accept_ra_rt_info_max_plen", 0))
        if plen == 0, conf("accept_ra_defrtr", 1) == 0 {
            tracer.note("route information for a default route: accept_ra_defrtr 0, ignored")
        } else if profile.version != .v4_14, lifetime != 0, lifetime < conf("accept_ra_min_lft", 0) {
            tracer.note("route information lifetime \(lifetime) s below accept_ra_min_lft: ignored")
        } else if plen < minPlen || plen > maxPlen {
            tracer.note("route information for a /\(plen): outside accept_ra_rt_info_min_plen ... max_plen (\(minPlen) ... \(maxPlen)), ignored")
        } else {
            rt6_route_rcv(m.bytes, o, gateway: m.header.source, dev: dev)
        }
    }

    /// The options user space wants (DNS servers, DNS search lists; 6.x also prefixes, the captive
    /// portal and PREF64), each handed to `ndisc_ra_useropt`.
    private func ndiscUserOptions(_ options: NDOptions) {
        let user: Set<UInt8> = profile.version == .v4_14 ? [25, 31] : [NDOption.prefixInformation, 25, 31, 37, 38]
        for option in options.all where user.contains(option.type) { ndisc_ra_useropt() }
    }

    /// Sends one option of a router advertisement to netlink listeners (RTM_NEWNDUSEROPT, inline in
    /// `ndisc_router_discovery`): with none, the message is freed again.
    func ndisc_ra_useropt() {
        traced(ndisc_c.ndisc_ra_useropt, inline: true) { rtnl_notify() }
    }

    /// Steps to the next option of the same type (the loop over a message's prefix options).
    func ndisc_next_option() {
        traced(ndisc_c.ndisc_next_option) {}
    }

    /// Handles a redirect (RFC 4861 §8.3): refused unless from a link-local source; one without the
    /// packet it is about goes to the route it concerns (`ip6_redirect_no_header`), one quoting it to
    /// the quoted protocol's error handler (`icmpv6_notify`; modeled for a quoted ICMPv6 packet), whose
    /// answer 6.12 frees the message with.
    func ndisc_redirect_rcv(_ skb: inout SKBuff, _ m: NDiscInput) -> SKBDropReason? {
        traced(ndisc_c.ndisc_redirect_rcv) {
            guard m.header.source.isLinkLocal else {
                tracer.note("redirect from \(m.header.source), not a link-local address: refused")
                return .NOT_SPECIFIED
            }
            guard let options = ndisc_parse_options(m) else { return .IPV6_NDISC_BAD_OPTIONS }
            guard let rh = options.first(NDOption.redirectedHeader) else {
                ip6_redirect_no_header(m, dev: skb.dev)
                return .NOT_SPECIFIED
            }
            // The quoted packet follows the option's 8-byte header: icmpv6_notify reads it there.
            guard let quoted = IPv6Packet(m.bytes, at: rh.offset + 8) else { return .PKT_TOO_SMALL }
            guard quoted.nextHeader == .icmpv6 else {
                tracer.notModeled("a redirect quoting a packet of next header \(quoted.nextHeader.rawValue) (its error handler's redirect)")
                outcome.set(.unknown)
                return .NOT_SPECIFIED
            }
            return icmpv6_notify(&skb, type: ICMPv6Type.NDISC_REDIRECT, code: 0, info: 0, quotedAt: rh.offset + 8)
        }
    }

    /// Whether `dev` forwards IPv6 (`idev->cnf.forwarding`): the device's setting, else `all`'s.
    func devconf6Forwarding(_ dev: NetDevice) -> Bool {
        (sysctl.values["net.ipv6.conf.\(dev.name).forwarding"] ?? (sysctl.ipv6_forwarding ? 1 : 0)) != 0
    }

    /// The neighbour discovery handler `icmpv6_rcv` calls for NS, NA, RS, RA and redirect: checks the
    /// hop limit (255: the message cannot have crossed a router, RFC 4861 §6.1) and the code, then
    /// dispatches. Returns the reason 6.12 frees the message with (`nil`: consumed); 4.14 and 6.1
    /// return none.
    func ndisc_rcv(_ skb: inout SKBuff) -> SKBDropReason? {
        traced(ndisc_c.ndisc_rcv) {
            guard let header = skb.ipv6_hdr() else { return .NOT_SPECIFIED }
            let start = skb.transport_header
            let m = NDiscInput(bytes: skb.bytes, start: start, length: skb.len - (start - skb.data), header: header)
            if header.hopLimit != 255 {
                tracer.note("hop limit \(header.hopLimit), not 255: refused")
                return .IPV6_NDISC_HOP_LIMIT
            }
            if m.bytes.u8(at: start + 1) != 0 {
                tracer.note("ICMPv6 code \(m.bytes.u8(at: start + 1)), not 0: refused")
                return .IPV6_NDISC_BAD_CODE
            }
            guard m.fixedPartCaptured else {
                tracer.notModeled("neighbour discovery message not in the capture (snap length)")
                outcome.set(.unknown)
                return .NOT_SPECIFIED
            }
            switch m.type {
            case ICMPv6Type.NDISC_NEIGHBOUR_SOLICITATION: return ndisc_recv_ns(&skb, m)
            case ICMPv6Type.NDISC_NEIGHBOUR_ADVERTISEMENT: return ndisc_recv_na(&skb, m)
            case ICMPv6Type.NDISC_ROUTER_SOLICITATION: return ndisc_recv_rs(&skb, m)
            case ICMPv6Type.NDISC_ROUTER_ADVERTISEMENT: return ndisc_router_discovery(&skb, m)
            default: return ndisc_redirect_rcv(&skb, m)
            }
        }
    }
}
