import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace

/// The raw sockets of the pings a host runs where ping sockets are not permitted (iputils ping as root,
/// the kernel's default `ping_group_range`): each echo reply gives the pinging socket a clone before
/// `icmp_rcv` / `icmpv6_rcv`, which find no ping socket (`NO_SOCKET`, as the capturing kernel reported).
@Suite("raw sockets of the host's pings")
struct RawPingSocketTests {
    static func traces(_ name: String, kernel: String = "6.1") throws -> [PacketTrace] {
        let host = try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json"))
        let capture = GoldenTraceTests.capture(name)
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path(capture)), captureName: name,
                                        host: host, kernelVersion: kernel)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    /// The echo replies received (they reach ping_rcv), with how many clones raw sockets queued and how
    /// many their filters refused.
    static func replies(_ traces: [PacketTrace]) -> [(frame: Int, queued: Int, refused: Int)] {
        traces.filter { $0.functions.contains("ping_rcv") }
            .map { t in
                let notes = t.events.compactMap { if case let .note(text, _) = $0 { text } else { nil } }
                return (t.frame, t.functions.filter { $0 == "__sock_queue_rcv_skb" }.count,
                        notes.filter { $0.contains("filter refuses it") }.count)
            }
    }

    @Test("each echo reply is cloned to the raw socket of the ping that sent the request, over IPv4 and IPv6",
          arguments: ["loopback_lo", "client_v6"])
    func cloned(_ name: String) throws {
        let traces = try Self.traces(name)
        let replies = Self.replies(traces)
        #expect(!replies.isEmpty)
        for r in replies {
            #expect(r.queued == 1 && r.refused == 0, "#\(r.frame): \(r.queued) queued, \(r.refused) refused")
        }
        for t in traces where t.functions.contains("ping_rcv") {
            #expect(t.dropReason == "SKB_DROP_REASON_NO_SOCKET", "#\(t.frame)")
        }
    }

    /// s_arp runs `ping -c 1` twice: the first ping had its answer and ended when the second began, so
    /// the second reply reaches one raw socket, not two.
    @Test("a ping that had its answer has ended when the next one starts")
    func sequentialPings() throws {
        let replies = Self.replies(try Self.traces("s_arp"))
        #expect(replies.count == 2)
        #expect(replies.map(\.queued) == [1, 1], "\(replies)")
    }

    /// client_v6's last pings leave with a hop limit (TTL) of 1: the router answers time exceeded. Each
    /// error goes to the ping's raw socket twice, as the kernel hands it: a clone of the ICMP message
    /// (raw_local_deliver), and the error itself on the socket's error queue (iputils sets IP_RECVERR),
    /// which the capturing kernel purged when the IPv4 ping's socket closed (QUEUE_PURGE in
    /// inet_sock_destruct, truth/client_v6.kfree_skb.txt); then the ICMP protocol's own handler offers
    /// it to ping sockets (none).
    @Test("a time exceeded about a ping reaches its raw socket's error queue, over IPv4 and IPv6")
    func errors() throws {
        let traces = try Self.traces("client_v6")
        let v4 = try #require(traces.first { $0.direction == .rx && $0.summary.contains("ICMP 10.88.1.1 > 10.88.1.2 time exceeded") })
        let v6 = try #require(traces.first { $0.direction == .rx && $0.summary.contains("fd88:1::1 > fd88:1::2") && $0.functions.contains("icmpv6_notify") })
        for (t, path) in [(v4, ["raw_icmp_error", "raw_v4_match", "raw_err", "ip_icmp_error", "icmp_err", "ping_err"]),
                          (v6, ["icmpv6_err", "ping_err", "ping_lookup", "raw6_icmp_error", "raw_v6_match", "rawv6_err", "ipv6_icmp_error"])] {
            let f = t.functions
            let start = try #require(f.firstIndex(of: path[0]), "#\(t.frame) \(f)")
            #expect(Array(f[start..<min(f.count, start + path.count)]) == path, "#\(t.frame)")
            #expect(f.filter { $0 == "__sock_queue_rcv_skb" }.count == 1, "#\(t.frame): one clone")
        }
    }

    /// 4.14 walks the chain with __raw_v4_lookup and queues with sock_queue_rcv_skb (no reasons); 6.12 as 6.1
    /// over IPv4, and calls sock_queue_rcv_skb_reason directly over IPv6.
    @Test("the functions of each version", arguments: [
        ("loopback_lo", "4.14", ["__raw_v4_lookup", "skb_clone", "raw_rcv", "raw_rcv_skb", "sock_queue_rcv_skb", "sk_filter_trim_cap", "__sock_queue_rcv_skb"]),
        ("loopback_lo", "6.12", ["raw_v4_input", "raw_v4_match", "skb_clone", "raw_rcv", "raw_rcv_skb", "sock_queue_rcv_skb_reason", "sk_filter_trim_cap", "__sock_queue_rcv_skb"]),
        ("client_v6", "6.12", ["ipv6_raw_deliver", "raw_v6_match", "skb_clone", "rawv6_rcv", "__skb_checksum_complete", "sock_queue_rcv_skb_reason", "sk_filter_trim_cap", "__sock_queue_rcv_skb"]),
    ])
    func versions(_ name: String, _ kernel: String, _ path: [String]) throws {
        let reply = try #require(try Self.traces(name, kernel: kernel).first { $0.functions.contains("ping_rcv") })
        let functions = reply.functions
        let start = try #require(functions.firstIndex(of: path[0]), "\(functions)")
        #expect(Array(functions[start..<min(functions.count, start + path.count)]) == path)
    }
}
