import Foundation
import Testing
import TestSupport

/// `pktpath` on a pcapng of several interfaces of different link types (Fixtures/multi_if.pcapng:
/// dumpcap on a veth, a tun device and lo at once; Fixtures/README.md): each interface a device of its
/// own, with the host given or inferred, from a file or standard input, filtered, cut short.
@Suite("captures of several interfaces (pcapng)")
struct MultiInterfaceCaptureTests {
    static let capture = "Fixtures/multi_if.pcapng"
    static let host = ["--host", "Fixtures/multi_if.host.json"]
    /// The interface of each frame, as the capture's blocks say (tshark's frame.interface_name).
    static let devices = Array(repeating: "veth-mh", count: 18) + Array(repeating: "tun-mh", count: 15)
        + Array(repeating: "lo", count: 12)

    /// The packet lines of a JSON run.
    static func packets(_ run: CLITests.Run) -> [[String: Any]] {
        CLITests.jsonLines(run).filter { $0["type"] as? String == "packet" }
    }

    @Test("every frame is traced on its own interface's device, with the host given")
    func devicesWithHost() throws {
        let run = try CLITests.pktpath(["trace", Self.capture, "--format", "json"] + Self.host)
        #expect(run.status == 0, "\(run)")
        let packets = Self.packets(run)
        #expect(packets.map { $0["dev"] as? String } == Self.devices)
        // Raw IP on the tun device: the host's own packets (its IPv4 and IPv6 addresses) are sent, the peer's received.
        let tun = packets.filter { $0["dev"] as? String == "tun-mh" }
        #expect(tun.filter { $0["direction"] as? String == "tx" }.compactMap { $0["frame"] as? Int } == [19, 21, 23, 25, 26, 29, 30, 32])
        // The tun driver's own paths: the relay's write is received, what the host sends is queued for the relay.
        let ping = try CLITests.pktpath(["trace", Self.capture, "--frames", "19-20"] + Self.host)
        #expect(ping.out.contains("neigh_connected_output") && ping.out.contains("tun_net_xmit"), "\(ping.out)")
        #expect(ping.out.contains("tun_get_user") && ping.out.contains("tun_rx_batched"), "\(ping.out)")
        #expect(!ping.out.contains("veth_xmit") && !ping.out.contains("assumed resolved"), "\(ping.out)")
        // The veth's IPv4 answers and the loopback ping are modeled to the end, as the kernel's truth has them.
        #expect(packets[3]["drop_reason"] as? String == "SKB_DROP_REASON_NO_SOCKET")
        #expect(packets[33]["verdict"] as? String == "deliver")
    }

    @Test("the inferred host has one device per interface, named from the capture, said on stderr and in the header")
    func inferredDevices() throws {
        let run = try CLITests.pktpath(["trace", Self.capture, "--format", "json"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("a capture of 3 interfaces (pcapng): one device per interface"), "\(run.stderr)")
        let header = try #require(CLITests.jsonLines(run).first)
        let host = try #require(header["host"] as? [String: Any])
        let interfaces = try #require(host["interfaces"] as? [[String: Any]])
        #expect(interfaces.map { $0["name"] as? String } == ["veth-mh", "tun-mh", "lo"])
        #expect(interfaces.map { $0["driver"] as? String } == ["iwlwifi", "tun", "loopback"])
        #expect(interfaces[1]["addresses"] as? [String] == ["10.89.2.1/24", "fd00:89:2::1/64"])
        let assumptions = header["assumptions"] as? [String] ?? []
        #expect(assumptions.contains { $0.hasPrefix("on lo: ") }, "\(assumptions)")
        #expect(Self.packets(run).map { $0["dev"] as? String } == Self.devices)
    }

    @Test("from standard input, the same traces as from the file")
    func standardInput() throws {
        let file = try CLITests.pktpath(["trace", Self.capture, "--format", "json"])
        let piped = try CLITests.pktpath(["trace", "-", "--format", "json"], stdin: Repository.path(Self.capture))
        #expect(piped.status == 0, "\(piped)")
        #expect(CLITests.packetLines(piped) == CLITests.packetLines(file))
        #expect(CLITests.packetLines(piped).count == 45)
    }

    @Test("a filter selects frames of every link type: icmp on the veth, the tun device and lo")
    func filter() throws {
        let run = try CLITests.pktpath(["trace", Self.capture, "icmp", "--format", "json"] + Self.host)
        #expect(run.status == 0, "\(run)")
        #expect(CLITests.frames(CLITests.jsonLines(run)) == [3, 4, 19, 20, 34, 35])
    }

    @Test("cut short inside a block: the frames before it are written, the frame named, exit 2")
    func truncated() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Repository.path(Self.capture)))
        // The interface statistics blocks dumpcap writes last, and the end of the 45th packet's block.
        let ends = try CLITests.pktpath(["trace", Self.capture, "--format", "json"] + Self.host)
        #expect(Self.packets(ends).count == 45)
        let path = CLITests.temporaryPath(".pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lastPacket = Self.offsetOfLastPacketBlock(bytes)
        try bytes.prefix(lastPacket + 20).write(to: URL(fileURLWithPath: path))
        let run = try CLITests.pktpath(["trace", path, "--format", "json"] + Self.host)
        #expect(run.status == 2)
        #expect(Self.packets(run).count == 44)
        #expect(run.stderr.contains("is cut short at frame 45: truncated pcapng dump file"), "\(run.stderr)")
    }

    @Test("diff of the capture under two kernels runs frame by frame on the same devices")
    func diff() throws {
        let run = try CLITests.pktpath(["diff", Self.capture, "--kernel", "4.14", "--vs-kernel", "6.12", "--format", "json"] + Self.host)
        #expect(run.status == 0 || run.status == 1, "\(run)")
        #expect(!run.stderr.contains("cannot"), "\(run.stderr)")
    }

    /// Where the last enhanced packet block of a little-endian pcapng starts.
    static func offsetOfLastPacketBlock(_ data: Data) -> Int {
        let bytes = [UInt8](data)
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        var at = 0
        var last = 0
        while at + 8 <= bytes.count {
            if u32(at) == 6 { last = at }
            at += u32(at + 4)
        }
        return last
    }
}
