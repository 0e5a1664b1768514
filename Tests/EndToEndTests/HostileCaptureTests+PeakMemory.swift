import Capture
import Foundation
import Testing
import TestSupport
import Wire

#if canImport(Glibc)
import Glibc
#endif

/// Peak memory as a user measures it (issue 13): the `pktpath` command run as a child process on a
/// capture of each shape of traffic the bench set has, in every mode (`trace --format chain`, `json`,
/// text, `stats`), its peak resident set read from outside the process (`wait4`'s `ru_maxrss`, what
/// `/usr/bin/time -f %M` prints, through a small `python3` parent), and bounded by ``peakMemoryBound``. The JSON run's output goes to a
/// reader that takes it slowly, so a replay that buffered its output instead of waiting would show.
extension HostileCaptureTests {
    /// The most resident memory a `pktpath` run may reach, whatever the capture (issue 13).
    static let peakMemoryBound = 64 << 20

    /// Frames in each shape's capture; `PKTPATH_HOSTILE_FRAMES` raises it with the floods.
    static var shapeFrames: Int { max(10_000, floodFrames / 20) }

    // MARK: - Shapes

    /// A first fragment (MF, offset 0) with its own reassembly key: the id and source vary together.
    static func firstFragmentFrame(_ i: Int) -> CapturedFrame {
        frame(ethernet(ipv4(from: remote(i >> 16), to: hostIP, proto: .udp, id: UInt16(truncatingIfNeeded: i),
                            moreFragments: true, [UInt8](repeating: 0xab, count: 64))))
    }

    /// A SYN to the listener with a four-tuple of its own: 65,536 source ports per remote address.
    static func synFloodFrame(_ i: Int) -> CapturedFrame {
        frame(ethernet(tcp(from: remote(i >> 16), UInt16(truncatingIfNeeded: i), to: hostIP, 80, flags: .syn,
                           seq: UInt32(truncatingIfNeeded: i))))
    }

    /// Frame `i` of many short connections on lo: SYN, SYN-ACK, ACK, FIN from the server, FIN-ACK,
    /// ACK, with client ports cycling through 2,000.
    static func loopbackFrame(_ i: Int) -> CapturedFrame {
        let local = IPv4Address("127.0.0.1")!
        let port = UInt16(40_000 + (i / 6) % 2_000)
        let base = UInt32(truncatingIfNeeded: (i / 6) &* 100_000)
        let segment: [UInt8] = switch i % 6 {
        case 0: tcp(from: local, port, to: local, 8080, flags: .syn, seq: base)
        case 1: tcp(from: local, 8080, to: local, port, flags: [.syn, .ack], seq: 7, ack: base &+ 1)
        case 2: tcp(from: local, port, to: local, 8080, flags: .ack, seq: base &+ 1, ack: 8)
        case 3: tcp(from: local, 8080, to: local, port, flags: [.fin, .ack], seq: 8, ack: base &+ 1)
        case 4: tcp(from: local, port, to: local, 8080, flags: [.fin, .ack], seq: base &+ 1, ack: 9)
        default: tcp(from: local, 8080, to: local, port, flags: .ack, seq: 9, ack: base &+ 2)
        }
        return frame(ethernet(segment, from: .zero, to: .zero))
    }

    /// Frame `i` of a million distinct flows: data for connections the host does not have, UDP to the
    /// bound socket and to a closed port, and the host connecting out.
    static func flowFrame(_ i: Int) -> CapturedFrame {
        let remote = remote(i >> 16)
        let port = UInt16(truncatingIfNeeded: i)
        switch i % 4 {
        case 0:  // data for a connection the host does not have: a reset, no state
            return frame(ethernet(tcp(from: remote, port, to: hostIP, 80, flags: [.ack, .psh], ack: 1,
                                      payload: Array("GET /".utf8))))
        case 1:  // to the bound UDP socket
            return frame(ethernet(udp(from: remote, port, to: hostIP, 53)))
        case 2:  // to a closed UDP port: port unreachable
            return frame(ethernet(udp(from: remote, port, to: hostIP, 9)))
        default:  // the host connecting out (SYN_SENT state per flow)
            return frame(ethernet(tcp(from: hostIP, port, to: remote, 443, flags: .syn), from: hostMAC, to: gatewayMAC))
        }
    }

    /// Frame `i` of a client behind its router talking IPv4 and IPv6 at once: the flows of
    /// ``flowFrame(_:)`` on even frames, UDP over IPv6 between off-link addresses (through the router)
    /// on odd ones.
    static func mixedFrame(_ i: Int) -> CapturedFrame {
        guard i % 2 == 1 else { return flowFrame(i / 2) }
        let toHost = i % 4 == 1
        var client: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        var server: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0xff, 0, 0, 0, 0, 0, 0, 0] + be32(UInt32(truncatingIfNeeded: i >> 2))
        if toHost { swap(&client, &server) }
        let payload = Array("pktpath mixed".utf8)
        let length = UInt16(8 + payload.count)
        var datagram = be16(UInt16(truncatingIfNeeded: 1_024 + i % 60_000)) + be16(53) + be16(length) + [0, 0] + payload
        var pseudo = Checksum.add(client, start: 0, length: 16, to: 0)
        pseudo = Checksum.add(server, start: 0, length: 16, to: pseudo)
        pseudo = Checksum.add([0, 0, 0, UInt8(length), 0, 0, 0, IPProtocol.udp.rawValue], start: 0, length: 8, to: pseudo)
        let sum = ~Checksum.fold(Checksum.add(datagram, start: 0, length: datagram.count, to: pseudo))
        datagram[6] = UInt8(sum >> 8)
        datagram[7] = UInt8(sum & 0xff)
        let ip: [UInt8] = [0x60, 0, 0, 0] + be16(length) + [IPProtocol.udp.rawValue, 64] + client + server + datagram
        return frame(toHost ? ethernet(ip, etherType: .ipv6) : ethernet(ip, from: hostMAC, to: gatewayMAC, etherType: .ipv6))
    }

    /// Frame `i` of bulk TCP into the host's listener as GRO hands it up: after the handshake, aggregates
    /// of four full segments (5,792 bytes, beyond the MTU), each acknowledged by the host.
    static func bulkFrame(_ i: Int) -> CapturedFrame {
        let aggregate = 4 * 1_448
        let clientISN: UInt32 = 1_000
        let serverISN: UInt32 = 5_000
        switch i {
        case 0: return frame(ethernet(tcp(from: peerIP, 40_000, to: hostIP, 80, flags: .syn, seq: clientISN), from: peerMAC))
        case 1:
            return frame(ethernet(tcp(from: hostIP, 80, to: peerIP, 40_000, flags: [.syn, .ack], seq: serverISN,
                                      ack: clientISN &+ 1), from: hostMAC, to: peerMAC))
        case 2:
            return frame(ethernet(tcp(from: peerIP, 40_000, to: hostIP, 80, flags: .ack, seq: clientISN &+ 1,
                                      ack: serverISN &+ 1), from: peerMAC))
        default:
            let k = (i - 3) / 2
            let start = clientISN &+ 1 &+ UInt32(truncatingIfNeeded: k &* aggregate)
            if (i - 3) % 2 == 0 {
                let payload = [UInt8](repeating: UInt8(truncatingIfNeeded: k), count: aggregate)
                return frame(ethernet(tcp(from: peerIP, 40_000, to: hostIP, 80, flags: .ack, seq: start,
                                          ack: serverISN &+ 1, payload: payload), from: peerMAC))
            }
            return frame(ethernet(tcp(from: hostIP, 80, to: peerIP, 40_000, flags: .ack, seq: serverISN &+ 1,
                                      ack: start &+ UInt32(aggregate)), from: hostMAC, to: peerMAC))
        }
    }

    /// The shapes: a name, the frame maker, and whether the host is inferred (lo) or ``hostJSON(driver:)``.
    static let shapes: [(name: String, frame: @Sendable (Int) -> CapturedFrame, inferred: Bool)] = [
        ("short connections on lo", loopbackFrame, true),
        ("client behind a router, IPv4 and IPv6", mixedFrame, false),
        ("bulk TCP in GRO aggregates", bulkFrame, false),
        ("SYN flood", synFloodFrame, false),
        ("fragments", firstFragmentFrame, false),
    ]

    // MARK: - Running pktpath as a child process

    /// What one `pktpath` run did: its exit status, its peak resident set (bytes) and its output.
    struct ChildRun {
        var status: Int32
        var peakResident: Int
        var output: Data
    }

    /// Starts `pktpath` from a small process of its own and reports its peak resident set: on Linux a
    /// process's `ru_maxrss` starts from the memory of the process that forked it, so a child of this
    /// (large) test process would report the tests' memory. `python3` forks, execs `pktpath`, and writes
    /// its exit status and `wait4`'s `ru_maxrss` (KiB) to the file named first.
    static let measuringParent = """
        import os, sys
        pid = os.fork()
        if pid == 0:
            os.execv(sys.argv[2], sys.argv[2:])
        _, status, usage = os.wait4(pid, 0)
        with open(sys.argv[1], "w") as out:
            out.write("%d %d" % (os.waitstatus_to_exitcode(status), usage.ru_maxrss))
        """

    /// Runs `pktpath` with `arguments`, reading its standard output through a pipe, slowly when `slow`
    /// (16 KiB at a time with a pause between reads), and returns its exit status and peak resident set.
    static func runChild(_ arguments: [String], slow: Bool) throws -> ChildRun {
        let exe = try #require(CLITests.executable, "the pktpath executable was not found next to the tests; run `swift build` first")
        let report = TemporaryCapture("peak")
        var pipe: [Int32] = [0, 0]
        #expect(Glibc.pipe(&pipe) == 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        posix_spawn_file_actions_addclose(&actions, pipe[1])
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = (["python3", "-c", measuringParent, report.path, exe.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawnp(&pid, "python3", &actions, nil, argv, environ)
        close(pipe[1])
        defer { close(pipe[0]) }
        try #require(spawned == 0, "posix_spawnp python3: \(spawned)")
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: slow ? 16 << 10 : 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(pipe[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            output.append(contentsOf: buffer[0..<n])
            if slow { usleep(1_000) }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let fields = try String(contentsOfFile: report.path, encoding: .utf8).split(separator: " ").compactMap { Int($0) }
        try #require(fields.count == 2, "the measuring parent reported nothing (exit \(status))")
        return ChildRun(status: Int32(fields[0]), peakResident: fields[1] * 1024, output: output)
    }

    @Test("pktpath's peak memory stays within 64 MiB on every shape of traffic, in every mode, also with a slow reader",
          arguments: shapes.indices)
    func peakMemory(_ index: Int) throws {
        let shape = Self.shapes[index]
        let n = Self.shapeFrames
        let capture = try Self.write("shape\(index)", count: n, shape.frame)
        let host = TemporaryCapture("shape\(index)-host")
        try Data(Self.hostJSON().utf8).write(to: URL(fileURLWithPath: host.path))
        let hostArguments = shape.inferred ? [] : ["--host", host.path]
        let modes: [(arguments: [String], slow: Bool)] = [
            (["stats"], false), (["trace", "--format", "chain"], false), (["trace"], false),
            (["trace", "--format", "json"], true),
        ]
        for mode in modes {
            let run = try Self.runChild(mode.arguments + [capture.path] + hostArguments, slow: mode.slow)
            let what = "\(shape.name), \(mode.arguments.joined(separator: " "))\(mode.slow ? " (slow reader)" : "")"
            print("hostile peak memory \(what): \(Self.mib(run.peakResident)), \(run.output.count) bytes of output")
            #expect(run.status == 0, "\(what): exit status \(run.status)")
            #expect(run.peakResident > 0 && run.peakResident <= Self.peakMemoryBound,
                    "\(what): peak resident set \(Self.mib(run.peakResident))")
            if mode.arguments == ["stats"] {
                #expect(String(decoding: run.output, as: UTF8.self).hasPrefix("frames: \(n)\n"), "\(what)")
            } else if mode.arguments.last == "json" {
                // A header, a record per frame and the summary.
                #expect(run.output.count { $0 == UInt8(ascii: "\n") } == n + 2, "\(what)")
            }
        }
    }
}
