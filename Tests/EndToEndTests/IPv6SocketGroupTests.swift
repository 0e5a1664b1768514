import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace
import Wire

/// IPv6 multicast groups UDP sockets joined (`IPV6_JOIN_GROUP`: `ipv6_sock_mc_join` → `__ipv6_dev_mc_inc`):
/// a profile socket on `::` names them in `groups`, its devices join them, and a datagram to one passes
/// `ip6_mc_input`; inference finds them where the host evidently serves on them (it answered what came
/// to the group).
@Suite("IPv6 multicast groups of sockets")
struct IPv6SocketGroupTests {
    /// The traces of `path` replayed on `host` under 6.12.
    static func traces(_ path: String, host: HostProfile) throws -> [PacketTrace] {
        let session = try ReplaySession(capture: try PcapFile(path: path), captureName: "groups", host: host, kernelVersion: "6.12")
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    @Test("a DHCPv6 server's group: the public capture's solicit and request pass ip6_mc_input to the socket on 547",
          .enabled(if: SharedFolder.runs("captures/public"), Comment(rawValue: SharedFolder.skipReason("captures/public"))))
    func dhcpv6Server() throws {
        let path = SharedFolder.path("captures/public/dhcp6_outlease_acquisition.pcapng")
        let inferred = try HostInference.infer(path: path, driver: "veth")
        let server = try #require(inferred.profile.sockets.first { $0.port == 547 })
        #expect(server.ipv6 && server.groups6 == [IPv6Address("ff02::1:2")!])
        #expect(inferred.assumptions.contains { $0.contains("ff02::1:2 on [::]:547") })
        let t = try Self.traces(path, host: inferred.profile)
        // Before: both dropped in ip6_mc_input (NOT_SPECIFIED: the group not joined); the answers leave.
        #expect(t.map(\.verdict) == [.deliver, .transmit, .deliver, .transmit])
        for i in [0, 2] {
            #expect(t[i].functions.contains("ip6_mc_input") && t[i].functions.contains("__udp6_lib_mcast_deliver"))
        }
        // Without the group the solicits stop where they did before.
        var cold = inferred.profile
        for i in cold.sockets.indices { cold.sockets[i].groups6 = [] }
        let before = try Self.traces(path, host: cold)
        #expect(before.map(\.verdict) == [.drop, .transmit, .drop, .transmit])
        #expect(before[0].dropFunction == "ip6_mc_input")
    }

    @Test("an mDNS responder's group (v6_mdns): the queries to ff02::fb are delivered, with its profile and as inferred")
    func mdnsResponder() throws {
        let path = Repository.path("Fixtures/v6_mdns.pcap")
        let inferred = try HostInference.infer(path: path, driver: "veth")
        #expect(inferred.profile.sockets.first { $0.port == 5353 }?.groups6 == [IPv6Address("ff02::fb")!])
        for host in [try HostProfile.load(path: Repository.path("Fixtures/v6_mdns.host.json")), inferred.profile] {
            let t = try Self.traces(path, host: host)
            // The capturing kernel dropped neither query (truth/v6_mdns.kfree_skb.txt: the ip6_mc_input drops
            // there are the peer's, of the host's report and answers).
            #expect(t.map(\.verdict) == [.transmit, .deliver, .transmit, .deliver, .transmit])
            #expect(t[1].functions.contains("__udp6_lib_mcast_deliver"))
        }
    }

    @Test("a profile's socket on :: takes IPv6 groups, joined on its devices; an IPv4 socket refuses them")
    func profile() throws {
        let json = #"""
            { "interfaces": [ { "name": "eth0", "driver": "veth", "mac": "02:00:00:00:00:01", "addresses": ["fe80::1/64"], "captured": true } ],
              "sockets": [ { "proto": "udp", "addr": "::", "port": 5353, "groups": ["ff02::fb", "224.0.0.251"] } ] }
            """#
        let p = try HostProfile.parse(Data(json.utf8))
        #expect(p.sockets.first?.groups6 == [IPv6Address("ff02::fb")!])
        #expect(p.sockets.first?.groups == [IPv4Address("224.0.0.251")!])
        // Written back as read.
        guard case let .object(fields) = p.json, case let .array(sockets)? = fields.first(where: { $0.0 == "sockets" })?.1,
              case let .object(socket)? = sockets.first, case let .array(groups)? = socket.first(where: { $0.0 == "groups" })?.1
        else { Issue.record("no socket groups written"); return }
        #expect(groups == [.string("224.0.0.251"), .string("ff02::fb")])
        let v4 = json.replacingOccurrences(of: #""addr": "::""#, with: #""addr": "0.0.0.0""#)
        #expect(throws: HostProfileError.self) { try HostProfile.parse(Data(v4.utf8)) }
    }
}
