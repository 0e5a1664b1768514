import Capture
import Foundation
import KernelNet
import Replay
import Testing
import Trace
import Wire

/// Tail loss probes (net/ipv4/tcp_output.c `tcp_schedule_loss_probe`, `tcp_send_loss_probe`;
/// net/ipv4/tcp_input.c `tcp_process_tlp_ack`, in 4.14, 6.1 and 6.12). The fixture s_tcp checks the
/// counts against 6.18's nstat.
@Suite("tail loss probes")
struct TailLossProbeTests {
    static let hostMAC = MACAddress("02:00:00:00:0d:00")!
    static let peerMAC = MACAddress("02:00:00:00:0e:00")!
    static let hostIP = IPv4Address("10.77.0.1")!
    static let peerIP = IPv4Address("10.77.0.2")!

    /// The host accepts a connection (the peer's SYN offering SACK or not) and sends two segments of 10
    /// bytes; `resent` lists the starts of those it sends again, in order; then the peer acknowledges
    /// both, the host sends 10 bytes more and the peer acknowledges them. Returns the replay's traces
    /// and counters.
    static func replay(kernel: String, peerOffersSack: Bool, resent: [UInt32]) throws -> ([PacketTrace], [String: Int]) {
        let rx = FrameBuilder(source: peerMAC, destination: hostMAC)
        let tx = FrameBuilder(source: hostMAC, destination: peerMAC)
        var syn = FrameBuilder.tcp(40000, 8080, seq: 100, flags: .syn)
        if peerOffersSack {
            syn[12] = 6 << 4
            syn += [4, 2, 1, 1]
        }
        let data = [UInt8](repeating: 0x61, count: 10)
        func txSeg(_ seq: UInt32) -> [UInt8] {
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: seq, ack: 101, flags: [.ack, .psh], payload: data))
        }
        func rxAck(_ ack: UInt32) -> [UInt8] {
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: 101, ack: ack, flags: .ack))
        }
        let frames = ([
            rx.ipv4(peerIP, hostIP, .tcp, syn),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: 900, ack: 101, flags: [.syn, .ack])),
            rxAck(901), txSeg(901), txSeg(911),
        ] + resent.map(txSeg) + [rxAck(921), txSeg(921), rxAck(931)]).enumerated().map {
            CapturedFrame(index: $0.offset + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64($0.offset) * 300_000_000, bytes: $0.element)
        }
        let json = """
            { "kernel": "\(kernel)",
              "interfaces": [ { "name": "dut0", "driver": "veth", "mac": "\(hostMAC)", "addresses": ["\(hostIP)/24"], "captured": true } ],
              "sockets": [ { "proto": "tcp", "port": 8080, "state": "listen" } ] }
            """
        let session = try ReplaySession(frames: frames, captureName: "tlp", host: try HostProfile.parse(Data(json.utf8)))
        var traces: [PacketTrace] = []
        let counters = try session.run { traces.append($0) }.counters
        return (traces, counters)
    }

    @Test("the last segment sent again is a probe; the ACK beyond it counts a recovery", arguments: ["4.14", "6.1", "6.12"])
    func probe(_ kernel: String) throws {
        let (traces, counters) = try Self.replay(kernel: kernel, peerOffersSack: true, resent: [911])
        #expect(traces[5].functions.first == "tcp_send_loss_probe")
        #expect(counters["TcpExtTCPLossProbes"] == 1)
        #expect(counters["TcpRetransSegs"] == 1)
        // The ACK of 921 reaches tlp_high_seq only; the one of 931 goes beyond it.
        #expect(counters["TcpExtTCPLossProbeRecovery"] == 1)
    }

    @Test("no probe: without SACK, for a segment that is not the last, or with one outstanding",
          arguments: [(false, [911] as [UInt32], 0), (true, [901], 0), (true, [911, 911], 1)])
    func noProbe(_ sack: Bool, _ resent: [UInt32], _ probes: Int) throws {
        let (traces, counters) = try Self.replay(kernel: "6.1", peerOffersSack: sack, resent: resent)
        // Not a probe, not sent on an ACK: the retransmission timer's.
        #expect(traces.last(where: { $0.functions.first == "tcp_retransmit_timer" }) != nil)
        #expect((counters["TcpExtTCPLossProbes"] ?? 0) == probes)
        #expect(counters["TcpRetransSegs"] == resent.count)
    }
}
