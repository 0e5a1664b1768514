import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace

/// The model against what the capturing kernel itself reported (`Fixtures/truth/`, Linux 6.18) for
/// the fixtures of the reassembly timer and the ICMP rate limits: every drop of the DUT, in order
/// (reason and location), and the counters those paths move.
@Suite("model against the capturing kernel's own drops and counters")
struct KernelTruthTests {
    /// Reasons 6.18 names where 6.1, the modeled version, frees with `NOT_SPECIFIED` (6.1's
    /// include/net/dropreason.h has none of them; ip_expire and inet_frag_rbtree_purge call kfree_skb).
    static let newerReasons: Set<String> = ["FRAG_REASM_TIMEOUT", "FRAG_TOO_FAR", "DUP_FRAG"]

    static func traces(_ name: String, kernel: String = "6.1") throws -> [PacketTrace] {
        let host = try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json"))
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/\(name).pcap")),
                                        captureName: name, host: host, kernelVersion: kernel)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    /// The DUT's drops in `truth/<name>.kfree_skb.txt` as (reason, function), without the frag_list
    /// frees of `skb_release_data` that follow a reassembly (not losses).
    static func truthDrops(_ name: String) throws -> [String] {
        let text = try String(contentsOfFile: Repository.path("Fixtures/truth/\(name).kfree_skb.txt"), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count > 2 else { return nil }
            let reason = String(f[1])
            let location = String(f[2].split(separator: "+")[0])
            guard location != "skb_release_data" else { return nil }
            return (newerReasons.contains(reason) ? "NOT_SPECIFIED" : reason) + " in " + location
        }
    }

    /// Every drop event of the model, timers included, in order.
    static func modelDrops(_ traces: [PacketTrace]) -> [String] {
        traces.flatMap { t in (t.timers.flatMap(\.events) + t.events).compactMap { e -> String? in
            guard case let .drop(reason, function, _) = e else { return nil }
            return String((reason ?? "").dropFirst("SKB_DROP_REASON_".count)) + " in " + function.function
        } }
    }

    static func truthCounters(_ name: String) throws -> [String: Int] {
        let text = try String(contentsOfFile: Repository.path("Fixtures/truth/\(name).nstat.txt"), encoding: .utf8)
        var out: [String: Int] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            if f.count == 2, let v = Int(f[1]) { out[String(f[0])] = v }
        }
        return out
    }

    /// The neighbour discovery reasons 6.12 and the capturing 6.18 have and 6.1 does not
    /// (`IPV6_NDISC_*`: hop limit, code, options), in order. The truth's other drops mix in the peer's.
    @Test("invalid neighbour discovery messages are dropped with the capturing kernel's reasons on 6.12")
    func ndiscReasons() throws {
        let ndisc = { (drop: String) in drop.hasPrefix("IPV6_NDISC_") }
        // The frame's verdict names the dropper as a real trace does (icmpv6_rcv, not 6.12's sk_skb_reason_drop).
        let model = try Self.traces("v6_ndisc", kernel: "6.12").compactMap { t in
            t.dropReason.map { String($0.dropFirst("SKB_DROP_REASON_".count)) + " in " + (t.dropFunction ?? "?") }
        }.filter(ndisc)
        // The raw tracepoint lines: "... location=icmpv6_rcv+0x279/0x540 reason: IPV6_NDISC_HOP_LIMIT".
        let text = try String(contentsOfFile: Repository.path("Fixtures/truth/v6_ndisc.kfree_skb.txt"), encoding: .utf8)
        let truth = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line -> String? in
            guard let at = line.range(of: "location="), let r = line.range(of: " reason: ") else { return nil }
            let location = line[at.upperBound...].prefix { $0 != "+" }
            return "\(line[r.upperBound...]) in \(location)"
        }.filter(ndisc)
        #expect(model == truth, "model \(model), capturing kernel \(truth)")
        #expect(model.count == 3)
        #expect(!Self.modelDrops(try Self.traces("v6_ndisc")).contains(where: ndisc), "6.1 has no IPV6_NDISC_* reasons")
    }

    @Test("drops match the capturing kernel's, timers included", arguments: ["s_frag_timeout", "s_udp_burst"])
    func drops(_ name: String) throws {
        #expect(Self.modelDrops(try Self.traces(name)) == (try Self.truthDrops(name)))
    }

    @Test("the reassembly timer's counters and ICMP match the capturing kernel's")
    func reassemblyTimer() throws {
        let traces = try Self.traces("s_frag_timeout")
        let truth = try Self.truthCounters("s_frag_timeout")
        let counters = try ReplayCounters.of("s_frag_timeout")
        for name in ["IpReasmTimeout", "IpReasmFails", "IpReasmReqds"] {
            #expect(counters[name] == truth[name], "\(name)")
        }
        // The time exceeded message leaves as the real kernel sent it, linked to the fragment it quotes.
        let sent = traces.filter { $0.direction == .tx && $0.summary.contains("time exceeded") }
        #expect(sent.count == truth["IcmpOutTimeExcds"])
        #expect(sent.allSatisfy { $0.causedByTimer == "ip_expire" && $0.causedBy != nil })
        let runs = traces.flatMap(\.timers)
        #expect(runs.count == truth["IpReasmTimeout"])
        #expect(Set(runs.compactMap(\.armedBy)) == Set(traces.filter { $0.verdict == .queue }.map(\.frame)))
    }

    /// s_tcp_seq on 6.12, the profile nearest the capturing 6.18, which names the same reasons: every
    /// drop in order, and each duplicate or challenge ACK of the capture linked to the segment it
    /// answers (frame 12's answer held back by tcp_invalid_ratelimit, frame 13, a RST, unanswered).
    @Test("segments outside the receive window, and RST and SYN inside it, as the capturing kernel handled them")
    func tcpSequence() throws {
        let host = try HostProfile.load(path: Repository.path("Fixtures/s_tcp_seq.host.json"))
        var traces: [PacketTrace] = []
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/s_tcp_seq.pcap")),
                                        captureName: "s_tcp_seq", host: host, kernelVersion: "6.12")
        _ = try session.run { traces.append($0) }
        #expect(Self.modelDrops(traces) == (try Self.truthDrops("s_tcp_seq")))
        let answers = [7: 6, 9: 8, 11: 10, 15: 14, 17: 16]
        for (tx, rx) in answers.sorted(by: { $0.key < $1.key }) {
            #expect(traces[tx - 1].causedBy == rx, "frame \(tx) answers frame \(rx)")
        }
        let dropped = traces.filter { $0.verdict == .drop }.map(\.frame)
        #expect(dropped == [6, 8, 10, 12, 13, 14, 16])
        // 6.1 has no TCP_OLD_SEQUENCE: the segment before the window is TCP_INVALID_SEQUENCE there.
        let on61 = try Self.traces("s_tcp_seq")
        #expect(on61[7].dropReason == "SKB_DROP_REASON_TCP_INVALID_SEQUENCE")
    }

    @Test("a burst of errors to one peer is rate limited as the capturing kernel did")
    func udpBurst() throws {
        let traces = try Self.traces("s_udp_burst")
        let truth = try Self.truthCounters("s_udp_burst")
        let counters = try ReplayCounters.of("s_udp_burst")
        for name in ["IcmpOutRateLimitHost", "IcmpOutMsgs", "UdpNoPorts"] {
            #expect(counters[name] == truth[name], "\(name)")
        }
        // Every port unreachable in the capture is linked to the datagram it answers, in order; the
        // suppressed datagrams have none.
        let answered = traces.filter { $0.direction == .tx && $0.summary.contains("unreachable") }.compactMap(\.causedBy)
        #expect(answered.count == truth["IcmpOutDestUnreachs"])
        #expect(answered == answered.sorted())
    }
}

/// The SNMP counters of a fixture's replay, by `nstat` name.
enum ReplayCounters {
    static func of(_ name: String, kernel: String = "6.1") throws -> [String: Int] {
        let host = try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json"))
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path(GoldenTraceTests.capture(name))),
                                        captureName: name, host: host, kernelVersion: kernel)
        return try session.run { _ in }.counters
    }
}

/// Every counter of every fixture's `truth/<name>.nstat.txt` against the model's, under the 6.12 profile.
///
/// The truth comes from the capturing kernel, 6.18, and 6.12 is the closest profile. The counters
/// compared are those 6.12 keeps where 6.18 does, with the same meaning (read in both trees:
/// `IpOutRequests` in `__ip_local_out` and `IpOutTransmits`, `IpExtOutOctets`, `IpExtOut{B,M}cast*` in
/// `ip_finish_output2`, `IcmpMsg*` through `icmp_out_count` and `icmp_rcv`, `IpInDelivers` in
/// `ip_protocol_deliver_rcu`). Where 6.18 counts differently from 6.12 the fixture says so in
/// `exceptions`. Nothing is skipped silently: a counter is compared, or listed in `notModeled` (the
/// model keeps it nowhere) or in `exceptions` (one fixture's count cannot be compared), each with why.
@Suite("the model's SNMP counters against the capturing kernel's nstat")
struct CounterTruthTests {
    static let fixtures: [String] = {
        let dir = Repository.path("Fixtures/truth")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".nstat.txt") }
            .map { String($0.dropLast(".nstat.txt".count)) }.sorted()
    }()

    /// Counters the model does not keep, and why.
    static let notModeled: [String: String] = {
        var out: [String: String] = [:]
        out["TcpExtTCPBacklogCoalesce"] = "segments that arrive while the application holds the socket go to its "
            + "backlog (tcp_add_backlog), where they may merge: the model has no socket owner and no backlog"
        // 6.17 added LINUX_MIB_BEYOND_WINDOW (upstream commit 6c758062c64d, restricted by a later fix to these two
        // reasons): tcp_validate_incoming counts a segment neither RST nor SYN that tcp_sequence rejects as beyond the
        // window, TCP_INVALID_SEQUENCE (start after rcv_nxt plus the receive window) or, new in 6.17,
        // TCP_INVALID_END_SEQUENCE (end beyond it), not TCP_OLD_SEQUENCE. s_tcp_seq's 3 are frames 6, 10 and 12, which
        // the model drops as TCP_INVALID_SEQUENCE in tcp_validate_incoming as 6.12 does; the RST beyond the window
        // (frame 13) is not counted.
        out["TcpExtBeyondWindow"] = "6.17's count of segments beyond the receive window (tcp_validate_incoming); 6.12 has "
            + "no such counter (include/uapi/linux/snmp.h), its drops are TCP_INVALID_SEQUENCE in tcp_validate_incoming"
        return out
    }()

    /// Per fixture, counters whose truth cannot be compared with the model's, and why.
    static let exceptions: [String: [String: String]] = [
        // The server's application read while the upload arrived: segments that came while it held the
        // socket went to the backlog, where tcp_add_backlog merged five into the one before
        // (TcpExtTCPBacklogCoalesce 5), ACKs included; segments that came before it had read found
        // the unread data's memory in sk_forward_alloc and took the fast path. Neither its reads nor
        // its hold on the socket are in the capture: the model takes every segment as read at once.
        "ctr_transfer": [
            "TcpExtTCPHPHits": "6 data segments fitted the memory of data the application had not read yet; the model, "
                + "which takes every segment as read, sends all 14 to the slow path (tcp_rcv_established's step5)",
            "TcpExtTCPPureAcks": "4 of the peer's 6 window-updating ACKs were merged in the backlog (tcp_add_backlog) "
                + "into the ACK before them, and never reached tcp_ack",
            "TcpExtTCPRcvCoalesce": "13 of the upload's segments came within 100 µs of the one before, which the model "
                + "takes as unread; the kernel merged 10 into the receive queue, the others went to the backlog while "
                + "the application held the socket (TcpExtTCPBacklogCoalesce 5) or found the queue read",
        ],
        // The application read the server's last data before its FIN arrived, sooner than the model's 100 µs.
        "ctr_frto": ["TcpExtTCPRcvCoalesce": "the client had read \"ok\" when the server's FIN came 58 µs after it"],
        "loopback_lo": ["TcpExtTCPRcvCoalesce": "the client had read \"ok\" when the server's FIN came 39 µs after it"],
        // The capture starts with a zero-window probe, before any acknowledgment of the host's shows rcv_nxt:
        // the model takes it as a pure ACK (ZeroWindowProbeTests).
        "client_zerowindow": ["TcpExtTCPPureAcks": "the first probe, one byte before rcv_nxt, which the capture does not "
            + "show yet: the kernel dropped it in tcp_validate_incoming (TCP_OLD_SEQUENCE), the model counts a pure ACK"],
        // The host's upload through a bottleneck that drops (make-fixtures-counters.sh fastretrans).
        // The host's application held the socket while it wrote (TcpExtTCPBacklogCoalesce 1: frames 9 and 10, ACKs
        // with identical options, merged in the backlog). Every check of 6.12's header prediction holds in the
        // capture for the 7 ACKs the model predicts (frames 32, 33, 38, 39, 44, 47 and 93: ACK alone, a 32-byte
        // header with aligned timestamps, the window the update before set (tcp_ack_update_window, then
        // tcp_fast_path_check: no out-of-order queue, window open, no urgent data), at rcv_nxt, within snd_nxt,
        // TSval not older than ts_recent), and nothing in 6.12 clears pred_flags for a pure sender between them
        // (only tcp_ack_update_window on a window change, tcp_select_window on a zero window, tcp_data_queue_ofo,
        // tcp_prune_queue, tcp_check_urg); the capturing 6.18 took 6 of them through the slow path.
        "ctr_fastretrans": [
            "TcpExtTCPHPAcks": "6.18 took 6 of the 7 ACKs the model predicts (frames 32, 33, 38, 39, 44, 47, 93) through "
                + "tcp_rcv_established's slow path, though 6.12's prediction checks all hold for them in the capture",
            "TcpExtTCPPureAcks": "the 6 ACKs the kernel took through the slow path, less frame 10, which tcp_add_backlog "
                + "merged into frame 9 (TcpExtTCPBacklogCoalesce 1) so that it never reached tcp_ack",
        ],
        "v6_pmtu": [
            "TcpExtOutOfWindowIcmps": "the capturing 6.18 kernel counted 3 of the 4 packets too big about the TCP "
                + "segments (frames 13-16) as out of window; in the capture's order all five segments left before "
                + "them, so each quoted sequence lies between snd_una and snd_nxt, as the model finds (the real "
                + "kernel handled them inside the sender's softirq, in an order the capture does not show)",
        ],
        "v6_ra_route": [
            "Ip6OutNoRoutes": "the host's third echo request found no route once the router withdrew (lifetime 0): "
                + "ip6_route_output failed in the sending process, so no packet reached the capture",
        ],
        "v6_ra_rio": [
            "Ip6OutNoRoutes": "the host's second echo request found no route once the router withdrew its route "
                + "information (lifetime 0): ip6_route_output failed in the sending process, so no packet reached the capture",
        ],
        "s_frag_mem": [
            "IpReasmFails": "fragment memory: the capturing 6.18 kernel takes small heads from its 576-byte skb_small_head_cache, "
                + "so 19 flood queues fit; Debian's 6.1 (oracle) and 6.12 kmalloc-1k heads fit 13, as the model charges",
        ],
        "s_icmp": [
            "IcmpOutEchoReps": "6.18 counts the timestamp reply (frame 8) as an echo reply; 6.12 (icmp_timestamp sets "
                + "ICMP_TIMESTAMPREPLY) and the model count it as a timestamp reply",
            "IcmpMsgOutType0": "6.18 counts the timestamp reply (frame 8) as type 0; 6.12 and the model as type 14",
            "IcmpOutTimestampReps": "6.18 counts the timestamp reply (frame 8) as an echo reply (see IcmpOutEchoReps)",
            "IcmpMsgOutType14": "6.18 counts the timestamp reply (frame 8) as type 0 (see IcmpMsgOutType0)",
        ],
    ]

    /// Why the counters of an IPv6 fixture (`v6_*`, Fixtures/README.md) cannot match their truth yet:
    /// parts of IPv6 they take are not modeled (neighbour discovery, MLD, reassembly, forwarding: issue
    /// 11). Their SNMP and device counters are compared, as a known issue; those of the fixtures the
    /// model follows in full (TCP and UDP over IPv6) must match.
    static func knownGap(_ name: String) -> Comment? {
        return name.hasPrefix("v6_") && !matchedIPv6.contains(name)
            ? "neighbour discovery, MLD, IPv6 reassembly or forwarding are not modeled yet (issue 11)" : nil
    }

    /// IPv6 fixtures whose SNMP and device counters the model matches.
    static let matchedIPv6: Set<String> = ["v6_exthdr", "v6_frag", "v6_ndisc", "v6_ping", "v6_tcp_udp", "v6_tcp_mid", "v6_tcp_mapped", "v6_pmtu",
                                           "v6_ra_route", "v6_redirect", "v6_tcp_err", "v6_forward",
                                           "v6_linkup", "v6_ra", "v6_dad", "v6_mdns", "v6_mld", "v6_mcloop",
                                           "v6_fwd_redirect", "v6_ra_rio", "v6_nft"]

    @Test("every counter the model keeps matches nstat", arguments: fixtures)
    func counters(_ name: String) throws {
        if let gap = Self.knownGap(name) {
            withKnownIssue(gap) { try compareCounters(name) }
        } else {
            try compareCounters(name)
        }
    }

    func compareCounters(_ name: String) throws {
        let truth = try KernelTruthTests.truthCounters(name)
        let model = try ReplayCounters.of(name, kernel: "6.12")
        let excepted = Self.exceptions[name] ?? [:]
        for counter in Set(truth.keys).union(model.keys).sorted() where Self.notModeled[counter] == nil {
            let (m, t) = (model[counter] ?? 0, truth[counter] ?? 0)
            if excepted[counter] != nil {
                // An exception that no longer differs must be removed.
                #expect(m != t, "\(name) \(counter): matches now (\(m)); remove its exception")
            } else {
                #expect(m == t, "\(name) \(counter): model \(m), kernel \(t)")
            }
        }
        // The model keeps none of the counters it says it does not.
        for counter in Self.notModeled.keys { #expect(model[counter] == nil, "\(counter) is listed as not modeled") }
    }

    /// `TcpExtBeyondWindow` (6.17 and later, not in the model's versions): every fixture's count is the
    /// segments, neither RST nor SYN, that the model drops in `tcp_validate_incoming` as beyond the window
    /// (`TCP_INVALID_SEQUENCE`), which is where the capturing kernel counts it.
    @Test("TcpExtBeyondWindow counts the model's drops beyond the window", arguments: fixtures)
    func beyondWindow(_ name: String) throws {
        let truth = try KernelTruthTests.truthCounters(name)["TcpExtBeyondWindow"] ?? 0
        guard truth > 0 else { return }
        let traces = try KernelTruthTests.traces(name, kernel: "6.12")
        let beyond = traces.filter { t in
            t.dropReason == "SKB_DROP_REASON_TCP_INVALID_SEQUENCE" && t.dropFunction == "tcp_validate_incoming"
                && !t.summary.contains("[R") && !t.summary.contains("[S")
        }
        #expect(beyond.count == truth, "\(name): frames \(beyond.map(\.frame))")
    }

    @Test("the fixtures with nstat truth are all compared")
    func present() { #expect(Self.fixtures.count >= 22) }
}
