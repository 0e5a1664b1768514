import Capture
import Foundation
import KernelNet
import Replay
import Testing
import TestSupport
import Trace
import Wire

/// Inputs that once crashed or hung pktpath, each written here from scratch: a pcapng whose timestamp
/// 64-bit nanoseconds cannot hold (it trapped in the reader), and a multicast frame with a malformed IP
/// option that the model answered with an ICMP error, looped back, answered again, without end.
@Suite("input that once crashed or hung pktpath")
struct InputHardeningTests {
    static let hostMAC = MACAddress("02:00:00:00:0d:00")!
    static let peerMAC = MACAddress("02:00:00:00:0e:00")!
    static let hostIP = IPv4Address("10.77.0.1")!
    static let strangerIP = IPv4Address("10.77.0.9")!
    static let igmpGroup = IPv4Address("224.0.0.22")!

    static func temporaryPath(_ suffix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("pktpath-hardening-\(UUID().uuidString)\(suffix)").path
    }

    // MARK: - A timestamp past 2262

    @Test("a pcapng timestamp near 2^64 µs: every frame traced, the clock held, a note saying why, exit 0")
    func farFutureTimestamp() throws {
        let path = Self.temporaryPath(".pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let frame = FrameBuilder(source: Self.peerMAC, destination: Self.hostMAC)
            .ipv4(Self.strangerIP, Self.hostIP, .udp, FrameBuilder.udp(40_000, 9, payload: [1, 2, 3]))
        let usec: UInt64 = 1_700_000_000_000_000
        try Data(PcapngBuilder.capture(records: [(usec, frame, UInt32(frame.count)), (UInt64.max - 4, frame, UInt32(frame.count)),
                                                 (usec + 1_000_000, frame, UInt32(frame.count))]))
            .write(to: URL(fileURLWithPath: path))
        let run = try CLITests.pktpath(["trace", path, "--format", "json"])
        #expect(run.status == 0, "\(run)")
        let packets = run.lines.compactMap { line -> [String: Any]? in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  o["type"] as? String == "packet" else { return nil }
            return o
        }
        try #require(packets.count == 3, "\(run)")
        #expect(packets[0]["time"] as? String == "2023-11-14T22:13:20.000000000Z")
        // The unrepresentable frame is processed at the previous frame's time, and says so first.
        #expect(packets[1]["time"] as? String == packets[0]["time"] as? String)
        let notes = (packets[1]["events"] as? [[String: Any]] ?? []).compactMap { $0["note"] as? String }
        #expect(notes.first?.contains("18446744073709 s + 551611000 ns since 1970 is outside what 64-bit nanoseconds hold") == true,
                "\(notes)")
        #expect(packets[2]["time"] as? String == "2023-11-14T22:13:21.000000000Z")
    }

    @Test("a frame stamped before the one before it is processed at that one's time, and says so")
    func clockNeverGoesBack() throws {
        let frame = FrameBuilder(source: Self.peerMAC, destination: Self.hostMAC)
            .ipv4(Self.strangerIP, Self.hostIP, .udp, FrameBuilder.udp(40_000, 9, payload: [1]))
        let t0: Int64 = 1_700_000_000_000_000_000
        let session = try ReplaySession(frames: [], captureName: "clock", host: try Self.host(driver: "veth"))
        _ = session.trace(CapturedFrame(index: 1, timestampNanoseconds: t0, bytes: frame))
        let late = session.trace(CapturedFrame(index: 2, timestampNanoseconds: t0 - 2_500_000, bytes: frame))
        #expect(session.kernel.now == t0)
        #expect(late.events.contains { if case .note(let n, _) = $0 { n.hasPrefix("stamped 2 ms before an earlier frame") } else { false } })
    }

    // MARK: - A multicast frame with a malformed option

    static func host(driver: String, kernel: String = "6.1") throws -> HostProfile {
        let json = """
            { "kernel": "\(kernel)",
              "interfaces": [ { "name": "dut0", "driver": "\(driver)", "mac": "\(hostMAC)", "mtu": 1500,
                                "addresses": ["\(hostIP)/24"], "captured": true } ],
              "routes": [ { "dst": "default", "via": "10.77.0.254", "dev": "dut0" } ],
              "sockets": [ { "proto": "udp", "addr": "0.0.0.0", "port": 5000, "groups": ["\(igmpGroup)"] } ],
              "sysctl": { "net.ipv4.icmp_ratelimit": 0 } }
            """
        return try HostProfile.parse(Data(json.utf8))
    }

    /// An Ethernet frame to `group`'s MAC with an IPv4 header carrying a Router Alert option of length
    /// 0 (malformed: at least 4) and `transport` behind it, with a correct header checksum.
    static func malformedRouterAlert(from source: IPv4Address, mac: MACAddress, proto: IPProtocol, _ transport: [UInt8]) -> [UInt8] {
        var ip = IPv4Header(source: source, destination: igmpGroup, proto: proto, payloadLength: transport.count + 4, ttl: 1).bytes
        ip[0] = 0x46  // ihl 6: one word of options
        ip += [148, 0, 0, 0]
        ip[10] = 0
        ip[11] = 0
        Checksum.updateIPv4Header(&ip)
        let groupMAC = MACAddress(rawValue: 0x01_00_5e_00_00_16)
        return EthernetHeader(destination: groupMAC, source: mac, etherType: .ipv4).bytes + ip + transport
    }

    static let igmpReport: [UInt8] = [0x16, 0, 0xfa, 0x04, 224, 0, 0, 22]

    /// The trace of `bytes` as the only frame of a capture, on `driver` under `kernel`.
    static func trace(_ bytes: [UInt8], driver: String, kernel: String) throws -> PacketTrace {
        let session = try ReplaySession(frames: [], captureName: "hardening", host: try host(driver: driver, kernel: kernel))
        return session.trace(CapturedFrame(index: 1, timestampNanoseconds: 1_700_000_000_000_000_000, bytes: bytes))
    }

    static let cases: [(String, String)] = HostProfile.ethernetDrivers.flatMap { d in ["4.14", "6.1", "6.12"].map { (d, $0) } }

    @Test("sent from the host's MAC with another host's source: not forwarded (ip_forward takes PACKET_HOST only), not modeled",
          arguments: cases)
    func sentMulticastFromStranger(_ driver: String, _ kernel: String) throws {
        let t = try Self.trace(Self.malformedRouterAlert(from: Self.strangerIP, mac: Self.hostMAC, proto: .igmp, Self.igmpReport),
                               driver: driver, kernel: kernel)
        #expect(t.direction == .tx)
        #expect(t.verdict == .unknown)
        #expect(!t.functions.contains("ip_forward"))
        #expect(t.events.contains { if case .notModeled(let n, _) = $0 { n.contains("multicast or broadcast packet from another host's address") } else { false } })
    }

    @Test("received from another host: dropped at the options, and no ICMP error to a multicast", arguments: cases)
    func receivedMulticast(_ driver: String, _ kernel: String) throws {
        let t = try Self.trace(Self.malformedRouterAlert(from: Self.strangerIP, mac: Self.peerMAC, proto: .igmp, Self.igmpReport),
                               driver: driver, kernel: kernel)
        #expect(t.direction == .rx)
        #expect(t.verdict == .drop)
        #expect(t.functions.contains("ip_options_compile"))
        #expect(!t.events.contains { if case .note(let n, _) = $0 { n.contains("built and sent") } else { false } })
    }

    @Test("sent by the host itself: its looped-back copy (PACKET_LOOPBACK) draws no ICMP error", arguments: cases)
    func ownMulticastLoopedBack(_ driver: String, _ kernel: String) throws {
        var udp = FrameBuilder.udp(5000, 5000, payload: [1, 2, 3, 4])
        udp[6] = 0
        udp[7] = 0  // no checksum
        let t = try Self.trace(Self.malformedRouterAlert(from: Self.hostIP, mac: Self.hostMAC, proto: .udp, udp),
                               driver: driver, kernel: kernel)
        #expect(t.direction == .tx)
        #expect(t.verdict == .transmit)
        #expect(t.functions.contains("dev_loopback_xmit"))
        #expect(t.functions.filter { $0 == "process_backlog" }.count == 1, "one looped-back copy, received once: \(t.functions)")
        #expect(t.events.contains { if case .note(let n, _) = $0 { n.contains("(PACKET_LOOPBACK)") } else { false } })
    }
}
