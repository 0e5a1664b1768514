/// One record of a capture file: where it stands, when it was seen, and the bytes that were kept.
///
/// The caller owns a `CapturedFrame` and hands it to ``PcapFile/read(into:)`` again and again, so the
/// byte buffer is reused rather than allocated per frame.
public struct CapturedFrame: Sendable {
    /// 1-based position in the capture file, counting every record (also those a filter skips).
    public var index: Int
    /// Seconds since the Unix epoch, in nanoseconds.
    public var timestampNanoseconds: Int64
    /// Bytes kept in the capture (`caplen`).
    public var capturedLength: Int
    /// Bytes the frame had on the wire (`len`).
    public var originalLength: Int
    /// The captured bytes; `bytes.count == capturedLength`.
    public var bytes: [UInt8]

    /// An empty frame to read into.
    public init() {
        index = 0
        timestampNanoseconds = 0
        capturedLength = 0
        originalLength = 0
        bytes = []
        bytes.reserveCapacity(65_536)
    }

    /// A frame built from parts (tests, generated captures).
    public init(index: Int, timestampNanoseconds: Int64, originalLength: Int? = nil, bytes: [UInt8]) {
        self.index = index
        self.timestampNanoseconds = timestampNanoseconds
        self.capturedLength = bytes.count
        self.originalLength = originalLength ?? bytes.count
        self.bytes = bytes
    }
}
