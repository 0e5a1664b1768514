import Trace
import TraceRender

/// One side of a diff, as the output names it.
public struct DiffSide: Sendable {
    /// What was read: a trace file, or the capture replayed.
    public var source: String
    public var kernel: String
    /// The capture the side's traces come from.
    public var capture: String
    /// The host profile file, when one was given (nil: a trace file's, or inferred).
    public var host: String?
    /// The what-if changes (`--set`) the side ran with.
    public var overrides: [String]

    public init(source: String, kernel: String, capture: String, host: String? = nil, overrides: [String] = []) {
        self.source = source
        self.kernel = kernel
        self.capture = capture
        self.host = host
        self.overrides = overrides
    }

    var text: String {
        var parts = [source, "kernel \(kernel)"]
        if source != capture, !capture.isEmpty { parts.append("capture \(capture)") }
        if let host { parts.append("host \(host)") }
        if !overrides.isEmpty { parts.append("--set " + overrides.joined(separator: " --set ")) }
        return parts.joined(separator: ", ")
    }
}

/// The output formats of `pktpath diff`.
public enum DiffFormat: String, Sendable, CaseIterable {
    /// Changed frames with their first divergence, then the summary.
    case text
    /// JSON Lines, schema `pktpath-diff/1` (docs/diff-format.md): every frame.
    case json

    /// The format's renderer; `style` colours the text format (JSON is never coloured).
    public func renderer(style: TerminalStyle = .plain) -> any DiffRenderer {
        switch self {
        case .text: DiffTextRenderer(style: style)
        case .json: DiffJSONRenderer()
        }
    }
}

/// Formats a diff for a stream: a header, then each frame as it is compared, then the summary.
public protocol DiffRenderer {
    func header(a: DiffSide, b: DiffSide, alignment: Alignment, context: Int) -> String
    func frame(_ diff: FrameDiff, alignment: Alignment) -> String
    func summary(_ summary: DiffSummary) -> String
}

/// A verdict as the text formats show it (`✓ deliver tcp`, `✗ SKB_DROP_REASON_NO_SOCKET in tcp_v4_rcv`).
func verdictText(_ f: DiffFrame) -> String {
    switch f.verdict {
    case "drop": "✗ \(f.dropReason ?? "drop")" + (f.dropFunction.map { " in \($0)" } ?? "")
    case "deliver": "✓ deliver" + (f.proto.map { " \($0)" } ?? "")
    case "transmit": "→ transmit"
    case "forward": "→ forward"
    case "queue": "… queue"
    default: "? \(f.verdict)"
    }
}

/// The default format. Identical frames are left out (the summary counts them), as diff(1) does. With
/// colour, a changed frame's line is bold, each verdict takes its verdict's colour, and what only side A
/// has is red, what only side B has green.
public struct DiffTextRenderer: DiffRenderer {
    /// The colours (none by default).
    let style: TerminalStyle

    public init(style: TerminalStyle = .plain) { self.style = style }

    public func header(a: DiffSide, b: DiffSide, alignment: Alignment, context: Int) -> String {
        "pktpath diff: A = \(a.text)\n              B = \(b.text)\n              frames aligned by \(alignment.rawValue)\n"
    }

    public func frame(_ d: FrameDiff, alignment: Alignment) -> String {
        switch d.status {
        case .same: return ""
        case .onlyA:
            return d.a.map { style.paint("A#\($0.frame) only in A: \($0.direction) \($0.summary) \(verdictText($0))", .sideA) + "\n" } ?? ""
        case .onlyB:
            return d.b.map { style.paint("B#\($0.frame) only in B: \($0.direction) \($0.summary) \(verdictText($0))", .sideB) + "\n" } ?? ""
        case .changed: break
        }
        guard let a = d.a, let b = d.b else { return "" }
        let number = a.frame == b.frame ? "#\(a.frame)" : "A#\(a.frame) B#\(b.frame)"
        var s = style.paint("\(number) \(a.direction) \(a.summary)", .frame) + "\n"
        let va = verdictText(a)
        let vb = verdictText(b)
        if va == vb {
            s += "  A, B: \(paintVerdict(va, of: a))\n"
        } else {
            s += "  A: \(paintVerdict(va, of: a))\n  B: \(paintVerdict(vb, of: b))\n"
        }
        if let v = d.divergence {
            s += "  paths part at step \(v.index + 1) (A has \(v.countA) steps, B \(v.countB)):\n"
            let first = v.index - v.before.count
            for (k, step) in v.before.enumerated() { s += line(" ", first + k, step) }
            for (k, step) in v.a.enumerated() { s += line("A", v.index + k, step, .sideA) }
            if v.a.isEmpty { s += style.paint("    A        (path ends)", .sideA) + "\n" }
            for (k, step) in v.b.enumerated() { s += line("B", v.index + k, step, .sideB) }
            if v.b.isEmpty { s += style.paint("    B        (path ends)", .sideB) + "\n" }
        }
        return s
    }

    /// `    A    22  ····function (inline)`: side, 1-based step number, function indented by depth; in
    /// the colour of `role` when given (a step only one side has).
    private func line(_ side: String, _ index: Int, _ step: DiffStep, _ role: TerminalStyle.Role? = nil) -> String {
        let number = String(index + 1)
        let text = "    \(side) " + String(repeating: " ", count: max(1, 6 - number.count)) + number + "  "
            + String(repeating: "  ", count: step.depth) + step.description
        return (role.map { style.paint(text, $0) } ?? text) + "\n"
    }

    /// A frame's verdict text in its verdict's colour.
    private func paintVerdict(_ text: String, of f: DiffFrame) -> String {
        guard let verdict = Verdict(rawValue: f.verdict) else { return text }
        return style.paint(text, TerminalStyle.role(of: verdict))
    }

    public func summary(_ s: DiffSummary) -> String {
        var out = "frames compared: \(s.compared) (same \(s.same), changed \(s.changed)); only in A: \(s.onlyA); only in B: \(s.onlyB)\n"
        func section(_ title: String, _ counts: [Transition: Int]) {
            guard !counts.isEmpty else { return }
            out += title + ":\n"
            for t in counts.keys.sorted() { out += "  \(t): \(counts[t] ?? 0)\n" }
        }
        section("verdict changes", s.verdictChanges)
        section("drop reason changes", s.dropReasonChanges)
        section("drop function changes", s.dropFunctionChanges)
        func classes(_ title: String, _ list: [(pathClass: String, frames: Int)]) {
            guard !list.isEmpty else { return }
            out += "\(title): \(list.count)\n"
            for c in list { out += String(repeating: " ", count: max(1, 7 - String(c.frames).count)) + "\(c.frames)  \(c.pathClass)\n" }
        }
        classes("path classes gained (in B, not in A)", s.classesGained)
        classes("path classes lost (in A, not in B)", s.classesLost)
        if !s.hasDifferences { out += "no differences\n" }
        return out
    }
}

/// JSON Lines, schema `pktpath-diff/1`: a header line, one line per frame (identical ones too), a
/// summary line. Keys in a fixed order, so output is byte-stable.
public struct DiffJSONRenderer: DiffRenderer {
    public static let schema = "pktpath-diff/1"

    public init() {}

    public func header(a: DiffSide, b: DiffSide, alignment: Alignment, context: Int) -> String {
        let w = JSONWriter()
        func side(_ s: DiffSide) {
            w.object {
                w.key("source"); w.string(s.source)
                w.key("kernel"); w.string(s.kernel)
                w.key("capture"); w.string(s.capture)
                w.key("host"); w.optionalString(s.host)
                w.key("overrides"); w.array(s.overrides) { w.string($0) }
            }
        }
        w.object {
            w.key("type"); w.string("header")
            w.key("schema"); w.string(Self.schema)
            w.key("alignment"); w.string(alignment.rawValue)
            w.key("context"); w.int(context)
            w.key("a"); side(a)
            w.key("b"); side(b)
        }
        return w.text + "\n"
    }

    public func frame(_ d: FrameDiff, alignment: Alignment) -> String {
        let w = JSONWriter()
        func frame(_ f: DiffFrame?) {
            guard let f else { return w.null() }
            w.object {
                w.key("frame"); w.int(f.frame)
                w.key("direction"); w.string(f.direction)
                w.key("summary"); w.string(f.summary)
                w.key("verdict"); w.string(f.verdict)
                w.key("proto"); w.optionalString(f.proto)
                w.key("drop_reason"); w.optionalString(f.dropReason)
                w.key("drop_function"); w.optionalString(f.dropFunction)
            }
        }
        func steps(_ list: [DiffStep]) {
            w.array(list) { s in
                w.object {
                    w.key("depth"); w.int(s.depth)
                    w.key("func"); w.string(s.function)
                    if s.inline { w.key("inline"); w.bool(true) }
                }
            }
        }
        w.object {
            w.key("type"); w.string("frame")
            w.key("status"); w.string(d.status.rawValue)
            w.key("a"); frame(d.a)
            w.key("b"); frame(d.b)
            if d.status == .changed {
                w.key("changes"); w.array(d.changes) { w.string($0.rawValue) }
                w.key("divergence")
                if let v = d.divergence {
                    w.object {
                        w.key("step"); w.int(v.index + 1)
                        w.key("steps_a"); w.int(v.countA)
                        w.key("steps_b"); w.int(v.countB)
                        w.key("before"); steps(v.before)
                        w.key("a"); steps(v.a)
                        w.key("b"); steps(v.b)
                    }
                } else {
                    w.null()
                }
            }
        }
        return w.text + "\n"
    }

    public func summary(_ s: DiffSummary) -> String {
        let w = JSONWriter()
        func transitions(_ counts: [Transition: Int]) {
            w.array(counts.keys.sorted()) { t in
                w.object {
                    w.key("from"); w.string(t.from)
                    w.key("to"); w.string(t.to)
                    w.key("frames"); w.int(counts[t] ?? 0)
                }
            }
        }
        func classes(_ list: [(pathClass: String, frames: Int)]) {
            w.array(list) { c in
                w.object {
                    w.key("class"); w.string(c.pathClass)
                    w.key("frames"); w.int(c.frames)
                }
            }
        }
        w.object {
            w.key("type"); w.string("summary")
            w.key("compared"); w.int(s.compared)
            w.key("same"); w.int(s.same)
            w.key("changed"); w.int(s.changed)
            w.key("only_a"); w.int(s.onlyA)
            w.key("only_b"); w.int(s.onlyB)
            w.key("verdict_changes"); transitions(s.verdictChanges)
            w.key("drop_reason_changes"); transitions(s.dropReasonChanges)
            w.key("drop_function_changes"); transitions(s.dropFunctionChanges)
            w.key("path_classes_gained"); classes(s.classesGained)
            w.key("path_classes_lost"); classes(s.classesLost)
        }
        return w.text + "\n"
    }
}
