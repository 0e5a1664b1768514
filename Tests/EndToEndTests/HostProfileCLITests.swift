import Foundation
import Testing
import TestSupport

/// Host profiles as a user passes them: a trace's own header, loaded back with `--host`.
@Suite("host profiles on the command line")
struct HostProfileCLITests {
    @Test("the header line of a JSON trace loads as --host and traces the capture the same way",
          arguments: ["s_netfilter", "router_any", "s_udp", "vlan_rx", "stp_bpdu_bridge", "bridge_any", "bridge_br0"])
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

    @Test("--set mtu on a VLAN's real device lowers the VLAN in the trace header; above it, the VLAN is refused")
    func mtuThroughVLAN() throws {
        let run = try CLITests.pktpath(["trace", "Fixtures/vlan_rx.pcap", "--host", "Fixtures/vlan_rx.host.json", "--format", "json",
                                        "--set", "mtu.veth1=1400"])
        #expect(run.status == 0, "\(run)")
        let header = try #require(run.lines.first)
        #expect(header.contains(#""name":"veth1","driver":"veth","mac":"02:00:00:00:00:01","mtu":1400"#))
        #expect(header.contains(#""name":"veth1.10","driver":"vlan","mac":"02:00:00:00:00:01","mtu":1400"#))
        let refused = try CLITests.pktpath(["trace", "Fixtures/vlan_rx.pcap", "--host", "Fixtures/vlan_rx.host.json",
                                            "--set", "mtu.veth1.10=9000"])
        #expect(refused.status == 2 && refused.stderr.contains("mtu.veth1.10") && refused.stderr.contains("veth1"), "\(refused)")
    }
}
