/// Writes pcapng files byte by byte (little-endian), for tests of what libpcap hands back and of
/// input pktpath must survive: a section header, interfaces of any link type with their options, and
/// enhanced packet blocks with timestamps in their interface's units.
public enum PcapngBuilder {
    public static func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    public static func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    public static func le64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }

    /// A block: type, total length, body (padded to 4 bytes), total length again.
    public static func block(type: UInt32, body: [UInt8]) -> [UInt8] {
        var padded = body
        while padded.count % 4 != 0 { padded.append(0) }
        let total = UInt32(12 + padded.count)
        return le32(type) + le32(total) + padded + le32(total)
    }

    /// One option (code, length, value padded to 4 bytes).
    public static func option(_ code: UInt16, _ value: [UInt8]) -> [UInt8] {
        var padded = value
        while padded.count % 4 != 0 { padded.append(0) }
        return le16(code) + le16(UInt16(value.count)) + padded
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

    /// A capture: section header (with `sectionOptions`, such as `shb_os`, code 3), the interfaces in
    /// order, then the records.
    public static func capture(sectionOptions: [UInt8] = [], interfaces: [Interface], records: [Record]) -> [UInt8] {
        // Section header: byte-order magic, version 1.0, section length unknown (-1), options.
        var shb = le32(0x1A2B_3C4D) + le16(1) + le16(0) + [UInt8](repeating: 0xff, count: 8)
        if !sectionOptions.isEmpty { shb += sectionOptions + le16(0) + le16(0) }
        var out = block(type: 0x0A0D_0D0A, body: shb)
        for i in interfaces {
            // Link type, reserved, snaplen, options then opt_endofopt.
            var idb = le16(i.linkType) + le16(0) + le32(i.snapshotLength)
            if !i.options.isEmpty { idb += i.options + le16(0) + le16(0) }
            out += block(type: 1, body: idb)
        }
        for r in records {
            let epb = le32(r.interface) + le32(UInt32(r.ts >> 32)) + le32(UInt32(r.ts & 0xffff_ffff))
                + le32(UInt32(r.bytes.count)) + le32(r.len) + r.bytes
            out += block(type: 6, body: epb)
        }
        return out
    }

    /// A capture: section header (with `shb_os`, option 3, when given), an Ethernet interface with
    /// `if_name` (option 2), `if_tsresol` (option 9) and `if_tsoffset` (option 14) when given, and one
    /// enhanced packet block per record.
    public static func capture(tsresol: UInt8? = nil, tsoffset: Int64? = nil, os: String? = nil, ifName: String? = nil,
                               records: [(ts: UInt64, bytes: [UInt8], len: UInt32)]) -> [UInt8] {
        var options: [UInt8] = []
        if let ifName { options += option(2, Array(ifName.utf8)) }
        if let tsresol { options += option(9, [tsresol]) }
        if let tsoffset { options += option(14, le64(UInt64(bitPattern: tsoffset))) }
        return capture(sectionOptions: os.map { option(3, Array($0.utf8)) } ?? [],
                       interfaces: [Interface(options: options)],
                       records: records.map { Record(ts: $0.ts, bytes: $0.bytes, len: $0.len) })
    }
}
