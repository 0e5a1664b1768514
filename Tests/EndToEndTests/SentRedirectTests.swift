import Capture
import Replay
import Testing
import TestSupport
import Trace
import Wire

/// Redirects the host sends as a router (RFC 4861 §8.2, `ip6_forward` → `ndisc_send_redirect`) on the
/// real capture `v6_fwd_redirect`: 15 echo requests the host forwards back out the link they came from,
/// and the 7 redirects the capturing kernel sent about them (the first six at once, then one after a
/// second: `inet_peer_xrlim_allow`, per destination and per source), checked against its nstat.
@Suite("redirects the host sends (net/ipv6/ip6_output.c, ndisc.c)")
struct SentRedirectTests {
    /// The echo requests' sequence numbers (the capture's order) that the capturing kernel answered
    /// with a redirect (tcpdump: each is followed by one).
    static let redirected: Set<Int> = [1, 2, 3, 4, 5, 6, 10]

    @Test("redirects as the kernel's rate limit lets them go, each linked to its request", arguments: knownKernels)
    func rateLimited(_ version: String) throws {
        let traces = try RouterAdvertisementTests.traces("v6_fwd_redirect", version: version)
        let requests = traces.filter { $0.direction == .rx }
        #expect(requests.count == 15)
        for (i, t) in requests.enumerated() {
            #expect(t.verdict == .forward)
            #expect(t.functions.contains("inet_peer_xrlim_allow"))
            #expect(t.functions.contains("ndisc_send_redirect") == Self.redirected.contains(i + 1), "request \(i + 1)")
        }
        let redirects = traces.filter { $0.direction == .tx && $0.functions.first == "ndisc_send_redirect" }
        #expect(redirects.count == Self.redirected.count)
        for t in redirects {
            #expect(t.functions.contains("ndisc_send_skb"))
            let cause = try #require(t.causedBy)
            #expect(traces[cause - 1].functions.contains("ndisc_send_redirect"))
        }
        // The forwarded copies leaving again are the requests' own packets, not forwarded twice.
        let copies = traces.filter { $0.direction == .tx && $0.functions.first != "ndisc_send_redirect" }
        #expect(copies.count == 15)
        for t in copies { #expect(t.causedBy != nil && !t.functions.contains("ip6_forward"), "frame \(t.frame)") }
    }

    @Test("a gateway that is neither the destination nor link-local gets no redirect; the packet still goes")
    func globalTarget() throws {
        // The route back out through a global gateway address: ndisc_send_redirect refuses the target.
        var host = try HostProfile.load(path: Repository.path("Fixtures/v6_fwd_redirect.host.json"))
        host.routes6 = host.routes6.map { var r = $0; r.gateway = IPv6Address("fd77::99"); return r }
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/v6_fwd_redirect.pcap")),
                                        captureName: "v6_fwd_redirect", host: host, kernelVersion: "6.1")
        var traces: [PacketTrace] = []
        _ = try session.run { traces.append($0) }
        let first = try #require(traces.first)
        #expect(first.verdict == .forward)
        #expect(first.functions.contains("ndisc_send_redirect"))
        #expect(RouterAdvertisementTests.notes(first).contains("no redirect: the target fd77::99 is neither the destination nor link-local"))
        // The redirects the capture shows are then ones the model did not predict.
        #expect(traces.filter { $0.direction == .tx && $0.functions.first == "ndisc_send_redirect" }.allSatisfy { $0.causedBy == nil })
    }
}
