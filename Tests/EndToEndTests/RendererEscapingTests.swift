import Foundation
import Testing
import Trace
import TraceRender

@Suite("JSON escaping")
struct RendererEscapingTests {
    /// Notes holding every ASCII byte, each at every offset within a run of plain text (the writer checks
    /// eight bytes at a time and must see an escape wherever it falls), come back unchanged from a JSON
    /// parser reading the rendered line.
    @Test func everyByteAtEveryOffsetRoundTrips() throws {
        let renderer = JSONRenderer()
        for byte in UInt8(1)...UInt8(127) {
            for offset in 0..<17 {
                let text = String(repeating: "a", count: offset) + String(UnicodeScalar(byte)) + String(repeating: "b", count: 19 - offset)
                let trace = PacketTrace(frame: 1, timeNanoseconds: 0, length: 60, capturedLength: 60, direction: .rx,
                                        device: "veth0", summary: text, events: [.note(text, depth: 0)])
                let line = renderer.frame(trace)
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let events = try #require(object["events"] as? [[String: Any]])
                #expect(events.first?["note"] as? String == text, "byte \(byte) at \(offset)")
                #expect(object["summary"] as? String == text, "byte \(byte) at \(offset)")
            }
        }
    }
}

@Suite("JSON numbers")
struct RendererNumberTests {
    /// Frame numbers, lengths and depths on either side of each change in their count of digits come
    /// back unchanged from a JSON parser (one and two digits take a path of their own).
    @Test func numbersRoundTrip() throws {
        let renderer = JSONRenderer()
        let values = [0, 1, 9, 10, 11, 42, 99, 100, 101, 999, 1000, 65_535, 1_000_000, Int(Int32.max), Int.max]
        for v in values {
            let depths = [0, 1, 9, 10, 63, 64]
            let trace = PacketTrace(frame: v, timeNanoseconds: 0, length: v, capturedLength: v, direction: .rx, device: "veth0",
                                    summary: "", events: TraceEvents(depths.map { TraceEvent.note("n", depth: $0) }))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(renderer.frame(trace).utf8)) as? [String: Any])
            #expect(object["frame"] as? Int == v)
            #expect(object["len"] as? Int == v)
            #expect(object["caplen"] as? Int == v)
            #expect((object["events"] as? [[String: Any]])?.compactMap { $0["depth"] as? Int } == depths)
        }
    }
}
