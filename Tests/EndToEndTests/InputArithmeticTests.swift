import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace
import TraceDiff
import Wire

/// Arithmetic on values that come from input, one test per class of value: modular where the kernel's
/// arithmetic is modular (sequence numbers), refused with a message naming the value where it is
/// impossible (profile and trace-file numbers, `--frames`), never a trap (byte offsets, option lengths).
@Suite("arithmetic on input values")
struct InputArithmeticTests {
    static let hostMAC = MACAddress("02:00:00:00:0d:00")!
    static let peerMAC = MACAddress("02:00:00:00:0e:00")!
    static let hostIP = IPv4Address("10.77.0.1")!
    static let peerIP = IPv4Address("10.77.0.2")!

    static func temporaryPath(_ suffix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("pktpath-arithmetic-\(UUID().uuidString)\(suffix)").path
    }

    @Test("a connection whose sequence numbers wrap past 2^32 delivers each segment in order, on every kernel",
          arguments: knownKernels)
    func sequenceWrap(kernel: String) throws {
        let rx = FrameBuilder(source: Self.peerMAC, destination: Self.hostMAC)
        let tx = FrameBuilder(source: Self.hostMAC, destination: Self.peerMAC)
        let isn: UInt32 = 0xffff_fff0
        let data = [UInt8](repeating: 0x61, count: 32)
        func seg(_ b: FrameBuilder, _ from: IPv4Address, _ to: IPv4Address, _ sp: UInt16, _ dp: UInt16, _ seq: UInt32,
                 _ ack: UInt32, _ flags: TCPFlags, _ payload: [UInt8] = []) -> [UInt8] {
            b.ipv4(from, to, .tcp, FrameBuilder.tcp(sp, dp, seq: seq, ack: ack, flags: flags, payload: payload))
        }
        let frames = [
            seg(rx, Self.peerIP, Self.hostIP, 40000, 8080, isn, 0, .syn),
            seg(tx, Self.hostIP, Self.peerIP, 8080, 40000, 900, isn &+ 1, [.syn, .ack]),
            seg(rx, Self.peerIP, Self.hostIP, 40000, 8080, isn &+ 1, 901, .ack),
            // 32 bytes from 0xfffffff1: the last of them is sequence number 0x10.
            seg(rx, Self.peerIP, Self.hostIP, 40000, 8080, isn &+ 1, 901, [.ack, .psh], data),
            seg(rx, Self.peerIP, Self.hostIP, 40000, 8080, isn &+ 33, 901, [.ack, .psh], data),
        ].enumerated().map { CapturedFrame(index: $0.offset + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64($0.offset) * 1_000_000, bytes: $0.element) }
        let json = """
            { "kernel": "\(kernel)",
              "interfaces": [ { "name": "dut0", "driver": "veth", "mac": "\(Self.hostMAC)", "addresses": ["\(Self.hostIP)/24"], "captured": true } ],
              "sockets": [ { "proto": "tcp", "port": 8080, "state": "listen" } ] }
            """
        let session = try ReplaySession(frames: frames, captureName: "wrap", host: try HostProfile.parse(Data(json.utf8)))
        var traces: [PacketTrace] = []
        _ = try session.run { traces.append($0) }
        try #require(traces.count == 5)
        // Both data segments are the next expected bytes: the second starts at 0x11, past the wrap. Header
        // prediction takes both (its seq == rcv_nxt test), and the host, which has sent no data, holds no
        // socket memory for them: they are queued through tcp_data_queue (tcp_rcv_established's step5).
        for t in traces.suffix(2) {
            #expect(t.verdict == .deliver, "\(t.functions)")
            #expect(t.functions.contains("tcp_data_queue"), "\(t.functions)")
            #expect(t.events.contains { if case .note(let n, _) = $0 { n.hasPrefix("predicted, but") } else { false } })
        }
    }

    @Test("frames 1681 and 2255 apart, back and forth: host inference and the clock measure the gap without overflow")
    func timestampsAtBothEndsOfTheClock() throws {
        let path = Self.temporaryPath(".pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let toPeer = FrameBuilder(source: Self.hostMAC, destination: Self.peerMAC)
        let toHost = FrameBuilder(source: Self.peerMAC, destination: Self.hostMAC)
        let syn = toPeer.ipv4(Self.hostIP, Self.peerIP, .tcp, FrameBuilder.tcp(40000, 80, seq: 1, flags: .syn))
        let synAck = toHost.ipv4(Self.peerIP, Self.hostIP, .tcp, FrameBuilder.tcp(80, 40000, seq: 7, ack: 2, flags: [.syn, .ack]))
        // Nanosecond units, offset -9.2e9 s: 0.1e18 is 1681, 18.2e18 is 2255; their gap exceeds Int64.
        let early: UInt64 = 100_000_000_000_000_000, late: UInt64 = 18_200_000_000_000_000_000
        try Data(PcapngBuilder.capture(tsresol: 9, tsoffset: -9_200_000_000, records: [
            (early, syn, UInt32(syn.count)), (late, synAck, UInt32(synAck.count)), (early, syn, UInt32(syn.count)),
        ])).write(to: URL(fileURLWithPath: path))
        let run = try CLITests.pktpath(["trace", path, "--format", "json"])
        #expect(run.status == 0, "\(run)")
        let packets = run.lines.filter { $0.contains(#""type":"packet""#) }
        try #require(packets.count == 3, "\(run)")
        #expect(packets[2].contains("before an earlier frame: the clock stays at that frame's time"), "\(packets[2])")
    }

    @Test("byte reads at any offset, Int.max and negative included, give 0 instead of trapping")
    func byteReadsAtExtremeOffsets() {
        let bytes: [UInt8] = [1, 2, 3, 4, 5]
        for offset in [Int.min, -1, 4, 5, Int.max - 3, Int.max - 1, Int.max] {
            #expect(bytes.u8(at: offset) == (offset == 4 ? 5 : 0))
            #expect(bytes.u16be(at: offset) == 0 && bytes.u16le(at: offset) == 0)
            #expect(bytes.u32be(at: offset) == 0 && bytes.u32le(at: offset) == 0)
        }
        #expect(bytes.u16be(at: 3) == 0x0405 && bytes.u32le(at: 1) == 0x0504_0302)
    }

    @Test("a profile number that is not an exact integer is refused, naming the field", arguments: [
        (#""mtu": 1500.5"#, "interfaces[0].mtu"), (#""mtu": 1e300"#, "interfaces[0].mtu"), (#""mtu": true"#, "interfaces[0].mtu"),
        (#""mtu": 1500, "ifindex": 2.5"#, "interfaces[0].ifindex"),
        (#""mtu": 1500, "ifindex": 9223372036854775808"#, "interfaces[0].ifindex"),
    ])
    func inexactProfileNumbers(field: String, name: String) {
        let json = """
            { "kernel": "6.1", "interfaces": [ { "name": "dut0", "driver": "veth", "mac": "\(Self.hostMAC)", \(field),
              "addresses": ["\(Self.hostIP)/24"], "captured": true } ] }
            """
        #expect { try HostProfile.parse(Data(json.utf8)) } throws: { "\($0)".contains(name) }
    }

    @Test("a sysctl beyond 64 bits or with a fraction is refused as sysctl -w refuses it, not wrapped",
          arguments: ["1e30", "2.5", "-1e30"])
    func inexactSysctl(value: String) {
        let json = """
            { "kernel": "6.1", "interfaces": [ { "name": "dut0", "driver": "veth", "mac": "\(Self.hostMAC)",
              "addresses": ["\(Self.hostIP)/24"], "captured": true } ], "sysctl": { "net.ipv4.ip_default_ttl": \(value) } }
            """
        #expect { try HostProfile.parse(Data(json.utf8)) } throws: {
            "\($0)".contains("sysctl.net.ipv4.ip_default_ttl") && "\($0)".contains("not an integer")
        }
    }

    @Test("a trace file's call depth or frame number beyond reason is refused with its line, not rendered", arguments: [
        (#"{"type":"packet","frame":1,"direction":"rx","summary":"s","verdict":"drop","events":[{"func":"ip_rcv","depth":1000000000000000}]}"#, "depth 1000000000000000"),
        (#"{"type":"packet","frame":1e300,"direction":"rx","summary":"s","verdict":"drop","events":[]}"#, "frame:"),
        (#"{"type":"packet","frame":1,"direction":"rx","summary":"s","verdict":"drop","events":[{"func":"ip_rcv","depth":1.5}]}"#, "events[0]"),
    ])
    func traceFileNumbers(line: String, message: String) throws {
        let path = Self.temporaryPath(".jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data((#"{"type":"header","schema":""# + TraceHeader.schema + #"","kernel":"6.1","capture":"c.pcap"}"# + "\n" + line + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect { try TraceFile.read(path: path) } throws: { "\($0)".contains("line 2") && "\($0)".contains(message) }
    }

    @Test("--frames: the largest range runs to the end; a number beyond 64 bits is refused, naming the option")
    func framesRange() throws {
        let all = try CLITests.pktpath(["trace", "Fixtures/tcp_handshake.pcap", "--frames", "2-\(Int.max)", "--format", "chain"])
        #expect(all.status == 0, "\(all)")
        let text = String(decoding: all.stdout, as: UTF8.self)
        #expect(!text.isEmpty && !text.hasPrefix("#1 ") && text.contains("#2 "), "\(all)")
        let beyond = try CLITests.pktpath(["trace", "Fixtures/tcp_handshake.pcap", "--frames", "1-99999999999999999999"])
        #expect(beyond.status != 0)
        #expect(beyond.stderr.contains("--frames"), "\(beyond)")
    }

    @Test("a pcapng option length of 0xffff running past its block: the read is refused with the reason libpcap gives, exit 2")
    func pcapngOptionLengths() throws {
        let frame = FrameBuilder(source: Self.peerMAC, destination: Self.hostMAC)
            .ipv4(Self.peerIP, Self.hostIP, .udp, FrameBuilder.udp(40_000, 9, payload: [1]))
        // if_name claiming 65,535 bytes in a block of a few dozen.
        let options: [UInt8] = [2, 0, 0xff, 0xff, 0x65, 0x74, 0x68, 0x30]
        let bytes = PcapngBuilder.capture(interfaces: [.init(options: options)], records: [.init(ts: 1, bytes: frame, len: UInt32(frame.count))])
        let path = Self.temporaryPath(".pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let run = try CLITests.pktpath(["trace", path, "--format", "chain"])
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.contains("cannot read capture") && run.stderr.contains("too short"), "\(run)")
    }
}
