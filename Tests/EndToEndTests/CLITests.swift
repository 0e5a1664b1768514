import Capture
import Foundation
import Testing
import TestSupport

/// The `pktpath` command as a user runs it: a subprocess with arguments, standard input, output and
/// exit status (README "Using it"; DESIGN.md "Command line" and "Bad input").
@Suite("pktpath command line")
struct CLITests {
    // MARK: - Running the command

    /// What one run of `pktpath` did.
    struct Run: CustomStringConvertible {
        var status: Int32
        var stdout: Data
        var stderr: String
        var out: String { String(decoding: stdout, as: UTF8.self) }
        /// Standard output split into lines (a trailing newline ends the last line, it does not start one).
        var lines: [String] {
            var l = out.components(separatedBy: "\n")
            if l.last == "" { l.removeLast() }
            return l
        }
        /// The lines of standard error that are pktpath's own messages (not the usage line).
        var messages: [String] { stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("pktpath:") } }
        var description: String { "exit \(status)\n--- stdout\n\(out.prefix(2_000))\n--- stderr\n\(stderr)" }
    }

    /// The built `pktpath` executable: next to the test bundle in SwiftPM's products directory.
    static let executable: URL? = {
        var dirs: [URL] = []
        if let env = ProcessInfo.processInfo.environment["PKTPATH_EXECUTABLE"] {
            return URL(fileURLWithPath: env)
        }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            dirs.append(dir)
            dir = dir.deletingLastPathComponent()
        }
        for bundle in Bundle.allBundles { dirs.append(bundle.bundleURL.deletingLastPathComponent()) }
        dirs.append(URL(fileURLWithPath: Repository.path(".build/debug")))
        return dirs.map { $0.appendingPathComponent("pktpath") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Runs `pktpath` with `arguments` in the repository root (so fixture paths are relative), feeding
    /// `stdin` (a file) when given.
    static func pktpath(_ arguments: [String], stdin: String? = nil) throws -> Run {
        let exe = try #require(executable, "the pktpath executable was not found next to the tests; run `swift build` first")
        let tmp = FileManager.default.temporaryDirectory
        let outURL = tmp.appendingPathComponent("pktpath-cli-\(UUID().uuidString).out")
        let errURL = tmp.appendingPathComponent("pktpath-cli-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = exe
        process.arguments = arguments
        process.currentDirectoryURL = Repository.root
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        process.standardOutput = outHandle
        process.standardError = errHandle
        let inHandle = try stdin.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) }
        process.standardInput = inHandle ?? FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        try inHandle?.close()
        return Run(status: process.terminationStatus, stdout: try Data(contentsOf: outURL),
                   stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    static func temporaryPath(_ suffix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("pktpath-cli-\(UUID().uuidString)\(suffix)").path
    }

    /// Parses JSON Lines output; records an issue for a line that is not a JSON object.
    static func jsonLines(_ run: Run) -> [[String: Any]] {
        run.lines.compactMap { line in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            if object == nil { Issue.record("not a JSON object: \(line.prefix(200))") }
            return object
        }
    }

    /// The packet lines' frame numbers.
    static func frames(_ records: [[String: Any]]) -> [Int] {
        records.filter { $0["type"] as? String == "packet" }.compactMap { $0["frame"] as? Int }
    }

    /// Every record in a capture as `PcapFile` reads it (the error that stopped it, if any).
    static func read(_ path: String) throws -> ([CapturedFrame], CaptureError?) {
        let file = try PcapFile(path: path)
        var out: [CapturedFrame] = []
        var frame = CapturedFrame()
        do {
            while try file.read(into: &frame) { out.append(frame) }
        } catch {
            return (out, error)
        }
        return (out, nil)
    }

    /// RFC 3339 UTC with nanoseconds, as the trace format writes `time`; computed here independently.
    static func rfc3339(_ ns: Int64) -> String {
        let seconds = ns / 1_000_000_000
        let fraction = ns % 1_000_000_000
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let whole = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))  // …:SSZ
        let digits = String(fraction)
        return String(whole.dropLast()) + "." + String(repeating: "0", count: 9 - digits.count) + digits + "Z"
    }

    static let synClosed = "Fixtures/oracle-examples/tcp_syn_closed/capture.pcap"

    // MARK: - Help and usage errors

    @Test("--help exits 0 and mentions the trace subcommand")
    func help() throws {
        let run = try Self.pktpath(["--help"])
        #expect(run.status == 0, "\(run)")
        #expect(run.out.contains("trace"), "\(run)")
    }

    @Test("trace --help lists the options")
    func traceHelp() throws {
        let run = try Self.pktpath(["trace", "--help"])
        #expect(run.status == 0, "\(run)")
        for option in ["--host", "--format", "--frames", "--only", "--output"] {
            #expect(run.out.contains(option), "\(option) missing from help")
        }
    }

    @Test("a bad option value exits 2 with one message naming the option and no output",
          arguments: [["--format", "bogus"], ["--frames", "3-1"], ["--frames", "0"], ["--frames", "x"],
                      ["--only", "sideways"], ["--device", "e1001"]])
    func badOption(_ option: [String]) throws {
        let run = try Self.pktpath(["trace", Self.synClosed] + option)
        #expect(run.status == 2, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(run.messages.count == 1, "\(run)")
        #expect(run.messages.first?.contains(option[0]) == true, "\(run)")
    }

    @Test("an unknown option exits 2")
    func unknownOption() throws {
        let run = try Self.pktpath(["trace", Self.synClosed, "--frobnicate"])
        #expect(run.status == 2, "\(run)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("frobnicate"), "\(run)")
    }

    // MARK: - Bad input

    @Test("a missing capture exits 2 with one message naming the file, nothing on stdout")
    func missingCapture() throws {
        let path = Self.temporaryPath(".pcap")
        let run = try Self.pktpath(["trace", path])
        #expect(run.status == 2, "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(run.messages.count == 1, "\(run)")
        #expect(run.messages.first?.contains(path) == true, "\(run)")
    }

    @Test("a missing capture with --host given is reported the same way")
    func missingCaptureWithHost() throws {
        let path = Self.temporaryPath(".pcap")
        let run = try Self.pktpath(["trace", path, "--host", "Fixtures/ping.host.json"])
        #expect(run.status == 2, "\(run)")
        #expect(run.stdout.isEmpty)
        #expect(run.messages.count == 1, "\(run)")
        #expect(run.messages.first?.contains(path) == true, "\(run)")
    }

    @Test("a file that is not a capture exits 2 naming it")
    func notACapture() throws {
        let path = Self.temporaryPath(".pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("GET / HTTP/1.1\r\nHost: example.org\r\n\r\nnot a capture at all\n".utf8).write(to: URL(fileURLWithPath: path))
        let run = try Self.pktpath(["trace", path])
        #expect(run.status == 2, "\(run)")
        #expect(run.stdout.isEmpty)
        #expect(run.messages.count == 1, "\(run)")
        #expect(run.messages.first?.contains(path) == true, "\(run)")
    }

    @Test("a capture of an unsupported link type exits 2 naming the link type")
    func unsupportedLinkType() throws {
        let path = Self.temporaryPath(".pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let writer = try PcapWriter(path: path, linkType: LinkType(rawValue: 147))
            writer.write(CapturedFrame(index: 1, timestampNanoseconds: 1, bytes: [0xde, 0xad, 0xbe, 0xef]))
        }
        let run = try Self.pktpath(["trace", path])
        #expect(run.status == 2, "\(run)")
        #expect(run.stdout.isEmpty)
        #expect(run.messages.count == 1, "\(run)")
        #expect(run.messages.first?.contains("147") == true, "\(run)")
        #expect(run.messages.first?.contains(path) == true, "\(run)")
    }

    @Test("a filter libpcap cannot compile exits 2 naming the expression")
    func badFilter() throws {
        let run = try Self.pktpath(["trace", "Fixtures/ping.pcap", "tcp", "port", "--host", "Fixtures/ping.host.json"])
        #expect(run.status == 2, "\(run)")
        #expect(run.stdout.isEmpty)
        #expect(run.messages.count == 1, "\(run)")
        #expect(run.messages.first?.contains("tcp port") == true, "\(run)")
    }

    @Test("a bad host profile exits 2 naming the key")
    func badHostProfile() throws {
        let path = Self.temporaryPath(".json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let profile = #"{"interfaces": [{"name": "eth0", "driver": "veth", "mac": "02:00:00:00:0d:00", "addresses": ["10.77.0.1/24"]}], "neighbors": []}"#
        try Data(profile.utf8).write(to: URL(fileURLWithPath: path))
        let run = try Self.pktpath(["trace", "Fixtures/ping.pcap", "--host", path])
        #expect(run.status == 2, "\(run)")
        #expect(run.stdout.isEmpty)
        #expect(run.messages.count == 1, "\(run)")
        #expect(run.messages.first?.contains("neighbors") == true, "\(run)")
    }

    @Test("a missing host profile exits 2 naming the file")
    func missingHostProfile() throws {
        let path = Self.temporaryPath(".json")
        let run = try Self.pktpath(["trace", "Fixtures/ping.pcap", "--host", path])
        #expect(run.status == 2, "\(run)")
        #expect(run.stdout.isEmpty)
        #expect(run.messages.first?.contains(path) == true, "\(run)")
    }

    @Test("an unmodeled kernel version exits 2")
    func unknownKernel() throws {
        let run = try Self.pktpath(["trace", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json", "--kernel", "2.6"])
        #expect(run.status == 2, "\(run)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("2.6"), "\(run)")
        // Checked with the other options, before a host is inferred from the capture.
        let inferred = try Self.pktpath(["trace", "Fixtures/ping.pcap", "--kernel", "5.99"])
        #expect(inferred.status == 2, "\(inferred)")
        #expect(inferred.messages.first?.contains("--kernel 5.99: not modeled; it must be one of: 4.14, 6.1, 6.12") == true, "\(inferred)")
        #expect(!inferred.stderr.contains("assumed host"), "\(inferred)")
    }

    // MARK: - Output formats

    @Test("--format json: header, one packet line per frame with the documented keys, summary")
    func jsonOutput() throws {
        let run = try Self.pktpath(["trace", Self.synClosed, "--format", "json"])
        #expect(run.status == 0, "\(run)")
        let records = Self.jsonLines(run)
        try #require(records.count >= 2, "\(run)")
        let (captured, error) = try Self.read(Repository.path(Self.synClosed))
        #expect(error == nil)

        let header = records[0]
        #expect(header["type"] as? String == "header")
        #expect(header["schema"] as? String == "pktpath-trace/1")
        #expect(header["kernel"] as? String == "6.12", "the default kernel is the newest profile")
        #expect(header["capture"] as? String == Self.synClosed)
        #expect(header["host"] is [String: Any])

        let packets = Array(records.dropFirst().dropLast())
        #expect(packets.count == captured.count)
        let keys = ["type", "frame", "time", "len", "caplen", "direction", "dev", "summary", "verdict", "proto",
                    "drop_reason", "drop_function", "caused_by", "events"]
        for (p, f) in zip(packets, captured) {
            #expect(p["type"] as? String == "packet")
            for key in keys { #expect(p.keys.contains(key), "packet line without \(key)") }
            #expect(p["frame"] as? Int == f.index)
            #expect(p["len"] as? Int == f.originalLength)
            #expect(p["caplen"] as? Int == f.capturedLength)
            #expect(p["time"] as? String == Self.rfc3339(f.timestampNanoseconds))
            let events = p["events"] as? [[String: Any]] ?? []
            #expect(!events.isEmpty)
            for e in events {
                #expect(e["depth"] is Int, "event without depth: \(e)")
                if e["func"] != nil { #expect(e["file"] is String, "function without file: \(e)") }
            }
        }
        // The one frame is a SYN to a closed port: the host answers RST and drops it for want of a socket.
        let syn = try #require(packets.first)
        #expect(syn["direction"] as? String == "rx")
        #expect(syn["verdict"] as? String == "drop")
        #expect(syn["proto"] as? String == "tcp")
        #expect(syn["drop_reason"] as? String == "SKB_DROP_REASON_NO_SOCKET")
        #expect(syn["drop_function"] as? String == "tcp_v4_rcv")
        #expect(syn["caused_by"] is NSNull)
        #expect((syn["summary"] as? String)?.contains("192.0.2.2:81") == true)
        let functions = (syn["events"] as? [[String: Any]] ?? []).compactMap { $0["func"] as? String }
        #expect(functions.contains("tcp_v4_send_reset"))

        let summary = try #require(records.last)
        #expect(summary["type"] as? String == "summary")
        #expect(summary["frames"] as? Int == captured.count)
        #expect((summary["verdicts"] as? [String: Any])?["drop"] as? Int == 1)
    }

    @Test("the summary's counts agree with the packet lines")
    func summaryCounts() throws {
        let run = try Self.pktpath(["trace", "Fixtures/bad_ip_checksum.pcap", "--host", "Fixtures/bad_ip_checksum.host.json",
                                    "--format", "json"])
        #expect(run.status == 0, "\(run)")
        let records = Self.jsonLines(run)
        let packets = records.filter { $0["type"] as? String == "packet" }
        var verdicts: [String: Int] = [:]
        for p in packets { verdicts[p["verdict"] as? String ?? "?", default: 0] += 1 }
        let summary = try #require(records.last)
        #expect(summary["type"] as? String == "summary")
        #expect(summary["frames"] as? Int == packets.count)
        #expect((summary["verdicts"] as? [String: Int]) == verdicts)
        #expect((summary["drop_reasons"] as? [String: Int]) == ["SKB_DROP_REASON_IP_CSUM": 1])
        // Frame 1 has a bad IP checksum; frame 3 is the reply to frame 2.
        #expect(packets.first?["drop_function"] as? String == "ip_rcv_core")
        #expect(packets.last?["caused_by"] as? Int == 2)
        #expect(packets.last?["direction"] as? String == "tx")
    }

    @Test("--format chain: one line per frame, the path joined by arrows, the drop reason")
    func chainOutput() throws {
        let run = try Self.pktpath(["trace", Self.synClosed, "--format", "chain"])
        #expect(run.status == 0, "\(run)")
        let (captured, _) = try Self.read(Repository.path(Self.synClosed))
        let frameLines = run.lines.filter { $0.hasPrefix("#") }
        #expect(frameLines.count == captured.count, "\(run)")
        let line = try #require(frameLines.first)
        #expect(line.hasPrefix("#1 rx "))
        #expect(line.contains(" → "))
        #expect(line.contains("SKB_DROP_REASON_NO_SOCKET"))
        #expect(line.contains("tcp_v4_rcv"))
    }

    @Test("--format chain: a packet seen again as it leaves, whose path is its first frame's, says it has none of its own")
    func chainWithoutPath() throws {
        let run = try Self.pktpath(["trace", "Fixtures/ctr_forward.pcap", "--host", "Fixtures/ctr_forward.host.json",
                                    "--format", "chain", "--frames", "1-2"])
        #expect(run.status == 0, "\(run)")
        let frameLines = run.lines.filter { $0.hasPrefix("#") }
        #expect(frameLines.count == 2, "\(run)")
        #expect(frameLines.first?.contains("ip_forward") == true, "\(run)")
        #expect(frameLines.last?.hasSuffix(" : (no path of its own) → transmit (caused by #1)") == true, "\(run)")
    }

    @Test("--only: timers that ran after the capture show with drops when they freed a packet, never with rx or tx")
    func onlyAndTimersAfterCapture() throws {
        func timerLines(_ capture: String, _ only: String?) throws -> [String] {
            let run = try Self.pktpath(["trace", "Fixtures/\(capture).pcap", "--host", "Fixtures/\(capture).host.json",
                                        "--format", "chain"] + (only.map { ["--only", $0] } ?? []))
            #expect(run.status == 0, "\(run)")
            return run.lines.filter { $0.hasPrefix("timer ") && $0.contains("after the capture") }
        }
        // Reassembly queues that time out free their fragments; time-wait sockets free no packet.
        let expiries = try timerLines("s_frag_mem", nil)
        #expect(!expiries.isEmpty && expiries.allSatisfy { $0.hasPrefix("timer ip_expire ") })
        #expect(try timerLines("s_frag_mem", "drops") == expiries)
        #expect(try timerLines("s_frag_mem", "rx").isEmpty)
        #expect(try !timerLines("client_browse", nil).isEmpty)
        #expect(try timerLines("client_browse", "drops").isEmpty)
        #expect(try timerLines("client_browse", "tx").isEmpty)
    }

    @Test("a SYN to a peer the host profile has no route to is not followed out: connect() would have failed")
    func connectWithoutRoute() throws {
        // client_refused's host with its default routes (IPv4 and IPv6) taken out.
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/client_refused.host.json")))
        var host = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        host["routes"] = []
        let path = Self.temporaryPath(".json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try JSONSerialization.data(withJSONObject: host).write(to: URL(fileURLWithPath: path))
        let run = try Self.pktpath(["trace", "Fixtures/client_refused.pcap", "--host", path, "--format", "json"])
        #expect(run.status == 0, "\(run)")
        let syns = Self.jsonLines(run).filter { ($0["summary"] as? String)?.contains(" [S] ") == true }
        #expect(syns.count == 2, "\(run)")
        for syn in syns {
            let events = syn["events"] as? [[String: Any]] ?? []
            let functions = events.compactMap { $0["func"] as? String }
            #expect(syn["verdict"] as? String == "unknown")
            #expect(functions.contains { $0 == "tcp_v4_connect" || $0 == "tcp_v6_connect" }, "\(functions)")
            #expect(!functions.contains("tcp_connect"), "\(functions)")
            #expect(events.contains { ($0["not_modeled"] as? String)?.contains("has no route to") == true })
        }
    }

    @Test("--format text is the default")
    func textIsDefault() throws {
        let a = try Self.pktpath(["trace", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json"])
        let b = try Self.pktpath(["trace", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json", "--format", "text"])
        #expect(a.status == 0 && b.status == 0)
        #expect(!a.stdout.isEmpty)
        #expect(a.stdout == b.stdout)
    }

    @Test("-o FILE writes what standard output would have", arguments: ["json", "chain", "text"])
    func outputFile(_ format: String) throws {
        let path = Self.temporaryPath(".out")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let args = ["trace", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json", "--format", format]
        let toStdout = try Self.pktpath(args)
        let toFile = try Self.pktpath(args + ["-o", path])
        #expect(toStdout.status == 0 && toFile.status == 0, "\(toFile)")
        #expect(toFile.stdout.isEmpty)
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(!written.isEmpty)
        #expect(written == toStdout.stdout)
    }

    // MARK: - Selecting frames

    @Test("--only picks frames by direction or drop, keeping capture frame numbers",
          arguments: [("drops", [1]), ("rx", [1, 2]), ("tx", [3])])
    func only(_ selection: String, _ expected: [Int]) throws {
        let run = try Self.pktpath(["trace", "Fixtures/bad_ip_checksum.pcap", "--host", "Fixtures/bad_ip_checksum.host.json",
                                    "--format", "json", "--only", selection])
        #expect(run.status == 0, "\(run)")
        let records = Self.jsonLines(run)
        #expect(Self.frames(records) == expected)
        let packets = records.filter { $0["type"] as? String == "packet" }
        switch selection {
        case "drops": #expect(packets.allSatisfy { $0["verdict"] as? String == "drop" })
        default: #expect(packets.allSatisfy { $0["direction"] as? String == selection })
        }
    }

    @Test("--frames 2-3 traces those capture positions only")
    func frameRange() throws {
        let all = try Self.pktpath(["trace", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json", "--format", "json"])
        let some = try Self.pktpath(["trace", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json", "--format", "json",
                                     "--frames", "2-3"])
        #expect(all.status == 0 && some.status == 0, "\(some)")
        #expect(Self.frames(Self.jsonLines(all)) == [1, 2, 3, 4, 5, 6])
        #expect(Self.frames(Self.jsonLines(some)) == [2, 3])
        // Frames 1 … 3 run through the model either way, so frames 2 and 3 come out the same.
        let packetLines = { (r: Run) in r.lines.filter { $0.hasPrefix(#"{"type":"packet""#) } }
        #expect(packetLines(some) == Array(packetLines(all)[1...2]))
        #expect(Self.jsonLines(some).last?["frames"] as? Int == 2)
    }

    @Test("--frames N traces one frame")
    func singleFrame() throws {
        let run = try Self.pktpath(["trace", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json", "--format", "json",
                                    "--frames", "4"])
        #expect(run.status == 0, "\(run)")
        let records = Self.jsonLines(run)
        #expect(Self.frames(records) == [4])
        #expect(records.first { $0["type"] as? String == "packet" }?["caused_by"] as? Int == 3)
    }

    @Test("a trailing filter expression selects frames and keeps their capture numbers")
    func filterExpression() throws {
        // otherhost.pcap: 1 echo request, 2 UDP datagram, 3 echo request, 4 echo reply.
        let all = try Self.pktpath(["trace", "Fixtures/otherhost.pcap", "--host", "Fixtures/otherhost.host.json",
                                    "--format", "json"])
        let icmp = try Self.pktpath(["trace", "Fixtures/otherhost.pcap", "icmp", "--host", "Fixtures/otherhost.host.json",
                                     "--format", "json"])
        let udp = try Self.pktpath(["trace", "Fixtures/otherhost.pcap", "udp", "and", "port", "7000",
                                    "--host", "Fixtures/otherhost.host.json", "--format", "json"])
        #expect(all.status == 0 && icmp.status == 0 && udp.status == 0, "\(icmp)\n\(udp)")
        let allRecords = Self.jsonLines(all)
        #expect(Self.frames(allRecords) == [1, 2, 3, 4])
        #expect(Self.frames(Self.jsonLines(icmp)) == [1, 3, 4])
        #expect(Self.frames(Self.jsonLines(udp)) == [2])
        for p in Self.jsonLines(icmp) where p["type"] as? String == "packet" {
            #expect((p["summary"] as? String)?.hasPrefix("ICMP") == true, "\(p["summary"] ?? "")")
        }
        #expect(Self.jsonLines(icmp).last?["frames"] as? Int == 3)
    }

    @Test("a filter on a fragmented datagram keeps every fragment (all carry the protocol)")
    func filterFragments() throws {
        let run = try Self.pktpath(["trace", "Fixtures/oracle-examples/ip_fragments/capture.pcap", "icmp", "--format", "chain"])
        #expect(run.status == 0, "\(run)")
        #expect(run.lines.filter { $0.hasPrefix("#") }.map { $0.prefix(3) } == ["#1 ", "#2 ", "#3 "])
    }

    // MARK: - Standard input

    /// Packet lines of a JSON run (the header names the capture, so it differs between a file and `-`).
    static func packetLines(_ run: Run) -> [String] {
        run.lines.filter { $0.hasPrefix(#"{"type":"packet""#) }
    }

    @Test("- reads the capture from standard input (with --host)")
    func standardInputWithHost() throws {
        let args = ["--host", "Fixtures/tcp_handshake.host.json", "--format", "json"]
        let file = try Self.pktpath(["trace", "Fixtures/tcp_handshake.pcap"] + args)
        let piped = try Self.pktpath(["trace", "-"] + args, stdin: Repository.path("Fixtures/tcp_handshake.pcap"))
        #expect(file.status == 0)
        #expect(piped.status == 0, "\(piped)")
        #expect(Self.packetLines(file).count == 12)
        #expect(Self.packetLines(piped) == Self.packetLines(file))
        #expect(Self.jsonLines(piped).first?["capture"] as? String == "-")
        #expect(piped.lines.last == file.lines.last)  // the summary
    }

    @Test("- with a filter and --host")
    func standardInputFiltered() throws {
        let args = ["--host", "Fixtures/otherhost.host.json", "--format", "json"]
        let piped = try Self.pktpath(["trace", "-", "icmp"] + args, stdin: Repository.path("Fixtures/otherhost.pcap"))
        #expect(piped.status == 0, "\(piped)")
        #expect(Self.frames(Self.jsonLines(piped)) == [1, 3, 4])
    }

    @Test("- reads the capture from standard input (host inferred)")
    func standardInputInferred() throws {
        let file = try Self.pktpath(["trace", "Fixtures/tcp_handshake.pcap", "--format", "json"])
        let piped = try Self.pktpath(["trace", "-", "--format", "json"], stdin: Repository.path("Fixtures/tcp_handshake.pcap"))
        #expect(file.status == 0, "\(file)")
        #expect(Self.packetLines(file).count == 12)
        #expect(piped.status == 0, "\(piped)")
        #expect(Self.packetLines(piped) == Self.packetLines(file))
    }

    // MARK: - Truncated captures

    @Test("a capture cut inside a record: earlier frames written as complete lines, the frame named, exit 2",
          arguments: ["json", "chain"])
    func truncatedCapture(_ format: String) throws {
        let path = Self.temporaryPath(".pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var data = try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/ping.pcap")))
        data.removeLast(10)
        try data.write(to: URL(fileURLWithPath: path))
        let (complete, error) = try Self.read(path)
        guard case let .truncated(_, broken, _) = error else {
            Issue.record("the chopped copy should be truncated, got \(String(describing: error))")
            return
        }
        #expect(broken == complete.count + 1)

        let run = try Self.pktpath(["trace", path, "--host", "Fixtures/ping.host.json", "--format", format])
        #expect(run.status == 2, "\(run)")
        #expect(run.out.hasSuffix("\n"), "the last line is cut: \(run)")
        #expect(run.messages.count == 1, "\(run)")
        #expect(run.messages.first?.contains("frame \(broken)") == true, "\(run)")
        #expect(run.messages.first?.contains(path) == true, "\(run)")
        if format == "json" {
            #expect(Self.frames(Self.jsonLines(run)) == complete.map(\.index))
        } else {
            #expect(run.lines.filter { $0.hasPrefix("#") }.count == complete.count)
            #expect(run.lines.filter { $0.hasPrefix("#") }.allSatisfy { $0.contains(" → ") })
        }
    }

    @Test("a truncated capture on standard input behaves the same")
    func truncatedStandardInput() throws {
        let path = Self.temporaryPath(".pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var data = try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/ping.pcap")))
        data.removeLast(10)
        try data.write(to: URL(fileURLWithPath: path))
        let run = try Self.pktpath(["trace", "-", "--host", "Fixtures/ping.host.json", "--format", "json"], stdin: path)
        #expect(run.status == 2, "\(run)")
        #expect(Self.frames(Self.jsonLines(run)) == [1, 2, 3, 4, 5])
        #expect(run.messages.first?.contains("frame 6") == true, "\(run)")
    }
}
