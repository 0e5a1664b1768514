import Capture
import Foundation
import Testing
import TestSupport

/// pktpath's own pcapng reader (through `PcapFile`), on files built byte by byte: what libpcap's reader
/// cannot hand back (each frame's interface, interfaces of different link types), and libpcap's checks
/// on every block, with its messages.
@Suite("pcapng block reader")
struct PcapngReaderTests {
    typealias Interface = PcapngBuilder.Interface
    typealias Record = PcapngBuilder.Record

    /// Writes `bytes` to a temporary file and reads every frame of it (with `filter`, if any).
    static func read(_ bytes: [UInt8], filter: String? = nil) throws -> (file: PcapFile, frames: [CapturedFrame], error: CaptureError?) {
        let path = PcapFileTests.temporaryPath(".pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let file = try PcapFile(path: path)
        if let filter { try file.setFilter(filter) }
        let (frames, error) = PcapFileTests.readAll(file)
        return (file, frames, error)
    }

    /// The message of a `truncated` error at `frame`, or a recorded issue.
    static func truncation(_ error: CaptureError?, at frame: Int, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        guard case let .truncated(_, f, message) = error else {
            Issue.record("expected truncated, got \(String(describing: error))", sourceLocation: sourceLocation)
            return ""
        }
        #expect(f == frame, sourceLocation: sourceLocation)
        return message
    }

    /// An interface with `if_name` and other `options`.
    static func interface(_ linkType: UInt16, _ name: String, _ options: [UInt8] = [], snapshotLength: UInt32 = 262_144,
                          bigEndian: Bool = false) -> Interface {
        Interface(linkType: linkType, snapshotLength: snapshotLength,
                  options: PcapngBuilder.option(2, Array(name.utf8), bigEndian: bigEndian) + options)
    }

    /// An Ethernet frame (ICMP), the IPv4 packet of a UDP one (raw IP), and a Linux cooked v2 frame.
    static let ethernet = PcapFileTests.ipv4Frame(proto: 1, marker: 1)
    static let raw = Array(PcapFileTests.ipv4Frame(proto: 17, marker: 2).dropFirst(14))
    static let sll2: [UInt8] = [0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 2, 0, 0] + raw

    /// Ethernet, raw IP (`LINKTYPE_RAW`) and Linux cooked v2 interfaces, and a frame on each, then one
    /// more on the first.
    static func mixed(bigEndian: Bool = false) -> [UInt8] {
        PcapngBuilder.capture(
            interfaces: [interface(1, "eth0", bigEndian: bigEndian), interface(101, "tun0", bigEndian: bigEndian),
                         interface(276, "any", bigEndian: bigEndian)],
            records: [Record(interface: 0, ts: 1, bytes: ethernet, len: UInt32(ethernet.count)),
                      Record(interface: 1, ts: 2, bytes: raw, len: UInt32(raw.count)),
                      Record(interface: 2, ts: 3, bytes: sll2, len: UInt32(sll2.count)),
                      Record(interface: 0, ts: 4, bytes: ethernet, len: 1514)],
            bigEndian: bigEndian)
    }

    @Test("interfaces of different link types (libpcap refuses them): each frame comes with its interface and link type")
    func mixedLinkTypes() throws {
        let (file, frames, error) = try Self.read(Self.mixed())
        #expect(error == nil)
        #expect(file.linkType == .DLT_EN10MB)
        #expect(frames.map(\.index) == [1, 2, 3, 4])
        #expect(frames.map(\.interface) == [0, 1, 2, 0])
        // LINKTYPE_RAW (101) is DLT_RAW, as libpcap maps it.
        #expect(frames.map(\.linkType) == [.DLT_EN10MB, .DLT_RAW, .DLT_LINUX_SLL2, .DLT_EN10MB])
        #expect(frames.map(\.bytes) == [Self.ethernet, Self.raw, Self.sll2, Self.ethernet])
        #expect(frames.map(\.originalLength) == [Self.ethernet.count, Self.raw.count, Self.sll2.count, 1514])
        #expect(frames.map(\.timestampNanoseconds) == [1_000, 2_000, 3_000, 4_000])
        #expect(file.metadata.interfaces.map(\.name) == ["eth0", "tun0", "any"])
        #expect(file.metadata.interfaces.map(\.linkType) == [.DLT_EN10MB, .DLT_RAW, .DLT_LINUX_SLL2])
        #expect(file.metadata.interfaces.map { $0.deviceName(number: 0) } == ["eth0", "tun0", "pcapng0"])
    }

    @Test("a big-endian file reads as the little-endian one", arguments: [false, true])
    func byteOrder(bigEndian: Bool) throws {
        let (file, frames, error) = try Self.read(Self.mixed(bigEndian: bigEndian))
        let (_, expected, _) = try Self.read(Self.mixed())
        #expect(error == nil)
        #expect(frames.map(\.bytes) == expected.map(\.bytes))
        #expect(frames.map(\.interface) == expected.map(\.interface))
        #expect(frames.map(\.linkType) == expected.map(\.linkType))
        #expect(frames.map(\.timestampNanoseconds) == expected.map(\.timestampNanoseconds))
        #expect(frames.map(\.originalLength) == expected.map(\.originalLength))
        #expect(file.metadata.interfaces.map(\.name) == ["eth0", "tun0", "any"])
    }

    @Test("each interface's timestamps in its own units: if_tsresol decimal and binary, if_tsoffset", arguments: [false, true])
    func timestampsPerInterface(bigEndian: Bool) throws {
        func resolution(_ r: UInt8) -> [UInt8] { PcapngBuilder.option(9, [r], bigEndian: bigEndian) }
        let bytes = PcapngBuilder.capture(
            interfaces: [Self.interface(1, "usec", bigEndian: bigEndian),
                         Self.interface(1, "nsec", resolution(9), bigEndian: bigEndian),
                         Self.interface(1, "binary", resolution(0x80 | 20), bigEndian: bigEndian),
                         Self.interface(1, "msec+offset", resolution(3) + PcapngBuilder.tsoffset(1_000, bigEndian: bigEndian),
                                        bigEndian: bigEndian)],
            records: [Record(interface: 0, ts: 1_500_000, bytes: Self.ethernet, len: 64),
                      Record(interface: 1, ts: 2_000_000_001, bytes: Self.ethernet, len: 64),
                      Record(interface: 2, ts: (3 << 20) + (1 << 19), bytes: Self.ethernet, len: 64),
                      Record(interface: 3, ts: 4_250, bytes: Self.ethernet, len: 64)],
            bigEndian: bigEndian)
        let (_, frames, error) = try Self.read(bytes)
        #expect(error == nil)
        #expect(frames.map(\.timestampNanoseconds) == [1_500_000_000, 2_000_000_001, 3_500_000_000, 1_004_250_000_000])
    }

    @Test("a packet on an interface no block describes ends the reading there, with libpcap's message")
    func interfaceOutOfRange() throws {
        let bytes = PcapngBuilder.capture(
            interfaces: [Self.interface(1, "eth0"), Self.interface(101, "tun0")],
            records: [Record(interface: 0, ts: 1, bytes: Self.ethernet, len: 64),
                      Record(interface: 1, ts: 2, bytes: Self.raw, len: 64),
                      Record(interface: 2, ts: 3, bytes: Self.raw, len: 64),
                      Record(interface: 0, ts: 4, bytes: Self.ethernet, len: 64)])
        let (_, frames, error) = try Self.read(bytes)
        #expect(frames.map(\.index) == [1, 2])
        #expect(Self.truncation(error, at: 3)
            == "a packet arrived on interface 2, but there's no Interface Description Block for that interface")
    }

    @Test("a final block cut short: the frames before it stand, the cut one is named", arguments: [1, 4, 9, 40])
    func truncatedFinalBlock(chop: Int) throws {
        let bytes = Self.mixed()
        let (_, frames, error) = try Self.read(Array(bytes.dropLast(chop)))
        #expect(frames.map(\.index) == [1, 2, 3])
        #expect(frames.map(\.bytes) == [Self.ethernet, Self.raw, Self.sll2])
        #expect(Self.truncation(error, at: 4).hasPrefix("truncated pcapng dump file; tried to read"))
    }

    @Test("a block longer than libpcap's 16 MiB limit is refused from its length, before anything is read for it",
          arguments: [UInt32(16 << 20) + 4, 0xFFFF_FFF0])
    func hugeBlock(length: UInt32) throws {
        // A block of an unknown type claims `length` bytes; the file ends right after its length field.
        let bytes = Self.mixed() + PcapngBuilder.le32(0x0BAD) + PcapngBuilder.le32(length)
        let (_, frames, error) = try Self.read(bytes)
        #expect(frames.count == 4)
        #expect(Self.truncation(error, at: 5) == "pcapng block size \(length) > maximum \(16 << 20)")
    }

    @Test("a block as long as the limit but cut short is truncated, its buffer grown only as its bytes came")
    func longBlockCutShort() throws {
        let bytes = Self.mixed() + PcapngBuilder.le32(0x0BAD) + PcapngBuilder.le32(16 << 20) + [UInt8](repeating: 0, count: 100)
        let (_, frames, error) = try Self.read(bytes)
        #expect(frames.count == 4)
        #expect(Self.truncation(error, at: 5) == "truncated pcapng dump file; tried to read \((16 << 20) - 8) bytes, only got 100")
    }

    @Test("block lengths libpcap refuses, with its messages", arguments: [
        (PcapngBuilder.le32(0x0BAD) + PcapngBuilder.le32(14) + [UInt8](repeating: 0, count: 8),
         "block in pcapng dump file has a length of 14 that is not a multiple of 4"),
        (PcapngBuilder.le32(0x0BAD) + PcapngBuilder.le32(8), "block in pcapng dump file has a length of 8 < 12"),
        (PcapngBuilder.le32(0x0BAD) + PcapngBuilder.le32(16) + PcapngBuilder.le32(0) + PcapngBuilder.le32(20),
         "block total length in header 16 and trailer 20 don't match"),
        (PcapngBuilder.block(type: 6, body: [UInt8](repeating: 0, count: 12)), "block of type 6 in pcapng dump file is too short"),
    ] as [([UInt8], String)])
    func badBlocks(_ block: [UInt8], _ message: String) throws {
        let (_, frames, error) = try Self.read(Self.mixed() + block)
        #expect(frames.count == 4)
        #expect(Self.truncation(error, at: 5) == message)
    }

    @Test("sections, each with its own byte order and interfaces; an interface a later section names again is the same")
    func severalSections() throws {
        let first = PcapngBuilder.capture(
            interfaces: [Self.interface(1, "eth0")],
            records: [Record(interface: 0, ts: 1, bytes: Self.ethernet, len: 64)])
        let second = PcapngBuilder.capture(
            interfaces: [Self.interface(101, "tun0", bigEndian: true), Self.interface(1, "eth0", bigEndian: true)],
            records: [Record(interface: 1, ts: 2, bytes: Self.ethernet, len: 64),
                      Record(interface: 0, ts: 3, bytes: Self.raw, len: 64)],
            bigEndian: true)
        let (file, frames, error) = try Self.read(first + second)
        #expect(error == nil)
        #expect(frames.map(\.interface) == [0, 0, 1])
        #expect(frames.map(\.linkType) == [.DLT_EN10MB, .DLT_EN10MB, .DLT_RAW])
        #expect(frames.map(\.bytes) == [Self.ethernet, Self.ethernet, Self.raw])
        #expect(file.metadata.interfaces.map(\.name) == ["eth0", "tun0"])
    }

    @Test("the n-th interface of a name in a section is the file's n-th of that name, section after section")
    func sameNamesAgain() throws {
        func section(_ ts: UInt64) -> [UInt8] {
            PcapngBuilder.capture(interfaces: [Self.interface(1, "x"), Self.interface(1, "x"), Self.interface(1, "y")],
                                  records: [Record(interface: 1, ts: ts, bytes: Self.ethernet, len: 64),
                                            Record(interface: 2, ts: ts + 1, bytes: Self.ethernet, len: 64)])
        }
        let (file, frames, error) = try Self.read(section(1) + section(3) + section(5))
        #expect(error == nil)
        #expect(frames.map(\.interface) == [1, 2, 1, 2, 1, 2])
        #expect(file.metadata.interfaces.map(\.name) == ["x", "x", "y"])
    }

    @Test("more interfaces than the reader keeps (4,096, in a section or in the file) end the reading, as a malformed block does")
    func tooManyInterfaces() throws {
        let one = PcapngBuilder.capture(interfaces: (0...4_096).map { Self.interface(1, "if\($0)") },
                                        records: [Record(interface: 0, ts: 1, bytes: Self.ethernet, len: 64)])
        let (file, frames, error) = try Self.read(one)
        #expect(frames.isEmpty)
        #expect(Self.truncation(error, at: 1) == "more than 4096 interfaces in a section")
        #expect(file.metadata.interfaces.count == 4_096)
        func section(_ prefix: String, _ count: Int) -> [UInt8] {
            PcapngBuilder.capture(interfaces: (0..<count).map { Self.interface(1, "\(prefix)\($0)") },
                                  records: [Record(interface: 0, ts: 1, bytes: Self.ethernet, len: 64)])
        }
        let (_, framesOfTwo, errorOfTwo) = try Self.read(section("a", 2_048) + section("b", 2_049))
        #expect(framesOfTwo.count == 1)
        #expect(Self.truncation(errorOfTwo, at: 2) == "more than 4096 interfaces in the file")
    }

    @Test("simple packet blocks are the first interface's, cut to its snapshot length; other blocks are skipped")
    func simplePacketsAndUnknownBlocks() throws {
        let capture = PcapngBuilder.capture(interfaces: [Self.interface(1, "eth0", snapshotLength: 40)], records: [])
        let statistics = PcapngBuilder.block(type: 5, body: [UInt8](repeating: 7, count: 20))
        let custom = PcapngBuilder.block(type: 0x4000_0BAD, body: Array("anything".utf8))
        let bytes = capture + statistics + PcapngBuilder.simplePacket(Array(Self.ethernet.prefix(40)), len: 60) + custom
            + PcapngBuilder.simplePacket(Array(Self.ethernet.prefix(20)), len: 20)
        let (_, frames, error) = try Self.read(bytes)
        #expect(error == nil)
        #expect(frames.map(\.index) == [1, 2])
        #expect(frames.map(\.capturedLength) == [40, 20])
        #expect(frames.map(\.originalLength) == [60, 20])
        #expect(frames.map(\.bytes) == [Array(Self.ethernet.prefix(40)), Array(Self.ethernet.prefix(20))])
        #expect(frames.allSatisfy { $0.interface == 0 && $0.timestampNanoseconds == 0 })
    }

    @Test("a filter is compiled for each link type: 'udp' finds the raw IP and cooked frames, not the Ethernet ICMP ones")
    func filterPerLinkType() throws {
        let (_, frames, error) = try Self.read(Self.mixed(), filter: "udp")
        #expect(error == nil)
        #expect(frames.map(\.index) == [2, 3])
        #expect(frames.map(\.linkType) == [.DLT_RAW, .DLT_LINUX_SLL2])
        let (_, icmp, _) = try Self.read(Self.mixed(), filter: "icmp")
        #expect(icmp.map(\.index) == [1, 4])
    }

    @Test("a filter libpcap cannot compile for one of the interfaces' link types is badFilter naming it")
    func filterForOneLinkTypeOnly() throws {
        do {
            _ = try Self.read(Self.mixed(), filter: "ether host 02:00:00:00:00:01")
            Issue.record("accepted")
        } catch let error as CaptureError {
            guard case let .badFilter(_, message) = error else {
                Issue.record("expected badFilter, got \(error)")
                return
            }
            #expect(message.contains("DLT_RAW"), "\(message)")
        }
    }

    @Test("frames of an interface pktpath does not replay are read with its link type; a file of none it replays is refused")
    func unsupportedInterfaces() throws {
        let prism: [UInt8] = [UInt8](repeating: 0, count: 144) + Self.ethernet
        let both = PcapngBuilder.capture(
            interfaces: [Self.interface(119, "mon0"), Self.interface(1, "eth0")],
            records: [Record(interface: 0, ts: 1, bytes: prism, len: 64), Record(interface: 1, ts: 2, bytes: Self.ethernet, len: 64)])
        let (file, frames, error) = try Self.read(both)
        #expect(error == nil)
        #expect(file.linkType == .DLT_EN10MB)
        #expect(frames.map(\.linkType) == [LinkType(rawValue: 119), .DLT_EN10MB])
        let only = PcapngBuilder.capture(interfaces: [Self.interface(119, "mon0")],
                                         records: [Record(interface: 0, ts: 1, bytes: prism, len: 64)])
        do {
            _ = try Self.read(only)
            Issue.record("accepted")
        } catch let error as CaptureError {
            guard case .unsupportedLinkType(_, LinkType(rawValue: 119)) = error else {
                Issue.record("expected unsupportedLinkType, got \(error)")
                return
            }
        }
    }

    @Test("a file whose first packet comes before any interface is refused, as libpcap refuses it")
    func packetBeforeInterface() throws {
        let section = PcapngBuilder.capture(interfaces: [], records: [])
        let bytes = section + PcapngBuilder.packet(Record(interface: 0, ts: 1, bytes: Self.ethernet, len: 64))
        do {
            _ = try Self.read(bytes)
            Issue.record("accepted")
        } catch let error as CaptureError {
            #expect(error.description.contains("packet block before any Interface Description Blocks"), "\(error)")
        }
    }
}
