import CPcap

/// Writes a capture as pcapng (draft-ietf-opsawg-pcapng), little-endian, one section: the section
/// header with its options, an interface description block the first time a frame of a new interface
/// is written, and an enhanced packet block per frame with comments and the direction flag.
///
/// The blocks are appended to a byte array the caller writes out, so that output is streamed: nothing
/// but the interfaces seen so far is kept.
public struct PcapngWriter {
    /// Block types (pcapng §4).
    private enum BlockType: UInt32 {
        case interfaceDescription = 0x0000_0001
        case enhancedPacket = 0x0000_0006
        case sectionHeader = 0x0A0D_0D0A
    }

    /// Option codes (pcapng §3.5, §4).
    private enum Option: UInt16 {
        case endOfOptions = 0
        /// `opt_comment`, in every block: UTF-8 text.
        case comment = 1
        /// `shb_hardware`, `if_name`: code 2 in their blocks.
        case hardwareOrName = 2
        /// `shb_os`, `if_description`: code 3.
        case osOrDescription = 3
        /// `shb_userappl`: code 4.
        case application = 4
        /// `if_tsresol`: code 9.
        case timestampResolution = 9
        /// `epb_flags`: code 2 in an enhanced packet block.
        static let flags = Option.hardwareOrName
    }

    /// The longest value an option holds (its length is 16 bits).
    static let maximumOptionLength = 0xFFFF

    /// Which way a frame went, as `epb_flags` bits 0-1 say it.
    public enum Direction: UInt32, Sendable {
        case inbound = 1
        case outbound = 2
    }

    /// What the section header says about the capture: text for `shb_hardware`, `shb_os`,
    /// `shb_userappl`, and comments.
    public struct Section: Sendable {
        public var hardware: String?
        public var os: String?
        public var application: String?
        public var comments: [String]

        public init(hardware: String? = nil, os: String? = nil, application: String? = nil, comments: [String] = []) {
            self.hardware = hardware
            self.os = os
            self.application = application
            self.comments = comments
        }
    }

    /// An interface of the output: the input interface's number and link type, and the name written.
    private struct InterfaceKey: Hashable {
        var number: Int
        var linkType: LinkType
        var name: String
    }

    /// The interface description blocks written so far, by key: their interface IDs.
    private var interfaces: [InterfaceKey: UInt32] = [:]

    public init() {}

    /// The section header block: byte-order magic, version 1.0, section length unknown, `section`'s options.
    public static func sectionHeader(_ section: Section) -> [UInt8] {
        var body: [UInt8] = []
        append32(0x1A2B_3C4D, to: &body)
        append16(1, to: &body)
        append16(0, to: &body)
        body += [UInt8](repeating: 0xFF, count: 8)
        var options: [UInt8] = []
        if let hardware = section.hardware { appendOption(.hardwareOrName, Array(hardware.utf8), to: &options) }
        if let os = section.os { appendOption(.osOrDescription, Array(os.utf8), to: &options) }
        if let application = section.application { appendOption(.application, Array(application.utf8), to: &options) }
        for comment in section.comments { appendComment(comment, to: &options) }
        appendOptions(options, to: &body)
        var out: [UInt8] = []
        appendBlock(.sectionHeader, body: body, to: &out)
        return out
    }

    /// Appends `frame` as an enhanced packet block, on the interface named `device` (its description
    /// block first, when this interface has not been written yet), with `direction` in `epb_flags` and
    /// each of `comments` as an `opt_comment`.
    public mutating func appendPacket(_ frame: CapturedFrame, device: String, direction: Direction?, comments: [String],
                                      to out: inout [UInt8]) {
        let key = InterfaceKey(number: frame.interface, linkType: frame.linkType, name: device)
        let id: UInt32
        if let known = interfaces[key] {
            id = known
        } else {
            id = UInt32(interfaces.count)
            interfaces[key] = id
            Self.appendInterface(key, to: &out)
        }
        var body: [UInt8] = []
        Self.append32(id, to: &body)
        // Nanoseconds since 1970 (if_tsresol 9); a time before 1970 has no unsigned form and is written as 0.
        let ts = UInt64(max(0, frame.timestampNanoseconds))
        Self.append32(UInt32(truncatingIfNeeded: ts >> 32), to: &body)
        Self.append32(UInt32(truncatingIfNeeded: ts), to: &body)
        Self.append32(UInt32(truncatingIfNeeded: frame.bytes.count), to: &body)
        Self.append32(UInt32(truncatingIfNeeded: max(frame.originalLength, frame.bytes.count)), to: &body)
        body += frame.bytes
        while body.count % 4 != 0 { body.append(0) }
        var options: [UInt8] = []
        if let direction {
            var flags: [UInt8] = []
            Self.append32(direction.rawValue, to: &flags)
            Self.appendOption(Option.flags, flags, to: &options)
        }
        for comment in comments { Self.appendComment(comment, to: &options) }
        Self.appendOptions(options, to: &body)
        Self.appendBlock(.enhancedPacket, body: body, to: &out)
    }

    /// An interface description block: link type, no snapshot limit, `if_name`, nanosecond timestamps.
    private static func appendInterface(_ key: InterfaceKey, to out: inout [UInt8]) {
        var body: [UInt8] = []
        append16(key.linkType.pcapngValue, to: &body)
        append16(0, to: &body)
        append32(0, to: &body)
        var options: [UInt8] = []
        appendOption(.hardwareOrName, Array(key.name.utf8), to: &options)
        appendOption(.timestampResolution, [9], to: &options)
        appendOptions(options, to: &body)
        appendBlock(.interfaceDescription, body: body, to: &out)
    }

    /// Appends a block: type, total length, `body` (a multiple of 4 bytes long), total length.
    private static func appendBlock(_ type: BlockType, body: [UInt8], to out: inout [UInt8]) {
        let total = UInt32(truncatingIfNeeded: 12 + body.count)
        append32(type.rawValue, to: &out)
        append32(total, to: &out)
        out += body
        append32(total, to: &out)
    }

    /// Appends `options` and the end-of-options marker, when there are any.
    private static func appendOptions(_ options: [UInt8], to body: inout [UInt8]) {
        guard !options.isEmpty else { return }
        body += options
        appendOption(.endOfOptions, [], to: &body)
    }

    /// Appends a comment, cut at the last whole UTF-8 character that fits an option.
    private static func appendComment(_ text: String, to options: inout [UInt8]) {
        var bytes = Array(text.utf8)
        if bytes.count > maximumOptionLength {
            var end = maximumOptionLength
            // Back up to the first byte of a character (continuation bytes are 10xxxxxx).
            while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
            bytes.removeSubrange(end...)
        }
        appendOption(.comment, bytes, to: &options)
    }

    /// Appends one option: code, length, value padded to 4 bytes.
    private static func appendOption(_ code: Option, _ value: [UInt8], to out: inout [UInt8]) {
        append16(code.rawValue, to: &out)
        append16(UInt16(truncatingIfNeeded: value.count), to: &out)
        out += value
        while out.count % 4 != 0 { out.append(0) }
    }

    private static func append16(_ v: UInt16, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: v))
        out.append(UInt8(truncatingIfNeeded: v >> 8))
    }

    private static func append32(_ v: UInt32, to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }
}

extension LinkType {
    /// The `LINKTYPE_` value a pcapng interface block carries for this link type: the inverse of
    /// ``init(pcapng:)`` (libpcap's `dlt_to_linktype` for the values that differ by platform).
    var pcapngValue: UInt16 {
        switch self {
        case .DLT_RAW, .DLT_RAW_OPENBSD: 101
        case LinkType(rawValue: DLT_ATM_RFC1483): 100
        case LinkType(rawValue: DLT_SLIP_BSDOS): 102
        case LinkType(rawValue: DLT_PPP_BSDOS): 103
        case LinkType(rawValue: DLT_ATM_CLIP): 106
        default: UInt16(truncatingIfNeeded: rawValue)
        }
    }
}
