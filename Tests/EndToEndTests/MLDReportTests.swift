import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace

/// The MLD reports and DAD probes the host sends (net/ipv6/mcast.c, net/ipv6/addrconf.c) as transmit origins,
/// on the real captures `v6_linkup` (IPv6 switched on during the capture) and `v6_mld` (queries answered):
/// which timer or work item sent each, per version, down to the driver.
@Suite("MLD reports and DAD probes the host sends")
struct MLDReportTests {
    /// The traces of fixture `name` under kernel `version`.
    static func traces(_ name: String, version: String) throws -> [PacketTrace] {
        let host = try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json"))
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/\(name).pcap")),
                                        captureName: name, host: host, kernelVersion: version)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    /// The functions a path calls that are not inlined, in order.
    static func frames(_ t: PacketTrace) -> [String] {
        t.events.compactMap { if case let .call(sym, _, inline) = $0, !inline { sym.function } else { nil } }
    }

    @Test("link-up: change reports from ::, the DAD probe, the reports and the solicitation of DAD's completion",
          arguments: ["4.14", "6.1", "6.12"])
    func linkUp(_ version: String) throws {
        let t = try Self.traces("v6_linkup", version: version)
        let work = version == "4.14"
        let ifc = work ? "mld_ifc_timer_expire" : "mld_ifc_work", dad = work ? "mld_dad_timer_expire" : "mld_dad_work"
        let expected: [[String]] = [
            [ifc, "mld_sendpack"], [ifc, "mld_sendpack"],
            ["addrconf_dad_work", "ndisc_send_ns", "ndisc_send_skb"],
            ["addrconf_dad_work", "addrconf_dad_completed", "ipv6_mc_dad_complete", "mld_send_initial_cr", "mld_sendpack"],
            ["addrconf_dad_work", "addrconf_dad_completed", "ndisc_send_rs", "ndisc_send_skb"],
            [dad, "mld_send_initial_cr", "mld_sendpack"],
            [ifc, "mld_sendpack"],
            ["addrconf_dad_work", "ndisc_send_ns", "ndisc_send_skb"],
            [ifc, "mld_sendpack"],
        ]
        for (i, prefix) in expected.enumerated() {
            let f = Self.frames(t[i])
            #expect(f.starts(with: prefix), "frame \(i + 1): \(f.prefix(6))")
            #expect(t[i].verdict == .transmit, "frame \(i + 1)")
            #expect(f.contains("ip6_output") && f.contains("dev_hard_start_xmit"), "frame \(i + 1)")
        }
        // Only the first two reports come from :: (the link-local address was still in DAD).
        #expect(t[0].events.contains { if case let .note(text, _) = $0 { text.contains("from :: (RFC 3590)") } else { false } })
        #expect(!t[6].events.contains { if case let .note(text, _) = $0 { text.contains("RFC 3590") } else { false } })
    }

    @Test("answers to queries: the report of all groups and the groups' MLDv1 reports, with the query that asked",
          arguments: ["4.14", "6.1", "6.12"])
    func queryAnswers(_ version: String) throws {
        let t = try Self.traces("v6_mld", version: version)
        let work = version != "4.14"
        #expect(Self.frames(t[1]).starts(with: [work ? "mld_gq_work" : "mld_gq_timer_expire", "mld_send_report", "mld_sendpack", "ip6_output"]))
        #expect(t[1].causedBy == 1)
        #expect(t[1].causedByTimer == (work ? "mld_gq_work" : "mld_gq_timer_expire"))
        for i in [6, 7, 8, 9, 11] {
            #expect(Self.frames(t[i]).starts(with: [work ? "mld_mca_work" : "igmp6_timer_handler", "mld_in_v1_mode", "igmp6_send", "ip6_output"]),
                    "frame \(i + 1)")
            #expect(t[i].causedBy == (i == 11 ? 11 : 6), "frame \(i + 1)")
            #expect(t[i].verdict == .transmit)
        }
    }

    @Test("v6_mld's reports are counted as the capturing kernel counted them (its receive counters miss the loopback)")
    func counters() throws {
        let truth = try KernelTruthTests.truthCounters("v6_mld")
        let model = try ReplayCounters.of("v6_mld", kernel: "6.12")
        let sent = ["Icmp6OutMsgs", "Icmp6OutMLDv2Reports", "Icmp6OutGroupMembResponses", "Icmp6OutType131", "Icmp6OutType143",
                    "Ip6OutRequests", "Ip6OutTransmits", "Ip6OutMcastPkts", "Ip6OutMcastOctets", "Ip6OutOctets"]
        for counter in sent {
            #expect(model[counter] != nil && model[counter] == truth[counter], "\(counter): model \(model[counter] ?? 0), kernel \(truth[counter] ?? 0)")
        }
    }

    @Test("an MLDv2 report with no query pending and no DAD seen is a state-change report")
    func changeReport() throws {
        let t = try Self.traces("client_any", version: "6.1")
        #expect(Self.frames(t[7]).starts(with: ["mld_ifc_work", "mld_sendpack"]))
        #expect(t[7].causedBy == nil)
    }
}
