import Foundation
import Capture
import KernelNet
import Replay
import Testing
import TestSupport
import Trace

/// The teaching commands' data: every modeled function is listed, explained, and reached by the
/// model's built-in tour, under every kernel profile.
@Suite("teaching: functions, explain, graph")
struct TeachingTests {
    /// Every per-file enum in the model's sources, found by reading them.
    static let enumsInSources: Set<String> = {
        var names: Set<String> = []
        for target in ["KernelNet", "KernelVeth", "KernelMac80211", "KernelIwlMvm"] {
            let base = Repository.path("Sources/\(target)")
            for case let file as String in FileManager.default.enumerator(atPath: base) ?? .init() where file.hasSuffix(".swift") {
                let text = (try? String(contentsOfFile: base + "/" + file, encoding: .utf8)) ?? ""
                for line in text.split(separator: "\n") where line.contains(": String, KernelSourceFile {") {
                    names.insert(line.split(separator: "path = ").last.map(String.init) ?? String(line))
                }
            }
        }
        return names
    }()

    @Test("the table of contents lists every model file")
    func tableOfContentsIsComplete() {
        #expect(KernelModel.files.count == Self.enumsInSources.count)
        #expect(Set(KernelModel.files.map { $0.path }).count == KernelModel.files.count, "one enum per kernel file")
    }

    @Test("every modeled function has an explanation", arguments: knownKernels)
    func everyFunctionExplained(_ version: String) throws {
        let graph = try Teaching.graph(kernel: version)
        let sites = try ModelTour.run(kernel: version).counterSites
        let profile = try #require(KernelProfile.all[version])
        let kernelVersion = try #require(KernelVersion(rawValue: version))
        for symbol in KernelModel.symbols {
            let e = try #require(try Teaching.explain(symbol.function, kernel: version, graph: graph, counterSites: sites))
            // The counters a function lists are counters of its version (nstat names them for it).
            for counter in e.counters { #expect(proc_c.isCounter(counter, in: kernelVersion), "\(symbol.function): \(counter)") }
            #expect(!e.summary.isEmpty, "\(symbol.function) has no description")
            #expect(e.symbol.file == (profile.relocated[symbol.function] ?? symbol.file))
            #expect(e.present == !profile.absent.contains(symbol.function))
            #expect(e.elixir.hasSuffix("/ident/\(symbol.function)"))
        }
        #expect(try Teaching.explain("no_such_function", kernel: version) == nil)
    }

    /// Functions every version has but the model reaches only in some, and why.
    static let reachedOnlyIn: [String: Set<String>] = [
        // The output of neighbours on a device without header_ops: a tun device in 4.14 only (6.1 gives
        // tun ip_tunnel_header_ops), and no other modeled device lacks them.
        "neigh_direct_output": ["4.14"],
        // SACK shifting and cutting need GSO skbs, which the model's 4.14 never builds (tcp_shift_skb_data falls
        // back at sk_can_gso; its one-segment skbs are never cut by tcp_match_skb_to_sack).
        "tcp_shifted_skb": ["6.1", "6.12"],
        "tcp_fragment": ["6.1", "6.12"],
    ]

    @Test("the tour reaches every modeled function", arguments: knownKernels)
    func tourReachesEverything(_ version: String) throws {
        let graph = try Teaching.graph(kernel: version)
        let profile = try #require(KernelProfile.all[version])
        let present = KernelModel.symbols.map(\.function).filter { !profile.absent.contains($0) }
            .filter { Self.reachedOnlyIn[$0].map { $0.contains(version) } ?? true }
        let missing = present.filter { graph.files[$0] == nil }
        #expect(missing.isEmpty, "never reached: \(missing)")
        let absentButSeen = profile.absent.filter { graph.files[$0] != nil }
        #expect(absentButSeen.isEmpty, "recorded although the profile lacks them: \(absentButSeen)")
        #expect(profile.absent.isSubset(of: Set(KernelModel.symbols.map(\.function))), "absent names a modeled function")
        for (function, file) in profile.relocated where graph.files[function] != nil {
            #expect(graph.files[function] == file, "\(function) is defined in \(file) in \(version)")
        }
    }

    /// `explain` lists the counters each function moves in the version asked about: 6.12 counts the
    /// packets IP sends in `ip_finish_output2` (`IpOutTransmits`), 4.14 and 6.1 in `ip_output`
    /// (`IpOutRequests`).
    @Test("explain lists the counters a function moves, per version")
    func explainCounters() throws {
        let on612 = try #require(try Teaching.explain("ip_finish_output2", kernel: "6.12"))
        #expect(on612.counters.contains("IpOutTransmits"))
        let on61 = try #require(try Teaching.explain("ip_finish_output2", kernel: "6.1"))
        #expect(!on61.counters.contains("IpOutTransmits"))
        #expect(try Teaching.explain("ip_output", kernel: "6.1")?.counters.contains("IpOutRequests") == true)
        #expect(try Teaching.explain("ip_output", kernel: "6.12")?.counters.contains("IpOutRequests") == false)
        let core = try #require(try Teaching.explain("ip_rcv_core", kernel: "6.12"))
        #expect(core.counters.first == "IpInReceives", "in nstat's order: \(core.counters)")
    }

    @Test("explanations are generated from the current doc comments")
    func explanationsUpToDate() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Repository.path("Tools/gen-explanations.py"), "--check"]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "run Tools/gen-explanations.py")
    }

    @Test("the graph of a capture counts frames on its edges")
    func captureGraph() throws {
        let host = try HostProfile.load(path: Repository.path("Fixtures/ping.host.json"))
        let session = try ReplaySession(capture: try Capture.PcapFile(path: Repository.path("Fixtures/ping.pcap")),
                                        captureName: "ping", host: host)
        var traces: [PacketTrace] = []
        _ = try session.run { traces.append($0) }
        let graph = try Teaching.graph(kernel: "6.1", traces: traces)
        let rx = traces.filter { $0.direction == .rx }.count
        #expect(graph.edges[CallGraph.Edge(caller: "ip_local_deliver_finish", callee: "ip_protocol_deliver_rcu")] == rx)
        #expect(graph.edges[CallGraph.Edge(caller: "icmp_reply", callee: "ip_route_output_flow")] == traces.count - rx)
        #expect(graph.roots["icmp_reply"] == traces.count - rx)
    }
}
