#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a pcapng file says about where it was taken, which libpcap does not hand on: the section
/// header's `shb_hardware`, `shb_os` and `shb_userappl`, and each interface's `if_name`,
/// `if_description` and `if_os` (pcapng, draft-ietf-opsawg-pcapng §4.1 and §4.2).
///
/// Only the blocks at the start of the file are read (the section header and the interface
/// descriptions that follow it, at most 64 KiB); a classic pcap, a pipe or a damaged header gives
/// an empty value, never an error: the capture itself is opened and judged by ``PcapFile``.
public struct PcapngMetadata: Sendable, Equatable {
    /// One interface description block.
    public struct Interface: Sendable, Equatable {
        public var linkType: Int
        public var name: String?
        public var description: String?
        public var os: String?
    }

    public var hardware: String?
    public var os: String?
    public var application: String?
    public var interfaces: [Interface] = []

    public init() {}

    /// Reads the metadata of the file at `path` (`-`, standard input, has none that can be read twice).
    public static func read(path: String) -> PcapngMetadata {
        guard path != "-", let file = fopen(path, "rb") else { return PcapngMetadata() }
        defer { fclose(file) }
        var head = [UInt8](repeating: 0, count: 65_536)
        let n = fread(&head, 1, head.count, file)
        return parse(Array(head.prefix(n)))
    }

    /// Parses the blocks at the start of a pcapng file held in `bytes`.
    public static func parse(_ bytes: [UInt8]) -> PcapngMetadata {
        var meta = PcapngMetadata()
        guard bytes.count >= 28, u32(bytes, 0, littleEndian: true) == 0x0A0D_0D0A else { return meta }
        let magic = u32(bytes, 8, littleEndian: true)
        guard magic == 0x1A2B_3C4D || magic == 0x4D3C_2B1A else { return meta }
        let little = magic == 0x1A2B_3C4D
        var at = 0
        var first = true
        while at + 12 <= bytes.count {
            let type = u32(bytes, at, littleEndian: little)
            let length = Int(u32(bytes, at + 4, littleEndian: little))
            guard length >= 12, length % 4 == 0, length <= bytes.count - at else { break }
            let body = at + 8
            let end = at + length - 4
            if first {
                // Section header: magic, version (2 + 2), section length (8), then options.
                let o = options(bytes, from: body + 16, to: end, littleEndian: little)
                (meta.hardware, meta.os, meta.application) = (o[2], o[3], o[4])
                first = false
            } else if type == 1 {
                // Interface description: link type (2), reserved (2), snaplen (4), then options.
                guard body + 8 <= end else { break }
                let o = options(bytes, from: body + 8, to: end, littleEndian: little)
                meta.interfaces.append(Interface(linkType: Int(u16(bytes, body, littleEndian: little)), name: o[2],
                                                 description: o[3], os: o[12]))
            } else {
                break
            }
            at += length
        }
        return meta
    }

    /// The options between `start` and `end`, their values read as UTF-8 text, by option code.
    private static func options(_ bytes: [UInt8], from start: Int, to end: Int, littleEndian: Bool) -> [UInt16: String] {
        var out: [UInt16: String] = [:]
        var at = start
        while at + 4 <= end {
            let code = u16(bytes, at, littleEndian: littleEndian)
            let length = Int(u16(bytes, at + 2, littleEndian: littleEndian))
            if code == 0 { break }
            guard at + 4 + length <= end else { break }
            let value = bytes[(at + 4)..<(at + 4 + length)]
            // Text options may carry a terminating NUL.
            out[code] = String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
            at += 4 + (length + 3) / 4 * 4
        }
        return out
    }

    private static func u16(_ b: [UInt8], _ at: Int, littleEndian: Bool) -> UInt16 {
        let v = UInt16(b[at]) | UInt16(b[at + 1]) << 8
        return littleEndian ? v : v.byteSwapped
    }

    private static func u32(_ b: [UInt8], _ at: Int, littleEndian: Bool) -> UInt32 {
        let v = UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
        return littleEndian ? v : v.byteSwapped
    }
}
