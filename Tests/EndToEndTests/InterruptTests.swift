import Capture
import Foundation
import Testing
import TestSupport
import Wire

/// SIGINT during `pktpath trace -o FILE` (issue 5, "Nothing lost"): the built command is run on a large
/// generated capture and interrupted once output has appeared. FILE must then hold the frames traced so
/// far as complete lines, frames 1…N in order, and the command must exit 130 (128 + SIGINT).
@Suite("interrupting pktpath trace")
struct InterruptTests {
    static let frames = 300_000
    static let hostMAC = MACAddress("02:00:00:00:0d:00")!
    static let peerMAC = MACAddress("02:00:00:00:0e:00")!
    static let hostIP = IPv4Address("10.77.0.1")!
    static let peerIP = IPv4Address("10.77.0.2")!

    static let hostJSON = """
        { "kernel": "6.1",
          "interfaces": [ { "name": "dut0", "driver": "veth", "mac": "\(hostMAC)", "mtu": 1500,
                            "addresses": ["\(hostIP)/24"], "captured": true } ],
          "neighbours": [ { "ip": "\(peerIP)", "mac": "\(peerMAC)", "dev": "dut0", "state": "permanent" } ],
          "sockets": [ { "proto": "udp", "addr": "0.0.0.0", "port": 53 } ],
          "sysctl": { "net.ipv4.icmp_ratelimit": 0 } }
        """

    /// An echo request to the host with sequence number `seq`, and a UDP datagram to its socket.
    static func frames(seq: UInt16) -> [[UInt8]] {
        func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
        var icmp: [UInt8] = [ICMPv4Packet.echoRequest, 0, 0, 0] + be16(7) + be16(seq) + Array("interrupt me".utf8)
        let sum = ~Checksum.fold(Checksum.add(icmp, start: 0, length: icmp.count))
        icmp[2] = UInt8(sum >> 8)
        icmp[3] = UInt8(sum & 0xff)
        let ping = IPv4Header(source: peerIP, destination: hostIP, proto: .icmp, payloadLength: icmp.count,
                              identification: seq).bytes + icmp
        let payload = Array("query".utf8)
        let udp = be16(40_000) + be16(53) + be16(UInt16(8 + payload.count)) + [0, 0] + payload
        let datagram = IPv4Header(source: peerIP, destination: hostIP, proto: .udp, payloadLength: udp.count,
                                  identification: seq &+ 1).bytes + udp
        let eth = EthernetHeader(destination: hostMAC, source: peerMAC, etherType: .ipv4).bytes
        return [eth + ping, eth + datagram]
    }

    /// A temporary directory holding the capture, the host profile and the output; removed at the end.
    final class Workspace {
        let directory: URL
        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("pktpath-interrupt-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        deinit { try? FileManager.default.removeItem(at: directory) }
    }

    /// Writes the large capture (pings and datagrams, a millisecond apart) and the host profile.
    static func prepare(_ workspace: Workspace) throws {
        let writer = try PcapWriter(path: workspace.path("large.pcap"), linkType: .DLT_EN10MB)
        var templates: [[[UInt8]]] = []
        for seq in 0..<64 { templates.append(frames(seq: UInt16(seq))) }
        for i in 0..<Self.frames {
            let bytes = templates[(i / 2) % templates.count][i % 2]
            writer.write(CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000,
                                       bytes: bytes))
        }
        writer.flush()
        try Data(hostJSON.utf8).write(to: URL(fileURLWithPath: workspace.path("host.json")))
    }

    /// Runs `pktpath trace` on the large capture writing to FILE, interrupts it once FILE holds more
    /// than `after` bytes, and returns FILE's contents, the exit status and standard error.
    static func interrupt(format: String, after: Int, input: String? = nil,
                          in workspace: Workspace) throws -> (output: Data, status: Int32, reason: Process.TerminationReason, stderr: String) {
        let exe = try #require(CLITests.executable, "the pktpath executable was not found; run `swift build` first")
        let output = workspace.path("trace.\(format)")
        let process = Process()
        process.executableURL = exe
        process.arguments = ["trace", input == nil ? workspace.path("large.pcap") : "-", "--host", workspace.path("host.json"),
                             "--format", format, "-o", output]
        let errURL = URL(fileURLWithPath: workspace.path("stderr"))
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let errHandle = try FileHandle(forWritingTo: errURL)
        process.standardError = errHandle
        process.standardOutput = FileHandle.nullDevice
        let inHandle = try input.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) }
        process.standardInput = inHandle ?? FileHandle.nullDevice
        try process.run()
        // Wait (up to two minutes) for output to appear, then interrupt.
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline {
            let size = ((try? FileManager.default.attributesOfItem(atPath: output))?[.size] as? NSNumber)?.intValue ?? 0
            if size > after { break }
            usleep(20_000)
        }
        #expect(process.isRunning, "pktpath finished before it could be interrupted")
        process.interrupt()
        process.waitUntilExit()
        try errHandle.close()
        try inHandle?.close()
        return (try Data(contentsOf: URL(fileURLWithPath: output)), process.terminationStatus, process.terminationReason,
                String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    @Test("SIGINT leaves FILE with complete JSON lines, frames 1…N, and exits 130")
    func json() throws {
        let workspace = try Workspace()
        try Self.prepare(workspace)
        let run = try Self.interrupt(format: "json", after: 200_000, in: workspace)
        #expect(run.reason == .exit && run.status == 130, "exit \(run.status) (\(run.reason)); \(run.stderr)")
        #expect(run.stderr.contains("interrupted"), "\(run.stderr)")
        let text = String(decoding: run.output, as: UTF8.self)
        #expect(text.hasSuffix("\n"), "the last line is not complete: …\(text.suffix(200))")
        var packets: [Int] = []
        var sawHeader = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                Issue.record("not a complete JSON object: \(line.prefix(300))")
                continue
            }
            switch object["type"] as? String {
            case "header": sawHeader = true
            case "packet": packets.append(object["frame"] as? Int ?? -1)
            default: break
            }
        }
        #expect(sawHeader)
        #expect(!packets.isEmpty)
        #expect(packets.count < Self.frames, "the run was not interrupted")
        #expect(packets == Array(1...max(1, packets.count)), "frames are not 1…N: \(packets.prefix(5))…\(packets.suffix(5))")
    }

    @Test("SIGINT leaves FILE with complete chain lines, frames 1…N, and exits 130")
    func chain() throws {
        let workspace = try Workspace()
        try Self.prepare(workspace)
        let run = try Self.interrupt(format: "chain", after: 100_000, in: workspace)
        #expect(run.reason == .exit && run.status == 130, "exit \(run.status) (\(run.reason)); \(run.stderr)")
        let text = String(decoding: run.output, as: UTF8.self)
        #expect(text.hasSuffix("\n"), "the last line is not complete: …\(text.suffix(200))")
        let lines = text.split(separator: "\n")
        let frames = lines.compactMap { line -> Int? in
            guard line.hasPrefix("#"), let end = line.firstIndex(of: " ") else { return nil }
            return Int(line[line.index(after: line.startIndex)..<end])
        }
        #expect(frames.count == lines.count, "lines that are not frames")
        #expect(!frames.isEmpty && frames.count < Self.frames)
        #expect(frames == Array(1...max(1, frames.count)))
        // Every line ends with the verdict, so a cut line would show.
        for line in lines where !(line.contains("✓") || line.contains("✗") || line.contains("→") || line.contains("?") || line.contains("…")) {
            Issue.record("a line without a verdict: \(line.suffix(200))")
        }
    }

    @Test("SIGINT also stops a replay waiting on standard input, keeping what was traced")
    func standardInputWaiting() throws {
        let exe = try #require(CLITests.executable, "the pktpath executable was not found; run `swift build` first")
        let workspace = try Workspace()
        try Data(Self.hostJSON.utf8).write(to: URL(fileURLWithPath: workspace.path("host.json")))
        let small = workspace.path("small.pcap")
        do {
            let writer = try PcapWriter(path: small, linkType: .DLT_EN10MB)
            for i in 0..<200 {
                writer.write(CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 1_000,
                                           bytes: Self.frames(seq: UInt16(i))[0]))
            }
        }
        let output = workspace.path("trace.json")
        let process = Process()
        process.executableURL = exe
        process.arguments = ["trace", "-", "--host", workspace.path("host.json"), "--format", "json", "-o", output]
        let pipe = Pipe()
        process.standardInput = pipe
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The capture's 200 frames, then nothing: the write end stays open, so pktpath waits for more.
        pipe.fileHandleForWriting.write(try Data(contentsOf: URL(fileURLWithPath: small)))
        sleep(3)
        process.interrupt()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            Issue.record("pktpath did not stop on SIGINT while waiting on standard input")
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        try pipe.fileHandleForWriting.close()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130,
                "exit \(process.terminationStatus) (\(process.terminationReason))")
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: output)), as: UTF8.self)
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n")
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
        let packets = lines.filter { $0.contains("\"type\":\"packet\"") }.count
        #expect((1...200).contains(packets), "\(packets) packets")
    }
}
