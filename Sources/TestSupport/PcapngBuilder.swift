/// Writes pcapng files byte by byte (little-endian), for tests of what libpcap hands back and of
/// input pktpath must survive: section header, one Ethernet interface with optional options, and
/// enhanced packet blocks with timestamps in the interface's units.
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

    /// A capture: section header, an Ethernet interface with `if_tsresol` (option 9) and `if_tsoffset`
    /// (option 14) when given, and one enhanced packet block per record.
    public static func capture(tsresol: UInt8? = nil, tsoffset: Int64? = nil, os: String? = nil, ifName: String? = nil,
                               records: [(ts: UInt64, bytes: [UInt8], len: UInt32)]) -> [UInt8] {
        // Section header: byte-order magic, version 1.0, section length unknown (-1), shb_os if given.
        var shbBody = le32(0x1A2B_3C4D) + le16(1) + le16(0) + [UInt8](repeating: 0xff, count: 8)
        if let os { shbBody += option(3, Array(os.utf8)) + le16(0) + le16(0) }
        let shb = block(type: 0x0A0D_0D0A, body: shbBody)
        // Interface description: link type 1 (Ethernet), reserved, snaplen, options.
        var idb = le16(1) + le16(0) + le32(262_144)
        var options: [UInt8] = []
        if let ifName { options += option(2, Array(ifName.utf8)) }
        if let tsresol { options += option(9, [tsresol]) }
        if let tsoffset { options += option(14, le64(UInt64(bitPattern: tsoffset))) }
        if !options.isEmpty { idb += options + le16(0) + le16(0) }  // then opt_endofopt
        var out = shb + block(type: 1, body: idb)
        for r in records {
            let epb = le32(0) + le32(UInt32(r.ts >> 32)) + le32(UInt32(r.ts & 0xffff_ffff))
                + le32(UInt32(r.bytes.count)) + le32(r.len) + r.bytes
            out += block(type: 6, body: epb)
        }
        return out
    }
}
