import Foundation
import Testing
import TestSupport

/// Host profiles as a user passes them: a trace's own header, loaded back with `--host`.
@Suite("host profiles on the command line")
struct HostProfileCLITests {
    @Test("the header line of a JSON trace loads as --host and traces the capture the same way",
          arguments: ["s_netfilter", "router_any", "s_udp"])
    func headerAsHost(_ name: String) throws {
        let first = try CLITests.pktpath(["trace", "Fixtures/\(name).pcap", "--host", "Fixtures/\(name).host.json", "--format", "json"])
        #expect(first.status == 0)
        let header = try #require(first.lines.first)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pktpath-header-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data((header + "\n").utf8).write(to: URL(fileURLWithPath: path))
        let again = try CLITests.pktpath(["trace", "Fixtures/\(name).pcap", "--host", path, "--format", "json"])
        #expect(again.status == 0, "\(again)")
        // Byte for byte the same trace, header included: the profile came through unchanged.
        #expect(again.lines == first.lines)
    }
}
