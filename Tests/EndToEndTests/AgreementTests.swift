import Foundation
import Testing
import TestSupport

/// The agreement check at the end of a trace: the host's answers the model sent against those the
/// capture shows, and the warning when they part.
@Suite("agreement between the capture and the model")
struct AgreementTests {
    @Test("a fixture traced on its own host agrees on every answer, and says so")
    func agreesOnItsOwnHost() throws {
        let run = try CLITests.pktpath(["trace", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json"])
        #expect(run.status == 0)
        #expect(run.out.contains("pktpath: the capture agrees with the model on 3 of 3 answers (100%)"), "\(run)")
        #expect(!run.stderr.contains("probably wrong"))
    }

    @Test("a host that ignores echo requests disagrees with a capture of its replies: counted per kind, and a warning")
    func disagreesWhenTheHostIsWrong() throws {
        let run = try CLITests.pktpath(["trace", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json",
                                        "--set", "net.ipv4.icmp_echo_ignore_all=1", "--format", "json"])
        #expect(run.status == 0)
        let summary = try #require(run.lines.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        let agreement = try #require(summary["agreement"] as? [String: Any])
        #expect(agreement["agreeing"] as? Int == 0)
        #expect(agreement["disagreeing"] as? Int == 3)
        #expect((agreement["unpredicted"] as? [String: Int]) == ["echo reply": 3])
        #expect(run.messages.contains { $0.contains("0 of 3 answers (0%): 3 echo reply captured but not sent by the model") && $0.contains("probably wrong") },
                "\(run)")
    }

    @Test("answers a forwarding host relays are another host's, not counted against it")
    func forwardedAnswersAreNotCounted() throws {
        let run = try CLITests.pktpath(["trace", "Fixtures/s_forward.pcap", "--host", "Fixtures/s_forward.host.json", "--format", "json"])
        let summary = try #require(run.lines.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        let agreement = try #require(summary["agreement"] as? [String: Any])
        #expect(agreement["disagreeing"] as? Int == 0)
        #expect((agreement["matched"] as? [String: Int]) == ["icmp error": 2])
    }
}

/// Timers still pending when the capture ended run to their end after the last frame.
@Suite("state at the capture's end")
struct CaptureEndTests {
    @Test("reassembly queues left open expire after the capture: ip_expire per queue, not counted as missing, counters as at the end")
    func openQueuesExpire() throws {
        let run = try CLITests.pktpath(["trace", "Fixtures/s_frag_mem.pcap", "--host", "Fixtures/s_frag_mem.host.json", "--format", "json"])
        #expect(run.status == 0)
        let summary = try #require(run.lines.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        let timers = try #require(summary["after_capture"] as? [[String: Any]])
        #expect(timers.count == 14)
        #expect(timers.allSatisfy { $0["func"] as? String == "ip_expire" && $0["armed_by"] is Int })
        let agreement = try #require(summary["agreement"] as? [String: Any])
        #expect((agreement["missing"] as? [String: Int]) == [:])
        // The counters are nstat's at the capture's end: the expiries after it are not in them.
        let counters = try #require(summary["counters"] as? [String: Int])
        #expect(counters["IpReasmTimeout"] == nil)
    }

    @Test("a range that stops before the end runs no timers after it")
    func rangeRunsNone() throws {
        let run = try CLITests.pktpath(["trace", "Fixtures/s_frag_mem.pcap", "--host", "Fixtures/s_frag_mem.host.json",
                                        "--format", "json", "--frames", "1-10"])
        let summary = try #require(run.lines.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect(summary["after_capture"] == nil)
    }
}
