import Foundation
import Testing
import TestSupport

/// The profile's nftables rules are matched on IPv4 headers: an IPv6 packet that meets a hook holding
/// rules says so and stops there with an unknown verdict, rather than being matched through a misread
/// IPv4 header.
@Suite("netfilter rules and IPv6 packets")
struct NetfilterIPv6Tests {
    /// `ipv6_ping`'s host, with `netfilter` set to `rules` (JSON).
    static func host(kernel: String, rules: String) throws -> String {
        let path = CLITests.temporaryPath(".json")
        try """
            { "kernel": "\(kernel)", "interfaces": [ { "name": "p6a-d", "driver": "veth", "mac": "02:00:00:00:6a:01",
              "mtu": 1500, "addresses": ["fd00:6a::1/64", "fe80::ff:fe00:6a01/64"], "captured": true } ],
              "netfilter": \(rules) }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("an echo request meeting an input rule: not modeled at the hook, verdict unknown, no reply caused; without rules it is answered",
          arguments: ["4.14", "6.1", "6.12"])
    func echoRequest(kernel: String) throws {
        let ruled = try Self.host(kernel: kernel, rules: #"[ { "hook": "input", "proto": "tcp", "dport": 2222, "verdict": "drop" } ]"#)
        let plain = try Self.host(kernel: kernel, rules: "[]")
        defer { for p in [ruled, plain] { try? FileManager.default.removeItem(atPath: p) } }
        // Frame 3: the peer's echo request to the host's global address; frame 4 the host's reply.
        let run = try CLITests.pktpath(["trace", "Fixtures/ipv6_ping.pcap", "--host", ruled, "--frames", "3"])
        #expect(run.status == 0, "\(run)")
        #expect(run.out.contains("? not modeled: the NF_INET_LOCAL_IN rules on an IPv6 packet"), "\(run)")
        #expect(run.out.contains("  = ? not modeled further"), "\(run)")
        #expect(!run.out.contains("icmpv6_rcv"), "\(run)")
        let open = try CLITests.pktpath(["trace", "Fixtures/ipv6_ping.pcap", "--host", plain, "--frames", "3-4"])
        #expect(open.status == 0, "\(open)")
        #expect(open.out.contains("icmpv6_echo_reply"), "\(open)")
        #expect(!open.out.contains("rules on an IPv6 packet"), "\(open)")
    }
}
