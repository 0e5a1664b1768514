import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace

/// A TCP listener on `[::]` made while `net.ipv6.bindv6only` is 1 takes IPv6 only (`IPV6_V6ONLY`): an
/// IPv4 SYN to its port finds no listener (`compute_score` refuses an IPv6-only socket), an IPv6 one
/// is answered as before.
@Suite("IPv6-only listeners")
struct IPv6OnlyListenerTests {
    /// The traces of fixture `name` under its host profile with `net.ipv6.bindv6only` set to `v6only`.
    static func traces(_ name: String, v6only: Int) throws -> [PacketTrace] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/\(name).host.json")))
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var sysctl = json["sysctl"] as? [String: Any] ?? [:]
        sysctl["net.ipv6.bindv6only"] = v6only
        json["sysctl"] = sysctl
        let host = try HostProfile.parse(try JSONSerialization.data(withJSONObject: json))
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/\(name).pcap")),
                                        captureName: name, host: host, kernelVersion: "6.1")
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    @Test("an IPv4 SYN to an IPv6-only listener's port is refused: no socket, and a reset")
    func ipv4Refused() throws {
        // v6_tcp_mapped: frame 1 is the IPv4 SYN to [::]:8080, frame 2 the host's answer.
        let dual = try Self.traces("v6_tcp_mapped", v6only: 0)
        #expect(dual[0].verdict == .deliver)
        let only = try Self.traces("v6_tcp_mapped", v6only: 1)
        #expect(only[0].verdict == .drop)
        #expect(only[0].dropReason == "SKB_DROP_REASON_NO_SOCKET")
        #expect(only[0].dropFunction == "tcp_v4_rcv")
    }

    @Test("an IPv6 SYN to it is answered as on a dual-stack listener")
    func ipv6Answered() throws {
        let only = try Self.traces("v6_tcp_udp", v6only: 1)
        let dual = try Self.traces("v6_tcp_udp", v6only: 0)
        #expect(only[0].verdict == .deliver)
        #expect(only[0].functions == dual[0].functions)
    }
}
