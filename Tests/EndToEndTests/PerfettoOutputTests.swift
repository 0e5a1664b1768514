import Foundation
import Testing
import TestSupport

/// `trace --format perfetto`: the Trace Event Format, checked against the JSON trace of the same
/// replay: slices nest as the calls do, frames sit at their capture times on their context's track,
/// drops are instant events inside their frame, and flow arrows join each cause to what it caused.
@Suite("perfetto output")
struct PerfettoOutputTests {
    /// A slice or instant event of the output.
    struct Event {
        var ph: String
        var tid: Int
        var ts: Int64  // nanoseconds
        var dur: Int64
        var name: String
        var cat: String
        var args: [String: Any]
        var id: Int?
        var end: Int64 { ts + dur }
    }

    /// Traces `name` (a fixture with its host profile) as perfetto and as JSON; the events and the JSON packet records.
    static func traced(_ name: String) throws -> (events: [Event], metadata: [[String: Any]], packets: [[String: Any]]) {
        let arguments = ["trace", "Fixtures/\(name).pcap", "--host", "Fixtures/\(name).host.json"]
        let run = try CLITests.pktpath(arguments + ["--format", "perfetto"])
        try #require(run.status == 0, "\(run)")
        let object = try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
        let raw = try #require(object["traceEvents"] as? [[String: Any]])
        let micro = { (v: Any?) -> Int64 in Int64((((v as? Double) ?? Double((v as? Int) ?? 0)) * 1000).rounded()) }
        let events = raw.filter { $0["ph"] as? String != "M" }.map { e in
            Event(ph: e["ph"] as? String ?? "", tid: e["tid"] as? Int ?? -1, ts: micro(e["ts"]), dur: micro(e["dur"]),
                  name: e["name"] as? String ?? "", cat: e["cat"] as? String ?? "", args: e["args"] as? [String: Any] ?? [:],
                  id: e["id"] as? Int)
        }
        let json = try CLITests.pktpath(arguments + ["--format", "json"])
        let packets = CLITests.jsonLines(json).filter { $0["type"] as? String == "packet" }
        return (events, raw.filter { $0["ph"] as? String == "M" }, packets)
    }

    @Test("every frame is one slice on its direction's track, at its capture time, with its verdict",
          arguments: ["ctr_closed", "ctr_transfer", "s_frag_timeout"])
    func frames(_ name: String) throws {
        let (events, metadata, packets) = try Self.traced(name)
        let names = metadata.filter { $0["name"] as? String == "thread_name" }
            .compactMap { ($0["tid"] as? Int, ($0["args"] as? [String: Any])?["name"] as? String) as? (Int, String) }
        #expect(Dictionary(uniqueKeysWithValues: names) == [1: "softirq receive (rx)", 2: "process transmit (tx)", 3: "timers"])
        let frames = events.filter { $0.cat == "frame" }
        #expect(frames.map { $0.args["frame"] as? Int } == packets.map { $0["frame"] as? Int })
        for (slice, packet) in zip(frames, packets) {
            #expect(slice.ph == "X")
            #expect(slice.tid == (packet["direction"] as? String == "rx" ? 1 : 2))
            #expect(slice.args["verdict"] as? String == packet["verdict"] as? String)
            #expect(slice.args["drop_reason"] as? String == packet["drop_reason"] as? String)
            #expect(slice.args["time"] as? String == packet["time"] as? String)
            #expect(slice.dur > 0)
        }
        // Capture times: the offset from the first frame is the capture's, plus any shift the track needed.
        let times = packets.compactMap { $0["time"] as? String }.map(Self.nanoseconds)
        for (i, slice) in frames.enumerated() {
            let shift = Int64(slice.args["shifted_ns"] as? Int ?? 0)
            #expect(slice.ts - frames[0].ts == times[i] - times[0] + shift, "frame \(slice.args["frame"] ?? "?")")
        }
        // On a track, slices at the top level never overlap and follow capture order.
        for tid in [1, 2, 3] {
            let top = events.filter { $0.tid == tid && ($0.cat == "frame" || $0.cat == "timer") }
            for (a, b) in zip(top, top.dropFirst()) { #expect(a.end <= b.ts, "\(a.name) overlaps \(b.name)") }
        }
    }

    /// RFC 3339 with nanoseconds (`2026-12-04T06:04:17.217410526Z`) as nanoseconds since 1970.
    static func nanoseconds(_ text: String) -> Int64 {
        let parts = text.dropLast().split(separator: ".")
        let formatter = ISO8601DateFormatter()
        let seconds = Int64(formatter.date(from: String(parts[0]) + "Z")?.timeIntervalSince1970 ?? 0)
        return seconds * 1_000_000_000 + (Int64(parts[1]) ?? 0)
    }

    @Test("each frame's calls nest inside it as its path nests, in order, each call inside its caller",
          arguments: ["ctr_closed", "ctr_transfer", "s_frag_timeout"])
    func nesting(_ name: String) throws {
        let (events, _, packets) = try Self.traced(name)
        let slices = events.filter { $0.ph == "X" }
        let frames = slices.filter { $0.cat == "frame" }
        // Proper nesting per track: any two slices are disjoint or one holds the other.
        for tid in [1, 2, 3] {
            let track = slices.filter { $0.tid == tid }.sorted { ($0.ts, -$0.dur) < ($1.ts, -$1.dur) }
            var stack: [Event] = []
            for s in track {
                while let top = stack.last, top.end <= s.ts { stack.removeLast() }
                if let top = stack.last { #expect(s.end <= top.end, "\(s.name) straddles \(top.name) on track \(tid)") }
                stack.append(s)
            }
        }
        for (frame, packet) in zip(frames, packets) {
            let calls = slices.filter { $0.cat == "call" && $0.tid == frame.tid && $0.ts >= frame.ts && $0.end <= frame.end }
                .sorted { ($0.ts, -$0.dur) < ($1.ts, -$1.dur) }
            let path = (packet["events"] as? [[String: Any]] ?? []).filter { $0["func"] != nil }
            #expect(calls.map(\.name) == path.compactMap { $0["func"] as? String }, "frame \(packet["frame"] ?? "?")")
            // The caller of each call: the nearest earlier call of smaller depth, or the frame itself.
            for (i, call) in calls.enumerated() where i < path.count {
                let depth = path[i]["depth"] as? Int ?? 0
                let caller = path[..<i].lastIndex { ($0["depth"] as? Int ?? 0) < depth }
                let enclosing = calls[..<i].lastIndex { $0.ts <= call.ts && call.end <= $0.end }
                #expect(enclosing == caller, "frame \(packet["frame"] ?? "?"): \(call.name)")
            }
        }
    }

    @Test("drops are instant events named by the reason, inside the dropped frame; flow arrows join cause and effect")
    func dropsAndFlows() throws {
        let (events, _, packets) = try Self.traced("ctr_closed")
        let frames = Dictionary(uniqueKeysWithValues: events.filter { $0.cat == "frame" }.map { ($0.args["frame"] as? Int ?? 0, $0) })
        let drops = events.filter { $0.ph == "i" && $0.cat == "drop" }
        let dropped = packets.filter { $0["verdict"] as? String == "drop" }
        #expect(!dropped.isEmpty)
        for packet in dropped {
            let frame = try #require(frames[packet["frame"] as? Int ?? 0])
            let inside = drops.filter { $0.tid == frame.tid && $0.ts > frame.ts && $0.ts < frame.end }
            #expect(inside.map(\.name) == [packet["drop_reason"] as? String ?? "drop"], "frame \(packet["frame"] ?? "?")")
            #expect(inside.first?.args["detail"] as? String == "in " + (packet["drop_function"] as? String ?? ""))
        }
        let caused = packets.filter { $0["caused_by"] as? Int != nil }
        #expect(caused.count == 3)
        let starts = events.filter { $0.ph == "s" }
        let finishes = events.filter { $0.ph == "f" }
        #expect(starts.count == caused.count && finishes.count == caused.count)
        for packet in caused {
            let number = try #require(packet["frame"] as? Int)
            let effect = try #require(frames[number])
            let cause = try #require(frames[packet["caused_by"] as? Int ?? 0])
            let s = try #require(starts.first { $0.id == number })
            let f = try #require(finishes.first { $0.id == number })
            #expect(s.tid == cause.tid && s.ts >= cause.ts && s.ts < cause.end, "the arrow to #\(number) leaves its cause")
            #expect(f.tid == effect.tid && f.ts >= effect.ts && f.ts < effect.end, "the arrow to #\(number) ends on it")
            #expect(s.cat == f.cat)
        }
    }

    @Test("timers are slices on the timers track, at their expiry, with their paths nested")
    func timers() throws {
        let (events, _, _) = try Self.traced("s_frag_timeout")
        let timers = events.filter { $0.cat == "timer" }
        #expect(timers.count >= 2)
        #expect(timers.allSatisfy { $0.tid == 3 && $0.name.hasPrefix("timer ip_expire") })
        for timer in timers {
            let calls = events.filter { $0.cat == "call" && $0.tid == 3 && $0.ts >= timer.ts && $0.end <= timer.end }
                .sorted { ($0.ts, -$0.dur) < ($1.ts, -$1.dur) }
            #expect(calls.first?.name == "ip_expire", "\(timer.name)")
        }
    }
}
