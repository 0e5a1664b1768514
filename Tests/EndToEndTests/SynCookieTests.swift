import Capture
import Foundation
import KernelNet
import Replay
import Testing
import Trace
import Wire

/// A listener whose SYN queue is full (net/ipv4/tcp_input.c `tcp_conn_request`, `tcp_syn_flood_action`):
/// SYN cookies keep no state, so a flood of SYNs and their SYN-ACKs leaves no more connections than
/// the backlog allows, however long it lasts. The fixture ctr_syncookies checks the counts against
/// 6.18's nstat.
@Suite("SYN cookies")
struct SynCookieTests {
    static let hostMAC = MACAddress("02:00:00:00:0d:00")!
    static let peerMAC = MACAddress("02:00:00:00:0e:00")!
    static let hostIP = IPv4Address("10.77.0.1")!
    static let peerIP = IPv4Address("10.77.0.2")!

    /// `synCount` SYNs from distinct ports to the host's listener, the first `answered` of them followed
    /// by the host's SYN-ACK, with `net.core.somaxconn` 4 and `net.ipv4.tcp_syncookies` `syncookies`.
    static func flood(kernel: String, synCount: Int, answered: Int, syncookies: Int) throws -> (session: ReplaySession, counters: [String: Int]) {
        let rx = FrameBuilder(source: peerMAC, destination: hostMAC)
        let tx = FrameBuilder(source: hostMAC, destination: peerMAC)
        var list: [[UInt8]] = []
        for i in 0..<synCount {
            let port = UInt16(40000 + i), seq = UInt32(100 * i)
            list.append(rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(port, 8080, seq: seq, flags: .syn)))
            guard i < answered else { continue }
            list.append(tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, port, seq: 900, ack: seq &+ 1, flags: [.syn, .ack])))
        }
        let frames = list.enumerated().map {
            CapturedFrame(index: $0.offset + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64($0.offset) * 1_000, bytes: $0.element)
        }
        let json = """
            { "kernel": "\(kernel)",
              "interfaces": [ { "name": "dut0", "driver": "veth", "mac": "\(hostMAC)", "addresses": ["\(hostIP)/24"], "captured": true } ],
              "neighbours": [ { "ip": "\(peerIP)", "mac": "\(peerMAC)", "dev": "dut0", "state": "permanent" } ],
              "sockets": [ { "proto": "tcp", "port": 8080, "state": "listen" } ],
              "sysctl": { "net.core.somaxconn": 4, "net.ipv4.tcp_syncookies": \(syncookies) } }
            """
        let session = try ReplaySession(frames: frames, captureName: "synflood", host: try HostProfile.parse(Data(json.utf8)))
        let counters = try session.run { _ in }.counters
        return (session, counters)
    }

    @Test("past the backlog every SYN gets a cookie and no connection is kept for it",
          arguments: [("4.14", 4), ("6.1", 5), ("6.12", 5)])
    func cookies(_ kernel: String, requests: Int) throws {
        let (session, counters) = try Self.flood(kernel: kernel, synCount: 1_000, answered: 1_000, syncookies: 1)
        #expect(session.kernel.sockets.requestSockets == requests)
        #expect(session.kernel.sockets.tcp.count == requests)
        #expect(counters["TcpExtSyncookiesSent"] == 1_000 - requests)
        #expect(counters["TcpExtTCPReqQFullDoCookies"] == 1_000 - requests)
    }

    @Test("with syncookies off the SYNs past the backlog are dropped", arguments: ["4.14", "6.1", "6.12"])
    func drops(_ kernel: String) throws {
        let requests = kernel == "4.14" ? 4 : 5
        let (session, counters) = try Self.flood(kernel: kernel, synCount: 10, answered: requests, syncookies: 0)
        #expect(session.kernel.sockets.requestSockets == requests)
        #expect(counters["TcpExtTCPReqQFullDrop"] == 10 - requests)
        #expect(counters["TcpExtListenDrops"] == 10 - requests)
        #expect(counters["TcpExtSyncookiesSent"] == nil)
    }
}
