import Trace

/// The default format: for each frame a summary line, then the call tree indented by depth with the
/// source file of each function, notes and the verdict.
public struct TextRenderer: TraceRenderer {
    private let symbols: SymbolText
    private let style: TerminalStyle

    /// `explanations`: one-line explanations by function name, written after the source file of each
    /// call (`--explain`); `style`: the colours, if any.
    public init(explanations: [String: String]? = nil, style: TerminalStyle = .plain) {
        symbols = SymbolText(explanations: explanations)
        self.style = style
    }

    public func header(_ header: TraceHeader) -> String {
        var s = "pktpath: kernel \(header.kernel), capture \(header.capture)\n"
        for a in header.assumptions { s += "pktpath: assumed \(a)\n" }
        if !header.overrides.isEmpty { s += "pktpath: what-if: " + header.overrides.joined(separator: ", ") + "\n" }
        return s
    }

    /// Writes a timer's line and its path.
    private func write(_ run: TimerRun, afterCapture: Bool, into out: OutputBuffer) {
        out.append("timer ")
        out.append(run.function)
        out.append(" expired ")
        out.appendTimestamp(run.timeNanoseconds)
        if afterCapture { out.append(" after the capture ended") }
        out.appendArmedBy(run.armedBy)
        out.append(UInt8(ascii: "\n"))
        lines(run.events, into: out)
    }

    /// The column where the file of a call begins (names longer than that are followed by one space).
    private static let fileColumn = 56

    public func write(_ t: PacketTrace, into out: OutputBuffer) {
        for run in t.timers { write(run, afterCapture: false, into: out) }
        style.begin(.frame, in: out)
        out.append(UInt8(ascii: "#"))
        out.appendDecimal(t.frame)
        out.append(UInt8(ascii: " "))
        out.append(t.direction.rawValue)
        out.append(UInt8(ascii: " "))
        out.append(t.device)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: symbols.summary(of: t))
        style.end(in: out)
        out.append(UInt8(ascii: "\n"))
        lines(t.events, into: out)
        out.append("  = ")
        out.appendVerdict(t, style: style)
        if t.reassembled { out.append(" (reassembled)") }
        out.append(UInt8(ascii: "\n"))
    }

    /// Writes a path as indented lines, one per event.
    private func lines(_ events: TraceEvents, into out: OutputBuffer) {
        for e in events {
            let indent = 2 * (e.depth + 1)
            out.appendSpaces(indent)
            switch e {
            case let .call(sym, _, inline):
                let span = symbols.span(sym)
                symbols.appendFunction(span, to: out)
                if inline { out.append(" (inline)") }
                let width = indent + span.functionCharacters + (inline ? 9 : 0)
                out.appendSpaces(width < Self.fileColumn ? Self.fileColumn - width : 1)
                symbols.appendFile(span, to: out)
                if let text = symbols.explanation(sym) {
                    out.append("  — ")
                    out.append(text)
                }
                out.append(UInt8(ascii: "\n"))
            case let .note(text, _):
                style.begin(.note, in: out)
                out.append("· ")
                out.append(text)
                style.end(in: out)
                out.append(UInt8(ascii: "\n"))
            case let .state(text, _):
                style.begin(.note, in: out)
                out.append("◦ ")
                out.append(text)
                style.end(in: out)
                out.append(UInt8(ascii: "\n"))
            case let .hook(name, verdict, _):
                style.begin(.note, in: out)
                out.append("⎇ ")
                out.append(name)
                out.append(": ")
                out.append(verdict)
                style.end(in: out)
                out.append(UInt8(ascii: "\n"))
            case let .drop(reason, function, _):
                style.begin(.drop, in: out)
                out.append("✗ ")
                out.append(reason ?? "drop")
                out.append(" in ")
                symbols.appendFunction(symbols.span(function), to: out)
                style.end(in: out)
                out.append(UInt8(ascii: "\n"))
            case let .notModeled(text, _):
                style.begin(.notModeled, in: out)
                out.append("? not modeled: ")
                out.append(text)
                style.end(in: out)
                out.append(UInt8(ascii: "\n"))
            }
        }
    }

    public func summary(_ summary: TraceSummary) -> String { summaryWritten(summary) }

    public func writeSummary(_ summary: TraceSummary, into out: OutputBuffer, written: () throws -> Void) rethrows {
        for run in summary.timersAfterCapture {
            write(run, afterCapture: true, into: out)
            try written()
        }
        let verdicts = Verdict.allCases.compactMap { v in summary.verdicts[v].map { "\(v.rawValue) \($0)" } }
        out.append("pktpath: \(summary.frames) frames: " + verdicts.joined(separator: ", ") + "\n")
        if let agreement = summary.agreement.verdict { out.append("pktpath: \(agreement)\n") }
    }
}

/// One line per frame: `#5 rx TCP … : __netif_receive_skb_core → ip_rcv → … ✗ SKB_DROP_REASON_NO_SOCKET`.
/// Inlined functions are left out, as a real trace cannot see them. Timers that ran before the frame
/// get a line each.
public struct ChainRenderer: TraceRenderer {
    private let symbols = SymbolText(explanations: nil)
    private let style: TerminalStyle

    /// `style`: the colours, if any.
    public init(style: TerminalStyle = .plain) { self.style = style }

    public func header(_ header: TraceHeader) -> String { "" }

    public func write(_ t: PacketTrace, into out: OutputBuffer) {
        for run in t.timers { write(run, afterCapture: false, into: out) }
        out.append(UInt8(ascii: "#"))
        out.appendDecimal(t.frame)
        out.append(UInt8(ascii: " "))
        out.append(t.direction.rawValue)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: symbols.summary(of: t))
        out.append(" : ")
        visible(t.events, into: out)
        out.append(UInt8(ascii: " "))
        out.appendVerdict(t, style: style)
        out.append(UInt8(ascii: "\n"))
    }

    /// Writes a timer's line.
    private func write(_ run: TimerRun, afterCapture: Bool, into out: OutputBuffer) {
        out.append("timer ")
        out.append(run.function)
        if afterCapture { out.append(" after the capture ended") }
        out.appendArmedBy(run.armedBy)
        out.append(" : ")
        visible(run.events, into: out)
        out.append(UInt8(ascii: "\n"))
    }

    /// Writes the functions a real trace sees, joined by arrows; `(no path of its own)` when there are
    /// none (a packet seen again at a second point, whose path is the first frame's, or one the model
    /// did not follow).
    func visible(_ events: TraceEvents, into out: OutputBuffer) {
        var first = true
        events.forEachVisibleCall { sym in
            if !first { out.append(" → ") }
            first = false
            symbols.appendFunction(symbols.span(sym), to: out)
        }
        if first { out.append("(no path of its own)") }
    }

    public func summary(_ summary: TraceSummary) -> String { summaryWritten(summary) }

    public func writeSummary(_ summary: TraceSummary, into out: OutputBuffer, written: () throws -> Void) rethrows {
        for run in summary.timersAfterCapture {
            write(run, afterCapture: true, into: out)
            try written()
        }
    }
}
