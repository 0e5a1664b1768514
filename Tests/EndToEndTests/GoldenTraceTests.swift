import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace
import TraceRender

/// Golden traces: every real capture in Fixtures/ with its host profile, rendered as text and JSON,
/// compared byte for byte with Snapshots/. Re-record with RECORD_SNAPSHOTS=1 (the run then fails, so
/// a recording is never mistaken for a pass); read the diff before committing it.
@Suite("golden traces of the fixtures")
struct GoldenTraceTests {
    static let fixtures: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Repository.path("Fixtures"))) ?? []
        return names.filter { $0.hasSuffix(".pcap") }.map { String($0.dropLast(5)) }
            .filter { FileManager.default.fileExists(atPath: Repository.path("Fixtures/\($0).host.json")) }
            .sorted()
    }()

    static func render(_ name: String, _ format: TraceFormat) throws -> String {
        let capture = "Fixtures/\(name).pcap"
        let host = try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json"))
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path(capture)), captureName: capture,
                                        host: host)
        let renderer = format.renderer
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
        let actual = try Self.render(name, format)
        let path = Repository.path("Tests/EndToEndTests/Snapshots/\(name).trace.\(format == .json ? "jsonl" : "txt")")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            Issue.record("recorded \(path); run again without RECORD_SNAPSHOTS")
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(actual == expected, "\(name) \(format): differs from \(path)")
    }
}
