import Trace

/// `--format html`: one self-contained HTML file to explore a trace in a browser (no network, no
/// external scripts or fonts). The page's code and style come first (``HTMLReportPage``); then each
/// frame is written as it comes as one line of script data (`F([...])`), preceded by what it uses for
/// the first time: a kernel function (`S(id, name, file, explanation)`), a note's text (`T(id, text)`),
/// a whole path (`P(id, [events])`, which later frames of the same path name by its id). The summary
/// closes the data and starts the page. The browser builds the list, the call trees, the
/// step-through, the aggregate call graph, the statistics and the chart from that data.
///
/// Streaming, in bounded memory: the renderer keeps the functions, the first ``maximumTexts`` note texts
/// and the first ``maximumPathBytes`` bytes of distinct paths it has written (later ones are written
/// in full where they occur); the page holds the frames.
public final class HTMLRenderer: TraceRenderer {
    /// How many distinct note texts are given ids.
    static let maximumTexts = 1 << 16
    /// How many bytes of distinct encoded paths are remembered to be named by id.
    static let maximumPathBytes = 16 << 20

    private let symbols = SymbolText(explanations: nil)
    private let explanations: [String: String]
    /// The symbols written so far, by id.
    private var written: Set<UInt32> = []
    /// Note texts written so far, with their ids.
    private var texts: [String: Int] = [:]
    /// Encoded paths written so far, with their ids, and the bytes they hold.
    private var paths: [[UInt8]: Int] = [:]
    private var pathBytes = 0
    /// The frame's line, and definitions it needs written before it.
    private let scratch = OutputBuffer(capacity: 1 << 14)
    private let definitions = OutputBuffer(capacity: 1 << 12)
    private let path = OutputBuffer(capacity: 1 << 12)

    /// The agreement of `pktpath verify` on this capture, as ``VerifyFigures`` condenses it (a JSON
    /// object's text), shown in the report's "Host and agreement" view; nil for none.
    public var verification: String?

    /// `explanations`: one-line explanations by function name, shown beside each call.
    public init(explanations: [String: String] = [:]) { self.explanations = explanations }

    public func header(_ header: TraceHeader) -> String {
        var json = JSONRenderer().header(header)
        if json.hasSuffix("\n") { json.removeLast() }
        return HTMLReportPage.head + "<script>\nH(" + Self.scriptSafe(json) + ");\n"
    }

    public func write(_ t: PacketTrace, into out: OutputBuffer) {
        scratch.removeAll()
        definitions.removeAll()
        for run in t.timers { defineSymbols(run.events) }
        defineSymbols(t.events)
        scratch.append("F([")
        scratch.appendDecimal(t.frame)
        scratch.append(UInt8(ascii: ","))
        appendTime(t.timeNanoseconds)
        scratch.append(UInt8(ascii: ","))
        scratch.appendJSONString(t.direction.rawValue)
        scratch.append(UInt8(ascii: ","))
        scratch.appendJSONString(t.device)
        scratch.append(UInt8(ascii: ","))
        scratch.appendJSONString(symbols.summary(of: t))
        scratch.append(UInt8(ascii: ","))
        scratch.appendJSONString(t.verdict.rawValue)
        scratch.append(UInt8(ascii: ","))
        scratch.appendJSONString(t.proto)
        scratch.append(UInt8(ascii: ","))
        scratch.appendJSONString(t.dropReason)
        scratch.append(UInt8(ascii: ","))
        scratch.appendJSONString(t.dropFunction)
        scratch.append(UInt8(ascii: ","))
        if let c = t.causedBy { scratch.appendDecimal(c) } else { scratch.append("null") }
        scratch.append(t.reassembled ? ",1," : ",0,")
        appendPath(t.events)
        scratch.append(",[")
        for (i, run) in t.timers.enumerated() {
            if i > 0 { scratch.append(UInt8(ascii: ",")) }
            scratch.append(UInt8(ascii: "["))
            scratch.appendJSONString(run.function)
            scratch.append(UInt8(ascii: ","))
            if let armedBy = run.armedBy { scratch.appendDecimal(armedBy) } else { scratch.append("null") }
            scratch.append(UInt8(ascii: ","))
            encode(run.events)
            scratch.append(path.bytes(from: 0))
            scratch.append(UInt8(ascii: "]"))
        }
        scratch.append("]]);\n")
        Self.copyScriptSafe(definitions, to: out)
        Self.copyScriptSafe(scratch, to: out)
    }

    /// Appends the path of a frame: the id of a path written before, or the path, defining it (`P`)
    /// while there is room to remember it.
    private func appendPath(_ events: TraceEvents) {
        encode(events)
        let key = Array(path.bytes(from: 0))
        if let id = paths[key] {
            scratch.appendDecimal(id)
        } else if pathBytes + key.count <= Self.maximumPathBytes {
            let id = paths.count
            paths[key] = id
            pathBytes += key.count
            definitions.append("P(")
            definitions.appendDecimal(id)
            definitions.append(UInt8(ascii: ","))
            definitions.append(path.bytes(from: 0))
            definitions.append(");\n")
            scratch.appendDecimal(id)
        } else {
            scratch.append(path.bytes(from: 0))
        }
    }

    public func summary(_ summary: TraceSummary) -> String {
        var json = JSONRenderer().summary(summary)
        if json.hasSuffix("\n") { json.removeLast() }
        let agreement = JSONWriter()
        agreement.optionalString(summary.agreement.verdict)
        let verified = verification.map { "V(" + Self.scriptSafe($0) + ");\n" } ?? ""
        return verified + "Z(" + Self.scriptSafe(json) + "," + Self.scriptSafe(agreement.text) + ");\n</script>\n" + HTMLReportPage.tail
    }

    /// Writes `S(id,"function","file","explanation")` for each function of `events` not written yet.
    private func defineSymbols(_ events: TraceEvents) {
        for e in events {
            guard let symbol = e.symbol, written.insert(symbol.id).inserted else { continue }
            let span = symbols.span(symbol)
            definitions.append("S(")
            definitions.appendDecimal(Int(symbol.id))
            definitions.append(",\"")
            symbols.appendFunction(span, to: definitions)
            definitions.append("\",\"")
            symbols.appendFile(span, to: definitions)
            definitions.append("\",")
            definitions.appendJSONString(explanations[symbol.function])
            definitions.append(");\n")
        }
    }

    /// Writes a path to ``path`` as a JSON array: a call is the number `id·512 + inline·256 + depth`
    /// (depth up to 255); a note, state, hook verdict or what is not modeled the negative number
    /// `-(1 + text·2048 + kind·256 + depth)` (kind 0 note, 1 state, 2 hook, 3 not modeled; the text
    /// defined by `T`, or, past ``maximumTexts``, the array `[kind, depth, "text"]`); a drop the array
    /// `["d", depth, reason, function]`.
    private func encode(_ events: TraceEvents) {
        path.removeAll()
        path.append(UInt8(ascii: "["))
        for (i, e) in events.enumerated() {
            if i > 0 { path.append(UInt8(ascii: ",")) }
            let depth = min(e.depth, 255)
            switch e {
            case let .call(symbol, _, inline):
                path.appendDecimal(Int(symbol.id) * 512 + (inline ? 256 : 0) + depth)
            case let .note(text, _): appendDetail(0, depth, text)
            case let .state(text, _): appendDetail(1, depth, text)
            case let .hook(name, verdict, _): appendDetail(2, depth, name + ": " + verdict)
            case let .notModeled(text, _): appendDetail(3, depth, text)
            case let .drop(reason, function, _):
                path.append("[\"d\",")
                path.appendDecimal(depth)
                path.append(UInt8(ascii: ","))
                path.appendJSONString(reason ?? "drop")
                path.append(UInt8(ascii: ","))
                path.appendJSONString(function.function)
                path.append(UInt8(ascii: "]"))
            }
        }
        path.append(UInt8(ascii: "]"))
    }

    private func appendDetail(_ kind: Int, _ depth: Int, _ text: String) {
        var id = texts[text]
        if id == nil, texts.count < Self.maximumTexts {
            id = texts.count
            texts[text] = id
            definitions.append("T(")
            definitions.appendDecimal(texts.count - 1)
            definitions.append(UInt8(ascii: ","))
            definitions.appendJSONString(text)
            definitions.append(");\n")
        }
        if let id {
            path.appendDecimal(-(1 + id * 2048 + kind * 256 + depth))
        } else {
            path.append(UInt8(ascii: "["))
            path.appendDecimal(kind)
            path.append(UInt8(ascii: ","))
            path.appendDecimal(depth)
            path.append(UInt8(ascii: ","))
            path.appendJSONString(text)
            path.append(UInt8(ascii: "]"))
        }
    }

    /// Seconds and nanoseconds as two numbers (a JavaScript number cannot hold nanoseconds since 1970).
    private func appendTime(_ ns: Int64) {
        let seconds = ns >= 0 ? ns / 1_000_000_000 : (ns - 999_999_999) / 1_000_000_000
        scratch.appendDecimal(Int(seconds))
        scratch.append(UInt8(ascii: ","))
        scratch.appendDecimal(Int(ns - seconds * 1_000_000_000))
    }

    /// JSON text made safe inside a `<script>` element: `<` only occurs in strings, where `\u003c`
    /// means the same, so no `</script>` can end the element early.
    static func scriptSafe(_ json: String) -> String {
        json.split(separator: "<", omittingEmptySubsequences: false).joined(separator: "\\u003c")
    }

    /// Copies `source` to `out`, writing each `<` as `\u003c` (see ``scriptSafe(_:)``).
    private static func copyScriptSafe(_ source: OutputBuffer, to out: OutputBuffer) {
        let bytes = source.bytes(from: 0)
        var from = 0
        for i in bytes.indices where bytes[i] == UInt8(ascii: "<") {
            out.append(UnsafeBufferPointer(rebasing: bytes[from..<i]))
            out.append("\\u003c")
            from = i + 1
        }
        out.append(UnsafeBufferPointer(rebasing: bytes[from...]))
    }
}
