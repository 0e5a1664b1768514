import Capture
import Foundation
import KernelNet
import Replay
import Testing
import TestSupport
import Wire

/// Without a host profile, the capturing host is inferred from the capture; on every fixture that
/// must be the host its profile describes.
@Suite("HostInference")
struct HostInferenceTests {
    static let fixtures: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Repository.path("Fixtures"))) ?? []
        // The s_* captures are made of crafted frames from one side, where a capture cannot tell which
        // end recorded it (Fixtures/README.md); they are traced with their host profiles instead. So is
        // offload_tso_tx: the sender's capture of offload_tso_rx's traffic, the same frames byte for byte.
        // And multi_if, a pcapng of three interfaces: on its veth both ends' frames carry offload marks,
        // and the host is the client, so the veth's frames alone point at the server; its inference is
        // checked by MultiInterfaceCaptureTests.
        // ipv6_rx neither: IPv6 frames crafted from the peer, the host's answers not captured.
        // Six counter fixtures neither: ctr_closed, ctr_badhdr and ctr_rp_filter are mostly frames crafted
        // from the peer (to closed ports, to another MAC, with bad headers or sources), ctr_ipv6_off only IPv6 frames crafted from
        // the peer that the host never answers, in ctr_forward the router sends nothing of its own (static neighbours, only forwarded
        // packets), so no frame shows which addresses are its, and ctr_pmtu is s_forward's kind: a
        // router's capture of one interface, where the pinging peer is the endpoint with initial TTLs.
        let excluded: Set<String> = ["offload_tso_tx.host.json", "multi_if.host.json", "ctr_closed.host.json",
                                     "ctr_forward.host.json", "ctr_ipv6_off.host.json", "ctr_pmtu.host.json",
                                     "ctr_badhdr.host.json", "ctr_rp_filter.host.json", "ipv6_rx.host.json"]
        return names.filter { $0.hasSuffix(".host.json") && !$0.hasPrefix("s_") && !excluded.contains($0) }
            .map { String($0.dropLast(".host.json".count)) }.sorted()
    }()

    /// Captures of a host on a Linux bridge: inference does not consider bridges yet (a packet seen
    /// on a port and again on the bridge within microseconds, the bridge holding the host's address,
    /// would show one); it takes the ports for interfaces of their own. A known gap, kept visible.
    static let bridgeGap = "host inference does not consider bridges yet: a bridge's ports are inferred as interfaces of their own"

    /// v6_forward: a host forwarding IPv6 between two links, captured on one. Its frames carry the peer's and
    /// the far end's addresses, and the host's own MAC is the one most frames are sent to and from on behalf
    /// of others: inference does not consider an IPv6 router yet and takes the peer for the host.
    static let ipv6ForwardGap = "host inference does not consider a host forwarding IPv6 yet (issue 11): it takes the peer for the host"

    @Test("the inferred host is the capturing host", arguments: fixtures)
    func infersTheCapturingHost(_ name: String) throws {
        if name.hasPrefix("bridge_") {
            withKnownIssue(Comment(rawValue: Self.bridgeGap)) { try Self.check(name) }
        } else if name == "v6_forward" {
            withKnownIssue(Comment(rawValue: Self.ipv6ForwardGap)) { try Self.check(name) }
        } else {
            try Self.check(name)
        }
    }

    static func check(_ name: String) throws {
        let truth = try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json"))
        let inferred = try HostInference.infer(path: Repository.path("Fixtures/\(name).pcap"), driver: "veth")
        let expected = try #require(truth.capturedInterface)
        let got = try #require(inferred.profile.capturedInterface)
        if truth.interfaces.contains(where: { $0.ifindex != nil }) {
            // A capture of several interfaces: each by its index, with the addresses the capture shows it use.
            for t in truth.interfaces {
                let i = try #require(inferred.profile.interfaces.first { $0.ifindex == t.ifindex }, "no interface \(t.ifindex ?? 0)")
                #expect(i.mac == t.mac)
                #expect(Set(i.addresses.map(\.address)).isSubset(of: Set(t.addresses.map(\.address))))
            }
            #expect(inferred.profile.interfaces.flatMap(\.addresses).isEmpty == false)
        } else {
            #expect(got.mac == expected.mac)
            #expect(got.addresses.map(\.address) == expected.addresses.map(\.address))
        }
        #expect(got.driver == (expected.driver == "loopback" ? "loopback" : "veth"))
        #expect(inferred.frames.isEmpty, "frames are kept only for standard input")
        let listeners = Set(truth.sockets.filter { $0.proto == .tcp && $0.state == .TCP_LISTEN }.map(\.port))
        let inferredListeners = Set(inferred.profile.sockets.filter { $0.proto == .tcp && $0.state == .TCP_LISTEN }.map(\.port))
        // A listener the capture shows answering a SYN must be found.
        #expect(inferredListeners.isSubset(of: listeners))
        #expect(inferred.assumptions.contains { $0.contains(expected.mac.description) })
    }
}


/// What a pcapng's own blocks say about the machine that wrote it.
@Suite("pcapng section and interface blocks")
struct PcapngMetadataTests {
    static func write(os: String?, ifName: String?) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pktpath-meta-\(UUID().uuidString).pcapng").path
        let frame = FrameBuilder(source: MACAddress("02:00:00:00:0e:00")!, destination: MACAddress("02:00:00:00:0d:00")!)
            .ipv4(IPv4Address("10.0.0.2")!, IPv4Address("10.0.0.1")!, .udp, FrameBuilder.udp(4000, 53, payload: [1]))
        try Data(PcapngBuilder.capture(os: os, ifName: ifName, records: [(1_000_000, frame, UInt32(frame.count))]))
            .write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("shb_os and if_name are read, and a Linux version picks the nearest kernel profile", arguments: [
        ("Linux 6.1.0-13-amd64", "6.1"), ("Linux 6.12.9+bpo-amd64", "6.12"), ("Linux 4.19.0-25-amd64", "4.14"),
        ("Linux 6.6.30", "6.1"), ("64-bit Windows 10 (22H2), build 19045", nil),
    ] as [(String, String?)])
    func osAndInterface(_ os: String, _ kernel: String?) throws {
        let path = try Self.write(os: os, ifName: "wlp3s0")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let meta = try PcapFile(path: path).metadata
        #expect(meta.os == os)
        #expect(meta.interfaces.map(\.name) == ["wlp3s0"])
        #expect(meta.interfaces.map(\.linkType) == [.DLT_EN10MB])
        let inferred = try HostInference.infer(path: path, driver: "iwlwifi")
        #expect(inferred.profile.kernel == kernel)
        #expect(inferred.profile.interfaces.first?.name == "wlp3s0")
        #expect(inferred.assumptions.contains { $0.contains(os) })
    }

    @Test("a classic pcap says nothing")
    func notPcapng() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pktpath-meta-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try PcapWriter(path: path, linkType: .DLT_EN10MB)
        #expect(try PcapFile(path: path).metadata == PcapngMetadata())
    }
}
