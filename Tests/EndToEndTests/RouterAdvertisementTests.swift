import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace

/// Router advertisements (RFC 4861 §6.3.4, `ndisc_router_discovery`) and redirects (§8.3,
/// `rt6_do_redirect`) on the real captures `v6_ra_route`, `v6_ra` and `v6_redirect`, under their profiles
/// and under changed settings: what the host takes from them per `accept_ra`, `forwarding` and
/// `accept_redirects`, and how its later packets use what it learnt.
@Suite("router advertisements and redirects (net/ipv6/ndisc.c, addrconf.c, route.c)")
struct RouterAdvertisementTests {
    /// The traces of fixture `name` under kernel `version`, its profile's sysctls changed by `sysctl`.
    static func traces(_ name: String, version: String = "6.1", sysctl extra: [String: Int] = [:]) throws -> [PacketTrace] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/\(name).host.json")))
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var sysctl = json["sysctl"] as? [String: Any] ?? [:]
        for (k, v) in extra { sysctl[k] = v }
        json["sysctl"] = sysctl
        let host = try HostProfile.parse(try JSONSerialization.data(withJSONObject: json))
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/\(name).pcap")),
                                        captureName: name, host: host, kernelVersion: version)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    /// The notes and state changes of a trace, in order.
    static func notes(_ t: PacketTrace) -> [String] {
        t.events.compactMap { e in
            switch e {
            case let .note(text, _), let .state(text, _): text
            default: nil
            }
        }
    }

    @Test("an accepted advertisement makes the default route the host's next packet to an off-link address takes")
    func defaultRouter() throws {
        let t = try Self.traces("v6_ra_route")
        #expect(t[0].functions.contains("rt6_add_dflt_router"))
        #expect(Self.notes(t[0]).contains("route ::/0 via fe80::ff:fe00:e00 dev pra-dut added"))
        #expect(Self.notes(t[0]).contains("route fd79::/64 dev pra-dut added"))
        #expect(Self.notes(t[0]).contains("neigh fe80::ff:fe00:e00 NUD_NONE -> NUD_STALE"))
        // frame 2, the echo request to fd99::5: through the router, whose entry the RA made STALE
        #expect(Self.notes(t[1]).contains("output route: unicast via pra-dut gateway fe80::ff:fe00:e00"))
        #expect(Self.notes(t[1]).contains("neigh fe80::ff:fe00:e00 NUD_STALE -> NUD_DELAY"))
        // frame 4: the 1448-byte request is split at the advertised MTU
        #expect(Self.notes(t[3]).contains("packet larger than MTU 1400: fragment"))
        // frame 7, lifetimes 0: both routes go
        #expect(t[6].functions.contains("ip6_del_rt"))
        #expect(Self.notes(t[6]).contains("route ::/0 via fe80::ff:fe00:e00 dev pra-dut removed"))
        #expect(Self.notes(t[6]).contains("route fd79::/64 dev pra-dut removed"))
    }

    @Test("accept_ra 0, or forwarding without accept_ra 2: no route, but the sender's entry is learnt",
          arguments: [["net.ipv6.conf.pra-dut.accept_ra": 0],
                      ["net.ipv6.conf.all.forwarding": 1, "net.ipv6.conf.pra-dut.forwarding": 1]])
    func ignored(_ sysctl: [String: Int]) throws {
        let t = try Self.traces("v6_ra_route", sysctl: sysctl)
        #expect(!t[0].functions.contains("rt6_add_dflt_router"))
        #expect(!t[0].functions.contains("addrconf_prefix_rcv"))
        #expect(t[0].functions.contains("neigh_update"))
        #expect(!Self.notes(t[1]).contains { $0.contains("gateway") })
    }

    @Test("a router takes advertisements with accept_ra 2")
    func hybridRouter() throws {
        let t = try Self.traces("v6_ra_route", sysctl: ["net.ipv6.conf.all.forwarding": 1, "net.ipv6.conf.pra-dut.forwarding": 1,
                                                        "net.ipv6.conf.pra-dut.accept_ra": 2])
        #expect(t[0].functions.contains("rt6_add_dflt_router"))
    }

    @Test("a hop limit below accept_ra_min_hop_limit is not taken")
    func minHopLimit() throws {
        let t = try Self.traces("v6_ra_route", sysctl: ["net.ipv6.conf.pra-dut.accept_ra_min_hop_limit": 65])
        #expect(Self.notes(t[0]).contains("hop limit 64 below accept_ra_min_hop_limit 65: ignored"))
        #expect(!Self.notes(t[0]).contains("hop limit of pra-dut: 64"))
    }

    @Test("an autonomous /64 makes a SLAAC address once, unless autoconf is off")
    func slaac() throws {
        let t = try Self.traces("v6_ra")
        #expect(Self.notes(t[2]).contains("address fd78::ff:fe00:d00/64 added to p6b-dut"))
        #expect(!t[4].functions.contains("ipv6_add_addr"))
        let off = try Self.traces("v6_ra", sysctl: ["net.ipv6.conf.p6b-dut.autoconf": 0])
        #expect(!off[2].functions.contains("ipv6_add_addr"))
        #expect(off[2].functions.contains("addrconf_prefix_route"))
    }

    @Test("an MTU option below 1280 is ignored, one within the device's MTU taken (v6_ra frames 3 and 5)")
    func mtuOption() throws {
        let t = try Self.traces("v6_ra")
        #expect(Self.notes(t[2]).contains("MTU option 1000 outside 1280...1500: ignored"))
        #expect(!t[2].functions.contains("rt6_mtu_change"))
        #expect(t[4].functions.contains("rt6_mtu_change"))
    }

    @Test("per version: 4.14 sets the route's metrics inline; 6.12 consumes an advertisement it took")
    func versions() throws {
        let old = try Self.traces("v6_ra_route", version: "4.14")
        #expect(old[0].functions.contains("rt6_add_dflt_router"))
        #expect(!old[0].functions.contains("fib6_metric_set"))
        let new = try Self.traces("v6_ra_route", version: "6.12")
        #expect(new[0].verdict == .deliver)
        let v6_1 = try Self.traces("v6_ra_route")
        #expect(v6_1[0].verdict == .drop)
    }

    @Test("a redirect is refused while the route carries an RA's MTU metric (6.x), taken without one")
    func redirect() throws {
        let t = try Self.traces("v6_redirect")
        // frame 4: the first redirect; frame 5 still goes to the router
        #expect(t[3].functions.contains("rt6_insert_exception"))
        #expect(!Self.notes(t[3]).contains("first hop to fd99::5: fe80::99 (redirect)"))
        #expect(Self.notes(t[4]).contains("output route: unicast via pra-dut gateway fe80::ff:fe00:e00"))
        // frame 11: the same redirect after the router came back without the MTU option; frame 12 follows it
        #expect(Self.notes(t[10]).contains("first hop to fd99::5: fe80::99 (redirect)"))
        #expect(Self.notes(t[11]).contains("output route: unicast via pra-dut gateway fe80::99"))
        // 4.14 inserts the clone into the tree without that check: the first redirect is taken
        let old = try Self.traces("v6_redirect", version: "4.14")
        #expect(old[3].functions.contains("ip6_ins_rt"))
        #expect(Self.notes(old[4]).contains("output route: unicast via pra-dut gateway fe80::99"))
    }

    @Test("accept_redirects 0 on the device: no redirect is taken")
    func redirectsOff() throws {
        let t = try Self.traces("v6_redirect", sysctl: ["net.ipv6.conf.pra-dut.accept_redirects": 0])
        #expect(!t[10].functions.contains("ip6_rt_cache_alloc"))
        #expect(Self.notes(t[11]).contains("output route: unicast via pra-dut gateway fe80::ff:fe00:e00"))
    }
}

/// The profile's IPv6 neighbours are the host's `nd_tbl` entries at the start, as its IPv4 ones are
/// `arp_tbl`'s: the first packet through a permanent entry resolves its header, the next use it.
@Suite("the profile's IPv6 neighbours (nd_tbl)")
struct ProfileIPv6NeighbourTests {
    @Test("v6_tcp_udp's static neighbours: the SYN-ACK caches the peer's header, the next packet uses it")
    func permanentEntries() throws {
        let t = try RouterAdvertisementTests.traces("v6_tcp_udp")
        // frame 2: the SYN-ACK, the first packet to fd77::2
        #expect(t[1].functions.contains("neigh_resolve_output"))
        #expect(t[1].functions.contains("eth_header_cache"))
        #expect(!RouterAdvertisementTests.notes(t[1]).contains { $0.contains("assumed resolved") })
        // frame 5 on: the cached header
        #expect(!t[4].functions.contains("neigh_resolve_output"))
        // neigh=cold starts without them
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/v6_tcp_udp.host.json")))
        let cold = try HostProfile.parse(data).applying([.coldNeighbours])
        #expect(cold.ipv6Neighbours.isEmpty)
    }
}
