import Foundation
import Testing
import Trace
import TraceRender
import TestSupport

/// `trace --format html`: the report opened in headless Chromium (Debian's `chromium`, driven by
/// Playwright from PyPI: `make browser-deps`), clicked and stepped through by
/// `Browser/check_report.py`, which fails on any network request. Screenshots of each view are kept
/// in `.build/test-output/html-report/`; with `RECORD_SNAPSHOTS=1` the one the README shows is copied
/// to `docs/images/report.png`.
@Suite("HTML report")
struct HTMLReportTests {
    /// Where the screenshots go.
    static let outputDirectory = Repository.path(".build/test-output/html-report")

    /// The Python that has Playwright (`make browser-deps`), when it and chromium are there.
    static let browserPython: String? = {
        let python = ProcessInfo.processInfo.environment["PKTPATH_BROWSER_PYTHON"] ?? Repository.path(".build/browser-venv/bin/python")
        let fm = FileManager.default
        return fm.isExecutableFile(atPath: python) && fm.isExecutableFile(atPath: "/usr/bin/chromium") ? python : nil
    }()

    /// Whether the browser tests run: with the browser, or under CI, where its absence is a failure
    /// (.ci/run installs it).
    static let runsInBrowser = browserPython != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    /// Runs the browser script on `report` with `expectations`, screenshots into `name`.
    static func check(_ report: String, _ name: String, _ expectations: [String: Any]) throws {
        let python = try #require(browserPython, "chromium or Playwright is missing: make browser-deps installs them")
        let file = CLITests.temporaryPath(".json")
        defer { try? FileManager.default.removeItem(atPath: file) }
        try JSONSerialization.data(withJSONObject: expectations).write(to: URL(fileURLWithPath: file))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Repository.path("Tests/EndToEndTests/Browser/check_report.py"), report,
                             outputDirectory + "/" + name, file]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
    }

    @Test("a report of a real capture: click a dropped frame, follow what it caused, step through it, filter, sort, graph, statistics",
          .enabled(if: runsInBrowser, "chromium or Playwright is missing (make browser-deps; CI installs them)"))
    func walkThrough() throws {
        let arguments = ["trace", "Fixtures/ctr_closed.pcap", "--host", "Fixtures/ctr_closed.host.json"]
        let report = CLITests.temporaryPath(".html")
        defer { try? FileManager.default.removeItem(atPath: report) }
        let run = try CLITests.pktpath(arguments + ["--format", "html", "-o", report])
        try #require(run.status == 0, "\(run)")
        // What the page must show, from the JSON trace of the same replay.
        let packets = CLITests.jsonLines(try CLITests.pktpath(arguments + ["--format", "json"]))
            .filter { $0["type"] as? String == "packet" }
        let drops = packets.filter { $0["verdict"] as? String == "drop" }.compactMap { $0["frame"] as? Int }
        let tcp = packets.filter { ($0["events"] as? [[String: Any]] ?? []).contains { $0["func"] as? String == "tcp_v4_rcv" } }
            .compactMap { $0["frame"] as? Int }
        let caused = try #require(packets.first { $0["caused_by"] as? Int != nil })
        #expect(drops.first == 1 && packets.first?["drop_reason"] as? String == "SKB_DROP_REASON_NO_SOCKET")
        try Self.check(report, "ctr_closed", [
            "frames": packets.count, "drops": drops, "drop_reason": "SKB_DROP_REASON_NO_SOCKET", "kernel": "6.1",
            "caused": ["cause": caused["caused_by"] as? Int ?? 0, "effect": caused["frame"] as? Int ?? 0],
            "step_function": "eth_type_trans", "step_layer": "link", "step_skb": "pulls the 14-byte Ethernet header",
            "pages": 1, "tcp_v4_rcv": tcp,
        ])
        // RECORD_SNAPSHOTS=1 also puts the screenshot the README shows in place.
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            let readme = Repository.path("docs/images/report.png")
            try? FileManager.default.removeItem(atPath: readme)
            try FileManager.default.copyItem(atPath: Self.outputDirectory + "/ctr_closed/readme.png", toPath: readme)
        }
    }

    @Test("a capture of 1,200 frames is paged: every frame reachable, the selection followed across pages",
          .enabled(if: runsInBrowser, "chromium or Playwright is missing (make browser-deps; CI installs them)"))
    func paging() throws {
        let capture = CLITests.temporaryPath(".pcap")
        let report = CLITests.temporaryPath(".html")
        defer {
            try? FileManager.default.removeItem(atPath: capture)
            try? FileManager.default.removeItem(atPath: report)
        }
        let generate = Process()
        generate.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        generate.arguments = ["python3", Repository.path("Tools/gen-capture.py"), capture, "--frames", "1200"]
        try generate.run()
        generate.waitUntilExit()
        try #require(generate.terminationStatus == 0)
        let run = try CLITests.pktpath(["trace", capture, "--host", "Tools/bench-host.json", "--format", "html", "-o", report])
        try #require(run.status == 0, "\(run)")
        try Self.check(report, "paged", ["frames": 1200, "pages": 3, "list_only": true])
    }

    @Test("the page loads nothing: no external script, style, font or image, a policy that forbids them, and text that cannot end its script early")
    func selfContained() throws {
        let hostile = "</script><script>alert(1)</script><img src=https://example.invalid/x>"
        let trace = PacketTrace(frame: 1, timeNanoseconds: 1_700_000_000_000_000_000, length: 60, capturedLength: 60,
                                direction: .rx, device: hostile, summary: hostile, verdict: .drop,
                                dropReason: hostile, dropFunction: "tcp_v4_rcv",
                                events: [.call(KernelSymbol(function: "ip_rcv", file: "net/ipv4/ip_input.c"), depth: 0, inline: false),
                                         .note(hostile, depth: 1), .notModeled(hostile, depth: 1)])
        func page(_ trace: PacketTrace, text: String) -> String {
            let renderer = HTMLRenderer(explanations: ["ip_rcv": text])
            return renderer.header(TraceHeader(kernel: "6.12", capture: text, host: .object([]), assumptions: [text]))
                + renderer.frame(trace) + renderer.summary(TraceSummary())
        }
        var plain = trace
        plain.summary = "TCP"
        plain.device = "eth0"
        plain.dropReason = "SKB_DROP_REASON_NO_SOCKET"
        plain.events = [trace.events[0]]
        let benign = page(plain, text: "an explanation")
        for pattern in ["<link", " src=", "@import", "url(", "@font-face", "<img", "<iframe"] {
            #expect(!benign.contains(pattern), "\(pattern)")
        }
        let page = page(trace, text: hostile)
        let opened = page.components(separatedBy: "<script>").count - 1
        #expect(page.components(separatedBy: "</script>").count - 1 == opened)
        #expect(opened == 3)
        #expect(!page.contains("<img"))
        #expect(page.contains("Content-Security-Policy\" content=\"default-src 'none'"))
        // The only addresses are the Elixir links the page builds (followed only when clicked).
        let addresses = page.components(separatedBy: "https://").dropFirst().map { $0.prefix(30) }
        #expect(addresses.allSatisfy { $0.hasPrefix("elixir.bootlin.com/linux/v") || $0.hasPrefix("example.invalid") }, "\(addresses)")
        #expect(page.contains("\\u003c/script>\\u003cscript>alert(1)"))
    }
}
