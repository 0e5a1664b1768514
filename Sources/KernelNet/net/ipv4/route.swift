// Mirrors net/ipv4/route.c (Linux 6.1): input and output route resolution and the route cache on
// next hops (RFC 1812 §5.3.7 martian addresses).
// Not modeled: multicast forwarding, policy routing rules, route exceptions (PMTU, redirects),
// `route_localnet`, source-address selection beyond the device's first address.
import Trace
import Wire

/// Functions modeled from `net/ipv4/route.c`, in the file's order.
public enum route: String, KernelSourceFile {
    public static let path = "net/ipv4/route.c"
    case find_exception, ip_error, rt_set_nexthop, rt_cache_route, rt_dst_alloc, __mkroute_input, __mkroute_output, ip_route_input_slow, ip_route_input_rcu, ip_route_input_noref,
        ip_route_output_key_hash, ip_route_output_key_hash_rcu, ip_route_output_flow
}

extension Kernel {
    /// Answers a packet whose input route failed: counts it and, when forwarding, sends ICMP
    /// destination unreachable; always frees the packet.
    func ip_error(_ skb: inout SKBuff) -> NetRxResult {
        traced(route.ip_error) {
            let error = skb.dst?.error ?? .EHOSTUNREACH
            guard sysctl.ip_forward else {
                switch error {
                case .EHOSTUNREACH:
                    tracer.note("forwarding off and not for this host: address error")
                    count("IpInAddrErrors")
                    kfree_skb_reason(&skb, .IP_INADDRERRORS)
                case .ENETUNREACH:
                    count("IpExtInNoRoutes")
                    kfree_skb_reason(&skb, .IP_INNOROUTES)
                }
                return .NET_RX_DROP
            }
            let code: UInt8 = error == .ENETUNREACH ? 0 : 1
            icmp_send(&skb, type: ICMPv4Packet.destinationUnreachable, code: code)
            if error == .ENETUNREACH {
                count("IpExtInNoRoutes")
                kfree_skb_reason(&skb, .IP_INNOROUTES)
            } else {
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
            }
            return .NET_RX_DROP
        }
    }

    /// Stores a new input route on its next hop so later packets reuse it.
    func rt_cache_route(key: RouteCacheKey) {
        traced(route.rt_cache_route) { routeCache.insert(key) }
    }

    /// Allocates a route entry.
    func rt_dst_alloc() {
        traced(route.rt_dst_alloc) {}
    }

    /// Whether `address` is in "this network" (include/linux/in.h): 0.0.0.0/8 in 4.14, only 0.0.0.0
    /// since 5.3.
    func ipv4_is_zeronet(_ address: IPv4Address) -> Bool {
        profile.version < .v6_1 ? address.isZeroNet : address == .any
    }

    /// The slow input route: classifies addresses (martians, broadcast, local), looks up the FIB and
    /// builds the route the packet will follow.
    func ip_route_input_slow(_ skb: inout SKBuff, daddr: IPv4Address, saddr: IPv4Address) -> Bool {
        traced(route.ip_route_input_slow) {
            let dev = skb.dev
            if saddr.isMulticast || saddr == .broadcast {
                tracer.note("martian source \(saddr)")
                return false
            }
            if daddr == .broadcast || (saddr == .any && daddr == .any) {
                return broadcastInput(&skb, saddr: saddr, cacheKey: nil)
            }
            if ipv4_is_zeronet(saddr) {
                tracer.note("martian source \(saddr)")
                return false
            }
            if ipv4_is_zeronet(daddr) || daddr.isLoopback {
                tracer.note("martian destination \(daddr)")
                return false
            }
            if saddr.isLoopback {
                tracer.note("martian source \(saddr)")
                return false
            }
            guard let res = fib_lookup(daddr) else {
                tracer.note("route: none for \(daddr)")
                return noRoute(&skb, error: sysctl.ip_forward ? .ENETUNREACH : .EHOSTUNREACH)
            }
            switch res.type {
            case .broadcast:
                return broadcastInput(&skb, saddr: saddr, cacheKey: .broadcast(dev.ifindex))
            case .local:
                guard fib_validate_source(&skb, saddr: saddr) else { return false }
                tracer.note("route: local (\(daddr) is this host's)")
                return localInput(&skb, type: .local, cacheKey: .local(dev.ifindex))
            default:
                guard sysctl.ip_forward else {
                    tracer.note("route: \(daddr) is not this host's and forwarding is off")
                    return noRoute(&skb, error: .EHOSTUNREACH)
                }
                return __mkroute_input(&skb, res: res, saddr: saddr)
            }
        }
    }

    /// Builds (or reuses from the next hop's cache) the input route of a packet to forward.
    func __mkroute_input(_ skb: inout SKBuff, res: DstEntry, saddr: IPv4Address) -> Bool {
        traced(route.__mkroute_input) {
            guard fib_validate_source(&skb, saddr: saddr) else { return false }
            find_exception()
            tracer.note("route: forward out \(res.dev?.name ?? "?")" + (res.gateway.map { " via \($0)" } ?? ""))
            skb.dst = res
            let key = RouteCacheKey.forward(res.dev?.ifindex ?? 0)
            if routeCache.contains(key) {
                tracer.note("route cache: hit on the next hop's input route")
                return true
            }
            rt_dst_alloc()
            rt_set_nexthop(key: key)
            return true
        }
    }

    /// Looks for a next-hop exception (learned PMTU or redirect) for the destination; none in the model.
    func find_exception() {
        traced(route.find_exception) {}
    }

    /// Fills a new route from its next hop and caches it there.
    func rt_set_nexthop(key: RouteCacheKey) {
        traced(route.rt_set_nexthop) { rt_cache_route(key: key) }
    }

    /// `brd_input`: a broadcast for this host.
    private func broadcastInput(_ skb: inout SKBuff, saddr: IPv4Address, cacheKey: RouteCacheKey?) -> Bool {
        if saddr != .any {
            guard fib_validate_source(&skb, saddr: saddr) else { return false }
        }
        tracer.note("route: broadcast")
        return localInput(&skb, type: .broadcast, cacheKey: cacheKey)
    }

    /// `no_route`: an unreachable route whose input is `ip_error`.
    private func noRoute(_ skb: inout SKBuff, error: RouteError) -> Bool {
        rt_dst_alloc()
        skb.dst = DstEntry(type: .unreachable, error: error)
        return true
    }

    /// `local_input`: reuse the next hop's cached input route, or build and cache one.
    private func localInput(_ skb: inout SKBuff, type: RouteType, cacheKey: RouteCacheKey?) -> Bool {
        skb.dst = DstEntry(type: type, dev: skb.dev)
        if let cacheKey, routeCache.contains(cacheKey) {
            tracer.note("route cache: hit on the next hop's input route")
            return true
        }
        rt_dst_alloc()
        if let cacheKey { rt_cache_route(key: cacheKey) }
        return true
    }

    /// Input routing under RCU: multicast destinations are checked against joined groups, everything
    /// else takes the slow path.
    func ip_route_input_rcu(_ skb: inout SKBuff, daddr: IPv4Address, saddr: IPv4Address) -> Bool {
        traced(route.ip_route_input_rcu) {
            if daddr.isMulticast {
                if sockets.udp.values.contains(where: { $0.groups.contains(daddr) }) || daddr.rawValue == 0xe000_0001 {
                    tracer.note("route: multicast group \(daddr) joined")
                    skb.dst = DstEntry(type: .multicast, dev: skb.dev)
                    rt_dst_alloc()
                    return true
                }
                tracer.note("route: multicast group \(daddr) not joined")
                return false
            }
            return ip_route_input_slow(&skb, daddr: daddr, saddr: saddr)
        }
    }

    /// The input route lookup: attaches a route to `skb` (without taking a reference). Returns false
    /// for the errors `ip_rcv_finish_core` drops on.
    func ip_route_input_noref(_ skb: inout SKBuff, daddr: IPv4Address, saddr: IPv4Address) -> Bool {
        traced(route.ip_route_input_noref) { ip_route_input_rcu(&skb, daddr: daddr, saddr: saddr) }
    }

    /// Output route resolution for a locally generated packet to `daddr`.
    func ip_route_output_key_hash_rcu(daddr: IPv4Address) -> DstEntry? {
        traced(route.ip_route_output_key_hash_rcu) {
            guard let res = fib_lookup(daddr) else {
                tracer.note("route: no output route to \(daddr)")
                return nil
            }
            fib_select_path()
            __mkroute_output(res)
            return res
        }
    }

    /// Builds the output route from the FIB result, or reuses the one cached on the next hop.
    func __mkroute_output(_ res: DstEntry) {
        traced(route.__mkroute_output) {
            guard !res.isLimitedBroadcast else {
                // 255.255.255.255 has no FIB entry, so no next hop to cache on.
                rt_dst_alloc()
                return
            }
            find_exception()
            let key = RouteCacheKey.output(res.dev?.ifindex ?? 0, res.type)
            guard !routeCache.contains(key) else { return }
            rt_dst_alloc()
            rt_set_nexthop(key: key)
        }
    }

    /// Output route resolution (wraps the RCU variant). `inline` says whether the build inlined it at
    /// the caller's site.
    func ip_route_output_key_hash(daddr: IPv4Address, inline: Bool? = nil) -> DstEntry? {
        traced(route.ip_route_output_key_hash, inline: inline) { ip_route_output_key_hash_rcu(daddr: daddr) }
    }

    /// The output route for a flow, with the XFRM policy lookup (no policies in the model).
    func ip_route_output_flow(daddr: IPv4Address) -> DstEntry? {
        traced(route.ip_route_output_flow) {
            let rt = __ip_route_output_key(daddr: daddr)
            if rt != nil { xfrm_lookup_route() }
            return rt
        }
    }
}

/// Where a route is cached on a next hop (`nhc_rth_input`, `nhc_pcpu_rth_output`), by device.
enum RouteCacheKey: Hashable {
    case local(Int)
    case forward(Int)
    case broadcast(Int)
    case output(Int, RouteType)
}
