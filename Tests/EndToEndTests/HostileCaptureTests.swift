import Capture
import Foundation
import KernelNet
import Replay
import Testing
import TestSupport
import Trace
import TraceRender
import Wire

/// Captures built to hurt (issue 5, "Unbreakable"): floods of fragments, SYNs and flows, stacked VLAN
/// tags, empty and maximum-size frames. Each is written with `PcapWriter` and replayed with
/// `ReplaySession` streaming, as `pktpath trace` does; the tests check that the model's state stays
/// within the kernel-like caps, that frames keep being traced after the flood, and that memory stays flat.
///
/// Memory is the process's resident set (`VmRSS`), sampled when a tenth of the flood has been replayed
/// and again at its end: growth over the last nine tenths must stay under ``rssGrowthBound``. State that
/// grew per frame (a million fragment queues or connections) would add hundreds of MiB; the allowance
/// covers allocator slack and the other suites running in the same process.
///
/// Floods are ``floodFrames`` frames: 200,000 by default, so that a debug build replays each in about a
/// minute (the model runs a few thousand frames a second unoptimized); `PKTPATH_HOSTILE_FRAMES=1000000`
/// runs the full million. 200,000 is past every cap tested here (about 5,000 fragment queues, 65,536
/// connections). Time is never asserted; that cost per frame does not grow with the flood is checked
/// through the trace events per frame, first tenth against last tenth.
@Suite("hostile captures", .serialized)
struct HostileCaptureTests {
    static let hostMAC = MACAddress("02:00:00:00:0d:00")!
    static let peerMAC = MACAddress("02:00:00:00:0e:00")!
    static let gatewayMAC = MACAddress("02:00:00:00:0f:00")!
    static let hostIP = IPv4Address("10.77.0.1")!
    static let peerIP = IPv4Address("10.77.0.2")!
    static let t0: Int64 = 1_700_000_000_000_000_000

    static let floodFrames: Int = ProcessInfo.processInfo.environment["PKTPATH_HOSTILE_FRAMES"].flatMap { Int($0) }
        ?? 200_000
    /// SYNs in the SYN flood: at most 100,000 unless `PKTPATH_HOSTILE_FRAMES` is set, past the 65,536
    /// connections `SocketTable` keeps by 34,464 evictions. Beyond that the replay slows down more than
    /// linearly (100,000 SYNs replay in about 12 s in a debug build, 200,000 in about 470 s):
    /// `SocketTable.setConnection` evicts `tcp.keys.first`, and always removing the lowest bucket of a
    /// Swift `Dictionary` while inserting at hashed ones packs the live entries into a dense run that
    /// linear probing then crawls through. Reported to the model's owner; raise this once fixed.
    static let synFloodFrames: Int = ProcessInfo.processInfo.environment["PKTPATH_HOSTILE_FRAMES"] == nil
        ? min(floodFrames, 100_000) : floodFrames
    /// The most the resident set may grow over the last nine tenths of a flood.
    static let rssGrowthBound = 200 << 20

    // MARK: - Building frames

    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
    static func be32(_ v: UInt32) -> [UInt8] { be16(UInt16(v >> 16)) + be16(UInt16(v & 0xffff)) }

    /// An address outside the host's subnet, reached through its gateway: 198.18.0.0/15 counted up.
    static func remote(_ i: Int) -> IPv4Address { IPv4Address(rawValue: 0xc612_0000 &+ UInt32(truncatingIfNeeded: i & 0x1ffff)) }

    static func ethernet(_ payload: [UInt8], from source: MACAddress = gatewayMAC, to destination: MACAddress = hostMAC,
                         etherType: EtherType = .ipv4) -> [UInt8] {
        EthernetHeader(destination: destination, source: source, etherType: etherType).bytes + payload
    }

    static func ipv4(from source: IPv4Address, to destination: IPv4Address, proto: IPProtocol, id: UInt16 = 0,
                     moreFragments: Bool = false, fragmentOffset: Int = 0, _ payload: [UInt8]) -> [UInt8] {
        IPv4Header(source: source, destination: destination, proto: proto, payloadLength: payload.count,
                   identification: id, dontFragment: !moreFragments && fragmentOffset == 0,
                   moreFragments: moreFragments, fragmentOffset: fragmentOffset).bytes + payload
    }

    /// A TCP segment (no options) with a correct checksum.
    static func tcp(from source: IPv4Address, _ sport: UInt16, to destination: IPv4Address, _ dport: UInt16,
                    flags: TCPFlags, seq: UInt32 = 1000, ack: UInt32 = 0, payload: [UInt8] = []) -> [UInt8] {
        var segment = be16(sport) + be16(dport) + be32(seq) + be32(ack) + [0x50, flags.rawValue] + be16(64_240)
            + [0, 0, 0, 0] + payload
        let sum = ~Checksum.fold(Checksum.add(segment, start: 0, length: segment.count,
                                              to: Checksum.pseudoHeader(source: source, destination: destination,
                                                                        protocol: .tcp, length: segment.count)))
        segment[16] = UInt8(sum >> 8)
        segment[17] = UInt8(sum & 0xff)
        return ipv4(from: source, to: destination, proto: .tcp, segment)
    }

    /// A UDP datagram without a checksum (0: none, allowed for IPv4).
    static func udp(from source: IPv4Address, _ sport: UInt16, to destination: IPv4Address, _ dport: UInt16,
                    payload: [UInt8] = Array("hostile".utf8)) -> [UInt8] {
        ipv4(from: source, to: destination, proto: .udp,
             be16(sport) + be16(dport) + be16(UInt16(8 + payload.count)) + [0, 0] + payload)
    }

    /// An ICMP echo request with a correct checksum.
    static func echoRequest(from source: IPv4Address, to destination: IPv4Address, seq: UInt16 = 1) -> [UInt8] {
        icmpEcho(seq: seq).withIPv4(from: source, to: destination)
    }

    static func icmpEcho(seq: UInt16, payload: [UInt8] = Array("pktpath hostile capture".utf8)) -> ICMPBytes {
        var icmp: [UInt8] = [ICMPv4Packet.echoRequest, 0, 0, 0] + be16(0x4242) + be16(seq) + payload
        let sum = ~Checksum.fold(Checksum.add(icmp, start: 0, length: icmp.count))
        icmp[2] = UInt8(sum >> 8)
        icmp[3] = UInt8(sum & 0xff)
        return ICMPBytes(bytes: icmp)
    }

    struct ICMPBytes {
        var bytes: [UInt8]
        func withIPv4(from source: IPv4Address, to destination: IPv4Address, id: UInt16 = 0x77) -> [UInt8] {
            HostileCaptureTests.ipv4(from: source, to: destination, proto: .icmp, id: id, bytes)
        }
    }

    // MARK: - Writing and replaying

    /// The host every capture is replayed on: one interface, a TCP listener on port 80, a UDP socket on
    /// port 53, a default route through 10.77.0.254.
    static func host(driver: String = "veth") throws -> HostProfile {
        try HostProfile.parse(Data(hostJSON(driver: driver).utf8))
    }

    /// The profile of ``host(driver:)``, as a `--host` file holds it.
    static func hostJSON(driver: String = "veth") -> String {
        """
            { "kernel": "6.1",
              "interfaces": [ { "name": "dut0", "driver": "\(driver)", "mac": "\(hostMAC)", "mtu": 1500,
                                "addresses": ["\(hostIP)/24"], "captured": true } ],
              "routes": [ { "dst": "default", "via": "10.77.0.254", "dev": "dut0" } ],
              "neighbours": [ { "ip": "10.77.0.254", "mac": "\(gatewayMAC)", "dev": "dut0", "state": "permanent" },
                              { "ip": "\(peerIP)", "mac": "\(peerMAC)", "dev": "dut0", "state": "permanent" } ],
              "sockets": [ { "proto": "tcp", "addr": "0.0.0.0", "port": 80, "state": "listen" },
                           { "proto": "udp", "addr": "0.0.0.0", "port": 53 } ],
              "sysctl": { "net.ipv4.icmp_ratelimit": 0 } }
            """
    }

    /// A capture in the temporary directory, removed when the test ends.
    final class TemporaryCapture {
        let path: String
        init(_ name: String) {
            path = FileManager.default.temporaryDirectory
                .appendingPathComponent("pktpath-hostile-\(name)-\(UUID().uuidString).pcap").path
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Writes `count` frames made by `frame(i)` (nil: none at that position), one microsecond apart
    /// unless `time` says otherwise.
    static func write(_ name: String, count: Int, linkType: LinkType = .DLT_EN10MB,
                      time: (Int) -> Int64 = { t0 + Int64($0) * 1_000 },
                      _ frame: (Int) -> CapturedFrame?) throws -> TemporaryCapture {
        let capture = TemporaryCapture(name)
        let writer = try PcapWriter(path: capture.path, linkType: linkType)
        for i in 0..<count {
            guard var f = frame(i) else { continue }
            if f.timestampNanoseconds == 0 { f.timestampNanoseconds = time(i) }
            writer.write(f)
        }
        writer.flush()
        return capture
    }

    static func frame(_ bytes: [UInt8], originalLength: Int? = nil) -> CapturedFrame {
        CapturedFrame(index: 0, timestampNanoseconds: 0, originalLength: originalLength, bytes: bytes)
    }

    /// What a replay did.
    struct Outcome {
        var summary: TraceSummary
        var verdicts: [Verdict: Int] { summary.verdicts }
        /// Traces of the frames asked for with `keep`.
        var kept: [Int: PacketTrace] = [:]
        /// Trace events per frame over the first and the last tenth of the frames.
        var eventsPerFrameFirstTenth = 0.0
        var eventsPerFrameLastTenth = 0.0
        /// Resident set when a tenth of the frames had been replayed, and at the end.
        var rssAtTenth = 0
        var rssAtEnd = 0
        var rssGrowth: Int { rssAtEnd - rssAtTenth }
        var session: ReplaySession
    }

    /// Replays the capture at `path` on `host`, keeping the traces of the frames `keep` selects and
    /// rendering those as JSON (rendering every frame would triple the time in a debug build).
    static func replay(_ capture: TemporaryCapture, host: HostProfile? = nil, expectedFrames: Int,
                       keep: (Int) -> Bool = { _ in false }) throws -> Outcome {
        let session = try ReplaySession(capture: try PcapFile(path: capture.path), captureName: "hostile",
                                        host: try host ?? Self.host())
        let renderer = JSONRenderer()
        var kept: [Int: PacketTrace] = [:]
        var rendered = 0
        var rssAtTenth = 0
        let tenth = max(1, expectedFrames / 10)
        var eventsFirst = 0
        var eventsLast = 0
        let summary = try session.run { trace in
            if keep(trace.frame) {
                kept[trace.frame] = trace
                rendered &+= renderer.frame(trace).utf8.count
            }
            if trace.frame <= tenth { eventsFirst += trace.events.count }
            if trace.frame > expectedFrames - tenth { eventsLast += trace.events.count }
            if trace.frame == tenth { rssAtTenth = residentBytes() }
        }
        #expect(kept.isEmpty || rendered > 0)
        return Outcome(summary: summary, kept: kept, eventsPerFrameFirstTenth: Double(eventsFirst) / Double(tenth),
                       eventsPerFrameLastTenth: Double(eventsLast) / Double(tenth), rssAtTenth: rssAtTenth,
                       rssAtEnd: residentBytes(), session: session)
    }

    /// The process's resident set size (`VmRSS` in /proc/self/status), in bytes; 0 where there is none.
    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kib = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
            return (kib ?? 0) * 1024
        }
        return 0
    }

    static func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

    /// Records the memory a flood took, for the log (`swift test` prints it with the test's name).
    static func report(_ name: String, _ outcome: Outcome) {
        print("hostile \(name): \(outcome.summary.frames) frames, VmRSS \(mib(outcome.rssAtTenth)) at a tenth, "
              + "\(mib(outcome.rssAtEnd)) at the end (growth \(mib(outcome.rssGrowth))); events a frame "
              + String(format: "%.1f first tenth, %.1f last tenth", outcome.eventsPerFrameFirstTenth,
                       outcome.eventsPerFrameLastTenth) + "; verdicts \(outcome.verdicts)")
    }

    /// That the flood's later frames cost no more model work than its first ones (no per-frame scan
    /// of state that grows), as trace events per frame; and that memory stayed flat.
    static func expectFlat(_ outcome: Outcome, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.eventsPerFrameLastTenth <= outcome.eventsPerFrameFirstTenth * 1.5 + 5,
                "events per frame: first tenth \(outcome.eventsPerFrameFirstTenth), last \(outcome.eventsPerFrameLastTenth)",
                sourceLocation: sourceLocation)
        #expect(outcome.rssGrowth < rssGrowthBound, "VmRSS grew by \(mib(outcome.rssGrowth))", sourceLocation: sourceLocation)
    }

    // MARK: - Floods

    @Test("a flood of first fragments with distinct keys fills fragment memory up to ipfrag_high_thresh, then drops")
    func fragmentFlood() throws {
        let n = Self.floodFrames
        // Each first fragment (MF, offset 0) opens its own queue: the id and source vary together, so no
        // two share a reassembly key. After the flood, 31 s later (past ipfrag_time), a datagram in two
        // fragments must reassemble, and a ping must be delivered.
        let later = Self.t0 + Int64(n) * 1_000 + 31_000_000_000
        let whole = Self.icmpEcho(seq: 9, payload: [UInt8](repeating: 0x5a, count: 48)).bytes
        let capture = try Self.write("fragments", count: n + 3) { i in
            switch i {
            case ..<n:
                return Self.firstFragmentFrame(i)
            case n:
                var f = Self.frame(Self.ethernet(Self.ipv4(from: Self.peerIP, to: Self.hostIP, proto: .icmp, id: 0xbeef,
                                                           moreFragments: true, Array(whole[..<32]))))
                f.timestampNanoseconds = later
                return f
            case n + 1:
                var f = Self.frame(Self.ethernet(Self.ipv4(from: Self.peerIP, to: Self.hostIP, proto: .icmp, id: 0xbeef,
                                                           fragmentOffset: 32, Array(whole[32...]))))
                f.timestampNanoseconds = later + 1_000
                return f
            default:
                var f = Self.frame(Self.ethernet(Self.echoRequest(from: Self.peerIP, to: Self.hostIP)))
                f.timestampNanoseconds = later + 2_000
                return f
            }
        }
        let outcome = try Self.replay(capture, expectedFrames: n + 3) { $0 > n }
        Self.report("fragments", outcome)
        #expect(outcome.summary.frames == n + 3)
        // 4 MiB of ipfrag_high_thresh at 64 bytes plus 768 of overhead a fragment: about 5,000 queues.
        let queued = outcome.verdicts[.queue, default: 0]
        #expect(queued > 1_000, "fragments queued: \(outcome.verdicts)")
        #expect(queued < 10_000, "fragments queued beyond ipfrag_high_thresh: \(outcome.verdicts)")
        #expect(outcome.verdicts[.drop, default: 0] >= n - 10_000, "\(outcome.verdicts)")
        let reassembled = try #require(outcome.kept[n + 2])
        #expect(reassembled.reassembled, "\(reassembled.functions)")
        #expect(reassembled.verdict == .deliver, "\(reassembled.verdict) \(reassembled.dropReason ?? "")")
        let ping = try #require(outcome.kept[n + 3])
        #expect(ping.verdict == .deliver && ping.proto == "icmp", "\(ping.verdict) \(ping.dropReason ?? "")")
        Self.expectFlat(outcome)
    }

    @Test("a flood of SYNs to one listener keeps the socket table within its cap, and a new SYN is still answered")
    func synFlood() throws {
        let n = Self.synFloodFrames
        let capture = try Self.write("syns", count: n + 1) { i in
            if i == n {
                return Self.frame(Self.ethernet(Self.tcp(from: Self.peerIP, 40_000, to: Self.hostIP, 80, flags: .syn),
                                                from: Self.peerMAC))
            }
            return Self.synFloodFrame(i)
        }
        let outcome = try Self.replay(capture, expectedFrames: n + 1) { $0 == n + 1 }
        Self.report("syns", outcome)
        #expect(outcome.summary.frames == n + 1)
        let connections = outcome.session.kernel.sockets.tcp.count
        #expect(connections <= SocketTable.connectionLimit, "\(connections) connections kept")
        let last = try #require(outcome.kept[n + 1])
        #expect(last.functions.contains("tcp_conn_request"), "\(last.functions)")
        Self.expectFlat(outcome)
    }

    @Test("a loopback capture of many short connections (ports coming round) is inferred as lo and stays bounded")
    func loopbackConnections() throws {
        let connections = Self.synFloodFrames / 6
        let capture = try Self.write("loopback", count: connections * 6, Self.loopbackFrame)
        let inferred = try HostInference.infer(path: capture.path, driver: "iwlwifi")
        #expect(inferred.profile.interfaces.map(\.driver) == ["loopback"])
        let outcome = try Self.replay(capture, host: inferred.profile, expectedFrames: connections * 6)
        Self.report("loopback", outcome)
        #expect(outcome.summary.frames == connections * 6)
        #expect(outcome.session.kernel.sockets.tcp.count <= SocketTable.connectionLimit)
        // Every SYN-ACK answers a SYN the model received on lo, ports that came round included.
        #expect(outcome.summary.agreement.unpredicted.isEmpty, "\(outcome.summary.agreement)")
        Self.expectFlat(outcome)
    }

    @Test("a pcapng of 64 interfaces of four link types (one not replayed), frames spread over them, is inferred and replayed within bounds")
    func manyInterfaces() throws {
        let interfaces = 64
        // Fewer frames than the other floods: the inferred host has 48 devices, and the model's work per
        // frame grows with them (hundreds of events a frame).
        let n = Self.floodFrames / 10
        // Ethernet, LINKTYPE_RAW, Linux cooked v2 and 802.11 with radiotap, in turn.
        let linkTypes: [UInt16] = [1, 101, 276, 127]
        let capture = TemporaryCapture("interfaces")
        FileManager.default.createFile(atPath: capture.path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: capture.path))
        try handle.write(contentsOf: PcapngBuilder.capture(interfaces: (0..<interfaces).map { i in
            PcapngBuilder.Interface(linkType: linkTypes[i % 4], options: PcapngBuilder.option(2, Array("if\(i)".utf8)))
        }, records: []))
        var batch: [UInt8] = []
        for i in 0..<n {
            let interface = i % interfaces
            let ip = Self.udp(from: Self.remote(i), UInt16(1_024 + i % 50_000), to: Self.hostIP, 53)
            let bytes: [UInt8] = switch linkTypes[interface % 4] {
            case 1: Self.ethernet(ip)
            case 101: ip
            case 276: Self.be16(0x0800) + [0, 0] + Self.be32(UInt32(interface)) + Self.be16(1) + [0, 6] + [2, 0, 0, 0, 0, 1, 0, 0] + ip
            default: [0, 0, 8, 0, 0, 0, 0, 0] + Self.ethernet(ip)
            }
            batch += PcapngBuilder.packet(PcapngBuilder.Record(interface: UInt32(interface), ts: UInt64(Self.t0 / 1_000 + Int64(i)),
                                                              bytes: bytes, len: UInt32(bytes.count)))
            if batch.count > 1 << 20 {
                try handle.write(contentsOf: batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: batch)
        try handle.close()
        let inferred = try HostInference.infer(path: capture.path, driver: "veth")
        // A device per interface replayed (the 802.11 ones are not: no device is inferred for them).
        #expect(inferred.profile.interfaces.count >= interfaces * 3 / 4)
        let outcome = try Self.replay(capture, host: inferred.profile, expectedFrames: n) { $0 <= 4 }
        Self.report("interfaces", outcome)
        #expect(outcome.summary.frames == n)
        #expect(outcome.kept[1]?.device == "if0")
        #expect(outcome.kept[2]?.device == "if1")
        // The 802.11 interface has no device in the inferred host: its frame is counted, on its interface, as not replayed.
        #expect(outcome.kept[4]?.device == "if3")
        #expect(outcome.kept[4]?.verdict == .unknown)
        Self.expectFlat(outcome)
    }

    @Test("a million distinct flows (TCP to unknown connections, UDP to open and closed ports, host SYNs out) stay bounded")
    func distinctFlows() throws {
        let n = Self.floodFrames
        let capture = try Self.write("flows", count: n + 1) { i in
            if i == n { return Self.frame(Self.ethernet(Self.echoRequest(from: Self.peerIP, to: Self.hostIP), from: Self.peerMAC)) }
            return Self.flowFrame(i)
        }
        let outcome = try Self.replay(capture, expectedFrames: n + 1) { $0 == n + 1 }
        Self.report("flows", outcome)
        #expect(outcome.summary.frames == n + 1)
        let kernel = outcome.session.kernel
        #expect(kernel.sockets.tcp.count <= SocketTable.connectionLimit, "\(kernel.sockets.tcp.count) connections kept")
        #expect(kernel.neighbours.count <= 8, "\(kernel.neighbours.count) neighbours")
        #expect(outcome.verdicts[.transmit, default: 0] >= n / 4, "\(outcome.verdicts)")
        let ping = try #require(outcome.kept[n + 1])
        #expect(ping.verdict == .deliver, "\(ping.verdict) \(ping.dropReason ?? "")")
        Self.expectFlat(outcome)
    }

    @Test("ARP requests from a flood of distinct senders keep the neighbour table within gc_thresh3")
    func arpFlood() throws {
        let n = Self.floodFrames
        // Who-has 10.77.0.1 from 100.64.0.0/10 counted up: each sender would get a NUD_STALE entry
        // (neigh_event_ns). The kernel's neighbour table refuses entries beyond gc_thresh3 (1,024) once
        // forced garbage collection finds nothing to free.
        let capture = try Self.write("arp", count: n + 1) { i in
            if i == n { return Self.frame(Self.ethernet(Self.echoRequest(from: Self.peerIP, to: Self.hostIP), from: Self.peerMAC)) }
            let sender = IPv4Address(rawValue: 0x6440_0000 &+ UInt32(i & 0x3f_ffff))
            let mac = MACAddress(rawValue: 0x0200_0100_0000 &+ UInt64(i))
            let macBytes = (0..<6).map { UInt8(truncatingIfNeeded: mac.rawValue >> (40 - 8 * $0)) }
            let arp: [UInt8] = [0, 1, 8, 0, 6, 4, 0, 1] + macBytes + Self.be32(sender.rawValue) + [0, 0, 0, 0, 0, 0]
                + Self.be32(Self.hostIP.rawValue)
            return Self.frame(EthernetHeader(destination: MACAddress(rawValue: 0xffff_ffff_ffff), source: mac,
                                             etherType: .arp).bytes + arp)
        }
        let outcome = try Self.replay(capture, expectedFrames: n + 1) { $0 == n + 1 }
        Self.report("arp", outcome)
        #expect(outcome.summary.frames == n + 1)
        let ping = try #require(outcome.kept[n + 1])
        #expect(ping.verdict == .deliver, "\(ping.verdict) \(ping.dropReason ?? "")")
        Self.expectFlat(outcome)
        let neighbours = outcome.session.kernel.neighbours.count
        #expect(neighbours <= 1_024 + 2, "\(neighbours) neighbour entries")
    }

    // MARK: - Odd frames

    /// An echo request behind `tags` VLAN tags, outermost first: (TPID, VLAN ID).
    static func tagged(_ tags: [(EtherType, UInt16)]) -> [UInt8] {
        var bytes = EthernetHeader(destination: hostMAC, source: peerMAC, etherType: tags.first?.0 ?? .ipv4).bytes
        for (k, tag) in tags.enumerated() {
            let next = k + 1 < tags.count ? tags[k + 1].0 : EtherType.ipv4
            bytes += be16(tag.1 & 0x0fff) + be16(next.rawValue)
        }
        return bytes + echoRequest(from: peerIP, to: hostIP)
    }

    static let vlanCases: [(String, [(EtherType, UInt16)])] = [
        ("one 802.1Q tag", [(.vlan, 10)]),
        ("802.1ad then 802.1Q (QinQ)", [(.qinq, 100), (.vlan, 10)]),
        ("20 nested 802.1Q tags", (1...20).map { (.vlan, UInt16($0)) }),
        ("20 nested 802.1ad tags", (1...20).map { (.qinq, UInt16($0)) }),
        ("600 nested tags, about 2.4 KB of them", (1...600).map { (.vlan, UInt16($0 % 4000 + 1)) }),
    ]

    @Test("stacked VLAN tags are decoded and the frame is traced, on both drivers",
          arguments: vlanCases.indices, HostProfile.ethernetDrivers)
    func stackedVLANs(_ index: Int, driver: String) throws {
        let (name, tags) = Self.vlanCases[index]
        let bytes = Self.tagged(tags)
        let link = LinkHeader(bytes, encapsulation: .ethernet)
        #expect(link.failure == nil, "\(name): \(String(describing: link.failure))")
        #expect(link.vlanIDs == tags.map(\.1), "\(name)")
        #expect(link.etherType == .ipv4, "\(name)")
        // Then a plain ping: the tagged frames must not have left the model unable to deliver it.
        let capture = try Self.write("vlan", count: 2) { i in
            Self.frame(i == 0 ? bytes : Self.ethernet(Self.echoRequest(from: Self.peerIP, to: Self.hostIP), from: Self.peerMAC))
        }
        let outcome = try Self.replay(capture, host: try Self.host(driver: driver), expectedFrames: 2) { _ in true }
        let tagged = try #require(outcome.kept[1])
        #expect(!tagged.events.isEmpty, "\(name)")
        // The host has no VLAN devices: vlan_do_receive finds none, so the frame is not the host's. It is
        // dropped as PACKET_OTHERHOST, or, when an inner tag leaves a protocol no handler takes, consumed
        // by the capturing packet socket alone; IP never sees it.
        #expect(tagged.verdict == .drop || (tagged.verdict == .deliver && tagged.proto == "packet"),
                "\(name): \(tagged.verdict) \(tagged.proto ?? "") \(tagged.functions)")
        #expect(!tagged.functions.contains("icmp_rcv"), "\(name): \(tagged.functions)")
        let plain = try #require(outcome.kept[2])
        #expect(plain.verdict == .deliver, "\(plain.verdict) \(plain.dropReason ?? "")")
    }

    @Test("zero-length records are traced as truncated frames, on both drivers", arguments: HostProfile.ethernetDrivers)
    func zeroLength(driver: String) throws {
        // caplen 0 with len 0, and caplen 0 with len 1514 (a snap length of 0 would give that).
        let capture = try Self.write("empty", count: 3) { i in
            switch i {
            case 0: Self.frame([])
            case 1: Self.frame([], originalLength: 1514)
            default: Self.frame(Self.ethernet(Self.echoRequest(from: Self.peerIP, to: Self.hostIP), from: Self.peerMAC))
            }
        }
        let outcome = try Self.replay(capture, host: try Self.host(driver: driver), expectedFrames: 3) { _ in true }
        #expect(outcome.summary.frames == 3)
        for frame in [1, 2] {
            let t = try #require(outcome.kept[frame])
            #expect(t.capturedLength == 0)
            // Only the capturing packet socket can take a frame with no header at all.
            #expect(t.verdict != .transmit && (t.verdict != .deliver || t.proto == "packet"),
                    "frame \(frame): \(t.verdict) \(t.proto ?? "")")
            #expect(!t.functions.contains("ip_rcv_core"), "frame \(frame): \(t.functions)")
            #expect(t.summary.contains("truncated"), "frame \(frame): \(t.summary)")
        }
        #expect(outcome.kept[2]?.length == 1514)
        #expect(outcome.kept[3]?.verdict == .deliver)
    }

    /// The largest record libpcap reads for Ethernet (its maximum snapshot length).
    static let maximumSnapshot = 262_144

    static let maximumCases: [(String, [UInt8])] = {
        var garbage = [UInt8](repeating: 0, count: maximumSnapshot)
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        for i in garbage.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            garbage[i] = UInt8(truncatingIfNeeded: state >> 56)
        }
        let pad = { (b: [UInt8]) in b + [UInt8](repeating: 0xee, count: maximumSnapshot - b.count) }
        // A valid IPv4 header claiming 65,535 bytes; the rest of the record is more than the packet.
        let bigPing = Array(echoRequest(from: peerIP, to: hostIP).prefix(20))
        var header = IPv4Header(source: peerIP, destination: hostIP, proto: .udp, payloadLength: 65_535 - 20,
                                identification: 1)
        header.checksum = 0
        header.checksum = ~Checksum.fold(Checksum.add(header.bytes, start: 0, length: 20))
        let udpHeader = be16(5353) + be16(53) + be16(65_535 - 20) + [0, 0]
        return [
            ("random bytes", garbage),
            ("Ethernet, then zeros", pad(EthernetHeader(destination: hostMAC, source: peerMAC, etherType: .ipv4).bytes)),
            ("a ping, padded", pad(ethernet(echoRequest(from: peerIP, to: hostIP), from: peerMAC))),
            ("a ping header, total length 20, padded", pad(ethernet(bigPing, from: peerMAC))),
            ("UDP of 65,535 bytes to the bound socket, padded", pad(ethernet(header.bytes + udpHeader, from: peerMAC))),
            ("TCP SYN to the listener, padded", pad(ethernet(tcp(from: peerIP, 4242, to: hostIP, 80, flags: .syn), from: peerMAC))),
            ("sent by the host: a UDP datagram, padded", pad(ethernet(udp(from: hostIP, 53, to: peerIP, 5353), from: hostMAC, to: peerMAC))),
            ("ARP, padded", pad(EthernetHeader(destination: hostMAC, source: peerMAC, etherType: .arp).bytes
                                + [0, 1, 8, 0, 6, 4, 0, 1] + [2, 0, 0, 0, 0x0e, 0] + [10, 77, 0, 2] + [0, 0, 0, 0, 0, 0] + [10, 77, 0, 1])),
        ]
    }()

    @Test("maximum-snaplen records (262,144 bytes) are traced, with and without valid headers, on both drivers",
          arguments: HostProfile.ethernetDrivers)
    func maximumSnaplen(driver: String) throws {
        let cases = Self.maximumCases
        let capture = try Self.write("max", count: cases.count + 1) { i in
            i < cases.count ? Self.frame(cases[i].1)
                : Self.frame(Self.ethernet(Self.echoRequest(from: Self.peerIP, to: Self.hostIP), from: Self.peerMAC))
        }
        let outcome = try Self.replay(capture, host: try Self.host(driver: driver), expectedFrames: cases.count + 1) { _ in true }
        #expect(outcome.summary.frames == cases.count + 1)
        for (i, (name, bytes)) in cases.enumerated() {
            let t = try #require(outcome.kept[i + 1], "\(name)")
            #expect(t.capturedLength == bytes.count, "\(name)")
            #expect(!t.events.isEmpty || t.verdict == .unknown, "\(name)")
        }
        #expect(outcome.kept[cases.count + 1]?.verdict == .deliver)
    }
}
