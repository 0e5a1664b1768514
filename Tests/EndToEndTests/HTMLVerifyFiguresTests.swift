import Foundation
import Testing
import TestSupport

/// `trace --format html --verify REPORT`: `pktpath verify`'s agreement with this machine's kernel in
/// the HTML report (docs/verify.md). The report is one verify made of `s_icmp` on the 6.18 kernel the
/// fixtures were made on (Fixtures/verify/).
@Suite("verify figures in the HTML report")
struct HTMLVerifyFiguresTests {
    static let arguments = ["trace", "Fixtures/s_icmp.pcap", "--host", "Fixtures/s_icmp.host.json", "--format", "html"]

    @Test("the report carries verify's figures and the frames that part, and the page shows them")
    func figures() throws {
        let run = try CLITests.pktpath(Self.arguments + ["--verify", "Fixtures/verify/s_icmp.verify.jsonl"])
        #expect(run.status == 0, "\(run)")
        let page = run.out
        let data = try #require(page.split(separator: "\n").first { $0.hasPrefix("V(") }, "no verify data in the page")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(data.dropFirst(2).dropLast(2).utf8)) as? [String: Any])
        let agreement = try #require(object["agreement"] as? [String: Any])
        #expect(agreement["frames"] as? [String: Int] == ["agreeing": 7, "compared": 9])
        #expect(agreement["drop_function"] as? [String: Int] == ["agreeing": 3, "compared": 5])
        #expect(agreement["path"] is NSNull)  // verify compares no paths here (no function_graph)
        #expect(object["release"] as? String == "6.18.44-fc-v1147")
        let parting = try #require(object["parting"] as? [[String: Any]])
        #expect(parting.map { $0["parting"] as? [String] ?? [] } == [["drop_function"], ["drop_function"]])
        #expect(parting.allSatisfy { ($0["model"] as? String ?? "").hasPrefix("drop SKB_DROP_REASON_") })
        // The data comes before the page starts, and the page has the view that shows it.
        #expect(page.range(of: "\nV(")!.lowerBound < page.range(of: "\nZ(")!.lowerBound)
        #expect(page.contains("R.verify?verifyFigures(R.verify)"))
        // Without --verify there is none.
        let plain = try CLITests.pktpath(Self.arguments)
        #expect(!plain.out.split(separator: "\n").contains { $0.hasPrefix("V(") })
    }

    @Test("--verify is refused without html, with a report of another capture, or with a file that is not one",
          arguments: [
            (["--verify", "Fixtures/verify/s_icmp.verify.jsonl", "--format", "json"], "--verify goes with --format html"),
            (["--verify", "Fixtures/import/pwru.jsonl"], "not a pktpath verify report"),
          ])
    func refused(extra: [String], message: String) throws {
        let run = try CLITests.pktpath(Self.arguments + extra)
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.contains(message), "\(run)")
    }

    @Test("a report of another capture is refused")
    func otherCapture() throws {
        let run = try CLITests.pktpath(["trace", "Fixtures/udp_ports.pcap", "--host", "Fixtures/udp_ports.host.json",
                                        "--format", "html", "--verify", "Fixtures/verify/s_icmp.verify.jsonl"])
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.contains("verifies Fixtures/s_icmp.pcap, not Fixtures/udp_ports.pcap"), "\(run)")
    }
}
