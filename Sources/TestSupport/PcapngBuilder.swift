/// Writes pcapng files byte by byte, for tests of what the capture reader hands back and of input
/// pktpath must survive: sections in either byte order, interfaces of any link type with their options,
/// and enhanced packet blocks with timestamps in their interface's units.
///
/// Little-endian unless `bigEndian` is given; an option or block made apart (``option(_:_:bigEndian:)``,
/// ``block(type:body:bigEndian:)``) must be made in the byte order of the section it goes into.
public enum PcapngBuilder {
    public static func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    public static func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    public static func le64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }

    /// `v` in the byte order a section uses.
    static func u16(_ v: UInt16, _ bigEndian: Bool) -> [UInt8] { bigEndian ? le16(v.byteSwapped) : le16(v) }
    static func u32(_ v: UInt32, _ bigEndian: Bool) -> [UInt8] { bigEndian ? le32(v.byteSwapped) : le32(v) }
    static func u64(_ v: UInt64, _ bigEndian: Bool) -> [UInt8] { bigEndian ? le64(v.byteSwapped) : le64(v) }

    /// A block: type, total length, body (padded to 4 bytes), total length again.
    public static func block(type: UInt32, body: [UInt8], bigEndian: Bool = false) -> [UInt8] {
        var padded = body
        while padded.count % 4 != 0 { padded.append(0) }
        let total = UInt32(12 + padded.count)
        return u32(type, bigEndian) + u32(total, bigEndian) + padded + u32(total, bigEndian)
    }

    /// One option (code, length, value padded to 4 bytes).
    public static func option(_ code: UInt16, _ value: [UInt8], bigEndian: Bool = false) -> [UInt8] {
        var padded = value
        while padded.count % 4 != 0 { padded.append(0) }
        return u16(code, bigEndian) + u16(UInt16(value.count), bigEndian) + padded
    }

    /// The `if_tsoffset` option (code 14): seconds added to an interface's timestamps.
    public static func tsoffset(_ seconds: Int64, bigEndian: Bool = false) -> [UInt8] {
        option(14, u64(UInt64(bitPattern: seconds), bigEndian), bigEndian: bigEndian)
    }

    /// One interface description block's contents: link type (a `LINKTYPE_` value), snapshot length and
    /// options (the end-of-options marker is added).
    public struct Interface {
        public var linkType: UInt16
        public var snapshotLength: UInt32
        public var options: [UInt8]

        public init(linkType: UInt16 = 1, snapshotLength: UInt32 = 262_144, options: [UInt8] = []) {
            self.linkType = linkType
            self.snapshotLength = snapshotLength
            self.options = options
        }
    }

    /// One enhanced packet block: the interface it was captured on (an index into the section's
    /// interfaces), timestamp in that interface's units, bytes and original length.
    public struct Record {
        public var interface: UInt32
        public var ts: UInt64
        public var bytes: [UInt8]
        public var len: UInt32

        public init(interface: UInt32 = 0, ts: UInt64, bytes: [UInt8], len: UInt32) {
            self.interface = interface
            self.ts = ts
            self.bytes = bytes
            self.len = len
        }
    }

    /// A capture (one section): section header (with `sectionOptions`, such as `shb_os`, code 3), the
    /// interfaces in order, then the records.
    public static func capture(sectionOptions: [UInt8] = [], interfaces: [Interface], records: [Record],
                               bigEndian: Bool = false) -> [UInt8] {
        // Section header: byte-order magic, version 1.0, section length unknown (-1), options.
        var shb = u32(0x1A2B_3C4D, bigEndian) + u16(1, bigEndian) + u16(0, bigEndian) + [UInt8](repeating: 0xff, count: 8)
        if !sectionOptions.isEmpty { shb += sectionOptions + [0, 0, 0, 0] }
        var out = block(type: 0x0A0D_0D0A, body: shb, bigEndian: bigEndian)
        for i in interfaces {
            // Link type, reserved, snaplen, options then opt_endofopt.
            var idb = u16(i.linkType, bigEndian) + [0, 0] + u32(i.snapshotLength, bigEndian)
            if !i.options.isEmpty { idb += i.options + [0, 0, 0, 0] }
            out += block(type: 1, body: idb, bigEndian: bigEndian)
        }
        for r in records {
            out += packet(r, bigEndian: bigEndian)
        }
        return out
    }

    /// One enhanced packet block.
    public static func packet(_ r: Record, bigEndian: Bool = false) -> [UInt8] {
        let epb = u32(r.interface, bigEndian) + u32(UInt32(r.ts >> 32), bigEndian) + u32(UInt32(r.ts & 0xffff_ffff), bigEndian)
            + u32(UInt32(r.bytes.count), bigEndian) + u32(r.len, bigEndian) + r.bytes
        return block(type: 6, body: epb, bigEndian: bigEndian)
    }

    /// One simple packet block (no interface, timestamp or captured length: the first interface's).
    public static func simplePacket(_ bytes: [UInt8], len: UInt32, bigEndian: Bool = false) -> [UInt8] {
        block(type: 3, body: u32(len, bigEndian) + bytes, bigEndian: bigEndian)
    }

    /// A capture: section header (with `shb_os`, option 3, when given), an Ethernet interface with
    /// `if_name` (option 2), `if_tsresol` (option 9) and `if_tsoffset` (option 14) when given, and one
    /// enhanced packet block per record.
    public static func capture(tsresol: UInt8? = nil, tsoffset: Int64? = nil, os: String? = nil, ifName: String? = nil,
                               records: [(ts: UInt64, bytes: [UInt8], len: UInt32)]) -> [UInt8] {
        var options: [UInt8] = []
        if let ifName { options += option(2, Array(ifName.utf8)) }
        if let tsresol { options += option(9, [tsresol]) }
        if let tsoffset { options += Self.tsoffset(tsoffset) }
        return capture(sectionOptions: os.map { option(3, Array($0.utf8)) } ?? [],
                       interfaces: [Interface(options: options)],
                       records: records.map { Record(ts: $0.ts, bytes: $0.bytes, len: $0.len) })
    }
}
