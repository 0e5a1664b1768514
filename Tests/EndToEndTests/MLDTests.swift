import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace

/// MLD as a listener receives it (`igmp6_event_query`, `igmp6_event_report`, net/ipv6/mcast.c) on the real
/// capture `v6_mld` and on its frames changed: where each version handles a query (6.1 and 6.12 in a
/// worker, 4.14 in the softirq), the checks a query must pass, what it starts, and MLDv1 report suppression.
@Suite("MLD receive (net/ipv6/mcast.c)")
struct MLDTests {
    /// The frames of `v6_mld`, 1-based as the capture numbers them.
    static let frames: [CapturedFrame] = {
        guard let file = try? PcapFile(path: Repository.path("Fixtures/v6_mld.pcap")) else { return [] }
        var out: [CapturedFrame] = []
        var f = CapturedFrame()
        while (try? file.read(into: &f)) == true { out.append(f) }
        return out
    }()

    /// The traces of `frames` under kernel `version` with `v6_mld`'s profile.
    static func traces(_ frames: [CapturedFrame], version: String = "6.1") throws -> [PacketTrace] {
        let host = try HostProfile.load(path: Repository.path("Fixtures/v6_mld.host.json"))
        let session = try ReplaySession(frames: frames, captureName: "v6_mld", host: host, kernelVersion: version)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    /// Frame `n` of `v6_mld`, renumbered `index` at `time` (nanoseconds), its bytes changed by `edit`.
    static func frame(_ n: Int, index: Int, time: Int64, edit: (inout [UInt8]) -> Void = { _ in }) -> CapturedFrame {
        var bytes = frames[n - 1].bytes
        edit(&bytes)
        return CapturedFrame(index: index, timestampNanoseconds: time, bytes: bytes)
    }

    /// The notes and state changes of a path, in order.
    static func notes(_ events: TraceEvents) -> [String] {
        events.compactMap { e in
            switch e {
            case let .note(text, _), let .state(text, _): text
            default: nil
            }
        }
    }

    /// The functions a path calls, in order.
    static func calls(_ events: TraceEvents) -> [String] {
        events.compactMap { if case let .call(sym, _, _) = $0 { sym.function } else { nil } }
    }

    @Test("6.1 and 6.12 queue a query for the worker, which runs before the next frame", arguments: ["6.1", "6.12"])
    func worker(_ version: String) throws {
        let t = try Self.traces(Self.frames, version: version)
        #expect(t[0].functions.contains("igmp6_event_query"))
        #expect(!t[0].functions.contains("mld_process_v2"))
        #expect(t[0].verdict == .deliver)
        // kfree_skb(NULL): the packet went to the queue, nothing is freed
        #expect(t[0].dropReason == nil)
        let run = try #require(t[1].timers.first)
        #expect(run.function == "mld_query_work")
        #expect(run.armedBy == 1)
        #expect(Self.calls(run.events).starts(with: ["mld_query_work", "__mld_query_work", "mld_in_v1_mode", "mld_process_v2"]))
        #expect(Self.calls(run.events).last == "consume_skb")
        #expect(Self.notes(run.events).contains("p6b-dut: report of all groups (MLDv2) due within 100 ms"))
    }

    @Test("4.14 handles a query in the softirq and icmpv6_rcv frees it")
    func softirq() throws {
        let t = try Self.traces(Self.frames, version: "4.14")
        #expect(t.allSatisfy { $0.timers.isEmpty })
        #expect(t[0].functions.contains("mld_process_v2"))
        #expect(Self.notes(t[0].events).contains("p6b-dut: report of all groups (MLDv2) due within 100 ms"))
        #expect(t[0].verdict == .drop)
        #expect(t[0].dropFunction == "icmpv6_rcv")
    }

    @Test("an MLDv1 general query switches to MLDv1 and starts a report timer for each group but all-nodes")
    func v1GeneralQuery() throws {
        let t = try Self.traces(Self.frames)
        // frame 6's work runs before frame 7; the QQIC of frame 1's query (0) made the query interval 0
        let notes = Self.notes(try #require(t[6].timers.first).events)
        #expect(notes.contains("p6b-dut: MLDv1 querier present, MLDv1 mode for 100 ms"))
        #expect(notes.filter { $0.hasSuffix(": report due within 100 ms") }
            == ["ff02::1:ff00:7777", "ff12::7777", "ff02::1:ff00:d00", "ff02::1:ff00:1"].map { "\($0): report due within 100 ms" })
        // frame 11's group-specific query: only its group
        let specific = Self.notes(try #require(t[11].timers.first).events)
        #expect(specific.filter { $0.hasSuffix("report due within 100 ms") } == ["ff12::7777: report due within 100 ms"])
        // the query to ff12::7777, an address of the host (autojoin), takes its local route, not ip6_mc_input
        #expect(!t[10].functions.contains("ip6_mc_input"))
        #expect(t[10].functions.contains("ip6_input"))
    }

    /// RFC 3810 §6.2: queries from a source that is not link-local, with a hop limit other than 1, or
    /// without MLD's Router Alert are dropped (in the worker, which consumes them all the same).
    @Test("a query failing a validity check is refused", arguments: ["global source", "hop limit", "router alert"])
    func refused(_ check: String) throws {
        let query: CapturedFrame
        switch check {
        case "global source": query = Self.frame(5, index: 1, time: 1_000_000_000)
        case "hop limit": query = Self.frame(6, index: 1, time: 1_000_000_000) { $0[21] = 64 }
        default: query = Self.frame(6, index: 1, time: 1_000_000_000) { $0[56] = 1 }  // Router Alert -> PadN
        }
        for version in ["6.1", "4.14"] {
            let events = version == "6.1" ? try Self.afterCapture([query], version: version) : try Self.traces([query], version: version)[0].events
            #expect(Self.notes(events).contains { $0.hasPrefix("query refused") }, "\(check) \(version)")
            #expect(!Self.calls(events).contains("igmp6_group_queried"), "\(check) \(version)")
        }
    }

    @Test("another listener's MLDv1 report stops the host's pending report (report suppression)", arguments: ["6.1", "4.14"])
    func suppression(_ version: String) throws {
        // frame 6 (MLDv1 general query), then frame 4 (a peer's report of ff12::7777) 10 ms later
        let frames = [Self.frame(6, index: 1, time: 1_000_000_000), Self.frame(4, index: 2, time: 1_010_000_000)]
        // 6.1's report worker runs after the last frame; 4.14 handles the report in the softirq
        let events = version == "6.1" ? try Self.afterCapture(frames, version: version) : try Self.traces(frames, version: version)[1].events
        #expect(Self.notes(events).contains("ff12::7777: another listener reported it, our report cancelled (MLDv1 report suppression)"))
    }

    @Test("a report in a unicast frame is ignored")
    func unicastReport() throws {
        let hostMAC: [UInt8] = [0x02, 0, 0, 0, 0x0d, 0]
        let frames = [Self.frame(6, index: 1, time: 1_000_000_000),
                      Self.frame(4, index: 2, time: 1_010_000_000) { $0.replaceSubrange(0..<6, with: hostMAC) }]
        let notes = Self.notes(try Self.afterCapture(frames, version: "6.1"))
        #expect(notes.contains("report not sent to a link-layer group: ignored"))
        #expect(!notes.contains { $0.contains("report suppression") })
    }

    /// The work is due at the latest frame's time: frames stamped before it wait behind it, 32 at most
    /// (`MLD_MAX_SKBS`); the queue never grows past that.
    @Test("a device's query queue holds 32 packets; more are freed in igmp6_event_query")
    func queueBound() throws {
        let late = Self.frame(1, index: 1, time: 9_000_000_000)
        let early = (2...36).map { Self.frame(1, index: $0, time: 1_000_000_000 + Int64($0)) }
        let t = try Self.traces([late] + early)
        #expect(t[..<32].allSatisfy { $0.verdict == .deliver })
        for d in t[32...] {
            #expect(d.verdict == .drop)
            #expect(d.dropFunction == "igmp6_event_query")
            #expect(d.dropReason == "SKB_DROP_REASON_NOT_SPECIFIED")
        }
        #expect(t.allSatisfy { $0.timers.isEmpty })
        // After the capture one run of the work takes 8 (MLD_MAX_QUEUE) and queues itself again for the rest.
        let work = try Self.afterCapture([late] + early, version: "6.1")
        #expect(Self.calls(work).filter { $0 == "__mld_query_work" }.count == 8)
        #expect(Self.notes(work).contains("24 more wait: the work is queued again"))
    }

    @Test("each query counts in Icmp6InGroupMembQueries, as the capturing kernel counted them")
    func counters() throws {
        let counters = try ReplayCounters.of("v6_mld", kernel: "6.12")
        let truth = try KernelTruthTests.truthCounters("v6_mld")
        #expect(counters["Icmp6InGroupMembQueries"] == 4)
        #expect(counters["Icmp6InGroupMembQueries"] == truth["Icmp6InGroupMembQueries"])
        #expect(counters["Icmp6InType130"] == truth["Icmp6InType130"])
    }

    /// The paths of the work items that ran after the last frame of `frames` (the report's worker).
    static func afterCapture(_ frames: [CapturedFrame], version: String) throws -> TraceEvents {
        let host = try HostProfile.load(path: Repository.path("Fixtures/v6_mld.host.json"))
        let session = try ReplaySession(frames: frames, captureName: "v6_mld", host: host, kernelVersion: version)
        let run = try session.run { _ in }
        return TraceEvents(run.timersAfterCapture.flatMap(\.events))
    }
}
