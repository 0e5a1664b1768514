import Foundation
import Testing
import TestSupport

/// `pktpath stats --format nstat` and `--format json`: output people can diff with the real kernel's.
@Suite("stats output formats")
struct StatsFormatTests {
    static let closed = ["stats", "Fixtures/ctr_closed.pcap", "--host", "Fixtures/ctr_closed.host.json", "--kernel", "6.12"]

    /// `nstat -a` lines, in iproute2's columns: the name in 32, the value in 16, the rate as `%6.1f`.
    @Test("--format nstat prints what nstat -a printed on the capturing kernel")
    func nstat() throws {
        let run = try CLITests.pktpath(Self.closed + ["--format", "nstat"])
        #expect(run.status == 0, "\(run)")
        #expect(run.lines.first == "#kernel")
        let body = run.lines.dropFirst()
        #expect(body.allSatisfy { $0.count == 54 && $0.hasSuffix("   0.0") }, "\(run)")
        let printed = body.map { line in line.split(separator: " ").prefix(2).map(String.init) }
        // The capturing kernel's own delta, in the order its nstat printed it (truth/ctr_closed.nstat.txt):
        // every counter moved, the same number, the same order.
        let truth = try String(contentsOfFile: Repository.path("Fixtures/truth/ctr_closed.nstat.txt"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").map(String.init) }
        #expect(printed == truth)
    }

    @Test("--format json carries verdicts, paths, counters and devices")
    func json() throws {
        let run = try CLITests.pktpath(Self.closed + ["--format", "json"])
        #expect(run.status == 0, "\(run)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        #expect(object["frames"] as? Int == 8)
        #expect((object["verdicts"] as? [String: Int])?["drop"] == 4)
        #expect((object["drop_reasons"] as? [String: Int])?["SKB_DROP_REASON_OTHERHOST"] == 2)
        let paths = try #require(object["paths"] as? [[String: Any]])
        #expect(paths.compactMap { $0["count"] as? Int }.reduce(0, +) == 8)
        #expect(paths.allSatisfy { ($0["functions"] as? [String])?.isEmpty == false })
        #expect((object["counters"] as? [String: Int])?["UdpNoPorts"] == 1)
        let device = try #require((object["devices"] as? [String: [String: Int]])?["veth-dut"])
        #expect(device["rx_packets"] == 5)
        #expect(device["rx_otherhost"] == 2)
        #expect(device["tx_bytes"] == 196)
    }

    @Test("an unknown --format is a usage error")
    func badFormat() throws {
        let run = try CLITests.pktpath(Self.closed + ["--format", "csv"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--format must be one of: text, nstat, json"), "\(run)")
    }

    /// The JSON trace's summary line carries the same devices.
    @Test("the JSON trace's summary carries counters and devices")
    func traceTrailer() throws {
        let run = try CLITests.pktpath(["trace", "Fixtures/ctr_forward.pcap", "--host", "Fixtures/ctr_forward.host.json",
                                        "--format", "json"])
        #expect(run.status == 0, "\(run)")
        let last = try #require(run.lines.last)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(summary["type"] as? String == "summary")
        #expect((summary["counters"] as? [String: Int])?["IpForwDatagrams"] == 14)
        let devices = try #require(summary["devices"] as? [String: [String: Int]])
        #expect(Set(devices.keys) == ["veth-dut", "veth-dut2"])
        #expect(devices["veth-dut2"]?["tx_packets"] == 8)
    }
}
