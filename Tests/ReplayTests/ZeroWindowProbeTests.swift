import Testing
import Trace

/// Fixtures/client_zerowindow: the client's receive window is closed and the server's persist timer
/// probes it with segments one byte before rcv_nxt. The capturing kernel dropped both probes in
/// `tcp_validate_incoming` (`TCP_OLD_SEQUENCE`) and answered each with a duplicate ACK.
@Suite("zero-window probes")
struct ZeroWindowProbeTests {
    /// The host's acknowledgment (frame 2) shows rcv_nxt, which a capture started in mid-stream did not
    /// give: the probe after it is out of the window, dropped, and answered (frame 4).
    @Test("a probe after the host's acknowledgment is dropped before the window and answered with a duplicate ACK",
          arguments: [("6.1", "SKB_DROP_REASON_TCP_INVALID_SEQUENCE"), ("6.12", "SKB_DROP_REASON_TCP_OLD_SEQUENCE")])
    func probe(_ kernel: String, _ reason: String) throws {
        let traces = try FixtureTraces.of("client_zerowindow", kernel: kernel).traces
        let probe = try #require(traces.first { $0.frame == 3 })
        #expect(probe.verdict == .drop && probe.dropReason == reason && probe.dropFunction == "tcp_validate_incoming")
        #expect(probe.functions.contains("tcp_send_dupack"))
        #expect(traces.first { $0.frame == 4 }?.causedBy == 3)
        // The first probe comes before anything shows rcv_nxt: a known gap.
        withKnownIssue("rcv_nxt is unknown until the host's first acknowledgment") {
            #expect(traces.first { $0.frame == 1 }?.verdict == .drop)
        }
    }
}
