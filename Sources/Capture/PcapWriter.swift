import CPcap

/// Writes frames to a classic pcap file through libpcap (`pcap_dump`), at nanosecond precision.
public final class PcapWriter {
    private let dead: OpaquePointer
    private let dumper: OpaquePointer

    /// Creates (or replaces) the file at `path` for frames of `linkType`.
    public init(path: String, linkType: LinkType, snapshotLength: Int = 262_144) throws(CaptureError) {
        guard
            let dead = pcap_open_dead_with_tstamp_precision(
                linkType.rawValue, Int32(snapshotLength), UInt32(PCAP_TSTAMP_PRECISION_NANO))
        else { throw .cannotWrite(path: path, message: "libpcap could not create a handle") }
        guard let dumper = pcap_dump_open(dead, path) else {
            let message = String(cString: pcap_geterr(dead))
            pcap_close(dead)
            throw .cannotWrite(path: path, message: message)
        }
        self.dead = dead
        self.dumper = dumper
    }

    deinit {
        pcap_dump_close(dumper)
        pcap_close(dead)
    }

    /// Appends one record.
    public func write(_ frame: CapturedFrame) {
        var header = pcap_pkthdr()
        header.ts.tv_sec = Int(frame.timestampNanoseconds / 1_000_000_000)
        header.ts.tv_usec = Int(frame.timestampNanoseconds % 1_000_000_000)
        header.caplen = UInt32(frame.bytes.count)
        header.len = UInt32(max(frame.originalLength, frame.bytes.count))
        frame.bytes.withUnsafeBufferPointer { buffer in
            pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header, buffer.baseAddress)
        }
    }

    /// Flushes buffered records to the file.
    public func flush() { pcap_dump_flush(dumper) }
}
