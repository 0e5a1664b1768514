import Capture
import Foundation
import KernelNet
import Replay
import Testing
import TestSupport
import Trace
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
        // and the host is the client, so the veth's frames cannot say which end took them (the same bytes
        // on either end: Fixtures/ends_*); the server, which answered, is taken, and the note names the
        // client for --host-mac (VethEndsInferenceTests), the rest by MultiInterfaceCaptureTests.
        // ipv6_rx neither: IPv6 frames crafted from the peer, the host's answers not captured.
        // Six counter fixtures neither: ctr_closed, ctr_badhdr and ctr_rp_filter are mostly frames crafted
        // from the peer (to closed ports, to another MAC, with bad headers or sources), ctr_ipv6_off only IPv6 frames crafted from
        // the peer that the host never answers, in ctr_forward the router sends nothing of its own (static neighbours, only forwarded
        // packets), so no frame shows which addresses are its, and ctr_pmtu is s_forward's kind: a
        // router's capture of one interface, where the pinging peer is the endpoint with initial TTLs.
        // ctr_synackretrans and ctr_syncookies neither: segments crafted from the peer namespace and its ARP
        // request for the host, which has static neighbours and never resolves; a capture on the peer holds
        // the same bytes.
        // v6_fwd_redirect neither, ctr_pmtu's kind over IPv6: a router's capture of the one link it forwards
        // back out, its own frames only redirects; the pinging peer is the endpoint of every request.
        // ctr_rto, ctr_frto and ctr_twreuse neither: the host is the client of a server on the other end of
        // the veth, which answers everything it sends, so the frames fit either end (taken: the server).
        let excluded: Set<String> = ["v6_fwd_redirect.host.json", "ctr_rto.host.json", "ctr_frto.host.json", "ctr_twreuse.host.json", "ctr_synackretrans.host.json", "ctr_syncookies.host.json", "offload_tso_tx.host.json", "multi_if.host.json", "ctr_closed.host.json",
                                     "ctr_forward.host.json", "ctr_ipv6_off.host.json", "ctr_pmtu.host.json",
                                     "ctr_badhdr.host.json", "ctr_rp_filter.host.json", "ipv6_rx.host.json"]
        return names.filter { $0.hasSuffix(".host.json") && !$0.hasPrefix("s_") && !excluded.contains($0) }
            .map { String($0.dropLast(".host.json".count)) }.sorted()
    }()

    /// Captures of one device of a host on a Linux bridge, where the bytes do not show the bridge (a
    /// cooked capture of every device does: bridge_any is an ordinary case). A known gap, kept visible;
    /// the notes say what to pass instead (``BridgeAloneNoteTests``):
    /// - bridge_br0 (`tcpdump -i br0`, promiscuous): the peer 02:00:00:00:0b:01 is in every unicast frame
    ///   (it talks to the host and, through the bridge, to a second peer), so it is the only endpoint
    ///   a capture without promiscuous mode could have been taken on; the host's and the peer's TCP
    ///   checksums are both partial (veth and the bridge offload them), and nothing in the frames says
    ///   which end is the bridge. Every frame is one a capture on that peer would hold too.
    /// - bridge_rx (a capture of the port veth1): the host, 02:00:00:00:0b:00 with 192.0.2.1, is found,
    ///   but as a device of its own: the port's MAC never appears (the bridge sends with its own), and
    ///   the frame for another machine it holds looks the same on a promiscuous Ethernet device.
    static let bridgeGaps: [String: String] = [
        "bridge_br0": "a capture of a promiscuous bridge alone: the peer in every unicast frame is taken for the host",
        "bridge_rx": "a capture of a bridge port alone: the host is found, but not that the capture was taken on a port of its bridge",
    ]

    /// v6_forward: a host forwarding IPv6 between two links, captured on one. Its frames are, byte for byte,
    /// those a capture on the pinging peer would hold (the peer's requests with initial hop limits, the
    /// router's relayed replies and ICMPv6 errors), so inference takes the endpoint, the peer, for the host:
    /// ctr_pmtu's kind over IPv4, which is left out of this test for that reason. Kept visible here.
    static let ipv6ForwardGap = "a router's capture of one interface looks like its peer's: the peer, the endpoint, is taken for the host"

    @Test("the inferred host is the capturing host", arguments: fixtures)
    func infersTheCapturingHost(_ name: String) throws {
        if let gap = Self.bridgeGaps[name] {
            withKnownIssue(Comment(rawValue: gap)) { try Self.check(name) }
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
        if truth.interfaces.filter({ $0.ifindex != nil && $0.captured }).count > 1 {
            // A capture of several interfaces: each by its index, with the addresses the capture shows it
            // use; a bridge as a bridge, and each port on its bridge (a port's own MAC is in no frame: the
            // bridge sends with its own, and forwards others' frames unchanged).
            for t in truth.interfaces {
                let i = try #require(inferred.profile.interfaces.first { $0.ifindex == t.ifindex }, "no interface \(t.ifindex ?? 0)")
                if let master = t.master {
                    let bridge = try #require(truth.interfaces.first { $0.name == master })
                    #expect(i.master != nil && i.master == inferred.profile.interfaces.first { $0.ifindex == bridge.ifindex }?.name)
                } else {
                    #expect(i.mac == t.mac)
                    #expect(i.master == nil)
                }
                #expect((i.driver == "bridge") == (t.driver == "bridge"))
                #expect(Set(i.addresses.map(\.address)).isSubset(of: Set(t.addresses.map(\.address))))
                let v6 = { (i: HostProfile.Interface) in Set(i.ipv6Addresses.compactMap { IPv6Prefix($0)?.address }) }
                #expect(v6(i).isSubset(of: v6(t)), "\(i.name): \(i.ipv6Addresses)")
            }
            #expect(inferred.profile.interfaces.contains { !$0.addresses.isEmpty || !$0.ipv6Addresses.isEmpty })
        } else {
            #expect(got.mac == expected.mac)
            if got.addresses.isEmpty, !expected.addresses.isEmpty, !expected.ipv6Addresses.isEmpty {
                // An IPv6-only capture (client_v6) shows none of the host's IPv4 addresses: its IPv6 ones, then.
                let v6 = { (i: HostProfile.Interface) in Set(i.ipv6Addresses.compactMap { IPv6Prefix($0)?.address }) }
                #expect(!v6(got).isEmpty && v6(got).isSubset(of: v6(expected)), "\(got.ipv6Addresses)")
            } else {
                #expect(got.addresses.map(\.address) == expected.addresses.map(\.address))
            }
        }
        // The driver inferred is the one asked for (veth), but for lo, a bridge and a tun device, which the capture shows.
        #expect(got.driver == (["loopback", "bridge", "tun"].contains(expected.driver) ? expected.driver : "veth"))
        #expect(inferred.frames.isEmpty, "frames are kept only for standard input")
        let listeners = Set(truth.sockets.filter { $0.proto == .tcp && $0.state == .TCP_LISTEN }.map(\.port))
        let inferredListeners = Set(inferred.profile.sockets.filter { $0.proto == .tcp && $0.state == .TCP_LISTEN }.map(\.port))
        // A listener the capture shows answering a SYN must be found.
        #expect(inferredListeners.isSubset(of: listeners))
        // The host is named by its MAC, or, on a device without one (tun), by its addresses.
        let named = expected.driver == "tun" ? expected.addresses.map(\.description) : [expected.mac.description]
        #expect(inferred.assumptions.contains { a in named.allSatisfy { a.contains($0) } }, "\(inferred.assumptions)")
    }
}


/// The IPv6 sockets a capture shows the host held (HostInference+IPv6.swift).
@Suite("HostInference of IPv6 sockets")
struct HostInferenceIPv6Tests {
    @Test("a SYN answered over IPv6 makes a listener on [::] that takes IPv4 too; a datagram taken, a UDP socket")
    func listener() throws {
        let inferred = try HostInference.infer(path: Repository.path("Fixtures/v6_tcp_udp.pcap"), driver: "veth")
        let listeners = inferred.profile.sockets.filter { $0.proto == .tcp && $0.state == .TCP_LISTEN }
        #expect(listeners.map(\.port) == [8080] && listeners.map(\.ipv6) == [true])
        #expect(inferred.assumptions.contains { $0.contains("TCP listening on [::] port 8080") })
        // UDP 7000 took its datagram; 7001 answered with a port unreachable: no socket there.
        let udp = inferred.profile.sockets.filter { $0.proto == .udp }
        #expect(udp.map(\.port) == [7000] && udp.map(\.ipv6) == [true])
    }

    @Test("a connection first seen in mid-stream over IPv6 was established, and its segments reach it")
    func midStream() throws {
        let path = Repository.path("Fixtures/v6_tcp_mid.pcap")
        let inferred = try HostInference.infer(path: path, driver: "veth")
        let conn = try #require(inferred.profile.sockets.first { $0.state == .TCP_ESTABLISHED })
        #expect(conn.address6 == IPv6Address("fd77::1") && conn.port == 8080)
        #expect(conn.remote6 == IPv6Address("fd77::2") && conn.remotePort == 40000)
        let session = try ReplaySession(capture: try PcapFile(path: path), captureName: "v6_tcp_mid", host: inferred.profile,
                                        kernelVersion: "6.1")
        var traces: [PacketTrace] = []
        _ = try session.run { traces.append($0) }
        // Every segment the peer sent is taken by the connection; none is answered with a reset.
        #expect(traces.filter { $0.direction == .rx }.map(\.verdict) == Array(repeating: .deliver, count: 4))
        #expect(!traces.contains { $0.functions.contains("tcp_v6_send_reset") })
    }

    /// client_v6: a client behind a router reaching a server over IPv6 (ping, UDP, TCP). It solicits the
    /// router's global address, fd88:1::1, before its first packet leaves.
    @Test("off-link IPv6 traffic makes the IPv6 default route, via the router address the host solicited")
    func ipv6Gateway() throws {
        let path = Repository.path("Fixtures/client_v6.pcap")
        let inferred = try HostInference.infer(path: path, driver: "veth")
        let route = try #require(inferred.profile.routes6.first)
        #expect(inferred.profile.routes6.count == 1)
        #expect(route.destination.length == 0 && route.gateway == IPv6Address("fd88:1::1"))
        // Solicited in the capture: no neighbour entry assumed.
        #expect(inferred.profile.ipv6Neighbours.isEmpty)
        #expect(inferred.assumptions.contains { $0.contains("IPv6 default route via fd88:1::1 (02:00:00:00:1c:fe)") })
        // Every packet the host sent over IPv6 to the server leaves through the driver.
        for t in try Self.traces(path, host: inferred.profile) where t.direction == .tx && t.summary.contains("> fd88:2::2") {
            #expect(t.verdict == .transmit && t.functions.contains("veth_xmit"), "#\(t.frame): \(t.verdict)")
        }
    }

    /// client_any: the same client's `tcpdump -i any` (Linux cooked v2), which shows no destination MAC:
    /// the gateway is the MAC off-link packets came in from. Its IPv6 address is in the capture (the
    /// neighbour advertisement it answered the client's solicitation with); its IPv4 one is not (the
    /// client resolved it before the capture), so the IPv4 default route names the device alone.
    @Test("in a cooked capture the gateway is the MAC off-link packets came in from")
    func cookedGateway() throws {
        let inferred = try HostInference.infer(path: Repository.path("Fixtures/client_any.pcap"), driver: "veth")
        let route6 = try #require(inferred.profile.routes6.first)
        #expect(route6.destination.length == 0 && route6.gateway == IPv6Address("fd88:1::1") && route6.device == "if2")
        let route = try #require(inferred.profile.routes.first)
        #expect(route.destination.length == 0 && route.gateway == nil && route.device == "if2")
        #expect(inferred.assumptions.contains { $0.contains("gateway 02:00:00:00:1c:fe seen on if2, its IP address unknown") },
                "\(inferred.assumptions)")
        // Every packet the client sent to the server leaves through the driver.
        for t in try Self.traces(Repository.path("Fixtures/client_any.pcap"), host: inferred.profile)
        where t.direction == .tx && (t.summary.contains("> fd88:2::2") || t.summary.contains("> 10.88.2.2")) {
            #expect(t.verdict == .transmit && t.functions.contains("veth_xmit"), "#\(t.frame): \(t.verdict)")
        }
    }

    /// router_any6: the router's `tcpdump -i any` over IPv6. Each packet it forwards shows twice, in on one
    /// interface and out on the other, with the endpoints' addresses: those are not its own, and they make
    /// IPv6 forwarding on. The server's TSO packets, over the MTU, go on whole (`ip6_pkt_too_big` measures
    /// a GSO packet by its segments).
    @Test("-i any on an IPv6 router: the packets it forwards are not its own, and GSO packets pass")
    func cookedRouter6() throws {
        let path = Repository.path("Fixtures/router_any6.pcap")
        let inferred = try HostInference.infer(path: path, driver: "veth")
        let own = Set(inferred.profile.interfaces.flatMap(\.ipv6Addresses).compactMap { IPv6Prefix($0)?.address })
        #expect(own.contains(IPv6Address("fd88:2::1")!) && !own.contains(IPv6Address("fd88:1::2")!)
                && !own.contains(IPv6Address("fd88:2::2")!), "\(own)")
        #expect(inferred.profile.sysctl["net.ipv6.conf.all.forwarding"] == 1)
        #expect(!inferred.profile.sockets.contains { $0.proto == .tcp && $0.state == .TCP_LISTEN })
        let traces = try Self.traces(path, host: inferred.profile)
        // Every packet that came in for the other side goes on, none too big.
        #expect(traces.filter { $0.verdict == .forward }.count == 18)
        #expect(!traces.contains { $0.dropReason == "SKB_DROP_REASON_PKT_TOO_BIG" })
    }

    /// Without that route the kernel could not have sent the echo request, the datagram or the segments:
    /// the trace says the profile lacks it, instead of following them out (or stopping silently).
    @Test("a packet the capture shows leaving without a route in the profile says the profile lacks one")
    func ipv6NoRoute() throws {
        let path = Repository.path("Fixtures/client_v6.pcap")
        var profile = try HostInference.infer(path: path, driver: "veth").profile
        profile.routes6 = []
        let traces = try Self.traces(path, host: profile)
        let echo = try #require(traces.first { $0.direction == .tx && $0.functions.first == "rawv6_sendmsg" })
        #expect(echo.verdict == .unknown)
        #expect(echo.events.contains { if case let .notModeled(text, _) = $0 { text.contains("which the host profile has no route to") } else { false } })
    }

    /// client_v6_warm: the client had resolved its IPv6 router before the capture, and nothing the router
    /// sent of its own is in it (only the server's packets it forwarded, with its MAC). The default route
    /// goes via the link-local address the router's MAC forms (fe80::ff:fe00:1cfe, as the router's kernel
    /// has it), cached, and every packet the host sent leaves through the driver.
    @Test("an IPv6 gateway none of whose own packets is captured is reached via its EUI-64 link-local address")
    func ipv6GatewayWithoutItsPackets() throws {
        let path = Repository.path("Fixtures/client_v6_warm.pcap")
        let inferred = try HostInference.infer(path: path, driver: "veth")
        let route = try #require(inferred.profile.routes6.first { $0.destination.length == 0 })
        #expect(route.gateway == IPv6Address("fe80::ff:fe00:1cfe"))
        #expect(inferred.profile.ipv6Neighbours.map(\.ip) == [IPv6Address("fe80::ff:fe00:1cfe")])
        #expect(inferred.assumptions.contains { $0.contains("the link-local one its MAC forms (modified EUI-64)") })
        let sent = try Self.traces(path, host: inferred.profile).filter { $0.direction == .tx }
        #expect(sent.count == 9)
        for t in sent { #expect(t.verdict == .transmit && t.functions.contains("veth_xmit"), "#\(t.frame): \(t.verdict)") }
    }

    /// router_any6_warm: the router's `tcpdump -i any` with every neighbour resolved before it; it forwards
    /// two pings and a name lookup and sends nothing from its global addresses. The networks behind each
    /// interface are routes of that interface, as for IPv4; the forwarded datagram to port 53 is no socket
    /// of the router's, and the server it forwards to is no gateway.
    @Test("a router's -i any capture: IPv6 routes to the networks it forwards from, no socket for what it forwarded")
    func ipv6RoutesBehindInterfaces() throws {
        let path = Repository.path("Fixtures/router_any6_warm.pcap")
        let inferred = try HostInference.infer(path: path, driver: "veth")
        let routes = inferred.profile.routes6.map { "\($0.destination) \($0.gateway.map { "\($0)" } ?? "-")" }
        #expect(routes == ["fd88:1::/64 -", "fd88:2::/64 -"], "\(routes)")
        #expect(inferred.profile.sockets.isEmpty, "\(inferred.profile.sockets)")
        let traces = try Self.traces(path, host: inferred.profile)
        #expect(traces.filter { $0.verdict == .forward }.count == 6)
    }

    static func traces(_ path: String, host: HostProfile) throws -> [PacketTrace] {
        let session = try ReplaySession(capture: try PcapFile(path: path), captureName: "client_v6", host: host, kernelVersion: "6.1")
        var traces: [PacketTrace] = []
        _ = try session.run { traces.append($0) }
        return traces
    }

    @Test("--assume none infers no IPv6 socket")
    func assumeNone() throws {
        let inferred = try HostInference.infer(path: Repository.path("Fixtures/v6_tcp_mid.pcap"), driver: "veth", assumeState: false)
        #expect(inferred.profile.sockets.isEmpty)
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

/// A bridge in a `tcpdump -i any` capture (Linux cooked v2), from the copies of each skb on two devices;
/// a VLAN device and its real device, whose copies look alike, are not taken for one.
@Suite("HostInference: bridges in -i any captures")
struct BridgeInferenceTests {
    static let hostMAC = MACAddress("02:00:00:00:0b:00")!
    static let peerMAC = MACAddress("02:00:00:00:0b:01")!
    static let hostIP = IPv4Address("192.0.2.1")!
    static let peerIP = IPv4Address("192.0.2.2")!

    /// An SLL2 frame of `packet` on interface `ifindex` with `packetType` (0 host, 3 other host, 4
    /// outgoing) and the sender's link-layer address.
    static func sll2(_ packet: [UInt8], ifindex: UInt8, packetType: UInt8, from mac: MACAddress) -> [UInt8] {
        let macBytes = (0..<6).map { UInt8(truncatingIfNeeded: mac.rawValue >> (40 - 8 * $0)) }
        return [0x08, 0x00, 0, 0, 0, 0, 0, ifindex, 0, 1, packetType, 6] + macBytes + [0, 0] + packet
    }

    /// A ping to the host and its reply, each captured on `lower` and on `upper`: the request comes in on
    /// `lower` as `requestType` and goes up `upper`, the reply is sent on `upper` and leaves `lower`.
    static func infer(requestType: UInt8) -> (HostProfile, [String]) {
        let request = ReplaySessionTests.echo(request: true, from: peerIP, to: hostIP)
        let reply = ReplaySessionTests.echo(request: false, from: hostIP, to: peerIP)
        let frames = [
            sll2(request, ifindex: 3, packetType: requestType, from: peerMAC),
            sll2(request, ifindex: 2, packetType: 0, from: peerMAC),
            sll2(reply, ifindex: 2, packetType: 4, from: hostMAC),
            sll2(reply, ifindex: 3, packetType: 4, from: hostMAC),
        ]
        var inference = HostInference(encapsulation: .linuxSLL2)
        for (n, bytes) in frames.enumerated() {
            inference.add(CapturedFrame(index: n + 1, timestampNanoseconds: 1_000_000 + Int64(n) * 5_000, bytes: bytes,
                                        linkType: .DLT_LINUX_SLL2))
        }
        return inference.profile(driver: "veth")
    }

    /// A gateway's MAC that answers for two addresses (ARP spoofing: the router's address and the
    /// spoofer's own, as in a public capture of an ARP poisoning): the default route goes via the one the
    /// capture showed first at that MAC, whatever order a dictionary keeps them in (it was chosen from a
    /// dictionary's order, which differs from run to run).
    @Test("a gateway MAC with two addresses routes via the one seen first, every run", arguments: [false, true])
    func gatewayWithTwoAddresses(ownAddressFirst: Bool) {
        let gwMAC = MACAddress("02:00:00:00:0c:fe")!
        let claimed = IPv4Address("192.0.2.254")!, own = IPv4Address("192.0.2.77")!
        let remote = IPv4Address("198.51.100.7")!
        let fromGateway = FrameBuilder(source: gwMAC, destination: Self.hostMAC)
        let toGateway = FrameBuilder(source: Self.hostMAC, destination: gwMAC)
        let addresses = ownAddressFirst ? [own, claimed] : [claimed, own]
        var frames = addresses.map { fromGateway.arp(operation: 2, senderIP: $0, targetMAC: Self.hostMAC, targetIP: Self.hostIP) }
        for n in 0..<3 {
            frames.append(toGateway.ipv4(Self.hostIP, remote, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoRequest,
                                                                                        rest: [0, 1, 0, UInt8(n)])))
            frames.append(fromGateway.ipv4(remote, Self.hostIP, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoReply,
                                                                                          rest: [0, 1, 0, UInt8(n)]), ttl: 57))
        }
        for _ in 0..<20 {
            var inference = HostInference(encapsulation: .ethernet)
            for (n, bytes) in frames.enumerated() {
                inference.add(CapturedFrame(index: n + 1, timestampNanoseconds: 1_000_000 + Int64(n) * 5_000, bytes: bytes,
                                            linkType: .DLT_EN10MB))
            }
            let (profile, _) = inference.profile(driver: "veth")
            #expect(profile.routes.first?.gateway == addresses[0])
        }
    }

    @Test("a packet for the upper device's MAC that came in PACKET_OTHERHOST below makes a bridge and its port")
    func bridgeFromOtherHost() throws {
        let (profile, assumptions) = Self.infer(requestType: 3)
        let bridge = try #require(profile.interfaces.first { $0.ifindex == 2 })
        let port = try #require(profile.interfaces.first { $0.ifindex == 3 })
        #expect(bridge.driver == "bridge")
        #expect(bridge.mac == Self.hostMAC)
        #expect(bridge.addresses.map(\.address) == [Self.hostIP])
        #expect(port.master == bridge.name)
        #expect(port.addresses.isEmpty, "the reply's copy on the port is not the port's own")
        #expect(profile.sysctl["net.ipv4.ip_forward"] == nil)
        #expect(assumptions.contains { $0.contains("a port of the bridge \(bridge.name)") })
    }

    @Test("the same copies arriving PACKET_HOST on both devices (a VLAN device and its real device) make no bridge")
    func noBridgeFromHostCopies() throws {
        let (profile, _) = Self.infer(requestType: 0)
        #expect(profile.interfaces.allSatisfy { $0.driver != "bridge" && $0.master == nil })
        #expect(profile.interfaces.count == 2)
    }
}

/// Which end of a veth took a capture (Fixtures/ends_*: the same traffic captured on the client's end
/// and on the server's end at once, Fixtures/make-fixtures-ends.sh): where the frames show it (a
/// sender's burst acknowledged behind it), the capturing end; where they cannot (both ends' frames
/// carry offload marks, or neither's do, and no acknowledgment is in flight), a note that says so and
/// names the other end's MAC for `--host-mac`, which then makes it the host.
@Suite("HostInference: the two ends of a veth")
struct VethEndsInferenceTests {
    static let client = MACAddress("02:00:00:00:71:01")!
    static let server = MACAddress("02:00:00:00:71:02")!

    static func infer(_ name: String, hostMAC: MACAddress? = nil) throws -> (HostProfile, [String]) {
        let inferred = try HostInference.infer(path: Repository.path("Fixtures/\(name).pcap"), driver: "veth", hostMAC: hostMAC)
        return (inferred.profile, inferred.assumptions)
    }

    @Test("a bulk sender's capture: the receiver's acknowledgments come behind data in flight, so the sender took it")
    func senderFromAcknowledgmentsInFlight() throws {
        let (profile, assumptions) = try Self.infer("ends_bulk_server")
        #expect(profile.capturedInterface?.mac == Self.server)
        #expect(profile.capturedInterface?.addresses.map(\.description) == ["10.91.0.2/24"])
        #expect(assumptions.contains { $0.contains("of its peer's acknowledgments came behind data it had already sent") }, "\(assumptions)")
        #expect(!assumptions.contains { $0.contains("cannot tell") })
    }

    @Test("captures the frames cannot place say so and name the other end", arguments: [
        "ends_client", "ends_server", "ends_bulk_client",
    ])
    func indistinguishable(_ name: String) throws {
        let (profile, assumptions) = try Self.infer(name)
        let host = try #require(profile.capturedInterface?.mac)
        let other = host == Self.server ? Self.client : Self.server
        let note = try #require(assumptions.first { $0.hasPrefix("the capture cannot tell which end of the link took it") }, "\(assumptions)")
        #expect(note.contains("pass --host-mac \(other)"))
        // The note replaces the reason a single end's evidence would give.
        #expect(!assumptions.contains { $0.hasPrefix("taken to be the capturing host because") })
        if name != "ends_bulk_client" { #expect(note.contains("both ends' frames carry offload marks")) }
    }

    @Test("--host-mac makes the named end the host, with its own addresses", arguments: [
        ("ends_client", ["10.91.0.1/24"], ["fd00:91::1/64"]), ("ends_bulk_client", ["10.91.0.1/24"], []),
    ])
    func chosenEnd(_ name: String, _ v4: [String], _ v6: [String]) throws {
        let (profile, assumptions) = try Self.infer(name, hostMAC: Self.client)
        #expect(profile.capturedInterface?.mac == Self.client)
        #expect(profile.capturedInterface?.addresses.map(\.description) == v4)
        #expect(profile.capturedInterface?.ipv6Addresses == v6)
        #expect(assumptions.contains("taken to be the capturing host because --host-mac names it"))
        #expect(!assumptions.contains { $0.contains("cannot tell") })
    }

    @Test("a --host-mac no frame has is said, and inference goes on without it")
    func unknownChosenMAC() throws {
        let (profile, assumptions) = try Self.infer("ends_bulk_server", hostMAC: MACAddress("02:00:00:00:99:99")!)
        #expect(profile.capturedInterface?.mac == Self.server)
        #expect(assumptions.contains { $0.hasPrefix("--host-mac 02:00:00:00:99:99: no frame of this capture is from or to it") })
    }

    @Test("-i any on the client: the direction is in the capture, and its IPv6 address is the interface's")
    func cookedCapture() throws {
        let (profile, _) = try Self.infer("ends_any")
        let interface = try #require(profile.capturedInterface)
        #expect(interface.mac == Self.client)
        #expect(interface.addresses.map(\.description) == ["10.91.0.1/24"])
        #expect(interface.ipv6Addresses == ["fd00:91::1/64"])
    }

    @Test("multi_if's veth: the client took it, and the note says the frames cannot tell and names it")
    func multiInterfaceVeth() throws {
        let inferred = try HostInference.infer(path: Repository.path("Fixtures/multi_if.pcapng"), driver: "veth")
        #expect(inferred.assumptions.contains {
            $0.hasPrefix("on veth-mh: the capture cannot tell which end of the link took it") && $0.contains("pass --host-mac 02:00:00:00:3c:01")
        }, "\(inferred.assumptions)")
        let chosen = try HostInference.infer(path: Repository.path("Fixtures/multi_if.pcapng"), driver: "veth",
                                             hostMAC: MACAddress("02:00:00:00:3c:01")!)
        let truth = try HostProfile.load(path: Repository.path("Fixtures/multi_if.host.json"))
        let veth = try #require(chosen.profile.interfaces.first { $0.name == "veth-mh" })
        let expected = try #require(truth.interfaces.first { $0.name == "veth-mh" })
        #expect(veth.mac == expected.mac)
        #expect(veth.addresses.map(\.address) == expected.addresses.map(\.address))
    }
}

/// A capture of a bridge, or of one of its ports, alone: the frames cannot tell it from an Ethernet
/// device (``HostInferenceTests/bridgeGaps``), so the notes say exactly what to pass.
@Suite("HostInference: a bridge or its port captured alone")
struct BridgeAloneNoteTests {
    static let bridgeMAC = "02:00:00:00:0b:00"

    /// The note on frames between other machines, if any.
    static func promiscuousNote(_ assumptions: [String]) -> String? {
        assumptions.first { $0.contains("unicast frame") && $0.contains("between other machines") }
    }

    @Test("bridge_br0: the peer in every frame is taken, the note names the bridge's MAC for --host-mac, which then says promiscuous")
    func bridgeDevice() throws {
        let path = Repository.path("Fixtures/bridge_br0.pcap")
        let inferred = try HostInference.infer(path: path, driver: "veth")
        #expect(inferred.assumptions.contains {
            $0.hasPrefix("the capture cannot tell which end of the link took it") && $0.contains("pass --host-mac \(Self.bridgeMAC)")
        }, "\(inferred.assumptions)")
        #expect(inferred.assumptions.contains {
            $0.contains("pass --host-mac \(Self.bridgeMAC) (then the 3 frames not from or to it make it a promiscuous capture")
        }, "\(inferred.assumptions)")
        #expect(Self.promiscuousNote(inferred.assumptions) == nil, "every frame is the peer's")
        let chosen = try HostInference.infer(path: path, driver: "veth", hostMAC: MACAddress(Self.bridgeMAC)!)
        #expect(chosen.profile.capturedInterface?.addresses.map(\.description) == ["192.0.2.1/24"])
        let note = try #require(Self.promiscuousNote(chosen.assumptions), "\(chosen.assumptions)")
        #expect(note.hasPrefix("3 unicast frames between other machines"))
        #expect(note.contains("{\"name\": \"br0\", \"driver\": \"bridge\", \"mac\": \"\(Self.bridgeMAC)\", \"addresses\": [\"192.0.2.1/24\"]}"))
        #expect(note.contains("\"master\": \"br0\""))
    }

    @Test("bridge_rx: the bridge's MAC and address are found, and the frame for another machine makes the note")
    func bridgePort() throws {
        let inferred = try HostInference.infer(path: Repository.path("Fixtures/bridge_rx.pcap"), driver: "veth")
        #expect(inferred.profile.capturedInterface?.mac.description == Self.bridgeMAC)
        let note = try #require(Self.promiscuousNote(inferred.assumptions), "\(inferred.assumptions)")
        #expect(note.hasPrefix("1 unicast frame between other machines (02:00:00:00:0b:01 → 02:00:00:00:0b:02) is in the capture"))
        #expect(note.contains("\"mac\": \"\(Self.bridgeMAC)\", \"addresses\": [\"192.0.2.1/24\"]"))
    }

    @Test("a capture with no frame between other machines has no such note")
    func noteOnlyWhenPromiscuous() throws {
        let inferred = try HostInference.infer(path: Repository.path("Fixtures/tcp_handshake.pcap"), driver: "veth")
        #expect(Self.promiscuousNote(inferred.assumptions) == nil)
    }
}
