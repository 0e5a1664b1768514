import Replay
import Testing
import TestSupport
import Trace

/// Route information options of router advertisements (RFC 4191, `rt6_route_rcv`) on the real capture
/// `v6_ra_rio`: which options the host takes per `accept_ra_rt_info_max_plen`, the route its next
/// packet takes, and the withdrawal, as `truth/v6_ra_rio.routes.txt` shows the capturing kernel's
/// routes after each advertisement.
@Suite("route information options (net/ipv6/ndisc.c, route.c)")
struct RouteInformationTests {
    @Test("a /48 is taken, a reserved preference refused, a /96 past the limit left out", arguments: knownKernels)
    func taken(_ version: String) throws {
        let t = try RouterAdvertisementTests.traces("v6_ra_rio", version: version)
        let notes = RouterAdvertisementTests.notes(t[0])
        #expect(t[0].functions.filter { $0 == "rt6_route_rcv" }.count == 2)
        #expect(notes.contains("route fd98::/48 via fe80::ff:fe00:e00 dev pv6-dut added"))
        #expect(notes.contains("route fd98::/48 via fe80::ff:fe00:e00: preference high, lifetime 600 s"))
        #expect(notes.contains("route information with the reserved preference: refused (EINVAL)"))
        #expect(notes.contains("route information for a /96: outside accept_ra_rt_info_min_plen ... max_plen (0 ... 64), ignored"))
        // frame 2, the echo request to fd98::5: through the router the option named
        #expect(RouterAdvertisementTests.notes(t[1]).contains("output route: unicast via pv6-dut gateway fe80::ff:fe00:e00"))
        // frame 4, lifetime 0: the route goes
        #expect(t[3].functions.contains("ip6_del_rt"))
        #expect(RouterAdvertisementTests.notes(t[3]).contains("route fd98::/48 via fe80::ff:fe00:e00 dev pv6-dut removed"))
    }

    @Test("by default (accept_ra_rt_info_max_plen 0) no option with a prefix is taken")
    func defaultLimit() throws {
        let t = try RouterAdvertisementTests.traces("v6_ra_rio", sysctl: ["net.ipv6.conf.pv6-dut.accept_ra_rt_info_max_plen": 0])
        #expect(!t[0].functions.contains("rt6_route_rcv"))
        #expect(!RouterAdvertisementTests.notes(t[1]).contains("output route: unicast via pv6-dut gateway fe80::ff:fe00:e00"))
    }
}
