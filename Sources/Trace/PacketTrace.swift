/// Whether the capturing host received or sent a frame.
public enum Direction: String, Sendable, Codable {
    case rx, tx
}

/// What became of a frame in the model.
public enum Verdict: String, Sendable, Codable, CaseIterable {
    /// Handed to a local protocol handler (`proto` says which).
    case deliver
    /// Routed on towards another host.
    case forward
    /// Held for later, such as a fragment waiting for reassembly.
    case queue
    /// Freed as a drop, with the kernel's reason.
    case drop
    /// Sent out by the host.
    case transmit
    /// The model could not follow the frame to its end (see the trace's `not_modeled` event).
    case unknown

    /// The position in `allCases`.
    var index: Int {
        switch self {
        case .deliver: 0
        case .forward: 1
        case .queue: 2
        case .drop: 3
        case .transmit: 4
        case .unknown: 5
        }
    }
}

/// The model's record of one captured frame: what it was and the path it took.
public struct PacketTrace: Sendable, Equatable {
    /// 1-based position in the capture.
    public var frame: Int
    /// Capture timestamp, nanoseconds since the Unix epoch.
    public var timeNanoseconds: Int64
    /// Length on the wire.
    public var length: Int
    /// Bytes captured.
    public var capturedLength: Int
    public var direction: Direction
    /// The interface the frame was seen on.
    public var device: String
    /// One-line description of the frame.
    public var summary: String {
        get {
            switch summaryStorage {
            case .text(let s): return s
            case .deferred(let d):
                var out: [UInt8] = []
                d.write(into: &out)
                return String(decoding: out, as: UTF8.self)
            }
        }
        set { summaryStorage = .text(newValue) }
    }
    /// A frame's one-line description: written, or the means to write it when it is read.
    public enum Summary: Sendable {
        case text(String)
        case deferred(DeferredSummary)
    }

    /// The summary as given, or the means to write it when it is read.
    @usableFromInline var summaryStorage: Summary
    /// What the model concluded, kept as the model handed it over (moved in, not copied field by field).
    @usableFromInline var result: FrameResult
    public var verdict: Verdict {
        get { result.verdict }
        set { result.verdict = newValue }
    }
    /// The protocol a `deliver` verdict delivered to (`tcp`, `udp`, `icmp`, `arp`, …).
    public var proto: String? {
        get { result.proto }
        set { result.proto = newValue }
    }
    /// The kernel's drop reason name, for `drop`.
    public var dropReason: String? {
        get { result.dropReason }
        set { result.dropReason = newValue }
    }
    /// The function that freed the packet, for `drop`.
    public var dropFunction: String? {
        get { result.dropFunction }
        set { result.dropFunction = newValue }
    }
    /// The earlier frame whose processing produced this (transmitted) frame.
    public var causedBy: Int? {
        get { result.causedBy }
        set { result.causedBy = newValue }
    }
    /// The kernel timer whose callback sent this (transmitted) frame (`ip_expire`), when a timer did.
    public var causedByTimer: String? {
        get { result.causedByTimer }
        set { result.causedByTimer = newValue }
    }
    /// Set on the fragment that completed a reassembly.
    public var reassembled: Bool {
        get { result.reassembled }
        set { result.reassembled = newValue }
    }
    /// Kernel timers that expired by the capture clock before this frame, each with its own path.
    public var timers: [TimerRun] {
        get { result.timers }
        set { result.timers = newValue }
    }
    /// The path, in order.
    public var events: TraceEvents {
        get { result.events }
        set { result.events = newValue }
    }

    /// About how many bytes of memory the trace holds: itself, its path and its timers' paths (what
    /// ``TraceEvents/footprint`` counts).
    public var footprint: Int {
        var bytes = MemoryLayout<PacketTrace>.stride + events.footprint
        for t in timers { bytes += MemoryLayout<TimerRun>.stride + t.events.footprint }
        return bytes
    }

    public init(frame: Int, timeNanoseconds: Int64, length: Int, capturedLength: Int, direction: Direction,
                device: String, summary: String, verdict: Verdict = .unknown, proto: String? = nil,
                dropReason: String? = nil, dropFunction: String? = nil, causedBy: Int? = nil,
                reassembled: Bool = false, events: TraceEvents = []) {
        self.init(frame: frame, timeNanoseconds: timeNanoseconds, length: length, capturedLength: capturedLength,
                  direction: direction, device: device, summary: .text(summary), verdict: verdict, proto: proto,
                  dropReason: dropReason, dropFunction: dropFunction, causedBy: causedBy, reassembled: reassembled,
                  events: events)
    }

    /// A trace whose summary is written from the frame only when it is read (renderers that write
    /// every frame, or `--only` selecting this one).
    public init(frame: Int, timeNanoseconds: Int64, length: Int, capturedLength: Int, direction: Direction,
                device: String, summary: DeferredSummary) {
        self.init(frame: frame, timeNanoseconds: timeNanoseconds, length: length, capturedLength: capturedLength,
                  direction: direction, device: device, summary: .deferred(summary))
    }

    /// Sets every property from its argument. (The other initializers call this one; a caller that
    /// makes many traces calls it directly, as each call through another initializer copies the trace.)
    /// Inlinable, so that the caller builds the trace in place.
    @inlinable
    public init(frame: Int, timeNanoseconds: Int64, length: Int, capturedLength: Int, direction: Direction,
         device: String, summary: Summary, verdict: Verdict = .unknown, proto: String? = nil,
         dropReason: String? = nil, dropFunction: String? = nil, causedBy: Int? = nil,
         causedByTimer: String? = nil, reassembled: Bool = false, timers: [TimerRun] = [],
         events: TraceEvents = []) {
        self.frame = frame
        self.timeNanoseconds = timeNanoseconds
        self.length = length
        self.capturedLength = capturedLength
        self.direction = direction
        self.device = device
        self.summaryStorage = summary
        self.result = FrameResult(verdict: verdict, proto: proto, dropReason: dropReason, dropFunction: dropFunction,
                                  causedBy: causedBy, reassembled: reassembled, causedByTimer: causedByTimer,
                                  timers: timers, events: events)
    }

    /// A trace of the model's `result` for a frame: what the replay builds for every frame, taking
    /// the result over whole. Inlinable, so that the caller builds the trace in place.
    @inlinable
    public init(frame: Int, timeNanoseconds: Int64, length: Int, capturedLength: Int, direction: Direction,
                device: String, summary: Summary, result: consuming FrameResult) {
        self.frame = frame
        self.timeNanoseconds = timeNanoseconds
        self.length = length
        self.capturedLength = capturedLength
        self.direction = direction
        self.device = device
        self.summaryStorage = summary
        self.result = result
    }

    /// Appends the summary, as UTF-8, to `out`.
    public func writeSummary(into out: inout [UInt8]) {
        switch summaryStorage {
        case .text(let s): out.append(contentsOf: s.utf8)
        case .deferred(let d): d.write(into: &out)
        }
    }

    public static func == (a: PacketTrace, b: PacketTrace) -> Bool {
        a.frame == b.frame && a.timeNanoseconds == b.timeNanoseconds && a.length == b.length
            && a.capturedLength == b.capturedLength && a.direction == b.direction && a.device == b.device
            && a.verdict == b.verdict && a.proto == b.proto && a.dropReason == b.dropReason
            && a.dropFunction == b.dropFunction && a.causedBy == b.causedBy && a.causedByTimer == b.causedByTimer
            && a.reassembled == b.reassembled && a.timers == b.timers && a.events == b.events && a.summary == b.summary
    }

    /// The functions of the path in order, inlined ones included.
    public var functions: [String] { events.compactMap { $0.symbol?.function } }

    /// The functions a real trace (ftrace, eBPF) can see, in order: the path without inlined ones.
    public var visibleFunctions: [String] { events.visibleFunctions }

    /// The symbols of ``visibleFunctions``, without reading their names.
    public var visibleSymbols: [KernelSymbol] { events.visibleSymbols }
}

/// What the model concluded about one frame, for the replay to turn into a `PacketTrace`.
public struct FrameResult: Sendable {
    public var verdict: Verdict
    public var proto: String?
    public var dropReason: String?
    public var dropFunction: String?
    public var causedBy: Int?
    public var reassembled: Bool
    /// The timer callback that sent this (transmitted) frame, if a timer did.
    public var causedByTimer: String?
    /// Timer callbacks that expired before this frame, each with its own path.
    public var timers: [TimerRun]
    public var events: TraceEvents

    @inlinable
    public init(verdict: Verdict, proto: String?, dropReason: String?, dropFunction: String?, causedBy: Int?,
                reassembled: Bool, causedByTimer: String?, timers: [TimerRun], events: TraceEvents) {
        self.verdict = verdict
        self.proto = proto
        self.dropReason = dropReason
        self.dropFunction = dropFunction
        self.causedBy = causedBy
        self.reassembled = reassembled
        self.causedByTimer = causedByTimer
        self.timers = timers
        self.events = events
    }
}

/// A kernel timer callback that ran between two frames: the kernel runs it asynchronously, the model
/// runs it when the capture clock first passes its expiry and records it ahead of that frame.
public struct TimerRun: Sendable, Equatable {
    /// When the timer expired, nanoseconds since the Unix epoch (by the capture clock).
    public var timeNanoseconds: Int64
    /// The callback (`ip_expire`).
    public var function: String
    /// The frame that armed the timer (the fragment that opened a reassembly queue).
    public var armedBy: Int?
    /// The callback's path, in order (depth 0 is the callback).
    public var events: TraceEvents
    /// Whether the callback freed a packet as a drop (`ip_expire` freeing the fragments it held).
    public var dropped: Bool

    public init(timeNanoseconds: Int64, function: String, armedBy: Int?, events: TraceEvents, dropped: Bool = false) {
        self.timeNanoseconds = timeNanoseconds
        self.function = function
        self.armedBy = armedBy
        self.events = events
        self.dropped = dropped
    }
}

/// A frame summary not written yet: the frame's bytes and the function that describes them (the
/// model's decoder, which this module does not know).
public struct DeferredSummary: Sendable {
    /// Writes the description of `bytes` (network header at `offset`, of link-layer type `kind`).
    public typealias Writer = @Sendable (_ bytes: [UInt8], _ offset: Int, _ kind: UInt16, _ out: inout [UInt8]) -> Void

    /// The most bytes kept.
    public static let capacity = 128
    /// The bytes, held in the value itself: keeping them costs the replay no allocation per frame
    /// (the array ``write(into:)`` hands the writer is made when, and where, the summary is written).
    private var storage: (SIMD64<UInt8>, SIMD64<UInt8>) = (.zero, .zero)
    private var count: Int
    public var offset: Int
    public var kind: UInt16
    public var writer: Writer

    /// Keeps the first ``capacity`` of `bytes`.
    public init(bytes: ArraySlice<UInt8>, offset: Int, kind: UInt16, writer: @escaping Writer) {
        count = min(bytes.count, Self.capacity)
        self.offset = offset
        self.kind = kind
        self.writer = writer
        let n = count
        guard n > 0 else { return }
        withUnsafeMutableBytes(of: &storage) { out in
            bytes.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
        }
    }

    /// The bytes kept.
    public var bytes: [UInt8] { withUnsafeBytes(of: storage) { Array($0.prefix(count)) } }

    /// Appends the summary to `out`.
    public func write(into out: inout [UInt8]) { writer(bytes, offset, kind, &out) }
}

