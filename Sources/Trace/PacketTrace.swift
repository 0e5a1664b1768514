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
    public var summary: String
    public var verdict: Verdict
    /// The protocol a `deliver` verdict delivered to (`tcp`, `udp`, `icmp`, `arp`, …).
    public var proto: String?
    /// The kernel's drop reason name, for `drop`.
    public var dropReason: String?
    /// The function that freed the packet, for `drop`.
    public var dropFunction: String?
    /// The earlier frame whose processing produced this (transmitted) frame.
    public var causedBy: Int?
    /// The kernel timer whose callback sent this (transmitted) frame (`ip_expire`), when a timer did.
    public var causedByTimer: String?
    /// Set on the fragment that completed a reassembly.
    public var reassembled: Bool
    /// Kernel timers that expired by the capture clock before this frame, each with its own path.
    public var timers: [TimerRun] = []
    /// The path, in order.
    public var events: [TraceEvent]

    public init(frame: Int, timeNanoseconds: Int64, length: Int, capturedLength: Int, direction: Direction,
                device: String, summary: String, verdict: Verdict = .unknown, proto: String? = nil,
                dropReason: String? = nil, dropFunction: String? = nil, causedBy: Int? = nil,
                reassembled: Bool = false, events: [TraceEvent] = []) {
        self.frame = frame
        self.timeNanoseconds = timeNanoseconds
        self.length = length
        self.capturedLength = capturedLength
        self.direction = direction
        self.device = device
        self.summary = summary
        self.verdict = verdict
        self.proto = proto
        self.dropReason = dropReason
        self.dropFunction = dropFunction
        self.causedBy = causedBy
        self.reassembled = reassembled
        self.events = events
    }

    /// The functions of the path in order, inlined ones included.
    public var functions: [String] { events.compactMap { $0.symbol?.function } }

    /// The functions a real trace (ftrace, eBPF) can see, in order: the path without inlined ones.
    public var visibleFunctions: [String] { events.visibleFunctions }
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
    public var events: [TraceEvent]

    public init(timeNanoseconds: Int64, function: String, armedBy: Int?, events: [TraceEvent]) {
        self.timeNanoseconds = timeNanoseconds
        self.function = function
        self.armedBy = armedBy
        self.events = events
    }
}

extension Array where Element == TraceEvent {
    /// The functions of a path a real trace (ftrace, eBPF) can see, in order: inlined ones left out.
    public var visibleFunctions: [String] {
        compactMap { e in
            guard case let .call(sym, _, inline) = e, !inline else { return nil }
            return sym.function
        }
    }
}
