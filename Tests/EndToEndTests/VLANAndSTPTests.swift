import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace

/// 802.1Q VLAN devices and 802.2 spanning-tree frames on every modeled kernel (issue 10, items 6 and
/// 9), replayed from the fixtures Fixtures/vlan_rx.pcap and Fixtures/stp_bpdu.pcap (provenance in
/// Fixtures/README.md; the 6.1 paths are checked against the oracle by OracleTests).
@Suite("VLAN devices and spanning-tree frames")
struct VLANAndSTPTests {
    static func traces(_ fixture: String, _ host: HostProfile, kernel: String) throws -> [PacketTrace] {
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/\(fixture).pcap")),
                                        captureName: fixture, host: host, kernelVersion: kernel)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    static func profile(_ name: String) throws -> HostProfile { try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json")) }

    @Test("a frame tagged with the VLAN's id is received again on the VLAN device and delivered there",
          arguments: ["4.14", "6.1", "6.12"])
    func receiveOnVLAN(_ kernel: String) throws {
        let t = try Self.traces("vlan_rx", try Self.profile("vlan_rx"), kernel: kernel)
        #expect(t.count == 7)
        let f = t[0].functions
        let core = try #require(f.firstIndex(of: "__netif_receive_skb_core"))
        let vlan = try #require(f.firstIndex(of: "vlan_do_receive"))
        let ip = try #require(f.firstIndex(of: "ip_rcv"))
        #expect(core < vlan && vlan < ip)
        #expect(t[0].verdict == .deliver && t[0].proto == "icmp")
        #expect(t[2].verdict == .deliver && t[2].proto == "tcp")
        // VID 20: no VLAN device for it on veth1.
        #expect(t[6].verdict == .drop && t[6].dropFunction == (kernel == "4.14" ? "ip_rcv" : "ip_rcv_core"))
    }

    @Test("an answer leaves through the VLAN device and its real device, with the version's header function",
          arguments: ["4.14", "6.1", "6.12"])
    func transmitOnVLAN(_ kernel: String) throws {
        let t = try Self.traces("vlan_rx", try Self.profile("vlan_rx"), kernel: kernel)
        for i in [1, 3, 5] {
            let f = t[i].functions
            #expect(t[i].direction == .tx && t[i].causedBy == t[i - 1].frame, "frame \(i + 1)")
            let header = kernel == "4.14" ? "vlan_passthru_hard_header" : "vlan_dev_hard_header"
            let h = try #require(f.firstIndex(of: header), "frame \(i + 1): \(f)")
            let x = try #require(f.firstIndex(of: "vlan_dev_hard_start_xmit"))
            let v = try #require(f.firstIndex(of: "veth_xmit"))
            #expect(h < x && x < v)
            #expect(f.filter { $0 == "__dev_queue_xmit" }.count == 2, "once on veth1.10, once on veth1")
            #expect(!f.contains("eth_header_cache") && !f.contains("neigh_hh_output"))
        }
    }

    @Test("without the VLAN device, a tagged frame is for another host (PACKET_OTHERHOST)")
    func noVLANDevice() throws {
        var host = try Self.profile("vlan_rx")
        host.interfaces.removeLast()
        host.neighbours = []
        let t = try Self.traces("vlan_rx", host, kernel: "6.1")
        #expect(t[0].verdict == .drop && t[0].dropReason == "SKB_DROP_REASON_OTHERHOST")
        #expect(!t[0].functions.contains("ip_local_deliver"))
    }

    /// Which function frees a spanning-tree BPDU received on a device that is not a bridge port, by
    /// the modules loaded (net/llc/llc_input.c, net/802/stp.c, net/bridge/br_stp_bpdu.c).
    @Test("a spanning-tree BPDU is freed where the loaded modules leave it", arguments: ["4.14", "6.1", "6.12"],
          [([String](), "__netif_receive_skb_core"), (["llc"], "llc_rcv"), (["8021q"], "stp_pdu_rcv"), (["bridge"], "br_stp_rcv")])
    func spanningTree(_ kernel: String, _ loaded: ([String], String)) throws {
        var host = try Self.profile("stp_bpdu")
        host.modules = loaded.0
        host.interfaces[0].captured = false  // no packet socket: nothing else takes the frame
        let t = try #require(try Self.traces("stp_bpdu", host, kernel: kernel).first)
        #expect(t.verdict == .drop)
        #expect(t.dropFunction == loaded.1, "\(t.functions)")
        let reason = loaded.0.isEmpty ? "SKB_DROP_REASON_UNHANDLED_PROTO" : "SKB_DROP_REASON_NOT_SPECIFIED"
        #expect(t.dropReason == (kernel == "4.14" ? nil : reason))
        #expect(t.functions.contains("llc_rcv") == !loaded.0.isEmpty)
    }

    @Test("the inferred host says how its spanning-tree BPDUs were taken and how to say otherwise")
    func inferredNote() throws {
        let (_, assumptions, _, _) = try HostInference.infer(path: Repository.path("Fixtures/stp_bpdu.pcap"), driver: "veth")
        let note = try #require(assumptions.first { $0.contains("spanning-tree") })
        #expect(note.contains("without the bridge") && note.contains(#""modules": ["bridge"]"#))
        let (_, others, _, _) = try HostInference.infer(path: Repository.path("Fixtures/ping.pcap"), driver: "veth")
        #expect(!others.contains { $0.contains("spanning-tree") })
    }
}

@Suite("VLAN sub-interfaces inferred from a capture")
struct VLANInferenceTests {
    @Test("tagged frames the host sent put its address on a VLAN sub-interface, and the capture then agrees with the model")
    func inferred() throws {
        let path = Repository.path("Fixtures/vlan_rx.pcap")
        let (host, assumptions, _, _) = try HostInference.infer(path: path, driver: "veth")
        let vlan = try #require(host.interfaces.first { $0.vlan != nil })
        #expect(vlan.vlan == HostProfile.VLAN(parent: host.interfaces[0].name, id: 10))
        #expect(vlan.addresses.map(\.description) == ["192.0.2.2/24"] && host.interfaces[0].addresses.isEmpty)
        #expect(assumptions.contains { $0.hasPrefix("VLAN sub-interface \(vlan.name)") })
        let session = try ReplaySession(capture: try PcapFile(path: path), captureName: "vlan_rx", host: host)
        let summary = try session.run { _ in }
        #expect(summary.agreement.matched.values.reduce(0, +) == 3)
    }

    @Test("untagged captures infer no VLAN")
    func untagged() throws {
        let (host, _, _, _) = try HostInference.infer(path: Repository.path("Fixtures/ping.pcap"), driver: "veth")
        #expect(!host.interfaces.contains { $0.vlan != nil })
    }
}

/// `tcpdump -i any` (Linux cooked v2) on a host with a VLAN sub-interface: each packet is seen on the
/// VLAN device and on its real device, without its tag (libpcap keeps no VLAN tag in cooked v2; checked
/// with libpcap 1.10.3, which wrote the tagged frames of a veth as plain IPv4 with `-i any`). The frames
/// are those of Fixtures/vlan_rx.pcap (#1 and its reply #2) as such a capture holds them: this machine's
/// kernel has no 8021q to make the real one.
@Suite("-i any captures of a VLAN and its real device")
struct VLANAnyCaptureTests {
    /// A Linux cooked v2 record of `packet` on interface `ifindex`.
    static func sll2(_ packet: [UInt8], ifindex: UInt8, outgoing: Bool, mac: [UInt8]) -> [UInt8] {
        [0x08, 0x00, 0, 0, 0, 0, 0, ifindex, 0, 1, outgoing ? 4 : 0, 6] + mac + [0, 0] + packet
    }

    static let host = """
        { "kernel": "6.1",
          "interfaces": [ { "name": "veth1", "driver": "veth", "mac": "02:00:00:00:00:01", "addresses": [], "captured": true, "ifindex": 2 },
                          { "name": "veth1.10", "vlan": { "parent": "veth1", "id": 10 }, "addresses": ["192.0.2.2/24"], "ifindex": 3 } ],
          "neighbours": [ { "ip": "192.0.2.1", "mac": "02:00:00:00:00:02", "dev": "veth1.10", "state": "permanent" } ] }
        """

    @Test("the copy on the second device is linked to the first, whose path runs through both devices")
    func linked() throws {
        let file = try PcapFile(path: Repository.path("Fixtures/vlan_rx.pcap"))
        var frames: [CapturedFrame] = []
        var f = CapturedFrame()
        while frames.count < 2, try file.read(into: &f) { frames.append(f) }
        let request = Array(frames[0].bytes[18...]), reply = Array(frames[1].bytes[18...])
        let peer: [UInt8] = [2, 0, 0, 0, 0, 2], own: [UInt8] = [2, 0, 0, 0, 0, 1]
        let records = [Self.sll2(request, ifindex: 2, outgoing: false, mac: peer), Self.sll2(request, ifindex: 3, outgoing: false, mac: peer),
                       Self.sll2(reply, ifindex: 3, outgoing: true, mac: own), Self.sll2(reply, ifindex: 2, outgoing: true, mac: own)]
        let session = try ReplaySession(frames: [], captureName: "any", host: try HostProfile.parse(Data(Self.host.utf8)))
        let t = records.enumerated().map { i, bytes in
            session.trace(CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 1000, bytes: bytes,
                                        linkType: .DLT_LINUX_SLL2))
        }
        #expect(t.map(\.device) == ["veth1", "veth1.10", "veth1.10", "veth1"])
        // #1: taken as tagged for veth1.10 (its address), received there.
        #expect(t[0].functions.contains("vlan_do_receive") && t[0].verdict == .deliver && t[0].proto == "icmp")
        // #2: the same skb after vlan_do_receive: linked, not received again.
        #expect(t[1].causedBy == 1 && t[1].verdict == .deliver && t[1].functions.isEmpty)
        // #3: the reply, from icmp_reply through the VLAN device to veth1.
        #expect(t[2].causedBy == 1 && t[2].functions.contains("vlan_dev_hard_start_xmit") && t[2].functions.contains("veth_xmit"))
        // #4: the same skb leaving veth1: linked to #3.
        #expect(t[3].causedBy == 3 && t[3].verdict == .transmit && t[3].functions.isEmpty)
    }
}
