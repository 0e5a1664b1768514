import CPcap
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A capture file (pcap or pcapng) or standard input (`-`), read through libpcap one record at a time.
///
/// Timestamps are read at nanosecond precision whatever the file holds. A filter given to
/// ``setFilter(_:)`` is compiled by libpcap (pcap-filter syntax, as tcpdump takes it) and applied
/// with `pcap_offline_filter`; records it rejects are skipped but still counted in the frame index.
public final class PcapFile {
    /// The path given to ``init(path:)`` (`-` for standard input).
    public let path: String
    /// The link-layer type of every record.
    public let linkType: LinkType
    /// The snapshot length the capture was made with.
    public let snapshotLength: Int
    private let handle: OpaquePointer
    /// The stdio buffer libpcap reads the file through (``readBufferSize`` bytes, ours to free after it).
    private let readBuffer: UnsafeMutablePointer<CChar>
    /// libpcap reads through stdio, 4 KiB per `read(2)` by default: a large capture then costs hundreds
    /// of thousands of system calls. With 1 MiB, a few thousand.
    static let readBufferSize = 1 << 20
    private var program = bpf_program()
    private var hasFilter = false
    private var recordsRead = 0

    /// Opens a capture for reading. Throws when it is missing, not a capture, or of a link type pktpath
    /// does not replay.
    public init(path: String) throws(CaptureError) {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        // Opened as pcap_open_offline opens it (standard input for "-"), with a larger buffer.
        guard let file = path == "-" ? fdopen(STDIN_FILENO, "rb") : fopen(path, "rb") else {
            throw .cannotOpen(path: path, message: "\(path): \(String(cString: strerror(errno)))")
        }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Self.readBufferSize)
        setvbuf(file, buffer, _IOFBF, Self.readBufferSize)
        guard let h = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf)
        else {
            fclose(file)
            buffer.deallocate()
            throw .cannotOpen(path: path, message: String(cString: errbuf))
        }
        let type = LinkType(rawValue: pcap_datalink(h))
        guard type.isSupported else {
            pcap_close(h)
            buffer.deallocate()
            throw .unsupportedLinkType(path: path, linkType: type)
        }
        self.path = path
        self.handle = h
        self.readBuffer = buffer
        self.linkType = type
        self.snapshotLength = Int(pcap_snapshot(h))
    }

    deinit {
        if hasFilter { pcap_freecode(&program) }
        pcap_close(handle)
        readBuffer.deallocate()
    }

    /// Compiles `expression` (pcap-filter syntax) for this capture's link type; later reads return only
    /// the records it accepts.
    public func setFilter(_ expression: String) throws(CaptureError) {
        var compiled = bpf_program()
        guard pcap_compile(handle, &compiled, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw .badFilter(expression: expression, message: String(cString: pcap_geterr(handle)))
        }
        if hasFilter { pcap_freecode(&program) }
        program = compiled
        hasFilter = true
    }

    /// Reads the next record the filter accepts into `frame`, reusing its buffer.
    ///
    /// - Returns: `false` at the end of the capture.
    /// - Throws: ``CaptureError/truncated(path:frame:message:)`` when the file breaks inside a record.
    public func read(into frame: inout CapturedFrame) throws(CaptureError) -> Bool {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let rc = pcap_next_ex(handle, &header, &data)
            switch rc {
            case 1:
                recordsRead += 1
                guard let header, let data else { continue }
                if hasFilter, pcap_offline_filter(&program, header, data) == 0 { continue }
                let caplen = Int(header.pointee.caplen)
                frame.index = recordsRead
                // At nanosecond precision libpcap puts nanoseconds in `tv_usec`.
                frame.setTimestamp(seconds: Int(header.pointee.ts.tv_sec), nanoseconds: Int(header.pointee.ts.tv_usec))
                frame.capturedLength = caplen
                frame.originalLength = Int(header.pointee.len)
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
