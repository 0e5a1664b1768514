import Capture
import Foundation
import KernelNet
import Replay
import Testing
import TestSupport
import Trace

/// The kernel profiles on the real fixtures: every profile traces every fixture on both drivers, and
/// each shows its version's differences (from the 4.14.177, 6.1 and 6.12 trees) and nothing else.
@Suite("kernel profiles 4.14, 6.1 and 6.12")
struct KernelProfileTests {
    /// Replays fixture `name` on `driver` as kernel `version`.
    static func traces(_ name: String, _ version: String, driver: String) throws -> [PacketTrace] {
        var host = try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json"))
        for i in host.interfaces.indices where host.interfaces[i].captured && host.interfaces[i].driver != "bridge" {
            host.interfaces[i].driver = driver
        }
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path(GoldenTraceTests.capture(name))),
                                        captureName: name, host: host, kernelVersion: version)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    /// Verdicts that differ from 6.1's on the fixtures, by (fixture, frame, version), with the reason.
    static let expectedVerdicts: [String: Verdict] = [
        // ipv4_is_zeronet is 0.0.0.0/8 in 4.14 (include/linux/in.h): a martian source there.
        "s_martian#2@4.14": .drop,
        // 6.12's icmpv6_rcv consumes an echo request it answered (icmpv6_echo_reply returns no reason);
        // 4.14 and 6.1 free every message but a delivered echo reply as a drop.
        "ipv6_rx#1@6.12": .deliver, "ipv6_rx#4@6.12": .deliver, "ipv6_rx#6@6.12": .deliver,
        "ipv6_rx#8@6.12": .deliver, "ipv6_rx#9@6.12": .deliver, "ipv6_rx#19@6.12": .deliver,
        "ipv6_ping#3@6.12": .deliver, "ipv6_ping#5@6.12": .deliver,
        "v6_ping#3@6.12": .deliver, "v6_ping#5@6.12": .deliver, "v6_exthdr#1@6.12": .deliver,
        "v6_exthdr#3@6.12": .deliver, "v6_exthdr#13@6.12": .deliver, "v6_exthdr#28@6.12": .deliver,
        "v6_frag#3@6.12": .deliver, "v6_frag#9@6.12": .deliver, "v6_frag#14@6.12": .deliver,
        // 6.12's ndisc_rcv returns SKB_CONSUMED for a solicitation it answered and an advertisement that
        // updated an entry (ndisc_recv_ns, ndisc_recv_na); 4.14 and 6.1 free every ND message as a drop.
        "v6_ndisc#1@6.12": .deliver, "v6_ndisc#15@6.12": .deliver, "v6_ndisc#19@6.12": .deliver,
        "v6_ping#1@6.12": .deliver, "multi_if#6@6.12": .deliver, "client_v6#2@6.12": .deliver, "client_any#5@6.12": .deliver,
        "client_refused#4@6.12": .deliver,
        // ... and for a router advertisement whose sender's entry it updated (ndisc_router_discovery;
        // the capturing 6.18 kernel freed none of v6_ra_route's advertisements as a drop).
        "v6_ra#3@6.12": .deliver, "v6_ra#5@6.12": .deliver, "v6_ra_route#1@6.12": .deliver, "v6_ra_route#7@6.12": .deliver,
        "v6_redirect#1@6.12": .deliver, "v6_redirect#7@6.12": .deliver, "v6_redirect#8@6.12": .deliver,
        "v6_ra_rio#1@6.12": .deliver, "v6_ra_rio#4@6.12": .deliver, "v6_ra_rio#6@6.12": .deliver,
        "router_any6#1@6.12": .deliver, "router_any6#5@6.12": .deliver, "router_any6#7@6.12": .deliver,
        // ... and, through icmpv6_notify, a redirect quoting the packet it is about
        "v6_redirect#4@6.12": .deliver, "v6_redirect#11@6.12": .deliver,
        // 6.12's icmpv6_notify returns SKB_CONSUMED for an error it handed on: icmpv6_rcv consumes it.
        "v6_pmtu#2@6.12": .deliver, "v6_pmtu#13@6.12": .deliver, "v6_pmtu#14@6.12": .deliver,
        "v6_pmtu#15@6.12": .deliver, "v6_pmtu#16@6.12": .deliver, "v6_pmtu#32@6.12": .deliver, "v6_pmtu#34@6.12": .deliver,
        "client_v6#8@6.12": .deliver,
        "v6_tcp_err#8@6.12": .deliver, "v6_tcp_err#9@6.12": .deliver, "v6_tcp_err#10@6.12": .deliver,
        "v6_tcp_err#11@6.12": .deliver, "v6_tcp_err#12@6.12": .deliver, "v6_tcp_err#17@6.12": .deliver,
        "v6_tcp_err#19@6.12": .deliver, "v6_tcp_err#20@6.12": .deliver, "v6_tcp_err#23@6.12": .deliver,
        "v6_tcp_err#24@6.12": .deliver, "v6_tcp_err#25@6.12": .deliver,
        // 4.14 handles an MLD query or report in the softirq and icmpv6_rcv frees it with kfree_skb; 6.1 and 6.12
        // queue it for MLD's worker, which consumes it.
        "v6_mld#1@4.14": .drop, "v6_mld#4@4.14": .drop, "v6_mld#5@4.14": .drop, "v6_mld#6@4.14": .drop, "v6_mld#11@4.14": .drop,
    ]

    @Test("every profile traces every fixture on both drivers, with 6.1's verdicts unless the version decides otherwise",
          arguments: GoldenTraceTests.fixtures)
    func everyFixture(_ name: String) throws {
        for driver in HostProfile.ethernetDrivers {
            let reference = try Self.traces(name, "6.1", driver: driver)
            for version in ["4.14", "6.12"] {
                let traces = try Self.traces(name, version, driver: driver)
                #expect(traces.count == reference.count)
                for (t, r) in zip(traces, reference) {
                    let expected = Self.expectedVerdicts["\(name)#\(t.frame)@\(version)"] ?? r.verdict
                    #expect(t.verdict == expected, "\(name) frame \(t.frame) on \(driver), \(version)")
                    #expect(t.causedBy == r.causedBy, "\(name) frame \(t.frame) on \(driver), \(version)")
                    if t.verdict == .drop {
                        #expect(t.dropFunction != nil, "every version names the dropping function")
                        // mac80211 frees a frame no interface takes with dev_kfree_skb, without a reason, in every version.
                        let inMac80211 = t.dropFunction.map { $0.hasPrefix("ieee80211_") || $0.hasPrefix("__ieee80211_") } ?? false
                        #expect((t.dropReason == nil) == (version == "4.14" || inMac80211), "drop reasons exist from 5.17 on")
                    }
                }
            }
        }
    }

    /// The visible path of frame `frame` of fixture `name`.
    static func path(_ name: String, frame: Int, _ version: String, driver: String) throws -> [String] {
        let t = try #require(try traces(name, version, driver: driver).first { $0.frame == frame })
        return t.visibleFunctions
    }

    @Test("receive over veth: 4.14 has no ip_rcv_core, __netif_rx or __netif_receive_skb_one_core")
    func vethReceive() throws {
        // tcp_handshake frame 3: the SYN to the listener.
        let old = try Self.path("tcp_handshake", frame: 3, "4.14", driver: "veth")
        #expect(Array(old.prefix(6)) == ["veth_xmit", "dev_forward_skb", "__dev_forward_skb", "eth_type_trans",
                                          "netif_rx_internal", "enqueue_to_backlog"])
        #expect(old.contains("ip_local_deliver_finish") && old.contains("tcp_v4_rcv"))
        for f in ["ip_rcv_core", "ip_rcv_finish_core", "ip_protocol_deliver_rcu", "__netif_receive_skb_one_core",
                  "__netif_rx", "__dev_forward_skb2"] {
            #expect(!old.contains(f), "4.14 has no \(f)")
        }
        for version in ["6.1", "6.12"] {
            let new = try Self.path("tcp_handshake", frame: 3, version, driver: "veth")
            for f in ["ip_rcv_core", "ip_protocol_deliver_rcu", "__netif_receive_skb_one_core", "__netif_rx"] {
                #expect(new.contains(f), "\(version) has \(f)")
            }
        }
    }

    @Test("receive over iwlwifi: GRO hands 4.14's packets on one by one, 6.x batches them into ip_list_rcv")
    func wifiReceive() throws {
        let old = try Self.path("tcp_handshake", frame: 3, "4.14", driver: "iwlwifi")
        #expect(old.contains("netif_receive_skb_internal") && old.contains("ip_rcv"))
        #expect(!old.contains("ip_list_rcv") && !old.contains("ieee80211_rx_list"))
        for version in ["6.1", "6.12"] {
            let new = try Self.path("tcp_handshake", frame: 3, version, driver: "iwlwifi")
            #expect(new.contains("netif_receive_skb_list_internal") && new.contains("ip_list_rcv"))
            #expect(!new.contains("netif_receive_skb_internal"))
        }
    }

    @Test("transmit over iwlwifi: 4.14 through a qdisc and drv_tx, 6.x through mac80211's TXQs")
    func wifiTransmit() throws {
        // tcp_handshake frame 4: the SYN-ACK.
        let old = try Self.path("tcp_handshake", frame: 4, "4.14", driver: "iwlwifi")
        #expect(Array(old.suffix(5)) == ["ieee80211_queue_skb", "ieee80211_xmit_fast_finish", "ieee80211_tx_frags",
                                          "iwl_mvm_mac_tx", "iwl_mvm_tx_skb", "iwl_mvm_tx_mpdu"].suffix(5))
        #expect(old.contains("sch_direct_xmit") && old.contains("ip_queue_xmit") == false)
        #expect(old.contains("dev_queue_xmit"), "a real function in 4.14")
        let v61 = try Self.path("tcp_handshake", frame: 4, "6.1", driver: "iwlwifi")
        #expect(v61.contains("iwl_mvm_mac_wake_tx_queue") && v61.contains("ieee80211_tx_dequeue"))
        #expect(!v61.contains("__ieee80211_xmit_fast") && !v61.contains("sch_direct_xmit"))
        let v612 = try Self.path("tcp_handshake", frame: 4, "6.12", driver: "iwlwifi")
        #expect(v612.contains("__ieee80211_xmit_fast") && v612.contains("iwl_mvm_mac_wake_tx_queue"))
        // The access category: 4.14 picks the netdev queue (ndo_select_queue), 6.x the TXQ in mac80211.
        #expect(old.contains("ieee80211_netdev_select_queue") && old.contains("ieee80211_select_queue"))
        #expect(v61.contains("__ieee80211_select_queue") && !v61.contains("ieee80211_select_queue"))
        #expect(v612.contains("ieee80211_select_queue") && !v612.contains("__ieee80211_select_queue"))
        #expect(!old.contains("ieee80211_aggr_check") && v61.contains("ieee80211_aggr_check") && v612.contains("ieee80211_aggr_check"))
    }

    @Test("drops: kfree_skb without a reason in 4.14, kfree_skb_reason in 6.1, sk_skb_reason_drop in 6.12")
    func dropFunctions() throws {
        // bad_ip_checksum frame 1: a bad IPv4 header checksum.
        let byVersion = try ["4.14", "6.1", "6.12"].map { try Self.traces("bad_ip_checksum", $0, driver: "veth")[0] }
        #expect(byVersion.map(\.dropReason) == [nil, "SKB_DROP_REASON_IP_CSUM", "SKB_DROP_REASON_IP_CSUM"])
        #expect(byVersion.map(\.dropFunction) == ["ip_rcv", "ip_rcv_core", "ip_rcv_core"])
        #expect(byVersion.map { $0.visibleFunctions.last } == ["kfree_skb", "kfree_skb_reason", "sk_skb_reason_drop"])
        #expect(byVersion[2].functions.contains("kfree_skb_reason"), "6.12 keeps it as an inline wrapper")
    }

    @Test("drop reasons 6.12 names where 6.1 has none")
    func newReasons() throws {
        // s_frag frame 6: a duplicate fragment.
        let reasons = try ["6.1", "6.12"].map { try Self.traces("s_frag", $0, driver: "veth")[5].dropReason }
        #expect(reasons == ["SKB_DROP_REASON_NOT_SPECIFIED", "SKB_DROP_REASON_DUP_FRAG"])
        // An ACK to a listener: tcp_rcv_state_process returns TCP_FLAGS in 6.12, 1 in 6.1.
        for (version, reason) in [("6.1", "SKB_DROP_REASON_NOT_SPECIFIED"), ("6.12", "SKB_DROP_REASON_TCP_FLAGS")] {
            let drops = try ModelTour.traces(kernel: version).filter { $0.dropFunction == "tcp_v4_do_rcv" }
            #expect(!drops.isEmpty && drops.allSatisfy { $0.dropReason == reason }, "\(version)")
        }
    }

    /// The SNMP counters after replaying fixture `name` as kernel `version`.
    static func counters(_ name: String, _ version: String) throws -> [String: Int] {
        let host = try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json"))
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/\(name).pcap")),
                                        captureName: name, host: host, kernelVersion: version)
        return try session.run { _ in }.counters
    }

    @Test("counters each version has, counted where it counts them")
    func counters() throws {
        // s_forward: 6.12 counts forwards before the MTU check and local sends apart from transmits.
        let forward = try ["4.14", "6.1", "6.12"].map { try Self.counters("s_forward", $0) }
        #expect(forward.map { $0["IpForwDatagrams"] } == [7, 7, 8])
        #expect(forward.map { $0["IpOutRequests"] } == [9, 9, 2])
        #expect(forward.map { $0["IpOutTransmits"] } == [nil, nil, 10])
        // s_udp_burst: suppressed port unreachables are counted from 6.1.192 on.
        let burst = try ["4.14", "6.1"].map { try Self.counters("s_udp_burst", $0) }
        #expect(burst[0]["IcmpOutRateLimitHost"] == nil && (burst[1]["IcmpOutRateLimitHost"] ?? 0) > 0)
    }
}

/// Firewall rules that match on interfaces (`iifname`, `oifname`), on a real forwarding capture.
@Suite("netfilter interface matches")
struct NetfilterInterfaceTests {
    /// The verdicts of s_forward's received frames with `rule` added to its host profile.
    static func verdicts(with rule: String) throws -> [Int: (Verdict, String?)] {
        let base = try String(contentsOfFile: Repository.path("Fixtures/s_forward.host.json"), encoding: .utf8)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(base.utf8)) as? [String: Any])
        object["netfilter"] = [try JSONSerialization.jsonObject(with: Data(rule.utf8))]
        let host = try HostProfile.parse(try JSONSerialization.data(withJSONObject: object))
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/s_forward.pcap")),
                                        captureName: "s_forward", host: host)
        var out: [Int: (Verdict, String?)] = [:]
        _ = try session.run { if $0.direction == .rx { out[$0.frame] = ($0.verdict, $0.dropReason) } }
        return out
    }

    @Test("a forward rule on the ingress or egress interface drops the forwarded frames; the other interface's does not")
    func forwardByInterface() throws {
        // Frames 1, 3 and 7 arrive on veth-dut and leave through veth-dut2.
        for rule in [#"{"hook": "forward", "iifname": "veth-dut", "verdict": "drop"}"#,
                     #"{"hook": "forward", "oifname": "veth-dut2", "verdict": "drop"}"#] {
            let v = try Self.verdicts(with: rule)
            for frame in [1, 3, 7] {
                #expect(v[frame]?.0 == .drop && v[frame]?.1 == "SKB_DROP_REASON_NETFILTER_DROP", "\(rule): frame \(frame)")
            }
        }
        for rule in [#"{"hook": "forward", "iifname": "veth-dut2", "verdict": "drop"}"#,
                     #"{"hook": "input", "oifname": "veth-dut2", "verdict": "drop"}"#] {
            let v = try Self.verdicts(with: rule)
            #expect([1, 3, 7].allSatisfy { v[$0]?.0 == .forward }, "\(rule)")
        }
    }
}
