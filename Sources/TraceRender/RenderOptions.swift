import Trace

/// The output formats of `pktpath trace`.
public enum TraceFormat: String, Sendable, CaseIterable {
    /// A frame summary line, then the call tree indented by depth.
    case text
    /// One line per frame: the functions joined by arrows and the verdict.
    case chain
    /// JSON Lines, schema `pktpath-trace/1`.
    case json
    /// The capture again as pcapng, each frame with its verdict and path as comments: written from
    /// the frames themselves, so it has no ``renderer``.
    case pcapng
    /// Chrome/Perfetto trace-event JSON: a track per context, each frame a slice with its calls nested.
    case perfetto
    /// One self-contained HTML page to explore the trace in a browser.
    case html
}

/// Which frames to write.
public enum FrameSelection: String, Sendable, CaseIterable {
    case all, rx, tx, drops

    /// Whether `trace` is selected.
    public func includes(_ trace: PacketTrace) -> Bool {
        switch self {
        case .all: true
        case .rx: trace.direction == .rx
        case .tx: trace.direction == .tx
        case .drops: trace.verdict == .drop
        }
    }

    /// Whether a timer run after the capture is selected: it belongs to no frame, so to no direction;
    /// it is a drop when it freed a packet as one.
    public func includes(afterCapture run: TimerRun) -> Bool {
        switch self {
        case .all: true
        case .rx, .tx: false
        case .drops: run.dropped
        }
    }
}

/// Formats traces as text for a stream: a header, one block per frame, a summary.
public protocol TraceRenderer {
    func header(_ header: TraceHeader) -> String
    func summary(_ summary: TraceSummary) -> String
    /// Appends the summary to `out`, calling `written` after each timer that ran after the capture, so
    /// that the caller can write out what has gathered: a capture that ends with many connections in
    /// TIME_WAIT has one such timer each, and their text need not sit in memory all at once.
    func writeSummary(_ summary: TraceSummary, into out: OutputBuffer, written: () throws -> Void) rethrows
    /// Appends the frame's output, as UTF-8, to `out` (the fast path for streaming output).
    func write(_ trace: PacketTrace, into out: OutputBuffer)
}

extension TraceRenderer {
    /// The summary in one piece.
    public func writeSummary(_ summary: TraceSummary, into out: OutputBuffer, written: () throws -> Void) rethrows {
        out.append(self.summary(summary))
    }

    /// The summary as ``writeSummary(_:into:written:)`` writes it, as a string.
    func summaryWritten(_ summary: TraceSummary) -> String {
        let out = OutputBuffer(capacity: 4096)
        writeSummary(summary, into: out) {}
        return out.string
    }

    /// The frame's output as a string (what ``write(_:into:)`` appends).
    public func frame(_ trace: PacketTrace) -> String {
        let out = OutputBuffer(capacity: 4096)
        write(trace, into: out)
        return out.string
    }
}

extension TraceFormat {
    /// The renderer of this format (`nil` for ``pcapng``, which is not rendered from the traces alone).
    public var renderer: (any TraceRenderer)? { renderer(explanations: nil) }

    /// The renderer of this format, writing beside each function call its one-line explanation from
    /// `explanations` (by function name) when given: text after the source file, JSON as `explain`.
    /// The chain format has no room for them and ignores them. `style` colours the text formats.
    public func renderer(explanations: [String: String]?, style: TerminalStyle = .plain) -> (any TraceRenderer)? {
        switch self {
        case .text: TextRenderer(explanations: explanations, style: style)
        case .chain: ChainRenderer(style: style)
        case .json: JSONRenderer(explanations: explanations)
        case .pcapng: nil
        case .perfetto: PerfettoRenderer()
        case .html: HTMLRenderer(explanations: explanations ?? [:])
        }
    }
}
