import CPcap
import Capture
import Foundation
import Testing
import TestSupport

/// `trace --format pcapng`: the capture again, read back by libpcap, by pktpath's own reader and by
/// tshark, each frame carrying its verdict and path as comments and its direction in `epb_flags`.
@Suite("pcapng output")
struct PcapngOutputTests {
    /// A real capture (Fixtures/README.md, counter fixtures) with deliveries, transmits, and drops for
    /// NO_SOCKET and OTHERHOST.
    static let capture = "Fixtures/ctr_closed.pcap"
    static let host = "Fixtures/ctr_closed.host.json"

    /// Traces `capture` to a pcapng file and as JSON; returns the file's path and the JSON packet records.
    static func traced(_ capture: String, host: String?, extra: [String] = []) throws -> (path: String, packets: [[String: Any]]) {
        let path = CLITests.temporaryPath(".pcapng")
        let hostArguments = host.map { ["--host", $0] } ?? []
        let run = try CLITests.pktpath(["trace", capture] + hostArguments + extra + ["--format", "pcapng", "-o", path])
        try #require(run.status == 0, "\(run)")
        #expect(run.stdout.isEmpty)
        let json = try CLITests.pktpath(["trace", capture] + hostArguments + extra + ["--format", "json"])
        let packets = CLITests.jsonLines(json).filter { $0["type"] as? String == "packet" }
        return (path, packets)
    }

    /// Every record of `path` as libpcap itself reads it (`pcap_next_ex`, nanosecond timestamps).
    static func libpcapRecords(_ path: String) throws -> [(ns: Int64, len: Int, bytes: [UInt8])] {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        let handle = try #require(pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf),
                                  "libpcap: \(String(cString: errbuf))")
        defer { pcap_close(handle) }
        var out: [(Int64, Int, [UInt8])] = []
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let rc = pcap_next_ex(handle, &header, &data)
            if rc == PCAP_ERROR_BREAK { break }
            try #require(rc == 1, "libpcap: \(String(cString: pcap_geterr(handle)))")
            let h = try #require(header?.pointee)
            let bytes = Array(UnsafeBufferPointer(start: data, count: Int(h.caplen)))
            out.append((Int64(h.ts.tv_sec) * 1_000_000_000 + Int64(h.ts.tv_usec), Int(h.len), bytes))
        }
        return out
    }

    @Test("libpcap reads back every frame with its bytes, length and nanosecond timestamp")
    func libpcapReadsIt() throws {
        let (path, packets) = try Self.traced(Self.capture, host: Self.host)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (input, error) = try CLITests.read(Self.capture)
        #expect(error == nil)
        let output = try Self.libpcapRecords(path)
        #expect(output.count == input.count && output.count == packets.count)
        for (a, b) in zip(input, output) {
            #expect(a.bytes == b.bytes, "frame \(a.index)")
            #expect(a.originalLength == b.len, "frame \(a.index)")
            #expect(a.timestampNanoseconds == b.ns, "frame \(a.index)")
        }
    }

    @Test("pktpath's own reader sees the interfaces named after the replay's devices, the modeled kernel in shb_os, and traces it as the input")
    func readsItselfBack() throws {
        let (path, packets) = try Self.traced("Fixtures/multi_if.pcapng", host: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try PcapFile(path: path)
        // An interface's description block comes just before its first frame: read them all.
        var frame = CapturedFrame()
        var count = 0
        while try file.read(into: &frame) { count += 1 }
        #expect(count == packets.count)
        #expect(file.metadata.os == "Linux 6.12 (modeled by pktpath)")
        #expect(file.metadata.application?.hasPrefix("pktpath ") == true)
        let devices = Set(packets.compactMap { $0["dev"] as? String })
        #expect(Set(file.metadata.interfaces.compactMap(\.name)) == devices)
        #expect(file.metadata.interfaces.map(\.linkType).contains(.DLT_RAW), "the tun interface's raw IP frames")
        // Replayed again, the written capture takes the same paths (interfaces, link types and bytes survive).
        let again = try CLITests.pktpath(["trace", path, "--host", "Fixtures/multi_if.host.json", "--format", "json"])
        let first = try CLITests.pktpath(["trace", "Fixtures/multi_if.pcapng", "--host", "Fixtures/multi_if.host.json", "--format", "json"])
        let verdicts = { (run: CLITests.Run) in
            CLITests.jsonLines(run).filter { $0["type"] as? String == "packet" }.map { "\($0["frame"]!) \($0["verdict"]!) \($0["dev"]!)" }
        }
        #expect(verdicts(again) == verdicts(first))
        #expect(!verdicts(first).isEmpty)
    }

    /// tshark, or `nil` with the reason a user's machine skips (under CI it must be there: .ci/run installs it).
    static func tshark() throws -> String? {
        for path in ["/usr/bin/tshark", "/usr/local/bin/tshark"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        try #require(ProcessInfo.processInfo.environment["CI"] != "true", "tshark is not installed (.ci/run installs it under CI)")
        return nil
    }

    /// Runs tshark with `arguments`; its standard output.
    static func run(_ tshark: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tshark)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "tshark \(arguments)")
        return String(decoding: data, as: UTF8.self)
    }

    @Test("tshark -Y 'frame.comment contains \"NO_SOCKET\"' finds exactly the frames dropped for NO_SOCKET",
          .enabled(if: (try? tshark()) != nil || ProcessInfo.processInfo.environment["CI"] == "true",
                   "tshark is not installed (Debian package tshark; .ci/run installs it under CI)"))
    func tsharkFindsTheDrops() throws {
        guard let tshark = try Self.tshark() else { return }
        let (path, packets) = try Self.traced(Self.capture, host: Self.host)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let dropped = packets.filter { $0["drop_reason"] as? String == "SKB_DROP_REASON_NO_SOCKET" }.compactMap { $0["frame"] as? Int }
        #expect(dropped.count == 2)
        let found = try Self.run(tshark, ["-r", path, "-Y", "frame.comment contains \"NO_SOCKET\"", "-T", "fields", "-e", "frame.number"])
        #expect(found.split(separator: "\n").compactMap { Int($0) } == dropped)
        // Every frame: its verdict comment, its path comment, and its direction flag (1 inbound, 2 outbound).
        let fields = try Self.run(tshark, ["-r", path, "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=^",
                                           "-e", "frame.number", "-e", "frame.packet_flags_direction", "-e", "frame.comment"])
        let rows = fields.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == packets.count)
        for (row, packet) in zip(rows, packets) {
            let frame = try #require(packet["frame"] as? Int)
            #expect(row.first == String(frame))
            #expect(row.count == 3, "\(row)")
            guard row.count == 3 else { continue }
            #expect(row[1] == (packet["direction"] as? String == "rx" ? "0x00000001" : "0x00000002"), "frame \(frame)")
            let comments = row[2].split(separator: "^").map(String.init)
            #expect(comments.count == 2, "frame \(frame): \(comments)")
            let verdict = try #require(packet["verdict"] as? String)
            let expected = switch verdict {
            case "drop": "pktpath verdict: ✗ \(packet["drop_reason"] as? String ?? "drop") in \(packet["drop_function"] as? String ?? "")"
            case "deliver": "pktpath verdict: ✓ deliver" + ((packet["proto"] as? String).map { " " + $0 } ?? "")
            case "transmit": "pktpath verdict: → transmit" + ((packet["caused_by"] as? Int).map { " (caused by #\($0))" } ?? "")
            default: "pktpath verdict: "
            }
            #expect(comments.first?.hasPrefix(expected) == true, "frame \(frame): \(comments)")
            // The path comment names the frame's functions in order (inlined ones are left out, as in the chain format).
            let events = packet["events"] as? [[String: Any]] ?? []
            let visible = events.filter { $0["func"] != nil && $0["inline"] as? Bool != true }.compactMap { $0["func"] as? String }
            #expect(comments.last == "pktpath path: " + visible.joined(separator: " → "), "frame \(frame)")
        }
    }

    @Test("the section header names the modeled kernel and holds the host profile, which --host reads back",
          .enabled(if: (try? tshark()) != nil || ProcessInfo.processInfo.environment["CI"] == "true",
                   "capinfos is not installed (Debian package tshark brings it)"))
    func sectionHeader() throws {
        guard try Self.tshark() != nil else { return }
        let (path, packets) = try Self.traced(Self.capture, host: Self.host, extra: ["--kernel", "6.1"])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let info = try Self.run("/usr/bin/capinfos", [path])
        #expect(info.contains("Capture oper-sys:    Linux 6.1 (modeled by pktpath)"), "\(info)")
        let comments = info.split(separator: "\n").filter { $0.hasPrefix("Capture comment:") }
            .map { $0.dropFirst("Capture comment:".count).trimmingCharacters(in: .whitespaces) }
        #expect(comments.count == 2)
        #expect(comments.first?.contains("replayed through a model of Linux 6.1") == true)
        // The second comment is a JSON trace's header line: a host profile pktpath takes back.
        let profile = CLITests.temporaryPath(".json")
        defer { try? FileManager.default.removeItem(atPath: profile) }
        try (comments.last ?? "").write(toFile: profile, atomically: true, encoding: .utf8)
        let again = try CLITests.pktpath(["trace", Self.capture, "--host", profile, "--format", "json"])
        #expect(again.status == 0, "\(again)")
        let verdicts = { (records: [[String: Any]]) in records.filter { $0["type"] as? String == "packet" }.map { "\($0["verdict"]!)" } }
        #expect(verdicts(CLITests.jsonLines(again)) == verdicts(packets))
        #expect(CLITests.jsonLines(again).first?["kernel"] as? String == "6.1")
    }

    @Test("--only drops writes only the dropped frames; a terminal is refused binary output")
    func selection() throws {
        let (path, packets) = try Self.traced(Self.capture, host: Self.host, extra: ["--only", "drops"])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Self.libpcapRecords(path).count == packets.count)
        #expect(packets.count == 4)
        let explain = try CLITests.pktpath(["trace", Self.capture, "--format", "pcapng", "--explain", "-o", path])
        #expect(explain.status == 2)
        #expect(explain.stderr.contains("--explain"))
    }
}
