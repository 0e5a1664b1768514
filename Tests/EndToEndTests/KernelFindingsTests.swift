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
}
