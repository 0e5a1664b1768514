import Capture
import Foundation
import KernelNet
import Replay
import Testing
import Trace
import Wire

/// Replaying a ping (echo request to the host, its echo reply) captured on every link type pktpath
/// reads, with each modeled driver: the request is delivered to ICMP, the reply leaves from `icmp_reply`.
@Suite("ReplaySession")
struct ReplaySessionTests {
    static let hostMAC = MACAddress("02:00:00:00:0d:00")!
    static let peerMAC = MACAddress("02:00:00:00:0e:00")!
    static let hostIP = IPv4Address("10.77.0.1")!
    static let peerIP = IPv4Address("10.77.0.2")!

    /// The link types of the README's list, and how each wraps an IPv4 packet.
    enum Link: String, CaseIterable, Sendable {
        case ethernet, linuxSLL, linuxSLL2, rawIP, bsdLoopback

        var linkType: LinkType {
            switch self {
            case .ethernet: .DLT_EN10MB
            case .linuxSLL: .DLT_LINUX_SLL
            case .linuxSLL2: .DLT_LINUX_SLL2
            case .rawIP: .DLT_RAW
            case .bsdLoopback: .DLT_NULL
            }
        }

        /// `packet` (an IPv4 packet) behind this link type's header. `outgoing` says whether the host
        /// sent it (cooked captures say so in the packet type; Ethernet by the source MAC).
        func wrap(_ packet: [UInt8], outgoing: Bool) -> [UInt8] {
            let src = outgoing ? hostMAC : peerMAC
            let macBytes = (0..<6).map { UInt8(truncatingIfNeeded: src.rawValue >> (40 - 8 * $0)) }
            switch self {
            case .ethernet:
                return EthernetHeader(destination: outgoing ? peerMAC : hostMAC, source: src, etherType: .ipv4).bytes + packet
            case .linuxSLL:
                // packet type, ARPHRD_ETHER, address length, address (8 bytes), protocol
                let type: UInt16 = outgoing ? 4 : 0
                return be16(type) + be16(1) + be16(6) + macBytes + [0, 0] + be16(0x0800) + packet
            case .linuxSLL2:
                // protocol, reserved, ifindex, ARPHRD_ETHER, packet type, address length, address (8 bytes)
                return be16(0x0800) + [0, 0] + [0, 0, 0, 1] + be16(1) + [outgoing ? 4 : 0, 6] + macBytes + [0, 0] + packet
            case .rawIP:
                return packet
            case .bsdLoopback:
                return [2, 0, 0, 0] + packet  // AF_INET, little-endian
            }
        }
    }

    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }

    /// An IPv4 ICMP echo (request or reply) with correct IP and ICMP checksums.
    static func echo(request: Bool, from source: IPv4Address, to destination: IPv4Address,
                     id: UInt16 = 0x1234, seq: UInt16 = 1) -> [UInt8] {
        let payload = Array("pktpath replay test".utf8)
        var icmp: [UInt8] = [request ? ICMPv4Packet.echoRequest : ICMPv4Packet.echoReply, 0, 0, 0]
            + be16(id) + be16(seq) + payload
        let sum = ~Checksum.fold(Checksum.add(icmp, start: 0, length: icmp.count))
        icmp[2] = UInt8(sum >> 8)
        icmp[3] = UInt8(sum & 0xff)
        let ip = IPv4Header(source: source, destination: destination, proto: .icmp, payloadLength: icmp.count,
                            identification: request ? 0x4242 : 0x4343)
        return ip.bytes + icmp
    }

    static func host(driver: String) throws -> HostProfile {
        let json = """
            { "kernel": "6.1",
              "interfaces": [ { "name": "dut0", "driver": "\(driver)", "mac": "\(hostMAC)", "mtu": 1500,
                                "addresses": ["\(hostIP)/24"], "captured": true } ],
              "neighbours": [ { "ip": "\(peerIP)", "mac": "\(peerMAC)", "dev": "dut0", "state": "permanent" } ],
              "sysctl": { "net.ipv4.icmp_ratelimit": 0 } }
            """
        return try HostProfile.parse(Data(json.utf8))
    }

    /// Writes the ping on `link` to a temporary capture and replays it; returns every trace.
    static func replay(_ link: Link, driver: String) throws -> (traces: [PacketTrace], summary: TraceSummary) {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("pktpath-replay-\(link.rawValue)-\(driver)-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let t0: Int64 = 1_700_000_000_000_000_000
        let request = link.wrap(echo(request: true, from: peerIP, to: hostIP), outgoing: false)
        let reply = link.wrap(echo(request: false, from: hostIP, to: peerIP), outgoing: true)
        do {
            let writer = try PcapWriter(path: path, linkType: link.linkType)
            writer.write(CapturedFrame(index: 1, timestampNanoseconds: t0, bytes: request))
            writer.write(CapturedFrame(index: 2, timestampNanoseconds: t0 + 45_000, bytes: reply))
            writer.flush()
        }
        let file = try PcapFile(path: path)
        let session = try ReplaySession(capture: file, captureName: "ping-\(link.rawValue).pcap", host: try host(driver: driver))
        var traces: [PacketTrace] = []
        let summary = try session.run { traces.append($0) }
        return (traces, summary)
    }

    @Test("an echo request to the host is delivered to ICMP and its reply is transmitted",
          arguments: Link.allCases, ["veth", "iwlwifi"])
    func ping(_ link: Link, driver: String) throws {
        let (traces, summary) = try Self.replay(link, driver: driver)
        try #require(traces.count == 2)
        #expect(summary.frames == 2)

        let rx = traces[0]
        #expect(rx.frame == 1)
        #expect(rx.direction == .rx)
        #expect(rx.device == "dut0")
        #expect(rx.timeNanoseconds == 1_700_000_000_000_000_000)
        #expect(rx.summary.contains("echo request"), "\(rx.summary)")
        #expect(rx.verdict == .deliver)
        #expect(rx.proto == "icmp")
        #expect(rx.dropReason == nil)
        let f = rx.functions
        // With iwlwifi the frame comes up through GRO and list receive (ip_list_rcv); veth uses ip_rcv.
        let ipEntry = driver == "iwlwifi" ? "ip_list_rcv" : "ip_rcv"
        for name in [ipEntry, "ip_rcv_core", "ip_local_deliver", "icmp_rcv"] {
            #expect(f.contains(name), "\(name) missing from \(f)")
        }
        if let core = f.firstIndex(of: "ip_rcv_core"), let icmp = f.firstIndex(of: "icmp_rcv") {
            #expect(core < icmp)
        }

        let tx = traces[1]
        #expect(tx.frame == 2)
        #expect(tx.direction == .tx)
        #expect(tx.summary.contains("echo reply"), "\(tx.summary)")
        #expect(tx.verdict == .transmit)
        #expect(tx.functions.first == "icmp_reply", "\(tx.functions)")
        #expect(tx.causedBy == 1)
    }

    @Test("the direction of a cooked frame comes from its packet type, not its addresses",
          arguments: [Link.linuxSLL, .linuxSLL2])
    func cookedDirection(_ link: Link) throws {
        // An echo request from the host's own address, but marked as received (packet type 0).
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("pktpath-replay-dir-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let writer = try PcapWriter(path: path, linkType: link.linkType)
            writer.write(CapturedFrame(index: 1, timestampNanoseconds: 1,
                                       bytes: link.wrap(Self.echo(request: true, from: Self.hostIP, to: Self.peerIP), outgoing: false)))
            writer.write(CapturedFrame(index: 2, timestampNanoseconds: 2,
                                       bytes: link.wrap(Self.echo(request: true, from: Self.peerIP, to: Self.hostIP), outgoing: true)))
        }
        let session = try ReplaySession(capture: try PcapFile(path: path), captureName: "dir", host: try Self.host(driver: "veth"))
        var traces: [PacketTrace] = []
        _ = try session.run { traces.append($0) }
        #expect(traces.map(\.direction) == [.rx, .tx])
    }

    @Test("frames outside --frames are run but not handed over")
    func frameRange() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("pktpath-replay-range-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let writer = try PcapWriter(path: path, linkType: .DLT_EN10MB)
            for seq in UInt16(1)...3 {
                let t = Int64(seq) * 1_000_000
                writer.write(CapturedFrame(index: 0, timestampNanoseconds: t, bytes: Link.ethernet.wrap(
                    Self.echo(request: true, from: Self.peerIP, to: Self.hostIP, seq: seq), outgoing: false)))
                writer.write(CapturedFrame(index: 0, timestampNanoseconds: t + 1, bytes: Link.ethernet.wrap(
                    Self.echo(request: false, from: Self.hostIP, to: Self.peerIP, seq: seq), outgoing: true)))
            }
        }
        let session = try ReplaySession(capture: try PcapFile(path: path), captureName: "range", host: try Self.host(driver: "veth"))
        var traces: [PacketTrace] = []
        let summary = try session.run(frames: 4...5) { traces.append($0) }
        #expect(traces.map(\.frame) == [4, 5])
        #expect(summary.frames == 2)
        // Frame 4 answers frame 3, which was replayed though not handed over.
        #expect(traces.first?.causedBy == 3)
    }
}
