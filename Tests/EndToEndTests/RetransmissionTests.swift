import Testing
import Trace

/// Data sent again, classified by what sent it, on fixtures whose truth is the capturing kernel's nstat
/// (6.18): the retransmission timer (net/ipv4/tcp_timer.c `tcp_retransmit_timer` → net/ipv4/tcp_input.c
/// `tcp_enter_loss`), fast recovery on the peer's SACKs (`tcp_xmit_retransmit_queue`), a tail loss probe;
/// the D-SACK and the undo of the loss that follow (`tcp_check_dsack`, `tcp_try_undo_loss`).
@Suite("retransmissions by the timer and by fast recovery")
struct RetransmissionTests {
    /// ctr_rto: frames 6-10 carry 7,000 bytes the peer cannot acknowledge; frame 11 sends the last segment
    /// again (a probe), frames 12-15 the first one, each when the timer expires; frame 16 acknowledges all
    /// with a D-SACK of the copy, echoing the probe's timestamp, older than the first retransmission's.
    @Test("timeouts after a probe, then the ACK proves them needless by its timestamp", arguments: ["4.14", "6.1", "6.12"])
    func timeouts(_ kernel: String) throws {
        let traces = try KernelTruthTests.traces("ctr_rto", kernel: kernel)
        #expect(traces[10].functions.first == "tcp_send_loss_probe")
        for frame in 12...15 {
            let path = traces[frame - 1].functions
            #expect(path.first == "tcp_retransmit_timer", "frame \(frame)")
            #expect(path.contains("tcp_enter_loss") && path.contains("tcp_retransmit_skb"), "frame \(frame)")
        }
        #expect(traces[15].events.contains { event in
            if case let .note(text, _) = event { return text.contains("loss undone") }
            return false
        })
        let counters = try ReplayCounters.of("ctr_rto", kernel: kernel)
        // 6.1 and 6.12 count every expiry; 4.14 the first of the run (icsk_retransmits 0) in the open state.
        #expect(counters["TcpExtTCPTimeouts"] == (kernel == "4.14" ? 1 : 4))
        #expect(counters["TcpExtTcpTimeoutRehash"] == (kernel == "4.14" ? nil : 4))
        #expect(counters["TcpRetransSegs"] == 5)
        #expect(counters["TcpExtTCPLossProbes"] == 1)
        // The first segment, sent again by each expiry after the first, was lost again each time.
        #expect(counters["TcpExtTCPLostRetransmit"] == 3)
        #expect(counters["TcpExtTCPLossUndo"] == 1)
        #expect(counters["TcpExtTCPSpuriousRTOs"] == nil)
        #expect(counters["TcpExtTCPDSACKRecv"] == 1)
        // 4.14 has neither the D-SACK's segment count nor TCPDelivered.
        #expect(counters["TcpExtTCPDSACKRecvSegs"] == (kernel == "4.14" ? nil : 1))
        #expect(counters["TcpExtTCPDelivered"] == (kernel == "4.14" ? nil : 9))
    }

    /// ctr_frto: the same without timestamps: only F-RTO (never-retransmitted data acknowledged) tells the
    /// timeouts were spurious.
    @Test("without timestamps, F-RTO finds the timeouts spurious", arguments: ["4.14", "6.1", "6.12"])
    func spuriousTimeout(_ kernel: String) throws {
        let counters = try ReplayCounters.of("ctr_frto", kernel: kernel)
        #expect(counters["TcpExtTCPLossUndo"] == 1)
        #expect(counters["TcpExtTCPSpuriousRTOs"] == 1)
        #expect(counters["TcpExtTCPLostRetransmit"] == 2)
        #expect(counters["TcpExtTCPTimeouts"] == (kernel == "4.14" ? 1 : 3))
    }

    /// ctr_fastretrans: a bottleneck queue overflows three times; every segment sent again leaves in fast
    /// recovery, none by the timer, and none is lost again.
    @Test("segments the peer's SACKs showed lost are fast retransmissions", arguments: ["4.14", "6.1", "6.12"])
    func fastRetransmissions(_ kernel: String) throws {
        let traces = try KernelTruthTests.traces("ctr_fastretrans", kernel: kernel)
        // Frame 48 SACKs data above a hole; frame 49 sends the hole again.
        #expect(traces[48].functions.first == "tcp_xmit_retransmit_queue")
        #expect(traces[48].causedBy == 48)
        #expect(!traces.contains { $0.functions.first == "tcp_retransmit_timer" || $0.functions.first == "tcp_send_loss_probe" })
        let counters = try ReplayCounters.of("ctr_fastretrans", kernel: kernel)
        #expect(counters["TcpRetransSegs"] == 29)
        #expect(counters["TcpExtTCPFastRetrans"] == 29)
        #expect(counters["TcpExtTCPSackRecovery"] == 3)
        #expect(counters["TcpExtTCPLostRetransmit"] == nil)
        #expect(counters["TcpExtTCPTimeouts"] == nil)
        #expect(counters["TcpExtTCPSlowStartRetrans"] == nil)
    }
}
