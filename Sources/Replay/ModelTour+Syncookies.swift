import Capture
import Foundation
import Wire

extension ModelTour {
    /// A listener whose SYN queue is full (net/ipv4/tcp_input.c `tcp_conn_request`): `somaxconn` 0 lets
    /// 6.x keep one request socket (its queue is full when it holds more than the backlog) and 4.14
    /// none; each further SYN, over IPv4 and IPv6, is answered with a SYN cookie
    /// (`tcp_syn_flood_action`, `cookie_v4_init_sequence`, `cookie_v6_init_sequence`), or dropped when
    /// `syncookies` is 0.
    static func syncookieHost(syncookies: Int) -> HostProfile {
        let json = """
            { "interfaces": [ { "name": "dut0", "driver": "veth", "mac": "\(hostMAC)",
                                "addresses": ["\(hostIP)/24", "fd00:77::1/64"], "captured": true } ],
              "neighbours": [ { "ip": "\(peerIP)", "mac": "\(peerMAC)", "dev": "dut0", "state": "permanent" },
                              { "ip": "fd00:77::2", "mac": "\(peerMAC)", "dev": "dut0", "state": "permanent" } ],
              "sockets": [ { "proto": "tcp", "port": 8080 }, { "proto": "tcp", "addr": "::", "port": 8081 } ],
              "sysctl": { "net.core.somaxconn": 0, "net.ipv4.tcp_syncookies": \(syncookies) } }
            """
        // The text above is fixed and valid: parsing cannot fail.
        return (try? HostProfile.parse(Data(json.utf8))) ?? HostProfile(kernel: nil, interfaces: [])
    }

    /// Three SYNs over IPv4 and two over IPv6, each followed by the host's SYN-ACK.
    static var syncookieFrames: [CapturedFrame] {
        let rx = FrameBuilder(source: peerMAC, destination: hostMAC)
        let tx = FrameBuilder(source: hostMAC, destination: peerMAC)
        let host6 = IPv6Address("fd00:77::1")!, peer6 = IPv6Address("fd00:77::2")!
        var list: [[UInt8]] = []
        for i in 0..<3 {
            let port = UInt16(41000 + i), seq = UInt32(7000 + i)
            list.append(rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(port, 8080, seq: seq, flags: .syn)))
            list.append(tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, port, seq: 900 + seq, ack: seq &+ 1, flags: [.syn, .ack])))
        }
        for i in 0..<2 {
            let port = UInt16(42000 + i), seq = UInt32(8000 + i)
            list.append(rx.ipv6(peer6, host6, .tcp, FrameBuilder.tcp(port, 8081, seq: seq, flags: .syn)))
            list.append(tx.ipv6(host6, peer6, .tcp, FrameBuilder.tcp(8081, port, seq: 900 + seq, ack: seq &+ 1, flags: [.syn, .ack])))
        }
        return list.enumerated().map { i, bytes in
            CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_300_000_000_000 + Int64(i) * 1_000, bytes: bytes)
        }
    }
}
