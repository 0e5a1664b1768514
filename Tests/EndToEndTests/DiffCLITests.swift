import Foundation
import Testing
import TestSupport

/// `pktpath diff`, `trace --set` and `trace --explain` as a user runs them (README "Using it",
/// docs/diff-format.md).
@Suite("pktpath diff, --set and --explain")
struct DiffCLITests {
    typealias Run = CLITests.Run

    static func pktpath(_ arguments: [String]) throws -> Run { try CLITests.pktpath(arguments) }

    /// A diff's JSON Lines output split into its header, frame lines and summary.
    struct DiffOutput {
        var header: [String: Any]
        var frames: [[String: Any]]
        var summary: [String: Any]

        init(_ run: Run) throws {
            let records = CLITests.jsonLines(run)
            try #require(records.count >= 2, "\(run)")
            header = records[0]
            summary = records[records.count - 1]
            frames = Array(records.dropFirst().dropLast())
            #expect(header["type"] as? String == "header")
            #expect(header["schema"] as? String == "pktpath-diff/1")
            #expect(summary["type"] as? String == "summary")
            #expect(frames.allSatisfy { $0["type"] as? String == "frame" })
        }

        /// The frame line whose side A (or, for a frame only in B, side B) is capture frame `n`.
        func frame(_ n: Int, side: String = "a") -> [String: Any]? {
            frames.first { ($0[side] as? [String: Any])?["frame"] as? Int == n }
        }

        func status(_ n: Int) -> String? { frame(n)?["status"] as? String }

        func side(_ n: Int, _ side: String) -> [String: Any]? { frame(n)?[side] as? [String: Any] }

        /// Functions of side `side`'s steps from the divergence of frame `n` on.
        func divergingSteps(_ n: Int, _ side: String) -> [String] {
            let divergence = frame(n)?["divergence"] as? [String: Any]
            return (divergence?[side] as? [[String: Any]] ?? []).compactMap { $0["func"] as? String }
        }

        /// The `from→to` counts of a summary list.
        func transitions(_ key: String) -> [String: Int] {
            var out: [String: Int] = [:]
            for t in summary[key] as? [[String: Any]] ?? [] {
                if let from = t["from"] as? String, let to = t["to"] as? String { out["\(from)→\(to)"] = t["frames"] as? Int }
            }
            return out
        }
    }

    static func diff(_ arguments: [String]) throws -> (Run, DiffOutput) {
        let run = try pktpath(["diff"] + arguments + ["--format", "json"])
        return (run, try DiffOutput(run))
    }

    /// `s_rp_filter`'s host with its rp_filter settings removed (the kernel default, off), written to a
    /// temporary file.
    static func hostWithoutRPFilter() throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/s_rp_filter.host.json")))
        var profile = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var sysctl = try #require(profile["sysctl"] as? [String: Any])
        #expect(sysctl.removeValue(forKey: "net.ipv4.conf.all.rp_filter") != nil)
        #expect(sysctl.removeValue(forKey: "net.ipv4.conf.veth-dut.rp_filter") != nil)
        profile["sysctl"] = sysctl
        let path = CLITests.temporaryPath(".host.json")
        try JSONSerialization.data(withJSONObject: profile).write(to: URL(fileURLWithPath: path))
        return path
    }

    static let rpCapture = "Fixtures/s_rp_filter.pcap"

    // MARK: - Identical sides

    @Test("a capture diffed against itself: exit 0, every frame the same, nothing changed",
          arguments: ["Fixtures/ping.pcap", "Fixtures/s_forward.pcap", "Fixtures/tcp_handshake.pcap"])
    func identical(_ capture: String) throws {
        let host = capture.replacingOccurrences(of: ".pcap", with: ".host.json")
        let (run, out) = try Self.diff([capture, "--host", host])
        #expect(run.status == 0, "\(run)")
        let (frames, _) = try CLITests.read(Repository.path(capture))
        #expect(out.frames.count == frames.count)
        #expect(out.frames.allSatisfy { $0["status"] as? String == "same" })
        #expect(out.summary["compared"] as? Int == frames.count)
        #expect(out.summary["changed"] as? Int == 0)
        let text = try Self.pktpath(["diff", capture, "--host", host])
        #expect(text.status == 0, "\(text)")
        #expect(text.out.contains("no differences"), "\(text)")
    }

    @Test("two trace files of the same replay: exit 0")
    func identicalTraceFiles() throws {
        let a = CLITests.temporaryPath(".jsonl")
        let b = CLITests.temporaryPath(".jsonl")
        defer { for p in [a, b] { try? FileManager.default.removeItem(atPath: p) } }
        for path in [a, b] {
            let t = try Self.pktpath(["trace", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json", "--format", "json", "-o", path])
            #expect(t.status == 0, "\(t)")
        }
        let (run, out) = try Self.diff([a, b])
        #expect(run.status == 0, "\(run)")
        #expect(out.header["alignment"] as? String == "frame")
        #expect(out.summary["same"] as? Int == 6)
    }

    // MARK: - What-if changes

    @Test("--set rp_filter=1: the spoofed and unroutable sources drop with IP_RPFILTER in ip_rcv_finish_core")
    func rpFilterOverride() throws {
        let host = try Self.hostWithoutRPFilter()
        defer { try? FileManager.default.removeItem(atPath: host) }
        let (run, out) = try Self.diff([Self.rpCapture, "--host", host, "--set", "net.ipv4.conf.all.rp_filter=1"])
        #expect(run.status == 1, "\(run)")
        for n in [1, 2] {
            #expect(out.status(n) == "changed")
            #expect(out.side(n, "a")?["verdict"] as? String == "deliver")
            #expect(out.side(n, "b")?["verdict"] as? String == "drop")
            #expect(out.side(n, "b")?["drop_reason"] as? String == "SKB_DROP_REASON_IP_RPFILTER")
            #expect(out.side(n, "b")?["drop_function"] as? String == "ip_rcv_finish_core")
            // B goes into the reverse-path check that A (rp_filter off) skips.
            #expect(out.divergingSteps(n, "b").first == "__fib_validate_source")
            #expect(!out.divergingSteps(n, "a").contains("__fib_validate_source"))
        }
        // The legitimate echo is still delivered (its path gains the check) and its reply is unchanged.
        #expect(out.side(3, "b")?["verdict"] as? String == "deliver")
        #expect(out.status(4) == "same")
        #expect(out.transitions("verdict_changes") == ["deliver→drop": 2])
        #expect(out.transitions("drop_reason_changes") == ["none→SKB_DROP_REASON_IP_RPFILTER": 2])
        let gained = (out.summary["path_classes_gained"] as? [[String: Any]] ?? []).compactMap { $0["class"] as? String }
        #expect(gained.contains { $0.hasSuffix("__fib_validate_source → fib_table_lookup → kfree_skb_reason") })
    }

    @Test("--vs-host with the fixture's own profile gives the same divergence as --set")
    func vsHost() throws {
        let host = try Self.hostWithoutRPFilter()
        defer { try? FileManager.default.removeItem(atPath: host) }
        let (byHost, a) = try Self.diff([Self.rpCapture, "--host", host, "--vs-host", "Fixtures/s_rp_filter.host.json"])
        #expect(byHost.status == 1, "\(byHost)")
        #expect(a.transitions("verdict_changes") == ["deliver→drop": 2])
        #expect(a.side(1, "b")?["drop_reason"] as? String == "SKB_DROP_REASON_IP_RPFILTER")
        // The other way round, --set-a turns the filter on for side A only.
        let (reversed, b) = try Self.diff([Self.rpCapture, "--host", host, "--set-a", "net.ipv4.conf.all.rp_filter=1"])
        #expect(reversed.status == 1, "\(reversed)")
        #expect(b.transitions("verdict_changes") == ["drop→deliver": 2])
    }

    @Test("--set mtu=1300 on the forwarding host: the 1342-byte frames drop in __dev_forward_skb2, the rest is the same")
    func mtuOverride() throws {
        let (run, out) = try Self.diff(["Fixtures/s_forward.pcap", "--host", "Fixtures/s_forward.host.json", "--set", "mtu=1300"])
        #expect(run.status == 1, "\(run)")
        for n in [7, 10] {
            #expect(out.side(n, "b")?["verdict"] as? String == "drop")
            #expect(out.side(n, "b")?["drop_reason"] as? String == "SKB_DROP_REASON_NOT_SPECIFIED")
            #expect(out.side(n, "b")?["drop_function"] as? String == "__dev_forward_skb2")
        }
        // Frame 7 was forwarded (fragmented for the 1280 link); frame 10 was already a drop, now an earlier one.
        #expect(out.transitions("verdict_changes") == ["forward→drop": 1])
        #expect(out.transitions("drop_reason_changes") == [
            "none→SKB_DROP_REASON_NOT_SPECIFIED": 1,
            "SKB_DROP_REASON_PKT_TOO_BIG→SKB_DROP_REASON_NOT_SPECIFIED": 1,
        ])
        #expect(out.summary["changed"] as? Int == 2)
        // 1400 leaves room for them: nothing changes.
        let wide = try Self.pktpath(["diff", "Fixtures/s_forward.pcap", "--host", "Fixtures/s_forward.host.json", "--set", "mtu=1400"])
        #expect(wide.status == 0, "\(wide)")
    }

    @Test("--set mtu.veth-dut2=1500: the DF datagram the 1280 link refused is forwarded")
    func mtuOfAnotherInterface() throws {
        let (run, out) = try Self.diff(["Fixtures/s_forward.pcap", "--host", "Fixtures/s_forward.host.json",
                                        "--set", "mtu.veth-dut2=1500"])
        #expect(run.status == 1, "\(run)")
        #expect(out.side(10, "a")?["drop_reason"] as? String == "SKB_DROP_REASON_PKT_TOO_BIG")
        #expect(out.side(10, "b")?["verdict"] as? String == "forward")
        #expect(out.transitions("verdict_changes") == ["drop→forward": 1])
        #expect(out.summary["changed"] as? Int == 1)
    }

    @Test("--set neigh=cold: the first reply resolves its next hop (neigh_resolve_output, arp_solicit) and waits")
    func coldNeighbours() throws {
        let (run, out) = try Self.diff(["Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json", "--set", "neigh=cold",
                                        "--context", "20"])
        #expect(run.status == 1, "\(run)")
        #expect(out.side(2, "a")?["verdict"] as? String == "transmit")
        #expect(out.side(2, "b")?["verdict"] as? String == "queue")
        let b = out.divergingSteps(2, "b")
        #expect(b.first == "__neigh_create")
        for f in ["neigh_resolve_output", "__neigh_event_send", "neigh_probe", "arp_solicit"] {
            #expect(b.contains(f), "\(f) missing from \(b)")
        }
        #expect(!out.divergingSteps(2, "a").contains("arp_solicit"))
        // The requests are received as before.
        for n in [1, 3, 5] { #expect(out.status(n) == "same") }
        #expect(out.transitions("verdict_changes") == ["transmit→queue": 3])
    }

    @Test("--kernel 4.14 --vs-kernel 6.12: each side runs its own profile; 6.12 goes through ip_rcv_core, 4.14 has none")
    func kernels() throws {
        let (run, out) = try Self.diff(["Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json", "--kernel", "4.14",
                                        "--vs-kernel", "6.12", "--context", "1000"])
        #expect(run.status == 1, "\(run)")
        #expect((out.header["a"] as? [String: Any])?["kernel"] as? String == "4.14")
        #expect((out.header["b"] as? [String: Any])?["kernel"] as? String == "6.12")
        #expect(out.status(1) == "changed")
        #expect(out.divergingSteps(1, "b").contains("ip_rcv_core"))
        #expect(!out.divergingSteps(1, "a").contains("ip_rcv_core"))
        #expect(out.side(1, "a")?["verdict"] as? String == "deliver")
        #expect(out.side(1, "b")?["verdict"] as? String == "deliver")
    }

    @Test("trace --set applies the same change: the trace header lists it and the frames drop")
    func traceSet() throws {
        let host = try Self.hostWithoutRPFilter()
        defer { try? FileManager.default.removeItem(atPath: host) }
        let run = try Self.pktpath(["trace", Self.rpCapture, "--host", host, "--set", "net.ipv4.conf.all.rp_filter=1",
                                    "--format", "json"])
        #expect(run.status == 0, "\(run)")
        let records = CLITests.jsonLines(run)
        #expect(records.first?["overrides"] as? [String] == ["net.ipv4.conf.all.rp_filter=1"])
        let drops = records.filter { $0["drop_reason"] as? String == "SKB_DROP_REASON_IP_RPFILTER" }.compactMap { $0["frame"] as? Int }
        #expect(drops == [1, 2])
        let plain = try Self.pktpath(["trace", Self.rpCapture, "--host", host, "--format", "json"])
        #expect(!plain.out.contains("IP_RPFILTER"))
    }

    // MARK: - Trace files

    @Test("two trace files give the frames and summary of the capture-mode diff")
    func traceFilesEqualCaptureMode() throws {
        let host = try Self.hostWithoutRPFilter()
        let a = CLITests.temporaryPath(".jsonl")
        let b = CLITests.temporaryPath(".jsonl")
        defer { for p in [host, a, b] { try? FileManager.default.removeItem(atPath: p) } }
        let set = ["--set", "net.ipv4.conf.all.rp_filter=1"]
        #expect(try Self.pktpath(["trace", Self.rpCapture, "--host", host, "--format", "json", "-o", a]).status == 0)
        #expect(try Self.pktpath(["trace", Self.rpCapture, "--host", host, "--format", "json", "-o", b] + set).status == 0)
        let files = try Self.pktpath(["diff", a, b, "--format", "json"])
        let capture = try Self.pktpath(["diff", Self.rpCapture, "--host", host, "--format", "json"] + set)
        #expect(files.status == 1, "\(files)")
        #expect(capture.status == 1, "\(capture)")
        #expect(Array(files.lines.dropFirst()) == Array(capture.lines.dropFirst()))
        #expect(try DiffOutput(files).header["alignment"] as? String == "frame")
        // The text forms agree below their headers (which name the sources) too.
        let textFiles = try Self.pktpath(["diff", a, b])
        let textCapture = try Self.pktpath(["diff", Self.rpCapture, "--host", host] + set)
        #expect(Array(textFiles.lines.dropFirst(3)) == Array(textCapture.lines.dropFirst(3)))
        #expect(textFiles.out.contains("deliver→drop: 2"), "\(textFiles)")
    }

    @Test("differently filtered trace files of one capture align by flow: the common frames pair, the rest is one-sided")
    func flowAlignmentOfFilteredTraces() throws {
        let a = CLITests.temporaryPath(".jsonl")
        let b = CLITests.temporaryPath(".jsonl")
        defer { for p in [a, b] { try? FileManager.default.removeItem(atPath: p) } }
        let host = ["--host", "Fixtures/tcp_handshake.host.json", "--format", "json"]
        #expect(try Self.pktpath(["trace", "Fixtures/tcp_handshake.pcap", "tcp"] + host + ["-o", a]).status == 0)
        #expect(try Self.pktpath(["trace", "Fixtures/tcp_handshake.pcap", "ether", "src", "02:00:00:00:0e:00"] + host + ["-o", b]).status == 0)
        let (run, out) = try Self.diff([a, b])
        #expect(run.status == 1, "\(run)")
        #expect(out.header["alignment"] as? String == "flow")
        // A: the 10 TCP frames; B: the peer's 6 frames (ARP request and 5 TCP segments).
        #expect(out.summary["compared"] as? Int == 5)
        #expect(out.summary["only_a"] as? Int == 5)
        #expect(out.summary["only_b"] as? Int == 1)
        for line in out.frames where line["status"] as? String != "only_a" && line["status"] as? String != "only_b" {
            let fa = line["a"] as? [String: Any]
            let fb = line["b"] as? [String: Any]
            #expect(fa?["frame"] as? Int == fb?["frame"] as? Int)
            #expect(fa?["summary"] as? String == fb?["summary"] as? String)
        }
        #expect((out.frame(1, side: "b")?["b"] as? [String: Any])?["summary"] as? String == "ARP who-has 10.77.0.1 tell 10.77.0.2")
    }

    @Test("traces of two captures of one forwarding run pair packets by flow, though their frame numbers differ")
    func flowAlignmentAcrossCaptures() throws {
        let a = CLITests.temporaryPath(".jsonl")
        let b = CLITests.temporaryPath(".jsonl")
        defer { for p in [a, b] { try? FileManager.default.removeItem(atPath: p) } }
        #expect(try Self.pktpath(["trace", "Fixtures/s_forward.pcap", "--host", "Fixtures/s_forward.host.json",
                                  "--format", "json", "-o", a]).status == 0)
        #expect(try Self.pktpath(["trace", "Fixtures/s_forward_out.pcap", "--host", "Fixtures/s_forward_out.host.json",
                                  "--format", "json", "-o", b]).status == 0)
        let (run, out) = try Self.diff([a, b])
        #expect(run.status == 1, "\(run)")
        #expect(out.header["alignment"] as? String == "flow")
        // The echo request and reply of seq 1 and 2 are frames 1-4 of both captures.
        for n in 1...4 { #expect(out.side(n, "b")?["frame"] as? Int == n) }
        // The far end's fragmented reply: frames 8-9 on veth-dut (sent), 7-8 on veth-dut2 (received).
        #expect(out.side(8, "b")?["frame"] as? Int == 7)
        #expect(out.side(9, "b")?["frame"] as? Int == 8)
        #expect(out.side(8, "a")?["direction"] as? String == "tx")
        #expect(out.side(8, "b")?["direction"] as? String == "rx")
        // TTL 1 and the DF datagram never reached veth-dut2.
        for n in [5, 6, 10, 11] { #expect(out.status(n) == "only_a") }
    }

    // MARK: - Bad input

    @Test("bad inputs exit 2 with one message naming what is wrong, nothing on stdout",
          arguments: [
            (["Fixtures/ping.pcap", "--set", "bogus=1"], "bogus"),
            (["Fixtures/ping.pcap", "--set", "mtu=12"], "mtu"),
            (["Fixtures/ping.pcap", "--set", "neigh=lukewarm"], "neigh"),
            (["Fixtures/ping.pcap", "--set", "rp_filter"], "rp_filter"),
            (["Fixtures/ping.pcap", "--set-a", "net.ipv4.conf.eth9.rp_filter=1"], "eth9"),
            (["Fixtures/ping.pcap", "--set", "net.ipv4.ip_forward=yes"], "net.ipv4.ip_forward"),
            (["Fixtures/ping.pcap", "--set", "mtu.eth9=1400"], "eth9"),
            (["Fixtures/ping.pcap", "--vs-kernel", "2.6"], "--vs-kernel"),
            (["Fixtures/ping.pcap", "--vs-host", "/nonexistent/host.json"], "/nonexistent/host.json"),
            (["Fixtures/ping.pcap", "--context", "-1"], "--context"),
            (["Fixtures/ping.pcap", "--format", "html"], "--format"),
            (["/nonexistent/capture.pcap"], "/nonexistent/capture.pcap"),
          ])
    func badInput(_ arguments: [String], _ named: String) throws {
        let run = try Self.pktpath(["diff"] + arguments + ["--host", "Fixtures/ping.host.json"])
        #expect(run.status == 2, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(run.messages.count == 1, "\(run)")
        #expect(run.messages.first?.contains(named) == true, "\(run)")
    }

    @Test("trace files: a foreign or broken second file, a single file, or replay options are input errors")
    func badTraceFiles() throws {
        let good = CLITests.temporaryPath(".jsonl")
        let broken = CLITests.temporaryPath(".jsonl")
        let foreign = CLITests.temporaryPath(".jsonl")
        defer { for p in [good, broken, foreign] { try? FileManager.default.removeItem(atPath: p) } }
        #expect(try Self.pktpath(["trace", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json", "--format", "json",
                                  "-o", good]).status == 0)
        let text = try String(contentsOfFile: good, encoding: .utf8)
        let firstLine = try #require(text.split(separator: "\n").first)
        try Data((firstLine + "\n{\"type\":\"packet\",\"frame\":1\n").utf8).write(to: URL(fileURLWithPath: broken))
        try Data(#"{"type":"header","schema":"other-tool/3"}"#.utf8).write(to: URL(fileURLWithPath: foreign))
        let cases: [([String], String)] = [
            ([good, broken], "line 2"),
            ([good, foreign], "other-tool/3"),
            ([good, "Fixtures/ping.pcap"], "Fixtures/ping.pcap"),
            ([good], "two"),
            (["Fixtures/ping.host.json", good], "not a pktpath trace"),
            (["/nonexistent/a.jsonl", good], "/nonexistent/a.jsonl"),
            ([good, good, "--set", "mtu=1400"], "--set"),
            ([good, good, "--vs-kernel", "6.1"], "--vs-kernel"),
        ]
        for (arguments, named) in cases {
            let run = try Self.pktpath(["diff"] + arguments)
            #expect(run.status == 2, "\(arguments): \(run)")
            #expect(run.stdout.isEmpty, "\(arguments): \(run)")
            #expect(run.messages.count == 1, "\(arguments): \(run)")
            #expect(run.messages.first?.contains(named) == true, "\(arguments): \(run)")
        }
    }

    @Test("-o writes the diff to a file; the exit status still says whether the sides differ")
    func outputFile() throws {
        let path = CLITests.temporaryPath(".txt")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try Self.pktpath(["diff", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json", "--set", "neigh=cold",
                                    "-o", path])
        #expect(run.status == 1, "\(run)")
        #expect(run.stdout.isEmpty)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("transmit→queue: 3"), "\(text)")
    }

    // MARK: - --explain

    @Test("trace --explain writes each call's one-line explanation; without it, none")
    func explain() throws {
        let args = ["trace", CLITests.synClosed, "--host", "Fixtures/tcp_syn_closed.host.json", "--frames", "1"]
        let run = try Self.pktpath(args + ["--explain"])
        #expect(run.status == 0, "\(run)")
        let explain = try Self.pktpath(["explain", "ip_rcv_core"])
        // `explain` prints the name and file, a blank line, then the function's description.
        let description = try #require(explain.lines.dropFirst(2).first)
        let line = try #require(run.lines.first { $0.contains("ip_rcv_core ") && $0.contains("net/ipv4/ip_input.c") })
        let parts = line.components(separatedBy: "  — ")
        try #require(parts.count == 2, "\(line)")
        let sentence = parts[1]
        #expect(sentence.hasSuffix(".") && sentence.count > 10, "\(line)")
        #expect(description.hasPrefix(String(sentence.dropLast())), "\(sentence) is not the start of \(description)")
        let plain = try Self.pktpath(args)
        #expect(!plain.out.contains(sentence), "\(plain)")
        #expect(plain.lines.count == run.lines.count)
        let json = try Self.pktpath(args + ["--explain", "--format", "json"])
        let events = CLITests.jsonLines(json).first { $0["type"] as? String == "packet" }?["events"] as? [[String: Any]] ?? []
        #expect(events.first { $0["func"] as? String == "ip_rcv_core" }?["explain"] as? String == sentence)
        let chain = try Self.pktpath(args + ["--explain", "--format", "chain"])
        #expect(chain.status == 2, "\(chain)")
    }
}
