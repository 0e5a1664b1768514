import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace
import TraceRender

/// Golden traces: every real capture (pcap or pcapng) in Fixtures/ with its host profile, rendered as text and JSON,
/// compared byte for byte with Snapshots/. Re-record with RECORD_SNAPSHOTS=1 (the run then fails, so
/// a recording is never mistaken for a pass); read the diff before committing it.
@Suite("golden traces of the fixtures")
struct GoldenTraceTests {
    static let fixtures: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Repository.path("Fixtures"))) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.map { String($0.prefix { $0 != "." }) }
            .filter { FileManager.default.fileExists(atPath: Repository.path("Fixtures/\($0).host.json")) }
            .sorted()
    }()

    /// Fixtures also traced on the host inferred from the capture, as a user without a host profile
    /// runs them (`<name>.inferred.trace.*`): the client-side, router, loopback and several-interface captures
    /// (bridge_any: a bridge and its ports, from the copies of each skb; tun_raw: raw IP, no link-layer
    /// addresses), where knowing the host and the state it had at the start is the hard part.
    static let inferredFixtures: [String] = fixtures.filter {
        $0.hasPrefix("client_") || $0.hasPrefix("router_") || $0.hasPrefix("loopback_") || $0.hasPrefix("multi_")
            || $0 == "bridge_any" || $0 == "tun_raw"
    }

    /// The fixture's capture file, relative to the repository: `<name>.pcap`, else `<name>.pcapng`.
    static func capture(_ name: String) -> String {
        let pcap = "Fixtures/\(name).pcap"
        return FileManager.default.fileExists(atPath: Repository.path(pcap)) ? pcap : pcap + "ng"
    }

    static func render(_ name: String, _ format: TraceFormat, inferred: Bool = false) throws -> String {
        let capture = Self.capture(name)
        var host = try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json"))
        var assumptions: [String] = []
        if inferred {
            (host, assumptions, _, _) = try HostInference.infer(path: Repository.path(capture), driver: "veth")
        }
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path(capture)), captureName: capture,
                                        host: host, assumptions: assumptions)
        let renderer = try #require(format.renderer)
        var out = renderer.header(session.header)
        let summary = try session.run { out += renderer.frame($0) }
        return out + renderer.summary(summary)
    }

    @Test("fixtures are present")
    func present() {
        #expect(Self.fixtures.count >= 8)
    }

    @Test("trace matches the golden file", arguments: fixtures, [TraceFormat.text, .json])
    func golden(_ name: String, _ format: TraceFormat) throws {
        try Self.compare(try Self.render(name, format), "\(name).trace.\(format == .json ? "jsonl" : "txt")")
    }

    @Test("trace on the inferred host matches the golden file", arguments: inferredFixtures)
    func goldenInferred(_ name: String) throws {
        try Self.compare(try Self.render(name, .text, inferred: true), "\(name).inferred.trace.txt")
    }

    /// Compares `actual` with the snapshot `file`, or records it with RECORD_SNAPSHOTS=1.
    static func compare(_ actual: String, _ file: String) throws {
        let path = Repository.path("Tests/EndToEndTests/Snapshots/\(file)")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            Issue.record("recorded \(path); run again without RECORD_SNAPSHOTS")
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(actual == expected, "differs from \(path)")
    }
}
