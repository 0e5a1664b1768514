import Trace

/// The default format: for each frame a summary line, then the call tree indented by depth with the
/// source file of each function, notes and the verdict.
public struct TextRenderer: TraceRenderer {
    /// One-line explanations by function name, written after the source file of each call (`--explain`).
    let explanations: [String: String]?

    public init(explanations: [String: String]? = nil) { self.explanations = explanations }

    public func header(_ header: TraceHeader) -> String {
        var s = "pktpath: kernel \(header.kernel), capture \(header.capture)\n"
        for a in header.assumptions { s += "pktpath: assumed \(a)\n" }
        if !header.overrides.isEmpty { s += "pktpath: what-if: " + header.overrides.joined(separator: ", ") + "\n" }
        return s
    }

    public func frame(_ t: PacketTrace) -> String {
        var s = ""
        for run in t.timers {
            s += "timer \(run.function) expired \(timestamp(run.timeNanoseconds))"
                + (run.armedBy.map { " (armed by #\($0))" } ?? "") + "\n"
            s += lines(run.events)
        }
        s += "#\(t.frame) \(t.direction.rawValue) \(t.device) \(t.summary)\n"
        s += lines(t.events)
        s += "  = " + verdictText(t) + (t.reassembled ? " (reassembled)" : "") + "\n"
        return s
    }

    /// A path as indented lines, one per event.
    private func lines(_ events: [TraceEvent]) -> String {
        var s = ""
        for e in events {
            let indent = String(repeating: "  ", count: e.depth + 1)
            switch e {
            case let .call(sym, _, inline):
                let name = indent + sym.function + (inline ? " (inline)" : "")
                let pad = name.count < 56 ? String(repeating: " ", count: 56 - name.count) : " "
                s += name + pad + sym.file
                if let explanations, let text = explanations[sym.function] { s += "  — " + text }
                s += "\n"
            case let .note(text, _): s += indent + "· " + text + "\n"
            case let .state(text, _): s += indent + "◦ " + text + "\n"
            case let .hook(name, verdict, _): s += indent + "⎇ \(name): \(verdict)\n"
            case let .drop(reason, function, _): s += indent + "✗ \(reason ?? "drop") in \(function.function)\n"
            case let .notModeled(text, _): s += indent + "? not modeled: " + text + "\n"
            }
        }
        return s
    }

    public func summary(_ summary: TraceSummary) -> String {
        let verdicts = Verdict.allCases.compactMap { v in summary.verdicts[v].map { "\(v.rawValue) \($0)" } }
        return "pktpath: \(summary.frames) frames: " + verdicts.joined(separator: ", ") + "\n"
    }
}

/// One line per frame: `#5 rx TCP … : __netif_receive_skb_core → ip_rcv → … ✗ SKB_DROP_REASON_NO_SOCKET`.
/// Inlined functions are left out, as a real trace cannot see them.
public struct ChainRenderer: TraceRenderer {
    public init() {}

    public func header(_ header: TraceHeader) -> String { "" }

    public func frame(_ t: PacketTrace) -> String {
        var s = ""
        for run in t.timers {
            s += "timer \(run.function)" + (run.armedBy.map { " (armed by #\($0))" } ?? "")
                + " : \(run.events.visibleFunctions.joined(separator: " → "))\n"
        }
        return s + "#\(t.frame) \(t.direction.rawValue) \(t.summary) : \(t.visibleFunctions.joined(separator: " → ")) \(verdictText(t))\n"
    }

    public func summary(_ summary: TraceSummary) -> String { "" }
}
