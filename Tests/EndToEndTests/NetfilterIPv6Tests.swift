import Foundation
import KernelNet
import Replay
import Testing
import TestSupport
import Trace

/// nftables rules on IPv6 packets: `inet` tables see both families, `ip6` tables IPv6 only, `ip` tables
/// IPv4 only; a rule naming an address of one family never matches the other. The fixture `v6_nft` was
/// captured here on a host with such rules (Fixtures/make-fixtures-ipv6.sh nft).
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

    @Test("an echo request meets an inet table's input chain: a TCP rule passes it, an ip6 saddr rule drops it, an ip table is not on its hook",
          arguments: ["4.14", "6.1", "6.12"])
    func echoRequest(kernel: String) throws {
        let tcpOnly = try Self.host(kernel: kernel, rules: #"[ { "hook": "input", "proto": "tcp", "dport": 2222, "verdict": "drop" } ]"#)
        let bySource = try Self.host(kernel: kernel, rules: #"[ { "hook": "input", "saddr": "10.0.0.0/8", "verdict": "drop" }, { "hook": "input", "saddr": "fd00:6a::/64", "proto": "icmpv6", "verdict": "drop" } ]"#)
        let ipTable = try Self.host(kernel: kernel, rules: #"[ { "family": "ip", "hook": "input", "verdict": "drop" } ]"#)
        defer { for p in [tcpOnly, bySource, ipTable] { try? FileManager.default.removeItem(atPath: p) } }
        let hookFunction = kernel == "4.14" ? "nft_do_chain_ipv6" : "nft_do_chain_inet"
        // Frame 3: the peer's echo request to the host's global address; frame 4 the host's reply.
        let passed = try CLITests.pktpath(["trace", "Fixtures/ipv6_ping.pcap", "--host", tcpOnly, "--frames", "3", "--format", "chain"])
        #expect(passed.status == 0, "\(passed)")
        #expect(passed.out.contains("nf_hook_slow → \(hookFunction) → ipv6_find_hdr → nft_do_chain → ip6_input_finish"), "\(passed)")
        #expect(passed.out.contains("icmpv6_echo_reply"), "\(passed)")
        let dropped = try CLITests.pktpath(["trace", "Fixtures/ipv6_ping.pcap", "--host", bySource, "--frames", "3"])
        #expect(dropped.status == 0, "\(dropped)")
        #expect(dropped.out.contains("rule 2 matches: drop"), "\(dropped)")
        #expect(!dropped.out.contains("rule 1 matches"), "\(dropped)")
        #expect(!dropped.out.contains("icmpv6_rcv"), "\(dropped)")
        #expect(dropped.out.contains(kernel == "4.14" ? "✗ drop in nf_hook_slow" : "SKB_DROP_REASON_NETFILTER_DROP in nft_do_chain"),
                "\(dropped)")
        let other = try CLITests.pktpath(["trace", "Fixtures/ipv6_ping.pcap", "--host", ipTable, "--frames", "3", "--format", "chain"])
        #expect(other.status == 0, "\(other)")
        #expect(!other.out.contains("nf_hook_slow"), "\(other)")
        #expect(other.out.contains("icmpv6_echo_reply"), "\(other)")
    }

    /// The traces of `v6_nft` under `kernel`.
    static func traces(_ kernel: String) throws -> [Int: PacketTrace] {
        Dictionary(uniqueKeysWithValues: try KernelTruthTests.traces("v6_nft", kernel: kernel).map { ($0.frame, $0) })
    }

    @Test("v6_nft: the frames the rules drop, as many as the capturing kernel's NETFILTER_DROP drops in nft_do_chain",
          arguments: ["4.14", "6.1", "6.12"])
    func drops(kernel: String) throws {
        let traces = try Self.traces(kernel)
        let truth = try String(contentsOfFile: Repository.path("Fixtures/truth/v6_nft.kfree_skb.txt"), encoding: .utf8)
            .split(separator: "\n").filter { $0.contains("location=nft_do_chain+") && $0.hasSuffix("reason: NETFILTER_DROP") }
        let function = kernel == "4.14" ? "nf_hook_slow" : "nft_do_chain"
        let dropped = traces.values.filter { $0.dropFunction == function }.map(\.frame).sorted()
        // SYN to 81, datagrams to 7001-7003 and 7005 (rejected), SYNs to 82 and 83, 7004 (the ip6 table),
        // the first fragment to 7007, the forwarded datagram to 9 and SYN to 80.
        #expect(dropped == [1, 3, 5, 7, 9, 11, 12, 13, 18, 22, 23])
        #expect(dropped.count == truth.count)
        if kernel != "4.14" {
            #expect(traces.values.filter { $0.dropFunction == function }.allSatisfy { $0.dropReason == "SKB_DROP_REASON_NETFILTER_DROP" })
        }
        // The ip6 table's chain runs after the inet table's accepted the datagram to 7004.
        let ip6Chain = kernel == "4.14" ? ["nft_do_chain_ipv6", "nft_do_chain_ipv6"] : ["nft_do_chain_inet", "nft_do_chain_ipv6"]
        #expect(traces[13]?.functions.filter { $0.hasPrefix("nft_do_chain_") } == ip6Chain)
        // The IPv4 rules (ip saddr, reject with icmp) never match: 7006 and 7008 reach UDP (no socket).
        for frame in [14, 16] { #expect(traces[frame]?.dropFunction == "__udp6_lib_rcv", "frame \(frame)") }
        // The later fragment (no ports) passes the chain and is queued.
        #expect(traces[19]?.verdict == .queue)
    }

    @Test("v6_nft: rejects answer from nf_send_reset6 and nf_send_unreach6 with the rules' codes, through ip6_local_out and the output chain",
          arguments: ["4.14", "6.1", "6.12"])
    func rejects(kernel: String) throws {
        let traces = try Self.traces(kernel)
        // Resets to the SYN to 81 and, at FORWARD, to the forwarded SYN to 80 (from the far host's address).
        for (reset, cause) in [(2, 1), (24, 23)] {
            let t = try #require(traces[reset])
            #expect(t.causedBy == cause && t.verdict == .transmit, "frame \(reset)")
            #expect(t.functions.first == "nf_send_reset6", "frame \(reset)")
            #expect(t.functions.contains("ip6_local_out") && !t.functions.contains("ip6_xmit"), "frame \(reset)")
            #expect(t.functions.contains(kernel == "4.14" ? "nft_ipv6_output" : "nft_do_chain_inet"), "frame \(reset)")
        }
        // admin-prohibited (icmpv6), port-unreachable (icmpx), addr-unreachable, no-route.
        for (error, cause, code) in [(4, 3, 1), (6, 5, 4), (8, 7, 3), (10, 9, 0)] {
            let received = try #require(traces[cause])
            #expect(received.functions.contains("nf_send_unreach6") && received.functions.contains("reject6_csum_ok"), "frame \(cause)")
            let notes = received.events.compactMap { if case let .note(text, _) = $0 { text } else { nil } }
            #expect(notes.contains { $0.hasPrefix("ICMPv6 type 1 code \(code) to fd77::2") }, "frame \(cause): \(notes)")
            let t = try #require(traces[error])
            #expect(t.causedBy == cause && t.verdict == .transmit, "frame \(error)")
        }
    }
}
