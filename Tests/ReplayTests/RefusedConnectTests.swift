import Testing
import Trace

/// Fixtures/client_refused: the client connects to a closed port of the server over IPv4 and IPv6, and
/// each SYN is answered with a RST+ACK. The capturing kernel counted TcpAttemptFails 2 (its nstat).
@Suite("a connection refused")
struct RefusedConnectTests {
    @Test("the RST in SYN_SENT ends the connection attempt through tcp_done, freed by __kfree_skb",
          arguments: ["4.14", "6.1", "6.12"])
    func refused(_ kernel: String) throws {
        let (traces, summary) = try FixtureTraces.of("client_refused", kernel: kernel)
        // Frames 2 and 6: the RSTs (the IPv4 one, and the IPv6 one after the router's resolution).
        let resets = traces.filter { $0.frame == 2 || $0.frame == 6 }
        #expect(resets.count == 2)
        for t in resets {
            #expect(t.functions.suffix(2) == ["tcp_done", "__kfree_skb"], "#\(t.frame): \(t.functions.suffix(4))")
            #expect(t.functions.contains("tcp_rcv_synsent_state_process") && !t.functions.contains("consume_skb"))
            // 4.14 does tcp_done_with_error's work in tcp_reset itself.
            #expect(t.functions.contains("tcp_done_with_error") == (kernel != "4.14"))
        }
        #expect(summary.counters["TcpAttemptFails"] == 2 && summary.counters["TcpEstabResets"] == nil)
    }
}
