import Capture
import Foundation
import KernelNet
import Replay
import Testing
import Trace
import Wire

/// Paths found to differ from real kernels on captures kept outside the project, each checked against
/// the kernel source (file named in each test) and, where the oracle recorded it, against the oracle.
@Suite("findings from real kernels")
struct KernelFindingsTests {
    static let hostMAC = MACAddress("02:00:00:00:0d:00")!
    static let peerMAC = MACAddress("02:00:00:00:0e:00")!
    static let hostIP = IPv4Address("10.77.0.1")!

    static func host(kernel: String, rpFilter: Int) throws -> HostProfile {
        let json = """
            { "kernel": "\(kernel)",
              "interfaces": [ { "name": "dut0", "driver": "veth", "mac": "\(hostMAC)", "mtu": 1500,
                                "addresses": ["\(hostIP)/24"], "captured": true } ],
              "sysctl": { "net.ipv4.conf.all.rp_filter": \(rpFilter) } }
            """
        return try HostProfile.parse(Data(json.utf8))
    }

    /// A frame from the peer's MAC carrying the host's own address as source: a martian in
    /// net/ipv4/fib_frontend.c. With rp_filter on, `__fib_validate_source` finds the route back
    /// local and returns -EINVAL (not -EXDEV), which ip_rcv_finish_core drops unnamed, without
    /// counting IPReversePathFilter.
    @Test("a packet from one of the host's own addresses is a martian (-EINVAL), not a reverse-path drop",
          arguments: ["6.1", "6.12"], [0, 1, 2])
    func ownSourceIsMartian(_ kernel: String, _ rpFilter: Int) throws {
        let frame = FrameBuilder(source: Self.peerMAC, destination: Self.hostMAC)
            .ipv4(Self.hostIP, Self.hostIP, .udp, FrameBuilder.udp(40_000, 9, payload: [1]))
        let session = try ReplaySession(frames: [], captureName: "martian", host: try Self.host(kernel: kernel, rpFilter: rpFilter))
        let t = session.trace(CapturedFrame(index: 1, timestampNanoseconds: 1_700_000_000_000_000_000, bytes: frame))
        #expect(t.verdict == .drop)
        #expect(t.dropReason == "SKB_DROP_REASON_NOT_SPECIFIED")
        #expect(session.kernel.counters["TcpExtIPReversePathFilter"] == nil)
        #expect(t.functions.contains("fib_validate_source"))
        #expect(t.functions.contains("__fib_validate_source") == (rpFilter != 0))
    }

    /// A SYN from the port of a connection the host holds in TIME_WAIT (net/ipv4/tcp_minisocks.c
    /// tcp_timewait_state_process: TCP_TW_SYN when the SYN is beyond what the old connection received or
    /// newer by its timestamp; tcp_v4_rcv then gives it to the listener). Found on a loopback capture of
    /// many short connections, where ports come round again: the model dropped the SYN, and the capture
    /// showed the SYN-ACK it did not expect.
    @Test("a new SYN from a time-wait connection's port goes to the listener", arguments: ["4.14", "6.1", "6.12"])
    func synReplacesTimeWait(_ kernel: String) throws {
        let peer = IPv4Address("10.77.0.2")!
        let rx = FrameBuilder(source: Self.peerMAC, destination: Self.hostMAC)
        let tx = FrameBuilder(source: Self.hostMAC, destination: Self.peerMAC)
        func seg(_ b: FrameBuilder, _ from: IPv4Address, _ to: IPv4Address, _ sp: UInt16, _ dp: UInt16, _ seq: UInt32,
                 _ ack: UInt32, _ flags: TCPFlags) -> [UInt8] {
            b.ipv4(from, to, .tcp, FrameBuilder.tcp(sp, dp, seq: seq, ack: ack, flags: flags))
        }
        // SYN with a timestamps option (kind 8, length 10) after NOP NOP: the header grows by 12 bytes.
        var syn = FrameBuilder.tcp(40000, 8080, seq: 5000, flags: .syn)
        syn[12] = 0x80
        syn += [1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0]
        let frames = [
            seg(rx, peer, Self.hostIP, 40000, 8080, 100, 0, .syn),
            seg(tx, Self.hostIP, peer, 8080, 40000, 900, 101, [.syn, .ack]),
            seg(rx, peer, Self.hostIP, 40000, 8080, 101, 901, .ack),
            seg(tx, Self.hostIP, peer, 8080, 40000, 901, 101, [.fin, .ack]),
            seg(rx, peer, Self.hostIP, 40000, 8080, 101, 902, [.fin, .ack]),
            seg(tx, Self.hostIP, peer, 8080, 40000, 902, 102, .ack),
            rx.ipv4(peer, Self.hostIP, .tcp, syn),
        ].enumerated().map { CapturedFrame(index: $0.offset + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64($0.offset) * 1_000_000, bytes: $0.element) }
        let json = """
            { "kernel": "\(kernel)",
              "interfaces": [ { "name": "dut0", "driver": "veth", "mac": "\(Self.hostMAC)", "addresses": ["\(Self.hostIP)/24"], "captured": true } ],
              "sockets": [ { "proto": "tcp", "port": 8080, "state": "listen" } ] }
            """
        let session = try ReplaySession(frames: frames, captureName: "tw", host: try HostProfile.parse(Data(json.utf8)))
        var traces: [PacketTrace] = []
        _ = try session.run { traces.append($0) }
        let last = try #require(traces.last)
        #expect(last.verdict != .drop, "\(last.functions)")
        let functions = last.functions
        let tw = try #require(functions.firstIndex(of: "tcp_timewait_state_process"))
        #expect(functions[tw...].contains("tcp_v4_do_rcv"))
        #expect(last.events.contains { if case .note(let n, _) = $0 { n.hasPrefix("TCP_TW_SYN") } else { false } })
    }

    /// Where an echo request comes from depends on net.ipv4.ping_group_range (net/ipv4/ping.c
    /// ping_group_range, the kernel's default "1 0" permits no ping socket): iputils ping then uses a raw
    /// socket, and the reply finds no ping socket (NO_SOCKET in ping_rcv, as the s_arp truth shows). With
    /// ping sockets permitted, the request leaves from one and the reply is queued on it.
    @Test("ping from a raw socket by default, from a ping socket when ping_group_range permits it",
          arguments: [(nil, "raw_sendmsg", Verdict.drop), ("0 2147483647", "ping_v4_sendmsg", Verdict.deliver)] as [(String?, String, Verdict)])
    func pingSockets(_ range: String?, _ origin: String, _ replyVerdict: Verdict) throws {
        let peer = IPv4Address("10.77.0.2")!
        let tx = FrameBuilder(source: Self.hostMAC, destination: Self.peerMAC)
        let rx = FrameBuilder(source: Self.peerMAC, destination: Self.hostMAC)
        let frames = [
            tx.ipv4(Self.hostIP, peer, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0x12, 0x34, 0, 1])),
            rx.ipv4(peer, Self.hostIP, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoReply, rest: [0x12, 0x34, 0, 1])),
        ].enumerated().map { CapturedFrame(index: $0.offset + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64($0.offset) * 1_000_000, bytes: $0.element) }
        let sysctl = range.map { #", "sysctl": { "net.ipv4.ping_group_range": "\#($0)" }"# } ?? ""
        let json = """
            { "kernel": "6.1",
              "interfaces": [ { "name": "dut0", "driver": "veth", "mac": "\(Self.hostMAC)", "addresses": ["\(Self.hostIP)/24"], "captured": true } ]\(sysctl) }
            """
        let session = try ReplaySession(frames: frames, captureName: "ping", host: try HostProfile.parse(Data(json.utf8)))
        var traces: [PacketTrace] = []
        _ = try session.run { traces.append($0) }
        #expect(traces.first?.functions.first == origin)
        #expect(traces.last?.verdict == replyVerdict)
        #expect(traces.last?.functions.contains("ping_rcv") == true)
    }
}
