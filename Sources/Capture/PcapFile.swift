import CPcap
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A capture file (pcap or pcapng) or standard input (`-`), read one record at a time.
///
/// A classic pcap is read through libpcap. A pcapng is read by ``PcapngReader``, because libpcap's
/// reader cannot say which interface a packet was captured on and refuses a file whose interfaces
/// differ in link type, both of which a capture of several interfaces needs (`dumpcap -i eth0 -i wg0`);
/// it makes every check libpcap makes, with libpcap's messages. Each frame carries its interface and
/// link type (``CapturedFrame/interface``, ``CapturedFrame/linkType``), and ``metadata`` what the pcapng
/// says about its interfaces.
///
/// Timestamps are read at nanosecond precision whatever the file holds. A filter given to
/// ``setFilter(_:)`` is compiled by libpcap (pcap-filter syntax, as tcpdump takes it) for each link
/// type met and applied with `pcap_offline_filter`; records it rejects are skipped but still counted in
/// the frame index.
public final class PcapFile {
    /// The path given to ``init(path:)`` (`-` for standard input).
    public let path: String
    /// The link-layer type of the records: a classic pcap's, or a pcapng's first interface pktpath
    /// replays (each frame carries its own).
    public let linkType: LinkType
    /// The snapshot length the capture was made with (of that interface, in a pcapng).
    public let snapshotLength: Int
    private let source: Source
    /// The stdio buffer the file is read through (``readBufferSize`` bytes, ours to free after it).
    private let readBuffer: UnsafeMutablePointer<CChar>
    /// libpcap reads through stdio, 4 KiB per `read(2)` by default: a large capture then costs hundreds
    /// of thousands of system calls. With 1 MiB, a few thousand.
    static let readBufferSize = 1 << 20
    private var filter: PacketFilter?
    private var recordsRead = 0

    /// Who reads the records.
    private enum Source {
        /// libpcap, for a classic pcap.
        case libpcap(OpaquePointer)
        /// pktpath's block reader, for a pcapng (it owns nothing: the file is closed here).
        case pcapng(PcapngReader, UnsafeMutablePointer<FILE>)
    }

    /// What the pcapng says about where it was taken and its interfaces (as far as read); empty for a
    /// classic pcap.
    public var metadata: PcapngMetadata {
        if case .pcapng(let reader, _) = source { return reader.metadata }
        return PcapngMetadata()
    }

    /// Opens a capture for reading. Throws when it is missing, not a capture, or of a link type pktpath
    /// does not replay (in a pcapng, when none of the interfaces described before its first packet is).
    public init(path: String) throws(CaptureError) {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        // Opened as pcap_open_offline opens it (standard input for "-"), with a larger buffer.
        guard let file = path == "-" ? fdopen(STDIN_FILENO, "rb") : fopen(path, "rb") else {
            throw .cannotOpen(path: path, message: "\(path): \(String(cString: strerror(errno)))")
        }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Self.readBufferSize)
        setvbuf(file, buffer, _IOFBF, Self.readBufferSize)
        func fail(_ error: CaptureError) -> CaptureError {
            fclose(file)
            buffer.deallocate()
            return error
        }
        // The first four bytes say pcapng (its section header block type) or not; they are pushed back
        // for the reader chosen, which works on standard input too.
        var magic: [UInt8] = [0, 0, 0, 0]
        let got = fread(&magic, 1, 4, file)
        for byte in magic.prefix(got).reversed() {
            guard ungetc(Int32(byte), file) != EOF else {
                throw fail(.cannotOpen(path: path, message: "cannot read the start of the file again"))
            }
        }
        if got == 4, magic == [0x0A, 0x0D, 0x0D, 0x0A] {
            let reader: PcapngReader
            do {
                reader = try PcapngReader(file: file)
            } catch {
                throw fail(.cannotOpen(path: path, message: error.message))
            }
            let interfaces = reader.metadata.interfaces
            guard let replayed = interfaces.firstIndex(where: \.linkType.isSupported) else {
                throw fail(.unsupportedLinkType(path: path, linkType: interfaces[0].linkType))
            }
            self.source = .pcapng(reader, file)
            self.linkType = interfaces[replayed].linkType
            self.snapshotLength = reader.snapshotLength(ofInterface: replayed)
        } else {
            guard let h = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf)
            else { throw fail(.cannotOpen(path: path, message: String(cString: errbuf))) }
            let type = LinkType(rawValue: pcap_datalink(h))
            guard type.isSupported else {
                pcap_close(h)
                buffer.deallocate()
                throw .unsupportedLinkType(path: path, linkType: type)
            }
            self.source = .libpcap(h)
            self.linkType = type
            self.snapshotLength = Int(pcap_snapshot(h))
        }
        self.path = path
        self.readBuffer = buffer
    }

    deinit {
        switch source {
        case .libpcap(let handle): pcap_close(handle)
        case .pcapng(_, let file): fclose(file)
        }
        readBuffer.deallocate()
    }

    /// Compiles `expression` (pcap-filter syntax) for this capture's link types; later reads return only
    /// the records it accepts. Throws when libpcap cannot compile it for one of them (in a pcapng, one
    /// of the interfaces described so far; an interface described later with a link type it cannot be
    /// compiled for ends the reading there).
    public func setFilter(_ expression: String) throws(CaptureError) {
        let filter = PacketFilter(expression)
        switch source {
        case .libpcap: try filter.prepare(for: linkType)
        case .pcapng(let reader, _): for i in reader.metadata.interfaces { try filter.prepare(for: i.linkType) }
        }
        self.filter = filter
    }

    /// Reads the next record the filter accepts into `frame`, reusing its buffer.
    ///
    /// - Returns: `false` at the end of the capture.
    /// - Throws: ``CaptureError/truncated(path:frame:message:)`` when the file breaks inside a record
    ///   (or, in a pcapng, at a malformed block).
    public func read(into frame: inout CapturedFrame) throws(CaptureError) -> Bool {
        switch source {
        case .libpcap(let handle): return try readLibpcap(handle, into: &frame)
        case .pcapng(let reader, _):
            do {
                return try reader.read(into: &frame) { linkType, header, data throws(CaptureError) in
                    try filter?.accepts(linkType, &header, data) ?? true
                }
            } catch {
                throw .truncated(path: path, frame: reader.recordsRead + 1, message: error.message)
            }
        }
    }

    private func readLibpcap(_ handle: OpaquePointer, into frame: inout CapturedFrame) throws(CaptureError) -> Bool {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let rc = pcap_next_ex(handle, &header, &data)
            switch rc {
            case 1:
                recordsRead += 1
                guard let header, let data else { continue }
                if let filter, try !filter.accepts(linkType, &header.pointee, data) { continue }
                let caplen = Int(header.pointee.caplen)
                frame.index = recordsRead
                // At nanosecond precision libpcap puts nanoseconds in `tv_usec`.
                frame.setTimestamp(seconds: Int(header.pointee.ts.tv_sec), nanoseconds: Int(header.pointee.ts.tv_usec))
                frame.capturedLength = caplen
                frame.originalLength = Int(header.pointee.len)
                frame.interface = 0
                frame.linkType = linkType
                frame.bytes.removeAll(keepingCapacity: true)
                frame.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: caplen))
                return true
            case PCAP_ERROR_BREAK:
                return false
            default:
                throw .truncated(path: path, frame: recordsRead + 1, message: String(cString: pcap_geterr(handle)))
            }
        }
    }
}
