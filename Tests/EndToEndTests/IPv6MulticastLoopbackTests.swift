import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace
import Wire

/// The copy of an IPv6 multicast packet the host sends to a group its device has joined
/// (`ip6_finish_output2` → `dev_loopback_xmit`, net/ipv6/ip6_output.c) and the slow path of
/// `ip6_fragment`, on the real captures `v6_mld`, `v6_dad`, `v6_mdns` and `v6_pmtu`.
@Suite("IPv6 multicast loopback and ip6_fragment's slow path (net/ipv6/ip6_output.c)")
struct IPv6MulticastLoopbackTests {
    static func traces(_ name: String, version: String, host edit: (inout HostProfile) throws -> Void = { _ in })
        throws -> (traces: [PacketTrace], counters: [String: Int]) {
        var host = try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json"))
        try edit(&host)
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/\(name).pcap")),
                                        captureName: name, host: host, kernelVersion: version)
        var out: [PacketTrace] = []
        let summary = try session.run { out.append($0) }
        return (out, summary.counters)
    }

    /// The functions of `events` from the first call of `function` on.
    static func calls(_ events: TraceEvents, from function: String) -> [String] {
        let all = events.compactMap { $0.symbol?.function }
        guard let start = all.firstIndex(of: function) else { return [] }
        return Array(all[start...])
    }

    static func notes(_ events: TraceEvents) -> [String] {
        events.compactMap { if case let .note(text, _) = $0 { text } else { nil } }
    }

    @Test("each MLDv1 report the host sends to its own group comes back: received inside netif_rx from 6.1's worker, after the frame from 4.14's timer",
          arguments: ["4.14", "6.1", "6.12"])
    func mldv1Reports(_ version: String) throws {
        let (t, counters) = try Self.traces("v6_mld", version: version)
        // Frames 7-10 and 12: the host's MLDv1 reports, each to the group it reports.
        for n in [7, 8, 9, 10, 12] {
            let trace = try #require(t.first { $0.frame == n })
            #expect(trace.direction == .tx && trace.verdict == .transmit, "frame \(n)")
            let functions = trace.functions
            #expect(functions.contains("dev_loopback_xmit"), "frame \(n)")
            let received = Self.calls(trace.events, from: "process_backlog")
            #expect(received.contains("ipv6_rcv") && received.contains("ip6_input") && received.contains("igmp6_event_report"),
                    "frame \(n): \(received)")
            // icmp6_dst_alloc's route: ip6_input, not ip6_mc_input (no Ip6InMcastPkts).
            #expect(!received.contains("ip6_mc_input"), "frame \(n)")
            // Where: a worker (process context) receives the copy inside netif_rx, before the report leaves
            // (veth_xmit after it); 4.14's timer (a softirq) leaves it on the backlog until after the frame.
            let root = trace.events.first { $0.symbol?.function == "process_backlog" }
            let leaves = functions.firstIndex(of: "veth_xmit") ?? 0, polled = functions.firstIndex(of: "process_backlog") ?? 0
            if version == "4.14" {
                #expect(root?.depth == 0 && polled > leaves, "frame \(n)")
            } else {
                #expect((root?.depth ?? 0) > 0 && polled < leaves, "frame \(n)")
            }
            // The worker's (6.1 and later) or igmp6_event_report's (4.14) own-report check; the capture ends
            // with frame 12, so the worker that takes its copy runs after it.
            if version != "4.14", n == 12 { continue }
            let ignored = version == "4.14" ? Self.notes(trace.events)
                : (t.first { $0.frame > n }?.timers.filter { $0.function == "mld_report_work" }.flatMap { Self.notes($0.events) } ?? [])
            #expect(ignored.contains("the host's own report looped back: ignored"), "frame \(n)")
        }
        // The MLDv2 report (frame 2) goes to ff02::16, which a host does not join: no copy.
        let v2 = try #require(t.first { $0.frame == 2 })
        #expect(v2.functions.contains("sk_mc_loop") && v2.functions.contains("ipv6_chk_mcast_addr"))
        #expect(!v2.functions.contains("dev_loopback_xmit"))
        // Five copies received: 6 receives + 5, a report each counted as received.
        #expect(counters["Ip6InReceives"] == 11)
        #expect(counters["Icmp6InGroupMembResponses"] == 6)
        #expect(counters["Ip6InMcastPkts"] == 4)
    }

    @Test("neighbour discovery's socket does not loop its multicast back (a DAD probe to the host's own group)")
    func ndiscNoLoop() throws {
        let (t, _) = try Self.traces("v6_dad", version: "6.12")
        let probe = try #require(t.first { $0.frame == 1 })
        #expect(probe.functions.contains("sk_mc_loop"))
        #expect(!probe.functions.contains("ipv6_chk_mcast_addr"))
        #expect(!probe.functions.contains("dev_loopback_xmit"))
    }

    @Test("a UDP socket's answer to its own group comes back to it unless its profile turns multicast loop off")
    func udpSocketLoop() throws {
        let (off, offCounters) = try Self.traces("v6_mdns", version: "6.12")
        #expect(!off.contains { $0.functions.contains("dev_loopback_xmit") })
        #expect(offCounters["Udp6InDatagrams"] == 2)
        let (on, onCounters) = try Self.traces("v6_mdns", version: "6.12") { host in
            for i in host.sockets.indices { host.sockets[i].multicastLoop = true }
        }
        // Frames 3 and 5, the host's answers to ff02::fb: each copy follows the ff00::/8 route
        // (ip6_mc_input) to the socket that sent it.
        for n in [3, 5] {
            let trace = try #require(on.first { $0.frame == n })
            let received = Self.calls(trace.events, from: "process_backlog")
            // The application's send (process context): received inside netif_rx.
            #expect((trace.events.first { $0.symbol?.function == "process_backlog" }?.depth ?? 0) > 0)
            #expect(received.contains("ip6_mc_input") && received.contains("udpv6_rcv"), "frame \(n): \(received)")
            #expect(trace.verdict == .transmit)
        }
        #expect(onCounters["Udp6InDatagrams"] == 4)
        #expect(onCounters["Ip6InMcastPkts"] == (offCounters["Ip6InMcastPkts"] ?? 0) + 2)
    }

    @Test("the profile's multicast_loop is read, for a UDP socket on :: only")
    func profileKey() throws {
        let json = """
            { "interfaces": [ { "name": "eth0", "driver": "veth", "mac": "02:00:00:00:0d:00", "addresses": ["fd00::1/64"] } ],
              "sockets": [ { "proto": "udp", "addr": "::", "port": 5353, "groups": ["ff02::fb"], "multicast_loop": false } ] }
            """
        let host = try HostProfile.parse(Data(json.utf8))
        #expect(host.sockets.first?.multicastLoop == false)
        #expect(throws: (any Error).self) {
            try HostProfile.parse(Data(json.replacingOccurrences(of: "\"proto\": \"udp\"", with: "\"proto\": \"tcp\"").utf8))
        }
    }

    @Test("IPv4: ip_mc_output loops a UDP socket's multicast back unless the socket turned it off",
          arguments: [true, false])
    func ipv4(_ loop: Bool) throws {
        let json = """
            { "interfaces": [ { "name": "eth0", "driver": "veth", "mac": "02:00:00:00:0d:00", "addresses": ["10.77.0.1/24"], "captured": true } ],
              "sockets": [ { "proto": "udp", "addr": "0.0.0.0", "port": 7000, "groups": ["239.1.2.3"], "multicast_loop": \(loop) } ] }
            """
        let host = try HostProfile.parse(Data(json.utf8))
        let out = FrameBuilder(source: MACAddress("02:00:00:00:0d:00")!, destination: MACAddress(rawValue: 0x0100_5e01_0203))
        let frame = out.ipv4(IPv4Address("10.77.0.1")!, IPv4Address("239.1.2.3")!, .udp,
                             FrameBuilder.udp(7000, 7000, payload: Array("pktpath\n".utf8)))
        let session = try ReplaySession(frames: [CapturedFrame(index: 1, timestampNanoseconds: 1_700_000_000_000_000_000, bytes: frame)],
                                        captureName: "mc4", host: host, kernelVersion: "6.12")
        var traces: [PacketTrace] = []
        let summary = try session.run { traces.append($0) }
        let t = try #require(traces.first)
        #expect(t.direction == .tx && t.functions.contains("ip_mc_output") && t.functions.contains("sk_mc_loop"))
        #expect(t.functions.contains("ip_mc_finish_output") == loop)
        #expect(summary.counters["UdpInDatagrams", default: 0] == (loop ? 1 : 0))
    }

    @Test("a datagram made whole meets a lower MTU: ip6_fragment's slow path copies out each fragment",
          arguments: ["4.14", "6.1", "6.12"])
    func slowPath(_ version: String) throws {
        // v6_pmtu frame 1: a 1448-byte UDP datagram (1400 bytes of data) the host made for MTU 1500.
        let (t, counters) = try Self.traces("v6_pmtu", version: version) { host in
            host = try host.applying([try HostOverride(parsing: "mtu=1400")])
        }
        let first = try #require(t.first { $0.frame == 1 })
        let fragment = Self.calls(first.events, from: "ip6_fragment")
        #expect(fragment.filter { $0 == "ip6_finish_output2" }.count == 2)
        if version == "4.14" {
            #expect(!fragment.contains("ip6_frag_init") && !fragment.contains("ip6_frag_next"))
        } else {
            #expect(fragment.filter { $0 == "ip6_frag_init" }.count == 1)
            #expect(fragment.filter { $0 == "ip6_frag_next" }.count == 2)
        }
        #expect(!fragment.contains("ip6_fraglist_init"))
        #expect(Self.notes(first.events).contains("slow path: the 1448-byte packet has no frag_list fitting MTU 1400: each fragment is copied out"))
        // 1408 bytes after the IPv6 header, 1352 per fragment (1400 - 40 - 8): two fragments, both counted.
        let (plain, plainCounters) = try Self.traces("v6_pmtu", version: version)
        #expect(!(plain.first { $0.frame == 1 }?.functions.contains("ip6_fragment") ?? true))
        #expect(counters["Ip6FragCreates", default: 0] == plainCounters["Ip6FragCreates", default: 0] + 2)
        #expect(counters["Ip6FragOKs", default: 0] == plainCounters["Ip6FragOKs", default: 0] + 1)
    }
}
