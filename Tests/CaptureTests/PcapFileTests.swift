import Capture
import Foundation
import Testing
import TestSupport

/// Reading captures through libpcap: what `PcapFile` hands back for captures written by `PcapWriter`
/// and for classic pcap and pcapng files built byte by byte, and how it fails on bad input.
@Suite("PcapFile")
struct PcapFileTests {
    // MARK: - Helpers

    /// A fresh path in the temporary directory; the file is removed when the test's `defer` runs.
    static func temporaryPath(_ suffix: String = ".pcap") -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("pktpath-capture-tests-\(UUID().uuidString)\(suffix)").path
    }

    /// Writes `frames` with `PcapWriter`; the writer is closed (and the file complete) on return.
    static func write(_ frames: [CapturedFrame], to path: String, linkType: LinkType = .DLT_EN10MB) throws {
        let writer = try PcapWriter(path: path, linkType: linkType)
        for f in frames { writer.write(f) }
        writer.flush()
    }

    /// Every frame `file` yields, and the error that stopped it, if any.
    static func readAll(_ file: PcapFile) -> (frames: [CapturedFrame], error: CaptureError?) {
        var out: [CapturedFrame] = []
        var frame = CapturedFrame()
        do {
            while try file.read(into: &frame) { out.append(frame) }
        } catch {
            return (out, error)
        }
        return (out, nil)
    }

    /// The error `PcapFile(path:)` throws, or nil when it opens.
    static func openError(_ path: String) -> CaptureError? {
        do {
            _ = try PcapFile(path: path)
            return nil
        } catch {
            return error
        }
    }

    /// An Ethernet + IPv4 frame carrying `proto` (17 UDP, 6 TCP, 1 ICMP) with `payload` zero bytes after
    /// the IP header. Only what libpcap's filter looks at is filled in (no checksums).
    static func ipv4Frame(proto: UInt8, payload: Int = 8, marker: UInt8 = 0) -> [UInt8] {
        let ethernet: [UInt8] = [0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00]
        let total = 20 + payload
        let ip: [UInt8] = [
            0x45, 0, UInt8(total >> 8), UInt8(total & 0xff), 0, 0, 0x40, 0, 64, proto, 0, 0,
            192, 0, 2, 1, 192, 0, 2, 2,
        ]
        var body = [UInt8](repeating: 0, count: payload)
        if !body.isEmpty { body[body.count - 1] = marker }
        return ethernet + ip + body
    }

    static func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    static func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    static func be32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
    static func be16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }

    // MARK: - Round trips through PcapWriter

    @Test("frames read back in order with 1-based indices, their bytes, caplen and len")
    func roundTrip() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let frames = [
            CapturedFrame(index: 1, timestampNanoseconds: 1_000_000_000, bytes: Self.ipv4Frame(proto: 17, marker: 0xa1)),
            CapturedFrame(index: 2, timestampNanoseconds: 2_000_000_000, bytes: Self.ipv4Frame(proto: 6, payload: 20, marker: 0xa2)),
            CapturedFrame(index: 3, timestampNanoseconds: 3_000_000_000, bytes: Self.ipv4Frame(proto: 1, payload: 12, marker: 0xa3)),
        ]
        try Self.write(frames, to: path)

        let file = try PcapFile(path: path)
        #expect(file.linkType == .DLT_EN10MB)
        #expect(file.path == path)
        let (read, error) = Self.readAll(file)
        #expect(error == nil)
        #expect(read.map(\.index) == [1, 2, 3])
        #expect(read.map(\.bytes) == frames.map(\.bytes))
        #expect(read.map(\.capturedLength) == frames.map(\.bytes.count))
        #expect(read.map(\.originalLength) == frames.map(\.bytes.count))
        #expect(read.allSatisfy { $0.bytes.count == $0.capturedLength })
    }

    @Test("reading past the end keeps returning false")
    func endOfCapture() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.write([CapturedFrame(index: 1, timestampNanoseconds: 5, bytes: Self.ipv4Frame(proto: 17))], to: path)
        let file = try PcapFile(path: path)
        var frame = CapturedFrame()
        #expect(try file.read(into: &frame))
        #expect(try !file.read(into: &frame))
        #expect(try !file.read(into: &frame))
    }

    @Test("timestamps keep nanosecond precision", arguments: [
        Int64(0), 1, 999_999_999, 1_000_000_000, 1_700_000_000_123_456_789, 1_795_594_560_512_916_001,
    ])
    func nanosecondTimestamps(_ ns: Int64) throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.write([CapturedFrame(index: 1, timestampNanoseconds: ns, bytes: Self.ipv4Frame(proto: 17))], to: path)
        let (read, error) = Self.readAll(try PcapFile(path: path))
        #expect(error == nil)
        #expect(read.map(\.timestampNanoseconds) == [ns])
    }

    @Test("a frame cut short by the snapshot length keeps caplen and the wire length apart")
    func capturedVersusOriginalLength() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = Self.ipv4Frame(proto: 17, payload: 26)  // 60 bytes kept
        try Self.write([CapturedFrame(index: 1, timestampNanoseconds: 7, originalLength: 1514, bytes: bytes)], to: path)
        let (read, error) = Self.readAll(try PcapFile(path: path))
        #expect(error == nil)
        let frame = try #require(read.first)
        #expect(frame.capturedLength == 60)
        #expect(frame.originalLength == 1514)
        #expect(frame.bytes == bytes)
    }

    // MARK: - Filters

    @Test("a filter skips frames but the indices stay capture positions")
    func filterKeepsCaptureIndices() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let protos: [UInt8] = [6, 17, 1, 6, 17, 17]  // UDP at positions 2, 5, 6
        let frames = protos.enumerated().map { i, p in
            CapturedFrame(index: i + 1, timestampNanoseconds: Int64(i) * 1_000, bytes: Self.ipv4Frame(proto: p, marker: UInt8(i)))
        }
        try Self.write(frames, to: path)

        let file = try PcapFile(path: path)
        try file.setFilter("udp")
        let (read, error) = Self.readAll(file)
        #expect(error == nil)
        #expect(read.map(\.index) == [2, 5, 6])
        #expect(read.map(\.bytes) == [frames[1].bytes, frames[4].bytes, frames[5].bytes])
        #expect(read.map(\.timestampNanoseconds) == [1_000, 4_000, 5_000])
    }

    @Test("a filter that matches nothing reads no frames and no error")
    func filterMatchingNothing() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.write([CapturedFrame(index: 1, timestampNanoseconds: 1, bytes: Self.ipv4Frame(proto: 6))], to: path)
        let file = try PcapFile(path: path)
        try file.setFilter("udp")
        let (read, error) = Self.readAll(file)
        #expect(read.isEmpty)
        #expect(error == nil)
    }

    @Test("a filter libpcap cannot compile is badFilter, naming the expression", arguments: ["udp port", "tcp and (", "frobnicate"])
    func badFilter(_ expression: String) throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.write([CapturedFrame(index: 1, timestampNanoseconds: 1, bytes: Self.ipv4Frame(proto: 17))], to: path)
        let file = try PcapFile(path: path)
        do {
            try file.setFilter(expression)
            Issue.record("'\(expression)' was accepted")
        } catch {
            guard case let .badFilter(e, message) = error else {
                Issue.record("expected badFilter, got \(error)")
                return
            }
            #expect(e == expression)
            #expect(!message.isEmpty)
            #expect(error.description.contains(expression))
        }
    }

    // MARK: - Files that cannot be opened

    @Test("a missing file is cannotOpen, naming the path")
    func missingFile() {
        let path = Self.temporaryPath()
        let error = Self.openError(path)
        guard case let .cannotOpen(p, _) = error else {
            Issue.record("expected cannotOpen, got \(String(describing: error))")
            return
        }
        #expect(p == path)
        #expect(error?.description.contains(path) == true)
    }

    @Test("a text file is cannotOpen")
    func notACapture() throws {
        let path = Self.temporaryPath(".txt")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = "This is not a packet capture.\nIt is just a few lines of text, long enough for a header.\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let error = Self.openError(path)
        guard case .cannotOpen(path, _) = error else {
            Issue.record("expected cannotOpen, got \(String(describing: error))")
            return
        }
    }

    @Test("an empty file is cannotOpen")
    func emptyFile() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data().write(to: URL(fileURLWithPath: path))
        guard case .cannotOpen = Self.openError(path) else {
            Issue.record("expected cannotOpen, got \(String(describing: Self.openError(path)))")
            return
        }
    }

    @Test("a link type pktpath does not replay is unsupportedLinkType")
    func unsupportedLinkType() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // 147 is LINKTYPE_USER0: a valid capture, but not a link type pktpath replays.
        try Self.write([CapturedFrame(index: 1, timestampNanoseconds: 1, bytes: [1, 2, 3, 4])], to: path,
                       linkType: LinkType(rawValue: 147))
        let error = Self.openError(path)
        guard case let .unsupportedLinkType(p, linkType) = error else {
            Issue.record("expected unsupportedLinkType, got \(String(describing: error))")
            return
        }
        #expect(p == path)
        #expect(linkType == LinkType(rawValue: 147))
        #expect(error?.description.contains("147 (a link type libpcap does not know)") == true, "\(String(describing: error))")
    }

    @Test("802.11 with a Prism header is not replayed (radiotap, PPI and plain 802.11 are)")
    func prismUnsupported() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.write([], to: path, linkType: LinkType(rawValue: 119))
        guard case .unsupportedLinkType(_, LinkType(rawValue: 119)) = Self.openError(path) else {
            Issue.record("expected unsupportedLinkType 119, got \(String(describing: Self.openError(path)))")
            return
        }
        #expect(LinkType.DLT_IEEE802_11.isSupported && LinkType.DLT_IEEE802_11_RADIO.isSupported && LinkType.DLT_PPI.isSupported)
    }

    @Test("unsupported link types are named as libpcap names them, with what to capture instead", arguments: [
        (119, "(DLT_PRISM_HEADER, 119)", "Wi-Fi monitor-mode captures with a radiotap header"),
        (163, "(DLT_IEEE802_11_RADIO_AVS, 163)", "Wi-Fi monitor-mode captures with a radiotap header"),
        (239, "(DLT_NFLOG, 239)", "netfilter log messages"),
        (147, "147 (a link type libpcap does not know)", "captures of network interfaces"),
    ] as [(Int32, String, String)])
    func namedLinkTypes(_ type: Int32, _ name: String, _ advice: String) {
        let text = CaptureError.unsupportedLinkType(path: "x.pcap", linkType: LinkType(rawValue: type)).description
        #expect(text.contains(name), "\(text)")
        #expect(text.contains(advice), "\(text)")
    }

    /// The supported link types libpcap can write on this platform (`DLT_RAW_OPENBSD`, 14, is written only on
    /// OpenBSD; elsewhere libpcap refuses it in savefiles).
    static let writableSupported = LinkType.supported.filter { $0 != .DLT_RAW_OPENBSD }

    @Test("every supported link type opens", arguments: writableSupported)
    func supportedLinkTypesOpen(_ type: LinkType) throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.write([], to: path, linkType: type)
        let file = try PcapFile(path: path)
        // libpcap maps some link types on reading (LINKTYPE_RAW ↔ DLT_RAW); the result must still be supported.
        #expect(file.linkType.isSupported)
    }

    // MARK: - Truncated files

    /// Writes three frames, then cuts `chop` bytes from the end (or appends `extra` bytes).
    static func truncatedCapture(chop: Int = 0, extra: [UInt8] = []) throws -> (path: String, frames: [CapturedFrame]) {
        let path = temporaryPath()
        let frames = (1...3).map { i in
            CapturedFrame(index: i, timestampNanoseconds: Int64(i), bytes: ipv4Frame(proto: 17, payload: 30, marker: UInt8(i)))
        }
        try write(frames, to: path)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data.removeLast(chop)
        data.append(contentsOf: extra)
        try data.write(to: URL(fileURLWithPath: path))
        return (path, frames)
    }

    @Test("a file cut inside the last record's data reads the earlier frames, then truncated at that frame")
    func truncatedInsideData() throws {
        let (path, frames) = try Self.truncatedCapture(chop: 5)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (read, error) = Self.readAll(try PcapFile(path: path))
        #expect(read.map(\.index) == [1, 2])
        #expect(read.map(\.bytes) == [frames[0].bytes, frames[1].bytes])
        guard case let .truncated(p, frame, _) = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
        #expect(p == path)
        #expect(frame == 3)
        #expect(error?.description.contains("frame 3") == true)
    }

    @Test("a file cut inside a record header is truncated at that record")
    func truncatedInsideHeader() throws {
        // Three whole records, then 8 of the 16 bytes of a fourth record's header.
        let (path, _) = try Self.truncatedCapture(extra: [1, 0, 0, 0, 0, 0, 0, 0])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (read, error) = Self.readAll(try PcapFile(path: path))
        #expect(read.map(\.index) == [1, 2, 3])
        guard case .truncated(_, 4, _) = error else {
            Issue.record("expected truncated at frame 4, got \(String(describing: error))")
            return
        }
    }

    @Test("with a filter, the truncated frame is still numbered by capture position")
    func truncatedWithFilter() throws {
        let (path, _) = try Self.truncatedCapture(chop: 5)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try PcapFile(path: path)
        try file.setFilter("tcp")  // matches none of the UDP frames
        let (read, error) = Self.readAll(file)
        #expect(read.isEmpty)
        guard case .truncated(_, 3, _) = error else {
            Issue.record("expected truncated at frame 3, got \(String(describing: error))")
            return
        }
    }

    // MARK: - Files built by hand

    /// A classic microsecond pcap (magic a1b2c3d4, version 2.4, Ethernet) in either byte order.
    static func microsecondPcap(bigEndian: Bool, records: [(sec: UInt32, usec: UInt32, bytes: [UInt8], len: UInt32)]) -> [UInt8] {
        let u32 = bigEndian ? be32 : le32
        let u16 = bigEndian ? be16 : le16
        var out = u32(0xa1b2_c3d4) + u16(2) + u16(4) + u32(0) + u32(0) + u32(65_535) + u32(1)
        for r in records {
            out += u32(r.sec) + u32(r.usec) + u32(UInt32(r.bytes.count)) + u32(r.len) + r.bytes
        }
        return out
    }

    @Test("a microsecond pcap reads back with nanosecond timestamps (usec × 1000)", arguments: [false, true])
    func microsecondPcap(bigEndian: Bool) throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = Self.ipv4Frame(proto: 17, marker: 1)
        let b = Self.ipv4Frame(proto: 6, payload: 20, marker: 2)
        let bytes = Self.microsecondPcap(bigEndian: bigEndian, records: [
            (1_700_000_000, 123_456, a, UInt32(a.count)),
            (1_700_000_001, 999_999, b, 1514),
        ])
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let file = try PcapFile(path: path)
        #expect(file.linkType == .DLT_EN10MB)
        #expect(file.snapshotLength == 65_535)
        let (read, error) = Self.readAll(file)
        #expect(error == nil)
        #expect(read.map(\.index) == [1, 2])
        #expect(read.map(\.timestampNanoseconds) == [1_700_000_000_123_456_000, 1_700_000_001_999_999_000])
        #expect(read.map(\.bytes) == [a, b])
        #expect(read.map(\.capturedLength) == [a.count, b.count])
        #expect(read.map(\.originalLength) == [a.count, 1514])
    }

    @Test("a minimal pcapng (SHB, IDB, EPB) reads back, microsecond timestamps by default")
    func pcapngMicroseconds() throws {
        let path = Self.temporaryPath(".pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = Self.ipv4Frame(proto: 17, payload: 9, marker: 7)  // 43 bytes: exercises the padding
        let b = Self.ipv4Frame(proto: 6, payload: 20)
        let usec: UInt64 = 1_700_000_000_654_321
        try Data(PcapngBuilder.capture(records: [(usec, a, UInt32(a.count)), (usec + 1, b, 1514)]))
            .write(to: URL(fileURLWithPath: path))

        let file = try PcapFile(path: path)
        #expect(file.linkType == .DLT_EN10MB)
        let (read, error) = Self.readAll(file)
        #expect(error == nil)
        #expect(read.map(\.index) == [1, 2])
        #expect(read.map(\.bytes) == [a, b])
        #expect(read.map(\.timestampNanoseconds) == [Int64(usec) * 1_000, Int64(usec + 1) * 1_000])
        #expect(read.map(\.originalLength) == [a.count, 1514])
    }

    @Test("a pcapng with nanosecond resolution (if_tsresol 9) keeps every nanosecond")
    func pcapngNanoseconds() throws {
        let path = Self.temporaryPath(".pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = Self.ipv4Frame(proto: 17)
        let ns: UInt64 = 1_700_000_000_123_456_789
        try Data(PcapngBuilder.capture(tsresol: 9, records: [(ns, a, UInt32(a.count))])).write(to: URL(fileURLWithPath: path))
        let (read, error) = Self.readAll(try PcapFile(path: path))
        #expect(error == nil)
        #expect(read.map(\.timestampNanoseconds) == [Int64(ns)])
        #expect(read.map(\.bytes) == [a])
    }

    @Test("a filter works on pcapng too")
    func pcapngFilter() throws {
        let path = Self.temporaryPath(".pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let frames = [Self.ipv4Frame(proto: 6), Self.ipv4Frame(proto: 17, marker: 9), Self.ipv4Frame(proto: 1)]
        try Data(PcapngBuilder.capture(records: frames.enumerated().map { (UInt64($0.offset), $0.element, UInt32($0.element.count)) }))
            .write(to: URL(fileURLWithPath: path))
        let file = try PcapFile(path: path)
        try file.setFilter("udp")
        let (read, error) = Self.readAll(file)
        #expect(error == nil)
        #expect(read.map(\.index) == [2])
        #expect(read.first?.bytes == frames[1])
    }

    // MARK: - Timestamps as the file gives them

    /// Reads a pcapng of one interface (`tsresol`, `tsoffset`) whose records carry `stamps`.
    static func readStamps(tsresol: UInt8? = nil, tsoffset: Int64? = nil, _ stamps: [UInt64]) throws -> [CapturedFrame] {
        let path = Self.temporaryPath(".pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = Self.ipv4Frame(proto: 17)
        try Data(PcapngBuilder.capture(tsresol: tsresol, tsoffset: tsoffset, records: stamps.map { ($0, a, UInt32(a.count)) }))
            .write(to: URL(fileURLWithPath: path))
        let (read, error) = Self.readAll(try PcapFile(path: path))
        #expect(error == nil)
        return read
    }

    @Test("a timestamp beyond 64-bit nanoseconds is kept as the file gave it, and the frames around it read on")
    func timestampBeyondNanoseconds() throws {
        // Microseconds near 2^64: 18446744073709 s, 551615 µs (a year past 580,000).
        let read = try Self.readStamps([1_700_000_000_000_000, UInt64.max, 1_700_000_001_000_000])
        #expect(read.map(\.index) == [1, 2, 3])
        #expect(read[0].unrepresentableTimestamp == nil)
        #expect(read[0].timestampNanoseconds == 1_700_000_000_000_000_000)
        #expect(read[1].unrepresentableTimestamp?.seconds == 18_446_744_073_709)
        #expect(read[1].unrepresentableTimestamp?.nanoseconds == 551_615_000)
        #expect(read[2].unrepresentableTimestamp == nil)
        #expect(read[2].timestampNanoseconds == 1_700_000_001_000_000_000)
    }

    @Test("the last representable second (2262-04-11) reads exactly; the next one does not fit")
    func timestampAtTheEdge() throws {
        // Int64.max ns is 9223372036 s + 854775807 ns; in microseconds:
        let read = try Self.readStamps([9_223_372_036_854_775, 9_223_372_036_854_776])
        #expect(read[0].timestampNanoseconds == 9_223_372_036_854_775_000)
        #expect(read[0].unrepresentableTimestamp == nil)
        #expect(read[1].unrepresentableTimestamp?.seconds == 9_223_372_036)
        #expect(read[1].unrepresentableTimestamp?.nanoseconds == 854_776_000)
    }

    @Test("if_tsresol as a power of two (2^-20 s): 3.5 s reads as 3.5 s")
    func binaryResolution() throws {
        let read = try Self.readStamps(tsresol: 0x80 | 20, [(3 << 20) + (1 << 19)])
        #expect(read.map(\.timestampNanoseconds) == [3_500_000_000])
    }

    @Test("if_tsresol in seconds: 2^62 seconds is unrepresentable, not a trap")
    func secondsResolutionOverflow() throws {
        let read = try Self.readStamps(tsresol: 0, [1 << 62, 1_700_000_000])
        #expect(read[0].unrepresentableTimestamp != nil)
        #expect(read[1].timestampNanoseconds == 1_700_000_000_000_000_000)
    }

    @Test("if_tsoffset moves every timestamp by whole seconds")
    func timestampOffset() throws {
        let read = try Self.readStamps(tsoffset: 1_000_000_000, [5])
        #expect(read.map(\.timestampNanoseconds) == [1_000_000_000_000_005_000])
    }

    @Test("nanosecondsSinceEpoch is exact inside Int64 and nil outside", arguments: [
        (0, 0, Int64?(0)), (-1, 999_999_999, Int64?(-1)), (9_223_372_036, 854_775_807, Int64?.some(.max)),
        (9_223_372_036, 854_775_808, nil), (-9_223_372_037, 145_224_192, Int64?.some(.min)),
        (-9_223_372_037, 145_224_191, nil), (Int.max, 0, nil), (Int.min, 0, nil),
    ] as [(Int, Int, Int64?)])
    func nanosecondsSinceEpoch(_ seconds: Int, _ nanoseconds: Int, _ expected: Int64?) {
        #expect(CapturedFrame.nanosecondsSinceEpoch(seconds: seconds, nanoseconds: nanoseconds) == expected)
    }
}
