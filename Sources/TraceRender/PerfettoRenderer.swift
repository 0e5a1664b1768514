import Trace
import Wire

/// `--format perfetto`: the Trace Event Format (JSON object form) that ui.perfetto.dev and
/// chrome://tracing open. One process, one track (thread) per context the kernel runs a path in:
/// softirq receive (`rx` frames), process transmit (`tx` frames) and timers. Each frame is a slice
/// at its capture time with its function calls nested as child slices by call depth; a drop is an
/// instant event; a transmitted frame caused by an earlier one is joined to it by a flow arrow.
///
/// The model records the order of the calls, not how long they take: each event of a path is given
/// ``nanosecondsPerEvent``, so a frame's slice is as long as its path. A frame whose capture time
/// falls inside the previous slice on its track starts where that slice ends (`args.shifted_ns` says
/// by how much), so that slices on a track never overlap. Timestamps are microseconds from the first
/// frame or timer written (`otherData.start` is its time).
///
/// Streaming: each frame is written as it comes; what is kept is where each track ends and, for the
/// flow arrows, the track and start of the last ``rememberedFrames`` frames written.
public final class PerfettoRenderer: TraceRenderer {
    /// The nominal length of one event of a path.
    public static let nanosecondsPerEvent: Int64 = 10
    /// How many recent frames a transmit's cause is looked up among.
    static let rememberedFrames = 1 << 16

    /// The tracks, by thread id.
    enum Track: Int, CaseIterable {
        case receive = 1, transmit = 2, timers = 3

        var name: String {
            switch self {
            case .receive: "softirq receive (rx)"
            case .transmit: "process transmit (tx)"
            case .timers: "timers"
            }
        }
    }

    private let symbols = SymbolText(explanations: nil)
    /// The time all timestamps count from: the first frame or timer written.
    private var origin: Int64?
    /// Where the last slice on each track ends (nanoseconds from ``origin``).
    private var trackEnd: [Int64] = Array(repeating: Int64.min, count: Track.allCases.count + 1)
    /// Recent frames: (frame, track, start) at `frame % rememberedFrames`.
    private var recent: [(frame: Int, track: Track, start: Int64)]

    public init() {
        recent = Array(repeating: (0, .receive, 0), count: Self.rememberedFrames)
    }

    public func header(_ header: TraceHeader) -> String {
        let out = OutputBuffer(capacity: 1024)
        out.append("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"kernel\":")
        out.appendJSONString(header.kernel)
        out.append(",\"capture\":")
        out.appendJSONString(header.capture)
        out.append("},\"traceEvents\":[\n")
        out.append("{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\",\"args\":{\"name\":")
        out.appendJSONString("pktpath: Linux \(header.kernel) model, \(header.capture)")
        out.append("}}")
        // Each track's name, and its place (in tid order).
        for track in Track.allCases {
            for (key, value) in [("thread_name\",\"args\":{\"name\":", "\"\(track.name)\""),
                                 ("thread_sort_index\",\"args\":{\"sort_index\":", "\(track.rawValue)")] {
                out.append(",\n{\"ph\":\"M\",\"pid\":1,\"tid\":")
                out.appendDecimal(track.rawValue)
                out.append(",\"name\":\"")
                out.append(key)
                out.append(value)
                out.append("}}")
            }
        }
        return out.string
    }

    public func write(_ t: PacketTrace, into out: OutputBuffer) {
        for run in t.timers { write(run, name: "timer " + run.function, into: out) }
        let track: Track = t.direction == .rx ? .receive : .transmit
        let slot = place(t.timeNanoseconds, events: t.events.count, on: track)
        recent[t.frame % Self.rememberedFrames] = (t.frame, track, slot.ts)
        appendSlice("frame", track: track, ts: slot.ts, duration: slot.duration, to: out)
        out.append(",\"name\":")
        var name = Array("#\(t.frame) ".utf8)
        name += symbols.summary(of: t)
        out.appendJSONString(name)
        out.append(",\"args\":{\"frame\":")
        out.appendDecimal(t.frame)
        out.append(",\"time\":\"")
        out.appendTimestamp(t.timeNanoseconds)
        out.append("\",\"dev\":")
        out.appendJSONString(t.device)
        out.append(",\"verdict\":")
        out.appendJSONString(t.verdict.rawValue)
        if let proto = t.proto {
            out.append(",\"proto\":")
            out.appendJSONString(proto)
        }
        if let reason = t.dropReason {
            out.append(",\"drop_reason\":")
            out.appendJSONString(reason)
        }
        if let cause = t.causedBy {
            out.append(",\"caused_by\":")
            out.appendDecimal(cause)
        }
        if slot.shift > 0 {
            out.append(",\"shifted_ns\":")
            out.appendDecimal(Int(slot.shift))
        }
        out.append("}}")
        writeEvents(t.events, track: track, start: slot.ts, into: out)
        if let cause = t.causedBy {
            let from = recent[cause % Self.rememberedFrames]
            if from.frame == cause {
                // The arrow leaves the cause's slice where it starts and ends on this frame's slice.
                out.append(",\n{\"ph\":\"s\",\"cat\":\"caused\",\"name\":\"caused\",\"pid\":1,\"tid\":")
                out.appendDecimal(from.track.rawValue)
                out.append(",\"ts\":")
                appendMicroseconds(from.start, to: out)
                out.append(",\"id\":")
                out.appendDecimal(t.frame)
                out.append("},\n{\"ph\":\"f\",\"bp\":\"e\",\"cat\":\"caused\",\"name\":\"caused\",\"pid\":1,\"tid\":")
                out.appendDecimal(track.rawValue)
                out.append(",\"ts\":")
                appendMicroseconds(slot.ts, to: out)
                out.append(",\"id\":")
                out.appendDecimal(t.frame)
                out.append("}")
            }
        }
    }

    public func summary(_ summary: TraceSummary) -> String {
        let out = OutputBuffer(capacity: 4096)
        for run in summary.timersAfterCapture {
            write(run, name: "timer " + run.function + " (after the capture)", into: out)
        }
        out.append("\n]}\n")
        return out.string
    }

    /// Writes a timer's callback as a slice on the timers track, with its path nested.
    private func write(_ run: TimerRun, name: String, into out: OutputBuffer) {
        let slot = place(run.timeNanoseconds, events: run.events.count, on: .timers)
        appendSlice("timer", track: .timers, ts: slot.ts, duration: slot.duration, to: out)
        out.append(",\"name\":")
        out.appendJSONString(name)
        out.append(",\"args\":{\"armed_by\":")
        if let armedBy = run.armedBy { out.appendDecimal(armedBy) } else { out.append("null") }
        out.append(",\"time\":\"")
        out.appendTimestamp(run.timeNanoseconds)
        out.append("\"}}")
        writeEvents(run.events, track: .timers, start: slot.ts, into: out)
    }

    /// Opens a complete (`X`) event of `category` on `track`: everything up to its name.
    private func appendSlice(_ category: StaticString, track: Track, ts: Int64, duration: Int64, to out: OutputBuffer) {
        out.append(",\n{\"ph\":\"X\",\"cat\":\"")
        out.append(category)
        out.append("\",\"pid\":1,\"tid\":")
        out.appendDecimal(track.rawValue)
        out.append(",\"ts\":")
        appendMicroseconds(ts, to: out)
        out.append(",\"dur\":")
        appendMicroseconds(duration, to: out)
    }

    /// Where a path of `events` events seen at `time` goes on `track`: its start (from ``origin``),
    /// its length, and how far it was moved to start after the track's last slice.
    private func place(_ time: Int64, events: Int, on track: Track) -> (ts: Int64, duration: Int64, shift: Int64) {
        let origin = self.origin ?? time
        self.origin = origin
        // Clamped: a hostile capture's timestamps may lie centuries apart.
        let wanted = time.clampedSubtracting(origin)
        let start = max(wanted, trackEnd[track.rawValue])
        let duration = Int64(events + 1) * Self.nanosecondsPerEvent
        trackEnd[track.rawValue] = start.clampedAdding(duration)
        return (start, duration, start.clampedSubtracting(wanted))
    }

    /// Writes a path's calls as nested slices from `start`, one slot of ``nanosecondsPerEvent`` per
    /// event: a call lasts until the next call at its depth or above, or the path's end. Notes, states
    /// and hook verdicts become the `notes` of the call they happened in; drops and what is not modeled
    /// are instant events.
    private func writeEvents(_ events: TraceEvents, track: Track, start: Int64, into out: OutputBuffer) {
        /// A call not yet written: it is written when it ends, as its length is known then.
        struct Open {
            var symbol: KernelSymbol
            var depth: Int
            var slot: Int
            var inline: Bool
            var notes: [String]
        }
        var open: [Open] = []
        func close(downTo depth: Int, at slot: Int) {
            while let last = open.last, last.depth >= depth {
                open.removeLast()
                writeCall(last.symbol, inline: last.inline, notes: last.notes, track: track,
                          ts: start.clampedAdding(Int64(last.slot) * Self.nanosecondsPerEvent),
                          duration: Int64(slot - last.slot) * Self.nanosecondsPerEvent, into: out)
            }
        }
        for (i, e) in events.enumerated() {
            let slot = i + 1
            switch e {
            case let .call(symbol, depth, inline):
                close(downTo: depth, at: slot)
                open.append(Open(symbol: symbol, depth: depth, slot: slot, inline: inline, notes: []))
            case let .note(text, _), let .state(text, _):
                if !open.isEmpty { open[open.count - 1].notes.append(text) }
            case let .hook(name, verdict, _):
                if !open.isEmpty { open[open.count - 1].notes.append("\(name): \(verdict)") }
            case let .drop(reason, function, _):
                writeInstant(reason ?? "drop", category: "drop", detail: "in " + function.function, track: track,
                             ts: start.clampedAdding(Int64(slot) * Self.nanosecondsPerEvent), into: out)
            case let .notModeled(text, _):
                writeInstant("not modeled", category: "not_modeled", detail: text, track: track,
                             ts: start.clampedAdding(Int64(slot) * Self.nanosecondsPerEvent), into: out)
            }
        }
        close(downTo: Int.min, at: events.count + 1)
    }

    private func writeCall(_ symbol: KernelSymbol, inline: Bool, notes: [String], track: Track, ts: Int64, duration: Int64,
                           into out: OutputBuffer) {
        let span = symbols.span(symbol)
        appendSlice("call", track: track, ts: ts, duration: duration, to: out)
        out.append(",\"name\":\"")
        symbols.appendFunction(span, to: out)
        out.append("\",\"args\":{\"file\":\"")
        symbols.appendFile(span, to: out)
        out.append("\"")
        if inline { out.append(",\"inline\":true") }
        if !notes.isEmpty {
            out.append(",\"notes\":[")
            for (i, note) in notes.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.appendJSONString(note)
            }
            out.append("]")
        }
        out.append("}}")
    }

    private func writeInstant(_ name: String, category: StaticString, detail: String, track: Track, ts: Int64,
                              into out: OutputBuffer) {
        out.append(",\n{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"")
        out.append(category)
        out.append("\",\"pid\":1,\"tid\":")
        out.appendDecimal(track.rawValue)
        out.append(",\"ts\":")
        appendMicroseconds(ts, to: out)
        out.append(",\"name\":")
        out.appendJSONString(name)
        out.append(",\"args\":{\"detail\":")
        out.appendJSONString(detail)
        out.append("}}")
    }

    /// Appends nanoseconds as microseconds with three decimals (`1234.567`).
    private func appendMicroseconds(_ ns: Int64, to out: OutputBuffer) {
        if ns < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = ns.magnitude
        out.appendDecimal(Int(magnitude / 1000))
        out.append(UInt8(ascii: "."))
        out.appendPadded(Int64(magnitude % 1000), width: 3)
    }
}
