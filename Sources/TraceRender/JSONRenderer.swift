import Trace

/// JSON Lines, schema `pktpath-trace/1` (docs/trace-format.md): a header line, one line per frame,
/// a summary line. Keys are written in a fixed order so output is byte-stable.
public struct JSONRenderer: TraceRenderer {
    private let symbols: SymbolText

    /// `explanations`: one-line explanations by function name, written as `explain` on each call event
    /// (`--explain`).
    public init(explanations: [String: String]? = nil) { symbols = SymbolText(explanations: explanations) }

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
            if let tool = header.recordedBy { w.key("recorded_by"); w.string(tool) }
        }
        return w.text + "\n"
    }

    /// Writes the frame's line with constant keys as literal bytes and each function's members from
    /// ``SymbolText``; only notes, states and the like are escaped, and those scan their bytes once.
    public func write(_ t: PacketTrace, into out: OutputBuffer) {
        out.append("{\"type\":\"packet\",\"frame\":")
        out.appendDecimal(t.frame)
        out.append(",\"time\":\"")
        out.appendTimestamp(t.timeNanoseconds)
        out.append("\",\"len\":")
        out.appendDecimal(t.length)
        out.append(",\"caplen\":")
        out.appendDecimal(t.capturedLength)
        out.append(",\"direction\":")
        out.appendJSONString(t.direction.rawValue)
        out.append(",\"dev\":")
        out.appendJSONString(t.device)
        out.append(",\"summary\":")
        out.appendJSONString(symbols.summary(of: t))
        out.append(",\"verdict\":")
        out.appendJSONString(t.verdict.rawValue)
        out.append(",\"proto\":")
        out.appendJSONString(t.proto)
        out.append(",\"drop_reason\":")
        out.appendJSONString(t.dropReason)
        out.append(",\"drop_function\":")
        out.appendJSONString(t.dropFunction)
        out.append(",\"caused_by\":")
        if let c = t.causedBy { out.appendDecimal(c) } else { out.append("null") }
        if let timer = t.causedByTimer {
            out.append(",\"caused_by_timer\":")
            out.appendJSONString(timer)
        }
        if t.reassembled { out.append(",\"reassembled\":true") }
        if !t.timers.isEmpty {
            out.append(",\"timers\":")
            timers(t.timers, into: out) {}
        }
        out.append(",\"events\":")
        events(t.events, into: out)
        out.append("}\n")
    }

    /// Writes a path as an array of event objects.
    private func events(_ list: TraceEvents, into out: OutputBuffer) {
        out.append(UInt8(ascii: "["))
        var first = true
        /// Opens an event's object with its depth.
        func open(_ depth: Int) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append("{\"depth\":")
            out.appendDecimal(depth)
        }
        list.forEach(call: { sym, depth, inline in
            open(depth)
            symbols.appendJSONMembers(symbols.span(sym), to: out)
            if inline { out.append(",\"inline\":true") }
            if let text = symbols.explanation(sym) {
                out.append(",\"explain\":")
                out.appendJSONString(text)
            }
            out.append(UInt8(ascii: "}"))
        }, other: { e in
            open(e.depth)
            switch e {
            case .call: break  // handed to `call`
            case let .note(text, _):
                out.append(",\"note\":")
                out.appendJSONString(text)
            case let .state(text, _):
                out.append(",\"state\":")
                out.appendJSONString(text)
            case let .hook(name, verdict, _):
                out.append(",\"hook\":")
                out.appendJSONString(name)
                out.append(",\"verdict\":")
                out.appendJSONString(verdict)
            case let .drop(reason, function, _):
                out.append(",\"drop\":")
                out.appendJSONString(reason)
                out.append(",\"drop_function\":")
                out.appendJSONString(function.function)
            case let .notModeled(text, _):
                out.append(",\"not_modeled\":")
                out.appendJSONString(text)
            }
            out.append(UInt8(ascii: "}"))
        })
        out.append(UInt8(ascii: "]"))
    }

    /// Writes timer runs as a JSON array.
    private func timers(_ runs: [TimerRun], into out: OutputBuffer, written: () throws -> Void) rethrows {
        out.append(UInt8(ascii: "["))
        for (i, run) in runs.enumerated() {
            out.append(i == 0 ? "{\"time\":\"" : ",{\"time\":\"")
            out.appendTimestamp(run.timeNanoseconds)
            out.append("\",\"func\":")
            out.appendJSONString(run.function)
            out.append(",\"armed_by\":")
            if let f = run.armedBy { out.appendDecimal(f) } else { out.append("null") }
            out.append(",\"events\":")
            events(run.events, into: out)
            out.append(UInt8(ascii: "}"))
            try written()
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Writes `devices` as an object of objects, devices by name, each counter under its JSON name.
    public static func devices(_ devices: [String: DeviceCounters], into w: JSONWriter) {
        w.object {
            for name in devices.keys.sorted() {
                w.key(name)
                w.object { for f in (devices[name] ?? DeviceCounters()).fields { w.key(f.name); w.int(f.value) } }
            }
        }
    }

    public func summary(_ summary: TraceSummary) -> String { summaryWritten(summary) }

    public func writeSummary(_ summary: TraceSummary, into out: OutputBuffer, written: () throws -> Void) rethrows {
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
            w.key("devices")
            Self.devices(summary.devices, into: w)
            let a = summary.agreement
            w.key("agreement")
            w.object {
                w.key("agreeing"); w.int(a.agreeing)
                w.key("disagreeing"); w.int(a.disagreeing)
                for (name, counts) in [("predicted", a.predicted), ("matched", a.matched), ("missing", a.missing),
                                       ("unpredicted", a.unpredicted)] {
                    w.key(name)
                    w.object { for k in counts.keys.sorted() { w.key(k); w.int(counts[k] ?? 0) } }
                }
            }
        }
        guard !summary.timersAfterCapture.isEmpty else {
            out.append(w.text + "\n")
            return
        }
        // The timers that ran after the capture ended, as the frames' timers are written, inside the
        // summary's object.
        out.append(String(w.text.dropLast()) + ",\"after_capture\":")
        try timers(summary.timersAfterCapture, into: out, written: written)
        out.append("}\n")
    }
}
