import Trace

/// JSON Lines, schema `pktpath-trace/1` (docs/trace-format.md): a header line, one line per frame,
/// a summary line. Keys are written in a fixed order so output is byte-stable.
public struct JSONRenderer: TraceRenderer {
    /// One-line explanations by function name, written as `explain` on each call event (`--explain`).
    let explanations: [String: String]?

    public init(explanations: [String: String]? = nil) { self.explanations = explanations }

    public func header(_ header: TraceHeader) -> String {
        let w = JSONWriter()
        w.object {
            w.key("type"); w.string("header")
            w.key("schema"); w.string(TraceHeader.schema)
            w.key("kernel"); w.string(header.kernel)
            w.key("capture"); w.string(header.capture)
            w.key("host"); w.value(header.host)
            w.key("assumptions"); w.array(header.assumptions) { w.string($0) }
            if !header.overrides.isEmpty { w.key("overrides"); w.array(header.overrides) { w.string($0) } }
        }
        return w.text + "\n"
    }

    public func frame(_ t: PacketTrace) -> String {
        let w = JSONWriter()
        w.object {
            w.key("type"); w.string("packet")
            w.key("frame"); w.int(t.frame)
            w.key("time"); w.string(timestamp(t.timeNanoseconds))
            w.key("len"); w.int(t.length)
            w.key("caplen"); w.int(t.capturedLength)
            w.key("direction"); w.string(t.direction.rawValue)
            w.key("dev"); w.string(t.device)
            w.key("summary"); w.string(t.summary)
            w.key("verdict"); w.string(t.verdict.rawValue)
            w.key("proto"); w.optionalString(t.proto)
            w.key("drop_reason"); w.optionalString(t.dropReason)
            w.key("drop_function"); w.optionalString(t.dropFunction)
            w.key("caused_by"); if let c = t.causedBy { w.int(c) } else { w.null() }
            if let timer = t.causedByTimer { w.key("caused_by_timer"); w.string(timer) }
            if t.reassembled { w.key("reassembled"); w.bool(true) }
            if !t.timers.isEmpty {
                w.key("timers")
                w.array(t.timers) { run in
                    w.object {
                        w.key("time"); w.string(timestamp(run.timeNanoseconds))
                        w.key("func"); w.string(run.function)
                        w.key("armed_by"); if let f = run.armedBy { w.int(f) } else { w.null() }
                        w.key("events"); events(run.events, w)
                    }
                }
            }
            w.key("events"); events(t.events, w)
        }
        return w.text + "\n"
    }

    /// Writes a path as an array of event objects.
    private func events(_ list: [TraceEvent], _ w: JSONWriter) {
        w.array(list) { e in
            w.object {
                w.key("depth"); w.int(e.depth)
                switch e {
                case let .call(sym, _, inline):
                    w.key("func"); w.string(sym.function)
                    w.key("file"); w.string(sym.file)
                    if inline { w.key("inline"); w.bool(true) }
                    if let explanations, let text = explanations[sym.function] { w.key("explain"); w.string(text) }
                case let .note(text, _): w.key("note"); w.string(text)
                case let .state(text, _): w.key("state"); w.string(text)
                case let .hook(name, verdict, _):
                    w.key("hook"); w.string(name)
                    w.key("verdict"); w.string(verdict)
                case let .drop(reason, function, _):
                    w.key("drop"); w.optionalString(reason)
                    w.key("drop_function"); w.string(function.function)
                case let .notModeled(text, _): w.key("not_modeled"); w.string(text)
                }
            }
        }
    }

    public func summary(_ summary: TraceSummary) -> String {
        let w = JSONWriter()
        w.object {
            w.key("type"); w.string("summary")
            w.key("frames"); w.int(summary.frames)
            w.key("verdicts")
            w.object { for v in Verdict.allCases { if let n = summary.verdicts[v] { w.key(v.rawValue); w.int(n) } } }
            w.key("drop_reasons")
            w.object { for r in summary.dropReasons.keys.sorted() { w.key(r); w.int(summary.dropReasons[r] ?? 0) } }
            w.key("counters")
            w.object { for c in summary.counters.keys.sorted() { w.key(c); w.int(summary.counters[c] ?? 0) } }
        }
        return w.text + "\n"
    }
}

/// A minimal streaming JSON writer: members and elements are separated automatically. Keys come out
/// in the order written, so output is byte-stable.
public final class JSONWriter {
    public private(set) var text = ""
    private var needsComma = [false]

    private func separate() {
        if needsComma[needsComma.count - 1] { text += "," }
        needsComma[needsComma.count - 1] = true
    }

    public func object(_ body: () -> Void) {
        separate()
        text += "{"
        needsComma.append(false)
        body()
        needsComma.removeLast()
        text += "}"
    }

    public func array<T>(_ items: [T], _ element: (T) -> Void) {
        separate()
        text += "["
        needsComma.append(false)
        for i in items { element(i) }
        needsComma.removeLast()
        text += "]"
    }

    /// Writes a member name; the value that follows is not separated again.
    public func key(_ k: String) {
        separate()
        appendQuoted(k)
        text += ":"
        needsComma[needsComma.count - 1] = false
    }

    public func string(_ s: String) {
        separate()
        appendQuoted(s)
    }

    public func optionalString(_ s: String?) { if let s { string(s) } else { null() } }
    public func int(_ v: Int) { separate(); text += String(v) }
    public func bool(_ v: Bool) { separate(); text += v ? "true" : "false" }
    public func null() { separate(); text += "null" }

    public func value(_ v: JSONValue) {
        switch v {
        case .string(let s): string(s)
        case .int(let i): int(i)
        case .bool(let b): bool(b)
        case .null: null()
        case .array(let a): array(a) { value($0) }
        case .object(let members):
            object { for (k, m) in members { key(k); value(m) } }
        }
    }

    public init() {}

    private func appendQuoted(_ s: String) {
        text += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where u.value < 0x20: text += "\\u00" + (u.value < 16 ? "0" : "") + String(u.value, radix: 16)
            default: text.unicodeScalars.append(u)
            }
        }
        text += "\""
    }
}
