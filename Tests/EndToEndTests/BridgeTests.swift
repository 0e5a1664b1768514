import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace

/// A host whose address is on a Linux bridge with two veth ports (issue 10, items 4 and 6), replayed
/// from Fixtures/bridge_any.pcap (`tcpdump -i any`, Linux cooked v2) and Fixtures/bridge_br0.pcap
/// (`tcpdump -i br0`, promiscuous), real captures with the kernel's truth beside them (provenance
/// in Fixtures/README.md; the device counters are compared by DeviceCounterTruthTests).
@Suite("a Linux bridge and its ports")
struct BridgeTests {
    static func traces(_ fixture: String, kernel: String = "6.1", host: HostProfile? = nil) throws -> [PacketTrace] {
        let profile = try host ?? HostProfile.load(path: Repository.path("Fixtures/\(fixture).host.json"))
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/\(fixture).pcap")),
                                        captureName: fixture, host: profile, kernelVersion: kernel)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    /// Whether `names` appear in `f` in this order (not necessarily next to each other).
    static func inOrder(_ f: [String], _ names: [String]) -> Bool {
        var i = f.startIndex
        for n in names {
            guard let j = f[i...].firstIndex(of: n) else { return false }
            i = j + 1
        }
        return true
    }

    @Test("-i any: a frame on a port goes through br_handle_frame; its copy on br0 or on the other port is linked to it",
          arguments: ["4.14", "6.1", "6.12"])
    func anyCopiesLinked(_ kernel: String) throws {
        let t = try Self.traces("bridge_any", kernel: kernel)
        #expect(t.count == 38)
        let byFrame = Dictionary(uniqueKeysWithValues: t.map { ($0.frame, $0) })
        let ports: Set<String> = ["pktb0", "pktb1"]
        for p in t {
            #expect(p.verdict != .unknown, "frame \(p.frame)")
            if p.direction == .rx, p.device == "br0" {
                // Received on br0: the second sighting of a frame received on a port.
                let first = try #require(p.causedBy.flatMap { byFrame[$0] }, "frame \(p.frame)")
                #expect(first.direction == .rx && ports.contains(first.device) && p.functions.isEmpty, "frame \(p.frame)")
                #expect(first.functions.contains("br_pass_frame_up"), "frame \(first.frame)")
            }
            if p.direction == .tx, ports.contains(p.device) {
                // Left a port: sent by the host on br0, or forwarded from the other port.
                let first = try #require(p.causedBy.flatMap { byFrame[$0] }, "frame \(p.frame)")
                #expect(first.device == "br0" && first.direction == .tx || first.direction == .rx && first.device != p.device,
                        "frame \(p.frame)")
                #expect(p.verdict == (first.device == "br0" ? .transmit : .forward), "frame \(p.frame)")
            }
        }
        // The first ARP request: learned, flooded to pktb1, passed up, answered.
        let arp = t[0].functions
        #expect(Self.inOrder(arp, ["__netif_receive_skb_core", "tpacket_rcv", "br_handle_frame", "br_handle_frame_finish",
                                   "br_fdb_update", "br_flood", "deliver_clone", "__br_forward", "br_dev_queue_push_xmit",
                                   "veth_xmit", "br_pass_frame_up", "br_netif_receive_skb", "netif_receive_skb",
                                   "__netif_receive_skb_core", "arp_rcv"]), "\(arp)")
        // The echo request for the host: for br0's own address, up without forwarding.
        let echo = t[5].functions
        #expect(Self.inOrder(echo, ["br_handle_frame", "br_fdb_find_rcu", "br_pass_frame_up", "ip_rcv", "icmp_rcv"]))
        #expect(!echo.contains("br_forward") && !echo.contains("br_flood"))
        // Its reply, sent on br0: br_dev_xmit sends it out of pktb0, where the peer was learned.
        #expect(Self.inOrder(t[7].functions, ["icmp_reply", "br_dev_xmit", "br_fdb_find_rcu", "br_forward", "__br_forward",
                                              "br_dev_queue_push_xmit", "veth_xmit"]))
        #expect(!t[7].functions.contains("br_flood"))
        // Peer to peer: forwarded to the port the destination was learned behind, never up the bridge.
        for i in [32, 34, 36] {
            #expect(t[i].verdict == .forward && t[i].functions.contains("br_forward"), "frame \(t[i].frame)")
            #expect(!t[i].functions.contains("br_pass_frame_up") && !t[i].functions.contains("ip_rcv"), "frame \(t[i].frame)")
        }
    }

    @Test("-i br0 (promiscuous): forwarded frames also go up and ip_rcv_core drops them as OTHERHOST, as the kernel did")
    func promiscuousBridge() throws {
        let t = try Self.traces("bridge_br0")
        #expect(t.count == 18)
        // The kernel's truth: two OTHERHOST drops in ip_rcv_core (Fixtures/truth/bridge_br0.kfree_skb.txt).
        let drops = t.filter { $0.verdict == .drop }
        #expect(drops.map(\.frame) == [17, 18])
        #expect(drops.allSatisfy { $0.dropReason == "SKB_DROP_REASON_OTHERHOST" && $0.dropFunction == "ip_rcv_core" })
        for d in drops { #expect(Self.inOrder(d.functions, ["br_handle_frame", "br_forward", "veth_xmit", "br_pass_frame_up", "ip_rcv"])) }
        // Each received frame came in through a port, which the capture did not see.
        #expect(t.filter { $0.direction == .rx }.allSatisfy { $0.functions.first == "veth_xmit" && $0.functions.contains("br_handle_frame") })
    }

    @Test("-i any: the same capture without promiscuity passes nothing forwarded up")
    func notPromiscuous() throws {
        let t = try Self.traces("bridge_any")
        #expect(!t.contains { $0.verdict == .drop })
    }

    @Test("4.14's bridge (net/bridge of 4.14.177): NF_HOOK runs NF_BR_PRE_ROUTING, br_do_proxy_arp looks at ARP, and every frame ends as in 6.1")
    func bridgeIn414() throws {
        for fixture in ["bridge_any", "bridge_br0", "bridge_rx"] {
            let old = try Self.traces(fixture, kernel: "4.14")
            let new = try Self.traces(fixture, kernel: "6.1")
            #expect(old.map(\.verdict) == new.map(\.verdict), "\(fixture)")
            #expect(old.map(\.causedBy) == new.map(\.causedBy), "\(fixture)")
            for t in old {
                #expect(!t.functions.contains("nf_hook_bridge_pre") && !t.functions.contains("br_do_proxy_suppress_arp"), "\(fixture) \(t.frame)")
            }
        }
        let t = try Self.traces("bridge_any", kernel: "4.14")
        // The first ARP request: the hook is NF_HOOK's, the proxy ARP look 4.14's own, then flooded and passed up.
        #expect(Self.inOrder(t[0].functions, ["br_handle_frame", "NF_HOOK", "br_handle_frame_finish", "br_fdb_update", "br_do_proxy_arp",
                                              "br_flood", "br_pass_frame_up", "netif_receive_skb", "netif_receive_skb_internal",
                                              "__netif_receive_skb", "__netif_receive_skb_core", "arp_rcv"]), "\(t[0].functions)")
        #expect(t[0].events.contains { if case .hook(let hook, _, _) = $0 { hook == "NF_BR_PRE_ROUTING" } else { false } })
        // The host's answer leaving a port of a capture of that port alone was sent on br0.
        let rx = try Self.traces("bridge_rx", kernel: "4.14")
        #expect(rx[1].direction == .tx && Self.inOrder(rx[1].functions, ["br_dev_xmit", "br_forward", "__br_forward", "veth_xmit"]))
    }

    @Test("a bridge in the profile implies the bridge module")
    func bridgeModule() throws {
        let host = try HostProfile.load(path: Repository.path("Fixtures/bridge_br0.host.json"))
        #expect(host.modules.isEmpty)
        let session = try ReplaySession(frames: [], captureName: "none", host: host)
        #expect(session.kernel.modules.contains("bridge"))
    }

    static let port = #""name": "eth0", "driver": "veth", "mac": "02:00:00:00:00:01""#
    static let bridge = #"{ "name": "br0", "driver": "bridge", "mac": "02:00:00:00:00:02" }"#

    @Test("a port's master must be a bridge of the profile, and not every interface can be a port", arguments: [
        (#"{ "interfaces": [ { \#(port), "master": "br1" }, \#(bridge) ] }"#, "is not another interface"),
        (#"{ "interfaces": [ { \#(port), "master": "wlan0" }, { "name": "wlan0", "mac": "02:00:00:00:00:03" } ] }"#, "is not a bridge"),
        (#"{ "interfaces": [ { "name": "lo", "driver": "loopback", "mac": "00:00:00:00:00:00", "master": "br0" }, \#(bridge) ] }"#,
         "loopback"),
        (#"{ "interfaces": [ { \#(port), "master": 7 }, \#(bridge) ] }"#, "not an interface name"),
    ])
    func badMaster(_ json: String, _ message: String) {
        do {
            _ = try HostProfile.parse(Data(json.utf8))
            Issue.record("accepted: \(json)")
        } catch {
            #expect(error.key?.hasSuffix(".master") == true, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test("the profile keeps each port's bridge")
    func masters() throws {
        let host = try HostProfile.load(path: Repository.path("Fixtures/bridge_any.host.json"))
        #expect(host.interfaces.map(\.master) == [nil, "br0", "br0"])
        #expect(host.interfaces[0].driver == "bridge")
    }
}
