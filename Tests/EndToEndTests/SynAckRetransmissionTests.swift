import Capture
import Foundation
import KernelNet
import Replay
import Testing
import Trace
import Wire

/// A request socket's SYN-ACK sent again (net/ipv4/inet_connection_sock.c `inet_rtx_syn_ack`,
/// net/ipv4/tcp_output.c `tcp_rtx_synack`, the same in 4.14, 6.1 and 6.12): by its timer
/// (`reqsk_timer_handler`, which also counts a timeout), or at once when the peer's SYN comes again
/// (`tcp_check_req`). The fixture ctr_synackretrans checks the timer's counts against 6.18's nstat.
@Suite("SYN-ACK retransmissions")
struct SynAckRetransmissionTests {
    static let hostMAC = MACAddress("02:00:00:00:0d:00")!
    static let peerMAC = MACAddress("02:00:00:00:0e:00")!
    static let hostIP = IPv4Address("10.77.0.1")!
    static let peerIP = IPv4Address("10.77.0.2")!

    /// A SYN to the host's listener, its SYN-ACK, then `rest`; returns the traces and the counters.
    static func replay(kernel: String, rest: [[UInt8]]) throws -> ([PacketTrace], [String: Int]) {
        let rx = FrameBuilder(source: peerMAC, destination: hostMAC)
        let tx = FrameBuilder(source: hostMAC, destination: peerMAC)
        let frames = ([
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: 100, flags: .syn)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: 900, ack: 101, flags: [.syn, .ack])),
        ] + rest).enumerated().map {
            CapturedFrame(index: $0.offset + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64($0.offset) * 1_000_000_000, bytes: $0.element)
        }
        let json = """
            { "kernel": "\(kernel)",
              "interfaces": [ { "name": "dut0", "driver": "veth", "mac": "\(hostMAC)", "addresses": ["\(hostIP)/24"], "captured": true } ],
              "sockets": [ { "proto": "tcp", "port": 8080, "state": "listen" } ] }
            """
        let session = try ReplaySession(frames: frames, captureName: "synack", host: try HostProfile.parse(Data(json.utf8)))
        var traces: [PacketTrace] = []
        let counters = try session.run { traces.append($0) }.counters
        return (traces, counters)
    }

    static var synack: [UInt8] {
        FrameBuilder(source: hostMAC, destination: peerMAC)
            .ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: 900, ack: 101, flags: [.syn, .ack]))
    }

    @Test("unanswered, the timer sends it again: a timeout and a SYN retransmission", arguments: ["4.14", "6.1", "6.12"])
    func timer(_ kernel: String) throws {
        let (traces, counters) = try Self.replay(kernel: kernel, rest: [Self.synack])
        #expect(traces[2].functions.first == "reqsk_timer_handler")
        #expect(counters["TcpExtTCPTimeouts"] == 1)
        #expect(counters["TcpRetransSegs"] == 1)
        #expect(counters["TcpExtTCPSynRetrans"] == 1)
    }

    @Test("the peer's SYN again is answered at once, without a timeout", arguments: ["4.14", "6.1", "6.12"])
    func repeatedSyn(_ kernel: String) throws {
        let syn = FrameBuilder(source: Self.peerMAC, destination: Self.hostMAC)
            .ipv4(Self.peerIP, Self.hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: 100, flags: .syn))
        let (traces, counters) = try Self.replay(kernel: kernel, rest: [syn, Self.synack])
        #expect(traces[2].functions.contains("inet_rtx_syn_ack"))
        #expect(traces[3].functions.first != "reqsk_timer_handler")
        #expect(counters["TcpExtTCPTimeouts"] == nil)
        #expect(counters["TcpRetransSegs"] == 1)
        #expect(counters["TcpExtTCPSynRetrans"] == 1)
    }
}
