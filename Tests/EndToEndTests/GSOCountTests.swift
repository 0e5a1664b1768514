import Capture
import Foundation
import Replay
import Testing
import Wire

/// One write of a TCP socket leaves as one GSO skb from 6.1: IP counts it once, however many
/// segments the capture shows after software segmentation; frames that cannot be segments of one
/// skb (an answer between them, a frame beyond the MTU, PSH before the last) are skbs of their own.
@Suite("a GSO skb cut in software counts once at IP")
struct GSOCountTests {
    static let hostMAC = MACAddress("02:00:00:00:0d:00")!
    static let peerMAC = MACAddress("02:00:00:00:0e:00")!
    static let hostIP = IPv4Address("10.77.0.1")!
    static let peerIP = IPv4Address("10.77.0.2")!

    static func host(kernel: String) throws -> HostProfile {
        let json = """
            { "kernel": "\(kernel)",
              "interfaces": [ { "name": "veth-dut", "driver": "veth", "mac": "\(hostMAC)", "mtu": 1500,
                                "addresses": ["\(hostIP)/24"], "captured": true } ],
              "neighbours": [ { "ip": "\(peerIP)", "mac": "\(peerMAC)", "dev": "veth-dut", "state": "permanent" } ],
              "sockets": [ { "proto": "tcp", "addr": "0.0.0.0", "port": 8080, "state": "listen" } ] }
            """
        return try HostProfile.parse(Data(json.utf8))
    }

    /// The host's data segments (payload sizes, PSH on the last of each write as `push`), with an
    /// acknowledgment from the peer after frame `ackAfter` if given.
    static func counters(_ sizes: [(Int, push: Bool)], ackAfter: Int? = nil, kernel: String) throws -> [String: Int] {
        let tx = FrameBuilder(source: hostMAC, destination: peerMAC)
        let rx = FrameBuilder(source: peerMAC, destination: hostMAC)
        var bytes: [[UInt8]] = []
        var seq: UInt32 = 1000
        for (i, (size, push)) in sizes.enumerated() {
            let flags: TCPFlags = push ? [.ack, .psh] : .ack
            bytes.append(tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: seq, ack: 1, flags: flags,
                                                                          payload: [UInt8](repeating: 0x61, count: size)),
                                 id: UInt16(i + 1)))
            seq &+= UInt32(size)
            if ackAfter == i + 1 {
                bytes.append(rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: 1, ack: seq, flags: .ack)))
            }
        }
        let frames = bytes.enumerated().map { i, b in
            CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 1000, bytes: b)
        }
        let session = try ReplaySession(frames: frames, captureName: "gso", host: try host(kernel: kernel))
        return try session.run { _ in }.counters
    }

    @Test("three segments of one write: one skb for IP from 6.1, three in 4.14")
    func oneWrite() throws {
        let write = [(1000, push: false), (1000, push: false), (500, push: true)]
        let on612 = try Self.counters(write, kernel: "6.12")
        #expect(on612["IpOutTransmits"] == 1)
        #expect(on612["IpOutRequests"] == 1)
        #expect(on612["TcpOutSegs"] == 3)
        #expect(on612["IpExtOutOctets"] == 40 + 2500)
        let on61 = try Self.counters(write, kernel: "6.1")
        #expect(on61["IpOutRequests"] == 1)
        let on414 = try Self.counters(write, kernel: "4.14")
        #expect(on414["IpOutRequests"] == 3)
        #expect(on414["TcpOutSegs"] == 3)
    }

    @Test("what cannot be segments of one skb is not taken for them", arguments: [
        ("an acknowledgment between them", [(1000, push: false), (1000, push: true)], 1),
        ("PSH before the last", [(1000, push: true), (1000, push: true)], nil),
        ("frames beyond the MTU (TSO: whole skbs)", [(2000, push: false), (2000, push: true)], nil),
        ("a longer segment after a shorter one", [(500, push: false), (1000, push: true)], nil),
    ] as [(String, [(Int, push: Bool)], Int?)])
    func separateSkbs(_ why: String, _ sizes: [(Int, push: Bool)], _ ackAfter: Int?) throws {
        let counters = try Self.counters(sizes, ackAfter: ackAfter, kernel: "6.12")
        #expect(counters["IpOutTransmits"] == 2, "\(why)")
        #expect(counters["TcpOutSegs"] == 2, "\(why)")
    }
}
