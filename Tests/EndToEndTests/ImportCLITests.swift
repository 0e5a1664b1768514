import Foundation
import Testing
import TestSupport

/// `pktpath import` as a user runs it, and `pktpath diff` of the model's trace against the imported
/// one (docs/import.md).
@Suite("pktpath import")
struct ImportCLITests {
    static let oracleTrace = "Fixtures/import/oracle_udp_ports.function_graph.txt"
    static let hostArgs = ["--capture", "Fixtures/udp_ports.pcap", "--host", "Fixtures/udp_ports.host.json"]

    @Test("import ftrace writes a pktpath-trace/1 file marked as recorded, one line per frame, and says what it paired")
    func importFtrace() throws {
        let run = try CLITests.pktpath(["import", "ftrace", Self.oracleTrace] + Self.hostArgs)
        #expect(run.status == 0, "\(run)")
        let lines = CLITests.jsonLines(run)
        #expect(lines.first?["schema"] as? String == "pktpath-trace/1")
        #expect(lines.first?["recorded_by"] as? String == "ftrace")
        #expect(CLITests.frames(lines) == [1, 2, 3])
        let second = lines[2]
        #expect(second["drop_reason"] as? String == "SKB_DROP_REASON_NO_SOCKET")
        #expect(second["drop_function"] as? String == "__udp4_lib_rcv")
        #expect(second["summary"] as? String == "UDP 10.77.0.2:40001 > 10.77.0.1:7001 len=20")
        #expect(lines.last?["matched"] as? Int == 3)
        #expect(run.messages.first == "pktpath: import: 3 of 3 frames paired with a packet ftrace recorded", "\(run)")
    }

    @Test("diff of the model's trace against the imported one: same verdicts, paths compared on common functions")
    func diffModelAgainstReal() throws {
        let model = CLITests.temporaryPath(".jsonl")
        let real = CLITests.temporaryPath(".jsonl")
        defer {
            try? FileManager.default.removeItem(atPath: model)
            try? FileManager.default.removeItem(atPath: real)
        }
        let trace = try CLITests.pktpath(["trace", "Fixtures/udp_ports.pcap", "--host", "Fixtures/udp_ports.host.json",
                                          "--kernel", "6.1", "--format", "json", "-o", model])
        #expect(trace.status == 0, "\(trace)")
        let imported = try CLITests.pktpath(["import", "ftrace", Self.oracleTrace, "-o", real] + Self.hostArgs)
        #expect(imported.status == 0, "\(imported)")
        let diff = try CLITests.pktpath(["diff", model, real, "--format", "json"])
        #expect(diff.status == 1, "\(diff)")
        let records = CLITests.jsonLines(diff).filter { $0["type"] as? String == "frame" }
        #expect(records.count == 3)
        for r in records {
            // The verdicts, drop reasons and dropping functions agree with the real 6.1 kernel's;
            // only the paths part.
            #expect(r["changes"] as? [String] == ["path"], "\(r)")
        }
        let text = try CLITests.pktpath(["diff", model, real])
        #expect(text.out.contains("recorded by ftrace (paths compared on the"), "\(text)")
    }

    @Test("bad input: a clear message naming the file and line, exit status 2", arguments: [
        (["import", "pwru", "Fixtures/import/retis.jsonl"], "not a pwru record"),
        (["import", "retis", "Fixtures/import/pwru.jsonl"], "not a retis event"),
        (["import", "ftrace", "Fixtures/import/pwru.jsonl"], "no ftrace lines"),
        (["import", "bpftrace", "Fixtures/import/pwru.jsonl"], "TOOL must be one of: ftrace, pwru, retis"),
        (["import", "pwru", "Fixtures/import/no-such-file"], "cannot read"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let run = try CLITests.pktpath(arguments + Self.hostArgs)
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.contains(message), "\(run)")
        #expect(run.stdout.isEmpty)
    }

    @Test("a truncated pwru file is refused at the line where it breaks off")
    func truncated() throws {
        let whole = try String(contentsOfFile: Repository.path("Fixtures/import/pwru.jsonl"), encoding: .utf8)
        let path = CLITests.temporaryPath(".jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try String(whole.prefix(whole.count - 40)).write(toFile: path, atomically: true, encoding: .utf8)
        let run = try CLITests.pktpath(["import", "pwru", path] + Self.hostArgs)
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.contains("line 77: not JSON (the file is cut short or damaged)"), "\(run)")
    }
}
