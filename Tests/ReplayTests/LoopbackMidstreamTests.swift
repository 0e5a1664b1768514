import Testing
import Trace

/// A capture on `lo` started while the host held connections to itself, traced with a profile taken
/// before they opened (Fixtures/loopback_mid: the listeners, no connection). Each segment leaves one of
/// the host's sockets and arrives at another, so the first segment the host is seen sending on a
/// connection proves both ends: the kernel that took the capture dropped nothing and reset nothing
/// (its nstat: TcpInSegs 24, no TcpOutRsts).
@Suite("a loopback capture started in mid-stream")
struct LoopbackMidstreamTests {
    @Test("both ends of each connection were there: every segment is delivered, none answered with a reset",
          arguments: ["4.14", "6.1", "6.12"])
    func bothEnds(_ kernel: String) throws {
        let traces = try FixtureTraces.of("loopback_mid", kernel: kernel).traces
        #expect(traces.filter { $0.frame > 0 }.count == 24)
        for t in traces where t.frame > 0 {
            #expect(t.verdict == .deliver, "#\(t.frame) \(t.summary): \(t.verdict) \(t.dropReason ?? "")")
            #expect(!t.functions.contains { $0.hasSuffix("_send_reset") }, "#\(t.frame) answered with a reset")
        }
        // The client's first segment over each family makes both ends, each said once.
        let assumed = traces.flatMap { t in
            t.events.compactMap { e -> String? in
                if case let .note(text, _) = e, text.hasSuffix("assumed established before the capture (the other end)") {
                    return "\(t.frame)"
                }
                return nil
            }
        }
        #expect(assumed == ["1", "4"])
    }
}
