/// One record of a capture file: where it stands, when it was seen, and the bytes that were kept.
///
/// The caller owns a `CapturedFrame` and hands it to ``PcapFile/read(into:)`` again and again, so the
/// byte buffer is reused rather than allocated per frame.
public struct CapturedFrame: Sendable {
    /// 1-based position in the capture file, counting every record (also those a filter skips).
    public var index: Int
    /// Seconds since the Unix epoch, in nanoseconds (0 when ``unrepresentableTimestamp`` is set).
    public var timestampNanoseconds: Int64
    /// The timestamp as the file gave it, when 64-bit nanoseconds since the epoch cannot hold it
    /// (before 1677-09-21 or after 2262-04-11); `nil` for every ordinary frame.
    public var unrepresentableTimestamp: (seconds: Int, nanoseconds: Int)?
    /// Bytes kept in the capture (`caplen`).
    public var capturedLength: Int
    /// Bytes the frame had on the wire (`len`).
    public var originalLength: Int
    /// The captured bytes; `bytes.count == capturedLength`.
    public var bytes: [UInt8]
    /// The interface the frame was captured on: its number among the file's interfaces
    /// (``PcapngMetadata/interfaces``); 0 in a classic pcap, which has one.
    public var interface: Int
    /// The link-layer header type of ``bytes``: the capture's, or in a pcapng its interface's.
    public var linkType: LinkType

    /// An empty frame to read into.
    public init() {
        index = 0
        timestampNanoseconds = 0
        capturedLength = 0
        originalLength = 0
        bytes = []
        bytes.reserveCapacity(65_536)
        interface = 0
        linkType = .DLT_EN10MB
    }

    /// A frame built from parts (tests, generated captures).
    public init(index: Int, timestampNanoseconds: Int64, originalLength: Int? = nil, bytes: [UInt8],
                linkType: LinkType = .DLT_EN10MB, interface: Int = 0) {
        self.index = index
        self.interface = interface
        self.linkType = linkType
        self.timestampNanoseconds = timestampNanoseconds
        self.capturedLength = bytes.count
        self.originalLength = originalLength ?? bytes.count
        self.bytes = bytes
    }

    /// Sets the timestamp from seconds since the epoch and nanoseconds into the second (libpcap's
    /// `ts` at nanosecond precision), or records it as unrepresentable when it overflows 64 bits.
    public mutating func setTimestamp(seconds: Int, nanoseconds: Int) {
        if let t = Self.nanosecondsSinceEpoch(seconds: seconds, nanoseconds: nanoseconds) {
            timestampNanoseconds = t
            unrepresentableTimestamp = nil
        } else {
            timestampNanoseconds = 0
            unrepresentableTimestamp = (seconds, nanoseconds)
        }
    }

    /// `seconds` × 10⁹ + `nanoseconds` as an `Int64`, or `nil` when that overflows.
    public static func nanosecondsSinceEpoch(seconds: Int, nanoseconds: Int) -> Int64? {
        // Before 1970 the second is borrowed first, so that the earliest representable instant, whose
        // seconds alone scale past Int64.min, still fits.
        var (seconds, nanoseconds) = (seconds, nanoseconds)
        if seconds < 0, nanoseconds > 0 {
            seconds += 1
            nanoseconds -= 1_000_000_000
        }
        let (scaled, overflowA) = Int64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, overflowB) = scaled.addingReportingOverflow(Int64(nanoseconds))
        return overflowA || overflowB ? nil : sum
    }
}
