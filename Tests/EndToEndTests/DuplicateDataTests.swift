import Capture
import Foundation
import KernelNet
import Replay
import Testing
import Trace
import Wire

/// Data the host already has (net/ipv4/tcp_input.c, the same in 4.14, 6.1 and 6.12): old data in
/// `tcp_data_queue`, and data before the window in `tcp_send_dupack`, count `TcpExtDelayedACKLost`;
/// `tcp_dsack_set` counts `TcpExtTCPDSACKOldSent` only where the connection agreed on SACK and
/// `net.ipv4.tcp_dsack` is on. The fixtures s_tcp and s_tcp_seq check the counts against 6.18's nstat.
@Suite("D-SACK for data the host already has")
struct DuplicateDataTests {
    static let hostMAC = MACAddress("02:00:00:00:0d:00")!
    static let peerMAC = MACAddress("02:00:00:00:0e:00")!
    static let hostIP = IPv4Address("10.77.0.1")!
    static let peerIP = IPv4Address("10.77.0.2")!

    /// Replays a handshake (the peer's SYN offering SACK or not), 10 bytes from the peer and its ACK,
    /// the same 10 bytes again, then 5 bytes wholly before the window; returns the counters.
    static func counters(kernel: String, peerOffersSack: Bool, dsack: Int) throws -> [String: Int] {
        let rx = FrameBuilder(source: peerMAC, destination: hostMAC)
        let tx = FrameBuilder(source: hostMAC, destination: peerMAC)
        var syn = FrameBuilder.tcp(40000, 8080, seq: 100, flags: .syn)
        if peerOffersSack {
            syn[12] = 6 << 4
            syn += [4, 2, 1, 1]
        }
        let data = [UInt8](repeating: 0x61, count: 10)
        func rxSeg(_ seq: UInt32, _ payload: [UInt8]) -> [UInt8] {
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: seq, ack: 901, flags: [.ack, .psh], payload: payload))
        }
        let ack = tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: 901, ack: 111, flags: .ack))
        let frames = [
            rx.ipv4(peerIP, hostIP, .tcp, syn),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: 900, ack: 101, flags: [.syn, .ack])),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: 101, ack: 901, flags: .ack)),
            rxSeg(101, data), ack,
            rxSeg(101, data), ack,
            rxSeg(90, Array(data.prefix(5))), ack,
        ].enumerated().map {
            CapturedFrame(index: $0.offset + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64($0.offset) * 1_000_000, bytes: $0.element)
        }
        let json = """
            { "kernel": "\(kernel)",
              "interfaces": [ { "name": "dut0", "driver": "veth", "mac": "\(hostMAC)", "addresses": ["\(hostIP)/24"], "captured": true } ],
              "sockets": [ { "proto": "tcp", "port": 8080, "state": "listen" } ],
              "sysctl": { "net.ipv4.tcp_dsack": \(dsack) } }
            """
        let session = try ReplaySession(frames: frames, captureName: "dsack", host: try HostProfile.parse(Data(json.utf8)))
        return try session.run { _ in }.counters
    }

    @Test("both duplicates count DelayedACKLost; DSACKOldSent only with SACK agreed and tcp_dsack on",
          arguments: ["4.14", "6.1", "6.12"], [(true, 1), (false, 1), (true, 0)])
    func duplicates(_ kernel: String, _ setting: (sack: Bool, dsack: Int)) throws {
        let counters = try Self.counters(kernel: kernel, peerOffersSack: setting.sack, dsack: setting.dsack)
        #expect(counters["TcpExtDelayedACKLost"] == 2)
        #expect(counters["TcpExtTCPDSACKOldSent"] == (setting.sack && setting.dsack != 0 ? 2 : nil))
        #expect(counters["TcpExtTCPDSACKOfoSent"] == nil)
    }
}
