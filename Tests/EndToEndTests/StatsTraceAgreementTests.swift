import Foundation
import Testing
import TestSupport

/// `stats` counts exactly what `trace` shows (issue 13): for every capture in `Fixtures/`, on every
/// modeled kernel, the frames, verdicts, drop reasons, paths (direction and the functions a real trace
/// sees), SNMP counters and device counters of `stats --format json` equal those counted from the
/// packet records and the summary of `trace --format json` on the same capture and host.
///
/// `stats` records calls only, builds no notes or summaries and counts on its own thread; `trace`
/// records everything. Any shortcut that made `stats` skip or reuse work would show here.
@Suite("stats equals trace")
struct StatsTraceAgreementTests {
    /// Every capture at the top of `Fixtures/`, with its host profile when it has one (else the host
    /// is inferred, as a user without a profile gets it).
    static let captures: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Repository.path("Fixtures"))) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
    }()

    static let kernels = ["4.14", "6.1", "6.12"]

    /// The arguments that name `capture` and its host.
    static func arguments(_ capture: String, kernel: String) -> [String] {
        let stem = capture.replacingOccurrences(of: ".pcapng", with: "").replacingOccurrences(of: ".pcap", with: "")
        let host = "Fixtures/\(stem).host.json"
        let hostArguments = FileManager.default.fileExists(atPath: Repository.path(host)) ? ["--host", host] : []
        return ["Fixtures/\(capture)"] + hostArguments + ["--kernel", kernel]
    }

    /// What `stats --format json` reports, in a form two sources can be compared in.
    struct Counts: Equatable, CustomStringConvertible {
        var frames = 0
        var verdicts: [String: Int] = [:]
        var dropReasons: [String: Int] = [:]
        /// Frames per path: the direction, then the visible functions joined by spaces.
        var paths: [String: Int] = [:]
        var counters: [String: Int] = [:]
        var devices: [String: [String: Int]] = [:]

        var description: String {
            "frames \(frames); verdicts \(verdicts); drop reasons \(dropReasons); \(paths.count) paths; "
                + "counters \(counters); devices \(devices)"
        }
    }

    static func pathKey(direction: String, functions: [String]) -> String {
        ([direction] + functions).joined(separator: " ")
    }

    /// The counts of `trace --format json`'s packet records and its summary line.
    static func counts(fromTrace records: [[String: Any]]) throws -> Counts {
        var c = Counts()
        for record in records where record["type"] as? String == "packet" {
            c.frames += 1
            let verdict = try #require(record["verdict"] as? String)
            c.verdicts[verdict, default: 0] += 1
            if verdict == "drop" {
                // As the text and JSON summaries count them: kernels before 5.17 name no reason, such
                // drops are counted by the function that dropped.
                let reason = record["drop_reason"] as? String ?? "(no reason) in \(record["drop_function"] as? String ?? "?")"
                c.dropReasons[reason, default: 0] += 1
            }
            let events = try #require(record["events"] as? [[String: Any]])
            // A real trace sees the calls that are not inlined.
            let functions = events.compactMap { e -> String? in
                guard let f = e["func"] as? String, e["inline"] as? Bool != true else { return nil }
                return f
            }
            let direction = try #require(record["direction"] as? String)
            c.paths[pathKey(direction: direction, functions: functions), default: 0] += 1
        }
        let summary = try #require(records.last { $0["type"] as? String == "summary" })
        c.counters = summary["counters"] as? [String: Int] ?? [:]
        c.devices = summary["devices"] as? [String: [String: Int]] ?? [:]
        return c
    }

    /// The counts `stats --format json` printed.
    static func counts(fromStats object: [String: Any]) throws -> Counts {
        var c = Counts()
        c.frames = try #require(object["frames"] as? Int)
        c.verdicts = object["verdicts"] as? [String: Int] ?? [:]
        c.dropReasons = object["drop_reasons"] as? [String: Int] ?? [:]
        for path in try #require(object["paths"] as? [[String: Any]]) {
            let key = pathKey(direction: try #require(path["direction"] as? String),
                              functions: try #require(path["functions"] as? [String]))
            #expect(c.paths[key] == nil, "stats lists one path twice: \(key)")
            c.paths[key, default: 0] += try #require(path["count"] as? Int)
        }
        c.counters = object["counters"] as? [String: Int] ?? [:]
        c.devices = object["devices"] as? [String: [String: Int]] ?? [:]
        return c
    }

    @Test("stats counts what trace shows, on every fixture and kernel", arguments: captures, kernels)
    func statsEqualsTrace(_ capture: String, kernel: String) throws {
        let arguments = Self.arguments(capture, kernel: kernel)
        let trace = try CLITests.pktpath(["trace"] + arguments + ["--format", "json"])
        let stats = try CLITests.pktpath(["stats"] + arguments + ["--format", "json"])
        #expect(trace.status == stats.status, "trace: \(trace)\nstats: \(stats)")
        guard trace.status == 0, stats.status == 0 else { return }
        let fromTrace = try Self.counts(fromTrace: CLITests.jsonLines(trace))
        let object = try #require(try JSONSerialization.jsonObject(with: stats.stdout) as? [String: Any])
        let fromStats = try Self.counts(fromStats: object)
        #expect(fromTrace.frames > 0, "\(capture): no frames traced")
        #expect(fromStats.frames == fromTrace.frames)
        #expect(fromStats.verdicts == fromTrace.verdicts)
        #expect(fromStats.dropReasons == fromTrace.dropReasons)
        let onlyStats = fromStats.paths.filter { fromTrace.paths[$0.key] != $0.value }.keys.sorted().prefix(3)
        let onlyTrace = fromTrace.paths.filter { fromStats.paths[$0.key] != $0.value }.keys.sorted().prefix(3)
        #expect(fromStats.paths == fromTrace.paths, "paths counted differently by stats: \(onlyStats); by trace: \(onlyTrace)")
        #expect(fromStats.counters == fromTrace.counters)
        #expect(fromStats.devices == fromTrace.devices)
    }

    @Test("every fixture capture is compared")
    func fixturesFound() {
        #expect(Self.captures.count >= 40, "\(Self.captures)")
        #expect(Self.captures.contains("multi_if.pcapng"))
    }
}
