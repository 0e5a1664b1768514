import Capture
import Foundation
import Replay
import TestSupport
import Trace
import TraceDiff
import TraceRender
import Wire

#if canImport(Glibc)
import Glibc
#endif

/// The repository's fixtures as the fuzz targets use them: frames to replay on a fuzzed host, profiles
/// to apply fuzzed overrides to, a real trace to diff a fuzzed one against, and small captures of every
/// link type pktpath reads (for filters, and as capture seeds). Loaded once per process.
enum FuzzFixtures {
    /// One fixture: its capture's frames and its host profile.
    struct Fixture: Sendable {
        var name: String
        var frames: [CapturedFrame]
        var profile: HostProfile
    }

    /// Frames taken from each fixture for the host target's replay.
    static let framesPerFixture = 6

    /// Every `Fixtures/NAME.pcap` with its `NAME.host.json`, sorted by name.
    static let all: [Fixture] = {
        let dir = Repository.path("Fixtures")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix(".pcap") }.map { String($0.dropLast(5)) }.sorted()
        return names.compactMap { name in
            guard let profile = try? HostProfile.load(path: "\(dir)/\(name).host.json"),
                  let frames = try? frames(of: "\(dir)/\(name).pcap")
            else { return nil }
            return Fixture(name: name, frames: frames, profile: profile)
        }
    }()

    /// The fixture called `name` (a fixture the repository holds).
    static func named(_ name: String) -> Fixture? { all.first { $0.name == name } }

    /// Every frame of the capture at `path`.
    static func frames(of path: String) throws -> [CapturedFrame] {
        let file = try PcapFile(path: path)
        var out: [CapturedFrame] = []
        var frame = CapturedFrame()
        while try file.read(into: &frame) { out.append(frame) }
        return out
    }

    /// The first ``framesPerFixture`` frames of every fixture, renumbered and one millisecond apart in
    /// one timeline (the fixtures were captured at different times; this target fuzzes the host, not
    /// the clock).
    static let mixedFrames: [CapturedFrame] = {
        let start: Int64 = 1_700_000_000_000_000_000
        var out: [CapturedFrame] = []
        for fixture in all {
            for var f in fixture.frames.prefix(framesPerFixture) {
                f.index = out.count + 1
                f.timestampNanoseconds = start + Int64(out.count) * 1_000_000
                out.append(f)
            }
        }
        return out
    }()

    /// The trace of `fixture` as `pktpath trace Fixtures/NAME.pcap --host Fixtures/NAME.host.json
    /// --format json` writes it (JSON Lines: header, one line per frame, summary).
    static func jsonTrace(of fixture: Fixture) -> String? {
        guard let session = try? ReplaySession(frames: fixture.frames, captureName: "Fixtures/\(fixture.name).pcap",
                                               host: fixture.profile)
        else { return nil }
        let renderer = JSONRenderer()
        var out = renderer.header(session.header)
        guard let summary = try? session.run({ out += renderer.frame($0) }) else { return nil }
        return out + renderer.summary(summary)
    }

    /// The real trace the diff target compares a fuzzed one with: `tcp_handshake`'s.
    static let baselineTrace: TraceFile? = named("tcp_handshake").flatMap(jsonTrace).flatMap {
        try? TraceFile.parse(Data($0.utf8), path: "tcp_handshake.jsonl")
    }

    // MARK: - Every link type

    /// A link type pktpath replays, as a pcapng interface block names it (`LINKTYPE_`), and how an
    /// Ethernet frame is carried in it.
    enum Encapsulation: String, CaseIterable {
        case ethernet, raw, raw12, raw14, ipv4, ipv6, null, loop, sll, sll2

        var linkType: UInt16 {
            switch self {
            case .ethernet: 1
            case .raw: 101
            case .raw12: 12
            case .raw14: 14
            case .ipv4: 228
            case .ipv6: 229
            case .null: 0
            case .loop: 108
            case .sll: 113
            case .sll2: 276
            }
        }

        /// The Ethernet frame `f` in this encapsulation (`outgoing`: the host sent it); `nil` when the
        /// link type cannot carry it (ARP on raw IP, IPv4 on raw IPv6).
        func wrap(_ f: [UInt8], outgoing: Bool) -> [UInt8]? {
            guard f.count >= 14 else { return nil }
            let type = UInt16(f[12]) << 8 | UInt16(f[13])
            let payload = Array(f[14...])
            let isIP = type == 0x0800 || type == 0x86dd
            func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
            let sender = Array(f[6..<12]) + [0, 0]
            let packetType: UInt8 = outgoing ? 4 : 0  // PACKET_OUTGOING or PACKET_HOST
            // The address family: AF_INET, or AF_INET6 as the BSDs number it.
            let family: UInt32 = type == 0x0800 ? 2 : 24
            switch self {
            case .ethernet: return f
            case .raw, .raw12, .raw14: return isIP ? payload : nil
            case .ipv4: return type == 0x0800 ? payload : nil
            case .ipv6: return type == 0x86dd ? payload : nil
            case .null: return isIP ? PcapngBuilder.le32(family) + payload : nil
            case .loop: return isIP ? withUnsafeBytes(of: family.bigEndian, Array.init) + payload : nil
            case .sll:
                // Packet type, ARPHRD_ETHER, address length, address (padded to 8), protocol.
                return be16(UInt16(packetType)) + be16(1) + be16(6) + sender + be16(type) + payload
            case .sll2:
                // Protocol, reserved, interface index, ARPHRD_ETHER, packet type, address length, address.
                return be16(type) + [0, 0, 0, 0, 0, 2] + be16(1) + [packetType, 6] + sender + payload
            }
        }
    }

    /// pcapng captures made from `fixture`'s frames: for each link type pktpath reads, one section with
    /// two named interfaces of that type (frames alternate between them, the second at nanosecond
    /// resolution) and an OS block; then one whose interfaces differ in link type (libpcap refuses it,
    /// pktpath's pcapng reader takes it) and one that is 802.11 with radiotap headers (its Ethernet
    /// frames read as 802.11). Keyed by a file name.
    static func pcapngCaptures(from fixture: Fixture) -> [(name: String, bytes: [UInt8])] {
        let hostMACs = Set(fixture.profile.interfaces.map(\.mac))
        let frames = fixture.frames.map { (frame: $0, outgoing: hostMACs.contains(MACAddress($0.bytes, at: 6))) }
        let os = PcapngBuilder.option(3, Array("Linux 6.12.0".utf8))
        func interface(_ linkType: UInt16, _ name: String, nanoseconds: Bool) -> PcapngBuilder.Interface {
            PcapngBuilder.Interface(linkType: linkType, options: PcapngBuilder.option(2, Array(name.utf8))
                + (nanoseconds ? PcapngBuilder.option(9, [9]) : []))
        }
        func records(_ wrap: (_ ethernet: [UInt8], _ outgoing: Bool) -> [UInt8]?) -> [PcapngBuilder.Record] {
            frames.enumerated().compactMap { i, f in
                guard let bytes = wrap(f.frame.bytes, f.outgoing) else { return nil }
                let ns = UInt64(f.frame.timestampNanoseconds)
                let second = i % 2 == 1
                return PcapngBuilder.Record(interface: second ? 1 : 0, ts: second ? ns : ns / 1000, bytes: bytes,
                                            len: UInt32(bytes.count + f.frame.originalLength - f.frame.capturedLength))
            }
        }
        var out: [(String, [UInt8])] = Encapsulation.allCases.map { e in
            ("\(fixture.name)-\(e.rawValue).pcapng",
             PcapngBuilder.capture(sectionOptions: os,
                                   interfaces: [interface(e.linkType, "eth0", nanoseconds: false),
                                                interface(e.linkType, "eth1", nanoseconds: true)],
                                   records: records(e.wrap)))
        }
        out.append(("\(fixture.name)-mixed.pcapng",
                    PcapngBuilder.capture(interfaces: [interface(1, "eth0", nanoseconds: false),
                                                       interface(113, "any", nanoseconds: true)],
                                          records: records { f, _ in f })))
        out.append(("\(fixture.name)-radiotap.pcapng",
                    PcapngBuilder.capture(interfaces: [interface(127, "wlan0", nanoseconds: false),
                                                       interface(127, "wlan1", nanoseconds: true)],
                                          records: records { f, _ in [0, 0, 8, 0, 0, 0, 0, 0] + f })))
        return out
    }

    /// One small capture file per link type pktpath reads (`tcp_handshake` in each), written once to
    /// ``scratchFolder``; the filter target compiles its expression for each.
    static let linkTypeCaptures: [String] = {
        guard let fixture = named("tcp_handshake"),
              (try? FileManager.default.createDirectory(atPath: scratchFolder, withIntermediateDirectories: true)) != nil
        else { return [] }
        atexit { try? FileManager.default.removeItem(atPath: FuzzFixtures.scratchFolder) }
        return pcapngCaptures(from: fixture).prefix(Encapsulation.allCases.count).compactMap { c in
            let path = "\(scratchFolder)/\(c.name)"
            return FileManager.default.createFile(atPath: path, contents: Data(c.bytes)) ? path : nil
        }
    }()

    /// A per-process temporary folder, removed at exit.
    static let scratchFolder = FileManager.default.temporaryDirectory.appendingPathComponent("pktpath-fuzz-\(getpid())").path
}
