import Trace

/// The output formats of `pktpath trace`.
public enum TraceFormat: String, Sendable, CaseIterable {
    /// A frame summary line, then the call tree indented by depth.
    case text
    /// One line per frame: the functions joined by arrows and the verdict.
    case chain
    /// JSON Lines, schema `pktpath-trace/1`.
    case json
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
}

/// Formats traces as text for a stream: a header, one block per frame, a summary.
public protocol TraceRenderer {
    func header(_ header: TraceHeader) -> String
    func frame(_ trace: PacketTrace) -> String
    func summary(_ summary: TraceSummary) -> String
}

extension TraceFormat {
    /// The renderer of this format.
    public var renderer: any TraceRenderer { renderer(explanations: nil) }

    /// The renderer of this format, writing beside each function call its one-line explanation from
    /// `explanations` (by function name) when given: text after the source file, JSON as `explain`.
    /// The chain format has no room for them and ignores them.
    public func renderer(explanations: [String: String]?) -> any TraceRenderer {
        switch self {
        case .text: TextRenderer(explanations: explanations)
        case .chain: ChainRenderer()
        case .json: JSONRenderer(explanations: explanations)
        }
    }
}

/// A verdict as the text formats show it: `✓ deliver tcp`, `✗ SKB_DROP_REASON_NO_SOCKET in tcp_v4_rcv`.
func verdictText(_ t: PacketTrace) -> String {
    switch t.verdict {
    case .drop:
        "✗ \(t.dropReason ?? "drop")" + (t.dropFunction.map { " in \($0)" } ?? "")
    case .deliver: "✓ deliver" + (t.proto.map { " \($0)" } ?? "")
    case .transmit:
        "→ transmit" + (t.causedBy.map { " (caused by #\($0)" + (t.causedByTimer.map { " via \($0)" } ?? "") + ")" } ?? "")
    case .queue: "… queue"
    case .forward: "→ forward"
    case .unknown: "? not modeled further"
    }
}

/// Seconds and nanoseconds since the epoch as RFC 3339 UTC with nanoseconds.
func timestamp(_ ns: Int64) -> String {
    let seconds = ns >= 0 ? ns / 1_000_000_000 : (ns - 999_999_999) / 1_000_000_000
    let nanos = ns - seconds * 1_000_000_000
    var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let secOfDay = seconds - days * 86_400
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    days += 719_468
    let era = (days >= 0 ? days : days - 146_096) / 146_097
    let doe = days - era * 146_097
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
    func pad(_ v: Int64, _ w: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, w - s.count)) + s
    }
    return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secOfDay / 3600, 2)):\(pad(secOfDay / 60 % 60, 2)):"
        + "\(pad(secOfDay % 60, 2)).\(pad(nanos, 9))Z"
}
