#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPcap

/// Reads a pcapng file block by block (draft-ietf-opsawg-pcapng), for what libpcap's reader does not
/// do: say which interface each packet was captured on, and read files whose interfaces differ in
/// link type (libpcap refuses them).
///
/// Streaming: one block is held at a time, in a buffer that is reused and grows only as far as the
/// longest block read (at most ``maximumBlockLength``, libpcap's limit, and only as its bytes arrive).
/// Both byte orders, any number of sections (each with its own byte order and interfaces), enhanced,
/// simple and (obsolete) packet blocks; other blocks are skipped. Every check libpcap makes on a block
/// is made here, with libpcap's message; a block that fails one ends the reading there.
///
/// Interfaces are numbered across the file in the order their description blocks come; an interface
/// of a later section with the name and link type of an earlier one is that interface again (a file
/// made by concatenating captures of the same interfaces).
final class PcapngReader {
    /// The longest block accepted (libpcap's `INITIAL_MAX_BLOCKSIZE`): a longer length is refused
    /// before anything is allocated for it.
    static let maximumBlockLength = 16 << 20
    /// The longest section header block accepted (libpcap's `BT_SHB_INSANE_MAX`).
    static let maximumSectionHeaderLength = 1 << 20
    /// The most interfaces a file may describe (libpcap has no limit but its memory).
    static let maximumInterfaces = 4_096
    /// The snapshot length of an interface that gives none or a larger one (libpcap's `MAXIMUM_SNAPLEN`).
    static let maximumSnapshotLength = 262_144
    /// Block bytes read from the file at a time, so that a block's buffer grows only as its bytes arrive.
    private static let chunk = 1 << 20

    /// Why reading stopped: libpcap's message for the same fault.
    struct Failure: Error {
        var message: String
    }

    /// An interface of the current section, with the units of its timestamps.
    private struct SectionInterface {
        /// Its number across the file (``PcapngMetadata/interfaces``).
        var number: Int
        var linkType: LinkType
        var snapshotLength: Int
        var clock: Clock
    }

    /// How an interface's timestamps count time (`if_tsresol`, `if_tsoffset`).
    struct Clock {
        /// Units per second.
        var resolution: UInt64 = 1_000_000
        /// Whether the resolution is a power of two.
        var isBinary = false
        /// Seconds added to every timestamp.
        var offset: Int64 = 0

        /// A timestamp in these units as seconds since the epoch and nanoseconds into the second, as
        /// libpcap computes it at nanosecond precision (seconds wrap as its unsigned arithmetic does).
        func time(_ t: UInt64) -> (seconds: Int, nanoseconds: Int) {
            let seconds = t / resolution &+ UInt64(bitPattern: offset)
            let fraction = t % resolution
            let nanoseconds: UInt64
            if resolution == 1_000_000_000 {
                nanoseconds = fraction
            } else if !isBinary, resolution < 1_000_000_000 {
                nanoseconds = fraction * (1_000_000_000 / resolution)
            } else if !isBinary {
                nanoseconds = fraction / (resolution / 1_000_000_000)
            } else {
                // fraction × 10⁹ / 2^k in 128 bits: the quotient is below 10⁹, as fraction < 2^k.
                nanoseconds = resolution.dividingFullWidth(fraction.multipliedFullWidth(by: 1_000_000_000)).quotient
            }
            return (Int(Int64(bitPattern: seconds)), Int(nanoseconds))
        }
    }

    /// What the file has said about itself so far.
    private(set) var metadata = PcapngMetadata()
    /// Packet records read so far (the frame index of the last one).
    private(set) var recordsRead = 0

    private let file: UnsafeMutablePointer<FILE>
    private var section: [SectionInterface] = []
    /// What makes a later section's interface an earlier one again: its name and link type.
    private struct Identity: Hashable {
        var name: String
        var linkType: LinkType
    }
    /// The file's interfaces with a name, by name and link type, in order.
    private var numbersByIdentity: [Identity: [Int]] = [:]
    /// How many interfaces of each name and link type the current section has described.
    private var sectionIdentities: [Identity: Int] = [:]
    private var littleEndian = true
    /// The current block: type, length, body, trailing length.
    private var block = [UInt8](repeating: 0, count: 2_048)
    private var blockLength = 0
    private var sectionsRead = 0
    /// Whether `block` holds a packet block that the opening read but did not hand over.
    private var pending = false
    /// A failure met while looking ahead at opening, reported at the first read (as libpcap reports it).
    private var deferred: Failure?

    /// Reads the section header and the blocks up to the first packet from `file`, which holds a pcapng
    /// from its current position. Throws when they are not a pcapng with an interface.
    init(file: UnsafeMutablePointer<FILE>) throws(Failure) {
        self.file = file
        guard try readBlock(), sectionsRead == 1 else {
            throw Failure(message: "not a pcapng file: it does not begin with a section header block")
        }
        try interpret()
        // The blocks up to the first interface are the file's header: a fault there means it cannot be opened.
        while metadata.interfaces.isEmpty {
            guard try readBlock() else { throw Failure(message: "the capture file has no Interface Description Blocks") }
            if isPacketBlock {
                throw Failure(message: "the capture file has a packet block before any Interface Description Blocks")
            }
            try interpret()
        }
        // Further interfaces before the first packet are known from the start too.
        do {
            while try readBlock() {
                if isPacketBlock {
                    pending = true
                    break
                }
                try interpret()
            }
        } catch {
            deferred = error
        }
    }

    /// Reads the next packet, skipping those `accept` rejects, into `frame` (reusing its buffer).
    ///
    /// - Returns: `false` at the end of the file.
    func read(into frame: inout CapturedFrame,
              accept: (_ linkType: LinkType, _ header: inout pcap_pkthdr, _ data: UnsafePointer<UInt8>) throws(CaptureError) -> Bool)
        throws(Failure) -> Bool
    {
        if let deferred {
            self.deferred = nil
            throw deferred
        }
        while true {
            if pending {
                pending = false
            } else {
                guard try readBlock() else { return false }
            }
            guard let packet = try interpret() else { continue }
            recordsRead += 1
            let start = packet.data.lowerBound
            var header = pcap_pkthdr()
            header.caplen = UInt32(packet.data.count)
            header.len = packet.length
            let accepted: Bool
            do {
                accepted = try block.withUnsafeBufferPointer { b throws(CaptureError) in
                    try accept(packet.interface.linkType, &header, b.baseAddress! + start)
                }
            } catch {
                throw Failure(message: error.description)
            }
            guard accepted else { continue }
            frame.index = recordsRead
            let time = packet.interface.clock.time(packet.timestamp)
            frame.setTimestamp(seconds: time.seconds, nanoseconds: time.nanoseconds)
            frame.capturedLength = packet.data.count
            frame.originalLength = Int(packet.length)
            frame.interface = packet.interface.number
            frame.linkType = packet.interface.linkType
            frame.bytes.removeAll(keepingCapacity: true)
            frame.bytes.append(contentsOf: block[packet.data])
            return true
        }
    }

    /// The snapshot length of the file's interface `number`, as it was in the section that described it last.
    func snapshotLength(ofInterface number: Int) -> Int {
        section.last { $0.number == number }?.snapshotLength ?? Self.maximumSnapshotLength
    }

    // MARK: - Blocks

    private static let sectionHeaderType: UInt32 = 0x0A0D_0D0A
    private static let interfaceType: UInt32 = 1
    private static let packetType: UInt32 = 2
    private static let simplePacketType: UInt32 = 3
    private static let enhancedPacketType: UInt32 = 6

    private var blockType: UInt32 { u32(0) }
    private var isPacketBlock: Bool {
        switch blockType {
        case Self.enhancedPacketType, Self.simplePacketType, Self.packetType: true
        default: false
        }
    }
    /// Where the trailing length starts: the body ends there.
    private var bodyEnd: Int { blockLength - 4 }

    /// Reads the next block into ``block`` after checking its lengths as libpcap does. Returns `false`
    /// at the end of the file.
    private func readBlock() throws(Failure) -> Bool {
        let got = fill(0..<8)
        if got == 0, feof(file) != 0 { return false }
        guard got == 8 else { throw shortRead(8, got) }
        var have = 8
        let length: Int
        if u32(0) == Self.sectionHeaderType {
            // A section header gives its byte order in the magic number after its length.
            let got = fill(8..<12)
            guard got == 4 else { throw shortRead(4, got) }
            switch (block[8], block[9], block[10], block[11]) {
            case (0x4D, 0x3C, 0x2B, 0x1A): littleEndian = true
            case (0x1A, 0x2B, 0x3C, 0x4D): littleEndian = false
            default: throw Failure(message: "the file has a section with a bad byte order magic field")
            }
            have = 12
            length = Int(u32(4))
            guard length >= 28, length <= Self.maximumSectionHeaderLength else {
                throw Failure(message: "Section Header Block in pcapng dump file has invalid length \(length)")
            }
        } else {
            length = Int(u32(4))
        }
        guard length >= 12 else { throw Failure(message: "block in pcapng dump file has a length of \(length) < 12") }
        guard length % 4 == 0 else {
            throw Failure(message: "block in pcapng dump file has a length of \(length) that is not a multiple of 4")
        }
        guard length <= Self.maximumBlockLength else {
            throw Failure(message: "pcapng block size \(length) > maximum \(Self.maximumBlockLength)")
        }
        while have < length {
            let end = min(length, have + Self.chunk)
            if block.count < end { block.append(contentsOf: repeatElement(0, count: end - block.count)) }
            let got = fill(have..<end)
            guard got == end - have else { throw shortRead(length - 8, have + got - 8) }
            have = end
        }
        blockLength = length
        let trailer = Int(u32(length - 4))
        guard trailer == length else {
            throw Failure(message: "block total length in header \(length) and trailer \(trailer) don't match")
        }
        if blockType == Self.sectionHeaderType { sectionsRead += 1 }
        return true
    }

    /// Reads file bytes into `block[range]`; returns how many came.
    private func fill(_ range: Range<Int>) -> Int {
        block.withUnsafeMutableBytes { fread($0.baseAddress! + range.lowerBound, 1, range.count, file) }
    }

    private func shortRead(_ wanted: Int, _ got: Int) -> Failure {
        if ferror(file) != 0 { return Failure(message: "error reading dump file: \(String(cString: strerror(errno)))") }
        return Failure(message: "truncated pcapng dump file; tried to read \(wanted) bytes, only got \(got)")
    }

    /// A packet block's contents.
    private struct Packet {
        var interface: SectionInterface
        var timestamp: UInt64
        var length: UInt32
        /// Where the captured bytes are in ``block``.
        var data: Range<Int>
    }

    /// Takes in the block read: a section header or interface description changes what is known, a
    /// packet block is returned, anything else is skipped.
    @discardableResult
    private func interpret() throws(Failure) -> Packet? {
        let body = 8
        switch blockType {
        case Self.sectionHeaderType:
            try startSection()
        case Self.interfaceType:
            try needBody(8)
            try addInterface(linkType: LinkType(pcapng: u16(body)), snapshotLength: Int(u32(body + 4)))
        case Self.enhancedPacketType:
            try needBody(20)
            let timestamp = UInt64(u32(body + 4)) << 32 | UInt64(u32(body + 8))
            return try packet(on: Int(u32(body)), timestamp: timestamp, capturedLength: Int(u32(body + 12)),
                              length: u32(body + 16), at: body + 20)
        case Self.simplePacketType:
            // No interface (the first), timestamp or captured length: the packet's length up to the snapshot length.
            try needBody(4)
            let length = u32(body)
            let capturedLength = section.first.map { min(Int(length), $0.snapshotLength) } ?? 0
            return try packet(on: 0, timestamp: 0, capturedLength: capturedLength, length: length, at: body + 4)
        case Self.packetType:
            try needBody(20)
            let timestamp = UInt64(u32(body + 4)) << 32 | UInt64(u32(body + 8))
            return try packet(on: Int(u16(body)), timestamp: timestamp, capturedLength: Int(u32(body + 12)),
                              length: u32(body + 16), at: body + 20)
        default:
            break
        }
        return nil
    }

    /// A packet block's contents, checked as libpcap checks them.
    private func packet(on id: Int, timestamp: UInt64, capturedLength: Int, length: UInt32, at start: Int)
        throws(Failure) -> Packet
    {
        guard id < section.count else {
            throw Failure(message: "a packet arrived on interface \(id), but there's no Interface Description Block for that interface")
        }
        let interface = section[id]
        guard capturedLength <= interface.snapshotLength else {
            throw Failure(message: "invalid packet capture length \(capturedLength), bigger than snaplen of \(interface.snapshotLength)")
        }
        guard start + capturedLength <= bodyEnd else { throw tooShort }
        return Packet(interface: interface, timestamp: timestamp, length: length, data: start..<(start + capturedLength))
    }

    /// A section header: a new section, with interfaces of its own. The first one's options describe the file.
    private func startSection() throws(Failure) {
        try needBody(16)
        let major = u16(12)
        let minor = u16(14)
        if sectionsRead == 1 {
            guard major == 1, minor == 0 || minor == 2 else {
                throw Failure(message: "unsupported pcapng savefile version \(major).\(minor)")
            }
            // libpcap does not read these options; a malformed one only ends what is taken from them.
            try? forEachOption(from: 24, strict: false) { code, value in
                switch code {
                case 2: metadata.hardware = PcapngMetadata.text(block[value])
                case 3: metadata.os = PcapngMetadata.text(block[value])
                case 4: metadata.application = PcapngMetadata.text(block[value])
                default: break
                }
            }
        } else {
            guard major == 1 else { throw Failure(message: "unknown pcapng savefile major version number \(major)") }
        }
        section.removeAll(keepingCapacity: true)
        sectionIdentities.removeAll(keepingCapacity: true)
    }

    /// An interface description: the interface, its name and the units of its timestamps.
    private func addInterface(linkType: LinkType, snapshotLength: Int) throws(Failure) {
        var interface = PcapngMetadata.Interface(linkType: linkType)
        var clock = Clock()
        var sawResolution = false
        var sawOffset = false
        try forEachOption(from: 16, strict: true) { code, value throws(Failure) in
            switch code {
            case 2: interface.name = PcapngMetadata.text(block[value])
            case 3: interface.description = PcapngMetadata.text(block[value])
            case 12: interface.os = PcapngMetadata.text(block[value])
            case 9:
                guard value.count == 1 else {
                    throw Failure(message: "Interface Description Block has if_tsresol option with length \(value.count) != 1")
                }
                guard !sawResolution else { throw Failure(message: "Interface Description Block has more than one if_tsresol option") }
                sawResolution = true
                let r = block[value.lowerBound]
                if r & 0x80 != 0 {
                    guard r & 0x7f <= 63 else {
                        throw Failure(message: "Interface Description Block if_tsresol option resolution 2^-\(r & 0x7f) is too high")
                    }
                    clock.resolution = 1 << UInt64(r & 0x7f)
                    clock.isBinary = true
                } else {
                    guard r <= 19 else {
                        throw Failure(message: "Interface Description Block if_tsresol option resolution 10^-\(r) is too high")
                    }
                    clock.resolution = (0..<r).reduce(UInt64(1)) { p, _ in p * 10 }
                }
            case 14:
                guard value.count == 8 else {
                    throw Failure(message: "Interface Description Block has if_tsoffset option with length \(value.count) != 8")
                }
                guard !sawOffset else { throw Failure(message: "Interface Description Block has more than one if_tsoffset option") }
                sawOffset = true
                clock.offset = Int64(bitPattern: u64(value.lowerBound))
            default:
                break
            }
        }
        guard section.count < Self.maximumInterfaces else {
            throw Failure(message: "more than \(Self.maximumInterfaces) interfaces in a section")
        }
        // The n-th interface of a section with a name and link type is the file's n-th of them: an
        // interface of an earlier section again (one hash lookup, however many interfaces there are).
        let identity = interface.name.flatMap { $0.isEmpty ? nil : Identity(name: $0, linkType: linkType) }
        let seen = identity.map { sectionIdentities[$0, default: 0] } ?? 0
        let number: Int
        if let identity, let earlier = numbersByIdentity[identity], seen < earlier.count {
            number = earlier[seen]
        } else {
            guard metadata.interfaces.count < Self.maximumInterfaces else {
                throw Failure(message: "more than \(Self.maximumInterfaces) interfaces in the file")
            }
            number = metadata.interfaces.count
            metadata.interfaces.append(interface)
            if let identity { numbersByIdentity[identity, default: []].append(number) }
        }
        if let identity { sectionIdentities[identity] = seen + 1 }
        let snapshot = snapshotLength == 0 || snapshotLength > Self.maximumSnapshotLength ? Self.maximumSnapshotLength : snapshotLength
        section.append(SectionInterface(number: number, linkType: linkType, snapshotLength: snapshot, clock: clock))
    }

    /// Calls `body` with each option's code and where its value is, from `start` to the end of the
    /// block's body. An option cut short is libpcap's "too short" error when `strict`; the end of the
    /// options otherwise.
    private func forEachOption(from start: Int, strict: Bool,
                               _ body: (_ code: UInt16, _ value: Range<Int>) throws(Failure) -> Void) throws(Failure)
    {
        var at = start
        while at < bodyEnd {
            guard at + 4 <= bodyEnd else {
                if strict { throw tooShort }
                return
            }
            let code = u16(at)
            let length = Int(u16(at + 2))
            if code == 0 { return }
            let padded = (length + 3) / 4 * 4
            guard at + 4 + padded <= bodyEnd else {
                if strict { throw tooShort }
                return
            }
            try body(code, (at + 4)..<(at + 4 + length))
            at += 4 + padded
        }
    }

    /// Throws unless the block's body holds at least `count` bytes.
    private func needBody(_ count: Int) throws(Failure) {
        if bodyEnd - 8 < count { throw tooShort }
    }

    private var tooShort: Failure { Failure(message: "block of type \(blockType) in pcapng dump file is too short") }

    // MARK: - Bytes in the section's byte order

    private func u16(_ at: Int) -> UInt16 {
        let v = UInt16(block[at]) | UInt16(block[at + 1]) << 8
        return littleEndian ? v : v.byteSwapped
    }

    private func u32(_ at: Int) -> UInt32 {
        let v = UInt32(block[at]) | UInt32(block[at + 1]) << 8 | UInt32(block[at + 2]) << 16 | UInt32(block[at + 3]) << 24
        return littleEndian ? v : v.byteSwapped
    }

    private func u64(_ at: Int) -> UInt64 {
        let (first, second) = (UInt64(u32(at)), UInt64(u32(at + 4)))
        return littleEndian ? second << 32 | first : first << 32 | second
    }
}

extension LinkType {
    /// The link type of a pcapng interface's `LINKTYPE_` value, mapped as libpcap maps it (its
    /// `linktype_to_dlt`): the few values whose `DLT_` number differs by platform.
    init(pcapng value: UInt16) {
        switch Int32(value) {
        case 100: self.init(rawValue: DLT_ATM_RFC1483)
        case 101: self = .DLT_RAW
        case 102: self.init(rawValue: DLT_SLIP_BSDOS)
        case 103: self.init(rawValue: DLT_PPP_BSDOS)
        case 106: self.init(rawValue: DLT_ATM_CLIP)
        default: self.init(rawValue: Int32(value))
        }
    }
}
