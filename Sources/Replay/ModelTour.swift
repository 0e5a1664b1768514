import Capture
import Foundation
import KernelNet
import Trace
import Wire

/// A built-in conversation that walks the model through every path it knows: ARP both ways, ping,
/// a TCP connection from handshake to close, resets, UDP to open and closed ports, fragments both
/// ways, header errors, frames for other hosts, IPv6, forwarding. `pktpath graph` and `explain` derive
/// the modeled call graph from it, without needing a capture.
public enum ModelTour {
    static let hostMAC = MACAddress("02:00:00:00:0d:00")!
    static let peerMAC = MACAddress("02:00:00:00:0e:00")!
    static let hostIP = IPv4Address("10.77.0.1")!
    static let peerIP = IPv4Address("10.77.0.2")!
    static let farIP = IPv4Address("10.78.0.2")!

    /// The host of the tour on `driver`: one captured interface plus a second one for forwarding.
    public static func host(driver: String) -> HostProfile {
        let json = """
            { "interfaces": [
                { "name": "dut0", "driver": "\(driver)", "mac": "\(hostMAC)", "addresses": ["\(hostIP)/24"], "captured": true },
                { "name": "dut1", "driver": "veth", "mac": "02:00:00:00:0d:01", "mtu": 1280, "addresses": ["10.78.0.1/24"] } ],
              "sockets": [ { "proto": "tcp", "port": 8080 }, { "proto": "udp", "port": 7000, "groups": ["239.1.2.3"] } ],
              "netfilter": [ { "hook": "input", "proto": "tcp", "dport": 2222, "verdict": "drop" },
                             { "hook": "input", "proto": "tcp", "dport": 2223, "verdict": "reject", "with": "tcp reset" },
                             { "hook": "input", "proto": "udp", "dport": 7002, "verdict": "reject" },
                             { "hook": "output", "proto": "udp", "dport": 7003, "verdict": "drop" } ],
              "sysctl": { "net.ipv4.ip_forward": 1, "net.ipv6.conf.all.disable_ipv6": 1, "net.ipv4.conf.all.rp_filter": 2,
                          "net.ipv4.ipfrag_time": 1, "net.ipv4.ipfrag_max_dist": 2,
                          "net.ipv4.ping_group_range": "0 2147483647" } }
            """
        // The text above is fixed and valid: parsing cannot fail.
        return (try? HostProfile.parse(Data(json.utf8))) ?? HostProfile(kernel: nil, interfaces: [])
    }

    /// The tour's frames, in capture order.
    public static var frames: [CapturedFrame] {
        let rx = FrameBuilder(source: peerMAC, destination: hostMAC)
        let tx = FrameBuilder(source: hostMAC, destination: peerMAC)
        let other = FrameBuilder(source: peerMAC, destination: MACAddress("02:00:00:00:0f:00")!)
        let bcast = FrameBuilder(source: peerMAC, destination: .broadcast)
        let data = Array("GET / HTTP/1.0\r\n\r\n".utf8)
        let big = [UInt8](repeating: 0x61, count: 2000)
        let echo = FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0, 1, 0, 1], data: big)
        var echoSummed = echo
        FrameBuilder.fillChecksum(&echoSummed, .icmp, peerIP, hostIP)
        var reply = FrameBuilder.icmp(type: ICMPv4Packet.echoReply, rest: [0, 1, 0, 1], data: big)
        // A SYN offering SACK (RFC 2018: kind 4, length 2, padded with two no-operations).
        var synSack = FrameBuilder.tcp(40000, 8080, seq: 100, flags: .syn) + [4, 2, 1, 1]
        synSack[12] = 6 << 4
        FrameBuilder.fillChecksum(&reply, .icmp, hostIP, peerIP)
        var badIP = rx.ipv4(peerIP, hostIP, .icmp, FrameBuilder.icmp(type: 8, rest: [0, 2, 0, 1]))
        badIP[24] ^= 0xff
        var list: [[UInt8]] = [
            tx.arp(operation: ARPPacket.request, senderIP: hostIP, targetMAC: .zero, targetIP: peerIP),
            rx.arp(operation: ARPPacket.reply, senderIP: peerIP, targetMAC: hostMAC, targetIP: hostIP),
            tx.ipv4(hostIP, peerIP, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0, 9, 0, 1])),
            bcast.arp(operation: ARPPacket.request, senderIP: peerIP, targetMAC: .zero, targetIP: hostIP),
            tx.arp(operation: ARPPacket.reply, senderIP: hostIP, targetMAC: peerMAC, targetIP: peerIP),
            rx.ipv4(peerIP, hostIP, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0, 1, 0, 2])),
            tx.ipv4(hostIP, peerIP, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoReply, rest: [0, 1, 0, 2])),
            rx.ipv4(peerIP, hostIP, .tcp, synSack),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: 500, ack: 101, flags: [.syn, .ack])),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: 101, ack: 501, flags: .ack)),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: 101, ack: 501, flags: [.ack, .psh], payload: data)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: 501, ack: 119, flags: .ack)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: 501, ack: 119, flags: [.ack, .psh], payload: data)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: 501, ack: 119, flags: [.ack, .psh], payload: data)),
            // The peer's data again (old data), then data wholly before the window: both answered
            // with a D-SACK.
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: 101, ack: 501, flags: [.ack, .psh], payload: data)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: 519, ack: 119, flags: .ack)),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: 90, ack: 501, flags: [.ack, .psh], payload: data)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: 519, ack: 119, flags: .ack)),
            // Outside the receive window (duplicate ACK), a RST in the window off rcv_nxt and a SYN
            // (challenge ACKs, the second one held back by the out-of-window rate limit).
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: 119 &+ 0x4000_0000, ack: 519, flags: [.ack, .psh], payload: data)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: 519, ack: 119, flags: .ack)),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: 125, flags: .rst)),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: 119, flags: .syn)),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: 119, ack: 519, flags: [.ack, .fin])),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: 519, ack: 120, flags: [.ack, .fin])),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40000, 8080, seq: 120, ack: 520, flags: .ack)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40001, 443, seq: 900, flags: .syn)),
            // Unanswered, the SYN leaves again when the retransmission timer expires.
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40001, 443, seq: 900, flags: .syn)),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(443, 40001, seq: 300, ack: 901, flags: [.syn, .ack])),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40001, 443, seq: 901, ack: 301, flags: .ack)),
            // Active close from the host: FIN_WAIT1, FIN_WAIT2, TIME_WAIT, and a FIN repeated into TIME_WAIT.
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40001, 443, seq: 901, ack: 301, flags: [.fin, .ack])),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(443, 40001, seq: 301, ack: 902, flags: .ack)),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(443, 40001, seq: 301, ack: 902, flags: [.fin, .ack])),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40001, 443, seq: 902, ack: 302, flags: .ack)),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(443, 40001, seq: 301, ack: 902, flags: [.fin, .ack])),
            // The host connects again from the same port: the new socket takes the time-wait socket's
            // place; it closes first again, into TIME_WAIT, whose timer ends after the last frame.
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40001, 443, seq: 5000, flags: .syn)),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(443, 40001, seq: 700, ack: 5001, flags: [.syn, .ack])),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40001, 443, seq: 5001, ack: 701, flags: .ack)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40001, 443, seq: 5001, ack: 701, flags: [.fin, .ack])),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(443, 40001, seq: 701, ack: 5002, flags: [.fin, .ack])),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40001, 443, seq: 5002, ack: 702, flags: .ack)),
            // A connection the peer resets, and one the host aborts.
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40020, 8080, seq: 10, flags: .syn)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40020, seq: 50, ack: 11, flags: [.syn, .ack])),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40020, 8080, seq: 11, ack: 51, flags: .ack)),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40020, 8080, seq: 11, ack: 51, flags: .rst)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40030, seq: 70, ack: 80, flags: [.ack, .psh], payload: data)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40030, seq: 88, ack: 80, flags: [.rst, .ack])),
            // A stray ACK to the listener: answered with a reset.
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40021, 8080, seq: 5, ack: 77, flags: .ack)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40021, seq: 77, flags: .rst)),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40002, 81, seq: 7, flags: .syn)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(81, 40002, seq: 0, ack: 8, flags: [.rst, .ack])),
            // A request that acknowledges the host's greeting: header prediction's data hit and its ACK.
            // A SYN-ACK nothing answers, sent again by the request socket's timer, then at once for the
            // peer's SYN again.
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40024, 8080, seq: 20, flags: .syn)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40024, seq: 90, ack: 21, flags: [.syn, .ack])),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40024, seq: 90, ack: 21, flags: [.syn, .ack])),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40024, 8080, seq: 20, flags: .syn)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40024, seq: 90, ack: 21, flags: [.syn, .ack])),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40022, 8080, seq: 30, flags: .syn)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40022, seq: 60, ack: 31, flags: [.syn, .ack])),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40022, 8080, seq: 31, ack: 61, flags: .ack)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40022, seq: 61, ack: 31, flags: [.ack, .psh], payload: data)),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40022, 8080, seq: 31, ack: 79, flags: [.ack, .psh], payload: data)),
            rx.ipv4(peerIP, hostIP, .udp, FrameBuilder.udp(40003, 7000, payload: data)),
            rx.ipv4(peerIP, hostIP, .udp, FrameBuilder.udp(40003, 7001, payload: data)),
            tx.ipv4(hostIP, peerIP, .icmp, FrameBuilder.icmp(type: 3, code: 3, data: Array(rx.ipv4(peerIP, hostIP, .udp, FrameBuilder.udp(40003, 7001, payload: data)).dropFirst(14).prefix(28)))),
            tx.ipv4(hostIP, peerIP, .udp, FrameBuilder.udp(7000, 40003, payload: data)),
            // A datagram to the socket's own group: ip_mc_output asks it (sk_mc_loop) and loops a copy back to it.
            FrameBuilder(source: hostMAC, destination: MACAddress(rawValue: 0x0100_5e01_0203))
                .ipv4(hostIP, IPv4Address("239.1.2.3")!, .udp, FrameBuilder.udp(7000, 7000, payload: data)),
            rx.ipv4(peerIP, hostIP, .icmp, Array(echoSummed[0..<1480]), id: 77, dontFragment: false, moreFragments: true),
            rx.ipv4(peerIP, hostIP, .icmp, Array(echoSummed[1480...]), id: 77, dontFragment: false, fragmentOffset: 1480),
            tx.ipv4(hostIP, peerIP, .icmp, Array(reply[0..<1480]), id: 78, dontFragment: false, moreFragments: true),
            tx.ipv4(hostIP, peerIP, .icmp, Array(reply[1480...]), id: 78, dontFragment: false, fragmentOffset: 1480),
            badIP,
            other.ipv4(peerIP, hostIP, .icmp, FrameBuilder.icmp(type: 8, rest: [0, 3, 0, 1])),
            rx.ipv4(peerIP, hostIP, IPProtocol(rawValue: 253), [1, 2, 3, 4]),
            rx.ipv4(peerIP, farIP, .udp, FrameBuilder.udp(40004, 33434, payload: data), ttl: 1),
            rx.ipv4(peerIP, farIP, .udp, FrameBuilder.udp(40004, 33435, payload: data)),
            // Forwarded to the 1280-byte link without DF: split on the way out.
            rx.ipv4(peerIP, farIP, .udp, FrameBuilder.udp(40009, 33436, payload: [UInt8](repeating: 0, count: 1400)),
                    dontFragment: false),
            rx.ethernet(.ipv6, [0x60] + [UInt8](repeating: 0, count: 39)),
            // ICMP messages to the host: an error, a redirect, a timestamp request, a timestamp reply.
            rx.ipv4(peerIP, hostIP, .icmp, FrameBuilder.icmp(type: 3, code: 1, data: Array(tx.ipv4(hostIP, peerIP, .udp, FrameBuilder.udp(7000, 9, payload: [])).dropFirst(14)))),
            rx.ipv4(peerIP, hostIP, .icmp, FrameBuilder.icmp(type: 3, code: 1, data: Array(tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40000, seq: 1, flags: .ack)).dropFirst(14)))),
            rx.ipv4(peerIP, hostIP, .icmp, FrameBuilder.icmp(type: 5, code: 1, rest: [10, 77, 0, 3], data: Array(tx.ipv4(hostIP, peerIP, .udp, FrameBuilder.udp(7000, 9, payload: [])).dropFirst(14)))),
            rx.ipv4(peerIP, hostIP, .icmp, FrameBuilder.icmp(type: 13, rest: [0, 1, 0, 1], data: [UInt8](repeating: 0, count: 12))),
            rx.ipv4(peerIP, hostIP, .icmp, FrameBuilder.icmp(type: 14, rest: [0, 1, 0, 1], data: [UInt8](repeating: 0, count: 12))),
            rx.ipv4(peerIP, hostIP, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoReply, rest: [0, 7, 0, 1])),
            // The firewall: a drop, a reject with a reset (and the reset leaving), a reject with ICMP.
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40040, 2222, seq: 1, flags: .syn)),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40041, 2223, seq: 1, flags: .syn)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(2223, 40041, seq: 0, ack: 2, flags: [.rst, .ack])),
            rx.ipv4(peerIP, hostIP, .udp, FrameBuilder.udp(40042, 7002, payload: data)),
            FrameBuilder(source: hostMAC, destination: .broadcast).ipv4(
                hostIP, IPv4Address("10.77.0.255")!, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoReply, rest: [0, 8, 0, 1])),
            // No route (forwarding on), and a header with options.
            rx.ipv4(peerIP, IPv4Address("192.0.2.99")!, .udp, FrameBuilder.udp(40006, 53, payload: data)),
            withOptions(rx.ipv4(peerIP, hostIP, .udp, FrameBuilder.udp(40007, 7000, payload: data))),
            // A third host asks for the host's address; the host resolves an address nobody answers for.
            FrameBuilder(source: MACAddress("02:00:00:00:0e:03")!, destination: .broadcast).arp(
                operation: ARPPacket.request, senderIP: IPv4Address("10.77.0.3")!, targetMAC: .zero, targetIP: hostIP),
            tx.arp(operation: ARPPacket.request, senderIP: hostIP, targetMAC: .zero, targetIP: IPv4Address("10.77.0.9")!),
            tx.arp(operation: ARPPacket.request, senderIP: hostIP, targetMAC: .zero, targetIP: IPv4Address("10.77.0.9")!),
            rx.ethernet(EtherType(rawValue: 0x88b5), [1, 2, 3]),
            // Longer than the MTU allows: veth drops it when it crosses to the host's end.
            rx.ipv4(peerIP, hostIP, .udp, FrameBuilder.udp(40008, 7000, payload: [UInt8](repeating: 0, count: 1600)),
                    dontFragment: false),
        ]
        list.append(rx.ipv4(peerIP, IPv4Address("10.77.0.255")!, .udp, FrameBuilder.udp(40005, 7000, payload: data)))
        // Offloads: a TSO packet the host sent and a GRO aggregate it received, both over the MTU.
        let bulk = [UInt8](repeating: 0x61, count: 3000)
        list.append(tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(8080, 40040, seq: 1, ack: 1, flags: [.ack, .psh], payload: bulk)))
        list.append(rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(40041, 8080, seq: 1, ack: 1, flags: [.ack, .psh], payload: bulk)))
        // Fragments: queue 80 falls too far behind (ipfrag_max_dist 2) while queue 81 takes three
        // fragments and is restarted; queue 82 holds a first fragment alone until the reassembly timer
        // (ipfrag_time 1) fires before the last frame, a minute later, as does the time-wait timer of the
        // connection the host closed (TCP_TIMEWAIT_LEN, 60 s).
        let first = Array(echoSummed[0..<1480])
        list.append(rx.ipv4(peerIP, hostIP, .icmp, first, id: 80, dontFragment: false, moreFragments: true))
        for _ in 0..<3 { list.append(rx.ipv4(peerIP, hostIP, .icmp, first, id: 81, dontFragment: false, moreFragments: true)) }
        list.append(rx.ipv4(peerIP, hostIP, .icmp, Array(echoSummed[1480...]), id: 80, dontFragment: false, fragmentOffset: 1480))
        list.append(rx.ipv4(peerIP, hostIP, .icmp, first, id: 82, dontFragment: false, moreFragments: true))
        let late = list.count
        list.append(rx.ipv4(peerIP, hostIP, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0, 1, 0, 9])))
        return list.enumerated().map { i, bytes in
            let t = 1_700_000_000_000_000_000 + Int64(i) * 1_000_000 + (i >= late ? 61_000_000_000 : 0)
            return CapturedFrame(index: i + 1, timestampNanoseconds: t, bytes: bytes)
        }
    }

    /// An Ethernet/IPv4 frame rebuilt with four bytes of IP options (three NOPs and an end of list).
    static func withOptions(_ frame: [UInt8]) -> [UInt8] {
        var ip = Array(frame[14..<34])
        ip[0] = 0x46
        let total = (Int(ip[2]) << 8 | Int(ip[3])) + 4
        ip[2] = UInt8(total >> 8)
        ip[3] = UInt8(total & 0xff)
        ip += [1, 1, 1, 0]
        Checksum.updateIPv4Header(&ip)
        return Array(frame[0..<14]) + ip + Array(frame[34...])
    }

    /// Replays the tour on each Ethernet driver, and its loopback part on `lo`, under kernel `version`
    /// and returns every trace.
    public static func traces(kernel version: String) throws -> [PacketTrace] {
        try run(kernel: version).traces
    }

    /// The tour's traces under kernel `version`, and the SNMP counters each function moved on it.
    public static func run(kernel version: String) throws -> (traces: [PacketTrace], counterSites: [String: Set<String>]) {
        var out: [PacketTrace] = []
        var sites: [String: Set<String>] = [:]
        let sessions = try HostProfile.ethernetDrivers.map { driver in
            try ReplaySession(frames: frames, captureName: "tour", host: host(driver: driver), kernelVersion: version)
        } + HostProfile.ethernetDrivers.map { driver in
            try ReplaySession(frames: vlanFrames, captureName: "tour", host: vlanHost(driver: driver), kernelVersion: version)
        } + HostProfile.ethernetDrivers.map { driver in
            try ReplaySession(frames: ipv6Frames, captureName: "tour", host: ipv6Host(driver: driver), kernelVersion: version)
        } + [try ReplaySession(frames: ipv6PingFrames, captureName: "tour", host: ipv6Host(driver: "veth", pingSockets: true),
                               kernelVersion: version),
             try ReplaySession(frames: routerAdvertisementFrames, captureName: "tour", host: ipv6Host(driver: "veth", router: false),
                               kernelVersion: version),
             try ReplaySession(frames: nftIPv6Frames, captureName: "tour", host: nftIPv6Host, kernelVersion: version),
             try ReplaySession(frames: loopbackFrames, captureName: "tour", host: loopbackHost, kernelVersion: version),
             try ReplaySession(frames: sackFrames, captureName: "tour", host: host(driver: "veth"), kernelVersion: version),
             try ReplaySession(frames: syncookieFrames, captureName: "tour", host: syncookieHost(syncookies: 1), kernelVersion: version),
             try ReplaySession(frames: syncookieFrames, captureName: "tour", host: syncookieHost(syncookies: 0), kernelVersion: version),
             try ReplaySession(frames: tunFrames, captureName: "tour", host: tunHost, kernelVersion: version),
             try ReplaySession(frames: bridgeFrames, captureName: "tour", host: bridgeHost, kernelVersion: version),
             try ReplaySession(frames: wifiFrames, captureName: "tour", host: wifiHost, kernelVersion: version),
             try ReplaySession(frames: wifiAggregationFrames, captureName: "tour", host: wifiHost, kernelVersion: version),
             try ReplaySession(frames: wifiCryptoFrames, captureName: "tour", host: wifiCryptoHost(cipher: "CCMP"), kernelVersion: version)]
            + ["TKIP", "GCMP"].map { cipher in
                try ReplaySession(frames: wifiOtherCipherFrames, captureName: "tour", host: wifiCryptoHost(cipher: cipher),
                                  kernelVersion: version)
            }
            + [try ReplaySession(frames: wifiWEPFrames, captureName: "tour", host: wifiCryptoHost(cipher: "WEP104"),
                                 kernelVersion: version),
               try ReplaySession(frames: wifiPMFFrames, captureName: "tour", host: wifiCryptoHost(cipher: "CCMP", pmf: true),
                                 kernelVersion: version),
               try ReplaySession(frames: wifiPMFFrames, captureName: "tour",
                                 host: wifiCryptoHost(cipher: "CCMP", pmf: true, authorized: false), kernelVersion: version)]
        for session in sessions {
            session.kernel.recordsCounterSites = true
            _ = try session.run { out.append($0) }
            sites.merge(session.kernel.counterSites) { $0.union($1) }
        }
        return (out, sites)
    }

    /// The access point of the Wi-Fi part of the tour (also its BSSID).
    static let apMAC = MACAddress("02:00:00:00:0a:00")!

    /// A Wi-Fi station associated with an open access point, for the 802.11 part of the tour.
    public static var wifiHost: HostProfile {
        let json = """
            { "interfaces": [ { "name": "wlan0", "driver": "iwlwifi", "mac": "\(hostMAC)", "addresses": ["\(hostIP)/24"],
                                "captured": true, "wifi": { "bssid": "\(apMAC)" } } ] }
            """
        // The text above is fixed and valid: parsing cannot fail.
        return (try? HostProfile.parse(Data(json.utf8))) ?? HostProfile(kernel: nil, interfaces: [])
    }

    /// 802.11 frames with radiotap headers as a monitor interface beside the station sees them: data
    /// from the AP (fast RX), the same with a bad FCS, data for another station, a beacon, data of
    /// another BSS, an ACK; then a broadcast ARP request (the RX handlers), a retransmission of the first
    /// frame (a duplicate), a probe response, an EAPOL frame, a deauthentication, data after it, the
    /// station authenticating and associating again (its requests are frames it sends), a block-ack
    /// request and a disassociation; then it joins again, now a BSS with privacy, and sends what a
    /// station sends: messages 2 and 4 of the 4-way handshake (the slow path, the port still closed),
    /// an echo reply (fast xmit), a null data frame and a deauthentication.
    public static var wifiFrames: [CapturedFrame] {
        let other = MACAddress("02:00:00:00:0f:00")!, stranger = MACAddress("02:00:00:00:0b:00")!
        func mac(_ m: MACAddress) -> [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: m.rawValue >> UInt64(40 - 8 * $0)) } }
        func radiotap(badFCS: Bool) -> [UInt8] { [0, 0, 9, 0, 0x02, 0, 0, 0, badFCS ? 0x40 : 0] }
        // A QoS data frame FromDS (flags 0x02, 0x0a with Retry): receiver, transmitter (BSSID), source (or
        // ToDS, flags 0x01: the AP, the station, the destination);
        // then RFC 1042 with the EtherType, and the payload.
        func data(to receiver: MACAddress, from transmitter: MACAddress, flags: UInt8 = 0x02, seq: UInt8 = 0x10,
                  third: MACAddress = peerMAC, type: [UInt8] = [0x08, 0x00], _ payload: [UInt8]) -> [UInt8] {
            [0x88, flags, 0, 0] + mac(receiver) + mac(transmitter) + mac(third) + [seq, 0x00, 0x00, 0x00]
                + LLCSNAP.rfc1042 + type + payload
        }
        // A management frame of `subtype` in the AP's BSS, with its sequence number's low bits.
        func management(_ subtype: UInt8, to receiver: MACAddress, from transmitter: MACAddress, seq: UInt8,
                        _ body: [UInt8]) -> [UInt8] {
            [subtype << 4, 0, 0, 0] + mac(receiver) + mac(transmitter) + mac(apMAC) + [seq << 4, 0x00] + body
        }
        let ping = Array(FrameBuilder(source: peerMAC, destination: hostMAC).ipv4(
            peerIP, hostIP, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0, 3, 0, 1])).dropFirst(14))
        let arp = Array(FrameBuilder(source: peerMAC, destination: .broadcast).arp(
            operation: ARPPacket.request, senderIP: peerIP, targetMAC: .zero, targetIP: hostIP).dropFirst(14))
        // EAPOL-Key message 1 (version 2, type 3, 95 bytes: RSN descriptor, key info Ack + pairwise).
        let eapol: [UInt8] = [0x02, 0x03, 0x00, 0x5f, 0x02, 0x00, 0x8a] + [UInt8](repeating: 0, count: 92)
        // The station's EAPOL-Key messages 2 (its nonce) and 4 (no nonce): MIC set, Ack clear.
        func handshake(nonce: UInt8) -> [UInt8] {
            [0x01, 0x03, 0x00, 0x5f, 0x02, 0x01, 0x0a, 0x00, 0x10] + [UInt8](repeating: 0, count: 8)
                + [UInt8](repeating: nonce, count: 32) + [UInt8](repeating: 0, count: 50)
        }
        let reply = Array(FrameBuilder(source: hostMAC, destination: peerMAC).ipv4(
            hostIP, peerIP, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoReply, rest: [0, 3, 0, 1])).dropFirst(14))
        let ssid: [UInt8] = [0, 4] + Array("tour".utf8)
        let beacon: [UInt8] = [0x80, 0, 0, 0] + mac(.broadcast) + mac(apMAC) + mac(apMAC) + [0x20, 0x00]
            + [UInt8](repeating: 0, count: 12)
        let list: [[UInt8]] = [
            data(to: hostMAC, from: apMAC, ping),
            data(to: hostMAC, from: apMAC, ping),
            data(to: other, from: apMAC, ping),
            beacon,
            data(to: other, from: stranger, ping),
            [0xd4, 0, 0, 0] + mac(apMAC),
            data(to: .broadcast, from: apMAC, seq: 0x20, type: [0x08, 0x06], arp),
            data(to: hostMAC, from: apMAC, flags: 0x0a, ping),
            management(5, to: hostMAC, from: apMAC, seq: 3, [UInt8](repeating: 0, count: 10) + [0x01, 0x00] + ssid),
            data(to: hostMAC, from: apMAC, seq: 0x30, type: [0x88, 0x8e], eapol),
            management(12, to: hostMAC, from: apMAC, seq: 4, [0x03, 0x00]),
            data(to: hostMAC, from: apMAC, seq: 0x40, ping),
            management(11, to: apMAC, from: hostMAC, seq: 1, [0, 0, 1, 0, 0, 0]),
            management(11, to: hostMAC, from: apMAC, seq: 5, [0, 0, 2, 0, 0, 0]),
            management(0, to: apMAC, from: hostMAC, seq: 2, [0x01, 0x00, 0x0a, 0x00] + ssid),
            management(1, to: hostMAC, from: apMAC, seq: 6, [0x01, 0x00, 0x00, 0x00, 0x01, 0xc0]),
            [0x84, 0, 0, 0] + mac(hostMAC) + mac(apMAC) + [0x04, 0x00, 0x00, 0x01],
            management(10, to: hostMAC, from: apMAC, seq: 7, [0x08, 0x00]),
            management(11, to: apMAC, from: hostMAC, seq: 3, [0, 0, 1, 0, 0, 0]),
            management(11, to: hostMAC, from: apMAC, seq: 8, [0, 0, 2, 0, 0, 0]),
            management(0, to: apMAC, from: hostMAC, seq: 4, [0x11, 0x00, 0x0a, 0x00] + ssid),
            management(1, to: hostMAC, from: apMAC, seq: 9, [0x11, 0x00, 0x00, 0x00, 0x01, 0xc0]),
            data(to: apMAC, from: hostMAC, flags: 0x01, seq: 0x50, third: apMAC, type: [0x88, 0x8e], handshake(nonce: 0x11)),
            data(to: apMAC, from: hostMAC, flags: 0x01, seq: 0x60, third: apMAC, type: [0x88, 0x8e], handshake(nonce: 0)),
            data(to: apMAC, from: hostMAC, flags: 0x01, seq: 0x70, reply),
            [0x48, 0x11, 0, 0] + mac(apMAC) + mac(hostMAC) + mac(apMAC) + [0x80, 0x00],
            management(12, to: apMAC, from: hostMAC, seq: 5, [0x03, 0x00]),
        ]
        return list.enumerated().map { i, frame in
            CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000,
                          bytes: radiotap(badFCS: i == 1) + frame, linkType: .DLT_IEEE802_11_RADIO)
        }
    }

    /// Aggregation and action frames between the Wi-Fi station and its AP, as a monitor interface on
    /// 5 GHz sees them: an A-MSDU of two echo requests (the device splits it), a block-ack request
    /// without a session, the AP's ADDBA request and the station's response, an echo request at the
    /// reorder buffer's head and one out of order, a block-ack request within the session (the device's
    /// window moves: the held frame is released), a frame past a gap and the one that fills it (both go
    /// on), a frame held twice (the copy dropped) whose wait ends 200 ms later, an old frame (dropped), a
    /// frame held when the AP's DELBA ends the session (the RX queue then releases it), a malformed ADDBA request and its return to the AP, an SA
    /// Query request and its response, a spectrum measurement request and its refusal, the station's
    /// ADDBA request and the AP's response, the station's DELBA, an HT channel width notification,
    /// a returned frame, and an action frame from a stranger.
    public static var wifiAggregationFrames: [CapturedFrame] {
        let stranger = MACAddress("02:00:00:00:0b:00")!
        let mac = FrameBuilder.mac
        // Radiotap with the channel field: 5180 MHz, OFDM.
        let radiotap: [UInt8] = [0, 0, 12, 0, 0x08, 0, 0, 0, 0x3c, 0x14, 0x40, 0x01]
        func action(to receiver: MACAddress, from transmitter: MACAddress, seq: UInt8, _ body: [UInt8]) -> [UInt8] {
            [0xd0, 0, 0, 0] + mac(receiver) + mac(transmitter) + mac(apMAC) + [seq << 4, 0x00] + body
        }
        func fromAP(_ seq: UInt8, _ body: [UInt8]) -> [UInt8] { action(to: hostMAC, from: apMAC, seq: seq, body) }
        func fromHost(_ seq: UInt8, _ body: [UInt8]) -> [UInt8] { action(to: apMAC, from: hostMAC, seq: seq, body) }
        // ADDBA request: dialog token, immediate policy, TID, 64 frames, no timeout, starting sequence 16.
        func addba(_ token: UInt8, tid: UInt8) -> [UInt8] { [3, 0, token, 0x02 | tid << 2, 0x10, 0, 0, 0, 0x01] }
        func blockAckRequest(tid: UInt8) -> [UInt8] { [0x84, 0, 0, 0] + mac(hostMAC) + mac(apMAC) + [0x04, tid << 4, 0x00, 0x02] }
        let ping = Array(FrameBuilder(source: peerMAC, destination: hostMAC).ipv4(
            peerIP, hostIP, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0, 4, 0, 1])).dropFirst(14))
        let msdu = LLCSNAP.rfc1042 + [0x08, 0x00] + ping
        let subframe = mac(hostMAC) + mac(peerMAC) + [UInt8(msdu.count >> 8), UInt8(msdu.count & 0xff)] + msdu
        let padding = [UInt8](repeating: 0, count: (4 - subframe.count % 4) % 4)
        let amsdu = [0x88, 0x02, 0, 0] + mac(hostMAC) + mac(apMAC) + mac(peerMAC) + [0x10, 0x01, 0x80, 0x00]
            + subframe + padding + subframe
        // QoS data on TID 0 from the AP, with sequence number `seq`.
        func data(seq: UInt16) -> [UInt8] {
            [0x88, 0x02, 0, 0] + mac(hostMAC) + mac(apMAC) + mac(peerMAC) + [UInt8(seq << 4 & 0xff), UInt8(seq >> 4), 0, 0] + msdu
        }
        let list: [[UInt8]] = [
            amsdu,
            blockAckRequest(tid: 0),
            fromAP(2, addba(7, tid: 0)),
            fromHost(1, [3, 1, 7, 0, 0, 0x02, 0x10, 0, 0]),
            data(seq: 16),
            data(seq: 20),
            blockAckRequest(tid: 0),
            data(seq: 33),
            data(seq: 32),
            data(seq: 36),
            data(seq: 36),
            data(seq: 16),
            data(seq: 38),
            fromAP(3, [3, 2, 0x00, 0x08, 1, 0]),
            fromAP(4, [3, 0, 8]),
            fromHost(2, [0x83, 0, 8]),
            fromAP(5, [8, 0, 0x12, 0x34]),
            fromHost(3, [8, 1, 0x12, 0x34]),
            fromAP(6, [0, 0, 1, 38, 3, 1, 0, 0]),
            fromHost(4, [0, 1, 1, 39, 3, 1, 0x04, 0]),
            fromHost(5, addba(2, tid: 6)),
            fromAP(7, [3, 1, 2, 0, 0, 0x1a, 0x10, 0, 0]),
            fromHost(6, [3, 2, 0x00, 0x60, 37, 0]),
            fromAP(8, [7, 1, 0]),
            fromAP(9, [0x84, 0, 1]),
            action(to: hostMAC, from: stranger, seq: 1, addba(9, tid: 1)),
        ]
        // The old frame comes 200 ms after the repeated one: the held frame's wait ends between them.
        let pause = list.firstIndex(of: data(seq: 36)).map { $0 + 2 } ?? list.count
        return list.enumerated().map { i, frame in
            CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_100_000_000_000 + Int64(i) * 1_000_000
                + (i >= pause ? 200_000_000 : 0), bytes: radiotap + frame, linkType: .DLT_IEEE802_11_RADIO)
        }
    }

    /// A host with a VLAN sub-interface (`dut0.10`) on `driver` and the bridge module loaded.
    static func vlanHost(driver: String) -> HostProfile {
        let json = """
            { "interfaces": [
                { "name": "dut0", "driver": "\(driver)", "mac": "\(hostMAC)", "addresses": [], "captured": true },
                { "name": "dut0.10", "vlan": { "parent": "dut0", "id": 10 }, "addresses": ["10.79.0.1/24"] } ],
              "neighbours": [ { "ip": "10.79.0.2", "mac": "\(peerMAC)", "dev": "dut0.10", "state": "permanent" } ],
              "modules": ["bridge"] }
            """
        // The text above is fixed and valid: parsing cannot fail.
        return (try? HostProfile.parse(Data(json.utf8))) ?? HostProfile(kernel: nil, interfaces: [])
    }

    /// An echo request on VLAN 10 and its tagged reply, then a spanning-tree BPDU (802.3, LLC 42 42 03).
    static var vlanFrames: [CapturedFrame] {
        let peer = IPv4Address("10.79.0.2")!
        let host = IPv4Address("10.79.0.1")!
        /// `frame` with an 802.1Q tag for VLAN 10 after its addresses.
        func tagged(_ frame: [UInt8]) -> [UInt8] { Array(frame[0..<12]) + [0x81, 0x00, 0x00, 0x0a] + Array(frame[12...]) }
        let bpdu = [0x42, 0x42, 0x03] + [UInt8](repeating: 0, count: 35)
        let list = [
            tagged(FrameBuilder(source: peerMAC, destination: hostMAC)
                .ipv4(peer, host, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0, 7, 0, 1]))),
            tagged(FrameBuilder(source: hostMAC, destination: peerMAC)
                .ipv4(host, peer, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoReply, rest: [0, 7, 0, 1]))),
            FrameBuilder(source: peerMAC, destination: MACAddress("01:80:c2:00:00:00")!)
                .ethernet(EtherType(rawValue: UInt16(bpdu.count)), bpdu),
        ]
        return list.enumerated().map { i, bytes in
            CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000, bytes: bytes)
        }
    }

    /// A host whose address is on bridge `br0` with two veth ports, captured on the bridge alone.
    static var bridgeHost: HostProfile {
        let json = """
            { "interfaces": [
                { "name": "br0", "driver": "bridge", "mac": "\(hostMAC)", "addresses": ["10.80.0.1/24"], "captured": true },
                { "name": "port0", "driver": "veth", "mac": "02:00:00:00:0b:10", "addresses": [], "master": "br0" },
                { "name": "port1", "driver": "veth", "mac": "02:00:00:00:0b:11", "addresses": [], "master": "br0" } ] }
            """
        // The text above is fixed and valid: parsing cannot fail.
        return (try? HostProfile.parse(Data(json.utf8))) ?? HostProfile(kernel: nil, interfaces: [])
    }

    /// Through the bridge: a broadcast ARP request for the host (flooded and passed up) and the
    /// host's reply (forwarded out of the port the asker was learned behind); an echo request from a
    /// second peer to the first (unknown unicast, flooded; the bridge is promiscuous, so it also goes
    /// up and is dropped there as another host's); the first peer's reply (forwarded to the port the
    /// second was learned behind).
    static var bridgeFrames: [CapturedFrame] {
        let host = IPv4Address("10.80.0.1")!, a = IPv4Address("10.80.0.2")!, b = IPv4Address("10.80.0.3")!
        let macA = MACAddress("02:00:00:00:0b:01")!, macB = MACAddress("02:00:00:00:0b:02")!
        let list = [
            FrameBuilder(source: macA, destination: .broadcast)
                .arp(operation: 1, senderIP: a, targetMAC: .zero, targetIP: host),
            FrameBuilder(source: hostMAC, destination: macA)
                .arp(operation: 2, senderIP: host, targetMAC: macA, targetIP: a),
            FrameBuilder(source: macB, destination: macA)
                .ipv4(b, a, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0, 3, 0, 1])),
            FrameBuilder(source: macA, destination: macB)
                .ipv4(a, b, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoReply, rest: [0, 3, 0, 1])),
        ]
        return list.enumerated().map { i, bytes in
            CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000, bytes: bytes)
        }
    }

    /// A host with IPv6 on `driver`: a global and a link-local address, a UDP socket on `[::]:7000`, a
    /// TCP listener on `[::]:8080`, and a second link it forwards to (`fd00:88::/64`); reassembly gives
    /// up after a second; route information up to /64 is taken. With `pingSockets` its echo requests
    /// leave from ping sockets; with `router` false it does not forward (and takes router advertisements).
    static func ipv6Host(driver: String, pingSockets: Bool = false, router: Bool = true) -> HostProfile {
        let json = """
            { "interfaces": [ { "name": "dut0", "driver": "\(driver)", "mac": "\(hostMAC)",
                                "addresses": ["fd00:77::1/64", "fe80::ff:fe00:d00/64"], "captured": true },
                              { "name": "dut1", "driver": "\(driver)", "mac": "02:00:00:00:0d:01", "mtu": 1280,
                                "addresses": ["fd00:88::1/64"] } ],
              "sockets": [ { "proto": "udp", "addr": "::", "port": 7000 }, { "proto": "tcp", "addr": "::", "port": 8080 } ],
              "sysctl": { "net.ipv6.conf.all.forwarding": \(router ? 1 : 0), "net.ipv6.ip6frag_time": 1,
                          "net.ipv6.conf.default.accept_ra_rt_info_max_plen": 64\(pingSockets ? ", \"net.ipv4.ping_group_range\": \"0 2147483647\"" : "") } }
            """
        // The text above is fixed and valid: parsing cannot fail.
        return (try? HostProfile.parse(Data(json.utf8))) ?? HostProfile(kernel: nil, interfaces: [])
    }

    /// An IPv6 host with nftables rules in tables of each family: an `inet` table's input chain (a
    /// reset for TCP to 2222, a drop of UDP from the peer to 7002, an `ip saddr` rule no IPv6 packet
    /// matches) and output chain (accepting what goes to the peer), an `ip6` table's input chain (an
    /// ICMPv6 administratively prohibited for UDP to 7001), an `ip` table's input chain (an ICMP
    /// administratively prohibited for IPv4 UDP to 7004).
    static var nftIPv6Host: HostProfile {
        let json = """
            { "interfaces": [ { "name": "dut0", "driver": "veth", "mac": "\(hostMAC)",
                                "addresses": ["fd00:77::1/64", "fe80::ff:fe00:d00/64", "\(hostIP)/24"], "captured": true } ],
              "neighbours": [ { "ip": "fd00:77::2", "mac": "\(peerMAC)", "dev": "dut0", "state": "permanent" },
                              { "ip": "\(peerIP)", "mac": "\(peerMAC)", "dev": "dut0", "state": "permanent" } ],
              "netfilter": [ { "hook": "input", "saddr": "192.0.2.0/24", "proto": "udp", "verdict": "drop" },
                             { "hook": "input", "proto": "tcp", "dport": 2222, "verdict": "reject", "with": "tcp reset" },
                             { "hook": "input", "saddr": "fd00:77::2", "proto": "udp", "dport": 7002, "verdict": "drop" },
                             { "hook": "output", "daddr": "fd00:77::2/128", "verdict": "accept" },
                             { "family": "ip6", "hook": "input", "proto": "udp", "dport": 7001, "verdict": "reject",
                               "with": "icmpv6 admin-prohibited" },
                             { "family": "ip", "hook": "input", "proto": "udp", "dport": 7004, "verdict": "reject",
                               "with": "icmp admin-prohibited" } ] }
            """
        // The text above is fixed and valid: parsing cannot fail.
        return (try? HostProfile.parse(Data(json.utf8))) ?? HostProfile(kernel: nil, interfaces: [])
    }

    /// IPv6 (and one IPv4 datagram) meeting the rules of `nftIPv6Host`: a SYN to 2222 and the reset
    /// the reject sends (through the output chain), a datagram to 7001 behind a destination options
    /// header and the ICMPv6 error the `ip6` table's reject sends, a datagram to 7002 dropped, a later
    /// fragment (no ports: it passes), an IPv4 datagram to 7004 and the ICMP error the `ip` table's
    /// reject sends.
    static var nftIPv6Frames: [CapturedFrame] {
        let host = IPv6Address("fd00:77::1")!, peer = IPv6Address("fd00:77::2")!
        let rx = FrameBuilder(source: peerMAC, destination: hostMAC)
        let tx = FrameBuilder(source: hostMAC, destination: peerMAC)
        let data = Array("pktpath-nft".utf8)
        let toPrivate = rx.ipv6(peer, host, .udp, FrameBuilder.udp(40001, 7001, payload: data),
                                next: .dstopts, headers: [IPProtocol.udp.rawValue, 0, 1, 4, 0, 0, 0, 0])
        let ipv4 = rx.ipv4(peerIP, hostIP, .udp, FrameBuilder.udp(40004, 7004, payload: data))
        let list: [[UInt8]] = [
            rx.ipv6(peer, host, .tcp, FrameBuilder.tcp(40000, 2222, seq: 1, flags: .syn)),
            tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(2222, 40000, seq: 0, ack: 2, flags: [.rst, .ack])),
            toPrivate,
            tx.ipv6(host, peer, .icmpv6, FrameBuilder.icmp(type: 1, code: 1, data: Array(toPrivate.dropFirst(14)))),
            rx.ipv6(peer, host, .udp, FrameBuilder.udp(40002, 7002, payload: data)),
            rx.ipv6(peer, host, .udp, Array(FrameBuilder.udp(40003, 7002, payload: data).suffix(8)),
                    next: .ipv6Fragment, headers: [IPProtocol.udp.rawValue, 0, 0, 8, 0, 0, 0, 9]),
            ipv4,
            tx.ipv4(hostIP, peerIP, .icmp, FrameBuilder.icmp(type: 3, code: 13, data: Array(ipv4.dropFirst(14).prefix(28)))),
        ]
        return list.enumerated().map { i, bytes in
            CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000, bytes: bytes)
        }
    }

    /// IPv6 to the host: an echo request, datagrams to an open and a closed port, a SYN to a closed
    /// port (with the answers leaving), echo requests to joined groups, an MLD report to a group it has not joined, the
    /// extension headers and header errors the receive path checks, a TCP connection to the listener
    /// (handshake, data, a destination unreachable about it, the host's close into TIME_WAIT and a FIN
    /// repeated there), one the host opens that an address unreachable ends, a request socket a
    /// prohibited removes, a datagram the host sends, fragments (a pair, an atomic one, a lone first one that times out, and the
    /// host's own reply in two), packets it forwards, neighbour discovery and MLD, a GRO aggregate, and a
    /// packet forwarded back out its link with the redirect the host sends about it.
    static var ipv6Frames: [CapturedFrame] {
        let host = IPv6Address("fd00:77::1")!, peer = IPv6Address("fd00:77::2")!
        let rx = FrameBuilder(source: peerMAC, destination: hostMAC)
        /// Frames to the Ethernet multicast address of `group` (RFC 2464 §7).
        func multicast(_ group: IPv6Address) -> FrameBuilder {
            let low = UInt64(group.low & 0xffff_ffff)
            return FrameBuilder(source: peerMAC, destination: MACAddress(rawValue: 0x3333_0000_0000 | low))
        }
        let echo = FrameBuilder.icmp(type: 128, rest: [0, 1, 0, 1], data: [UInt8](repeating: 0x61, count: 16))
        let data = Array("hello".utf8)
        /// An options header (hop-by-hop or destination) holding `option`, padded to 8 bytes.
        func options(_ next: IPProtocol, _ option: [UInt8]) -> [UInt8] {
            let body = [next.rawValue, 0] + option
            return body + (body.count < 8 ? [1, UInt8(6 - body.count)] + [UInt8](repeating: 0, count: 6 - body.count) : [])
        }
        let routing0 = [IPProtocol.icmpv6.rawValue, 2, 0, 1, 0, 0, 0, 0] + IPv6Address("fd00:77::3")!.bytes
        var badSum = rx.ipv6(peer, host, .icmpv6, echo)
        badSum[14 + 40 + 2] ^= 0xff
        var truncated = rx.ipv6(peer, host, .icmpv6, echo)
        truncated[14 + 5] = 200
        var version4 = rx.ipv6(peer, host, .icmpv6, echo)
        version4[14] = 0x40
        let tx = FrameBuilder(source: hostMAC, destination: peerMAC)
        let closedUDP = rx.ipv6(peer, host, .udp, FrameBuilder.udp(40000, 7001, payload: data))
        /// A destination unreachable with `code` from the peer, quoting the host's `frame`.
        func unreachable(_ code: UInt8, _ frame: [UInt8]) -> [UInt8] {
            rx.ipv6(peer, host, .icmpv6, FrameBuilder.icmp(type: 1, code: code, data: Array(frame.dropFirst(14))))
        }
        let list = [
            rx.ipv6(peer, host, .icmpv6, echo),
            tx.ipv6(host, peer, .icmpv6, FrameBuilder.icmp(type: 129, rest: [0, 1, 0, 1], data: [UInt8](repeating: 0x61, count: 16))),
            rx.ipv6(peer, host, .udp, FrameBuilder.udp(40000, 7000, payload: data)),
            closedUDP,
            tx.ipv6(host, peer, .icmpv6, FrameBuilder.icmp(type: 1, code: 4, data: Array(closedUDP.dropFirst(14)))),
            rx.ipv6(peer, host, .tcp, FrameBuilder.tcp(40001, 81, seq: 1, flags: .syn)),
            tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(81, 40001, seq: 0, ack: 2, flags: [.rst, .ack])),
            multicast(.allNodes).ipv6(peer, .allNodes, .icmpv6, echo),
            multicast(host.solicitedNode).ipv6(peer, host.solicitedNode, .icmpv6, echo),
            multicast(IPv6Address("ff02::16")!).ipv6(peer, IPv6Address("ff02::16")!, .icmpv6,
                FrameBuilder.icmp(type: 143, rest: [0, 0, 0, 0]), next: .hopopts, headers: options(.icmpv6, [5, 2, 0, 0])),
            rx.ipv6(peer, host, .icmpv6, echo, next: .hopopts, headers: options(.icmpv6, [0x87, 2, 0, 0])),
            rx.ipv6(peer, host, .icmpv6, echo, next: .hopopts, headers: options(.icmpv6, [0x1e, 2, 0, 0])),
            rx.ipv6(peer, host, .icmpv6, echo, next: .dstopts, headers: options(.icmpv6, [0x1e, 2, 0, 0])),
            rx.ipv6(peer, host, .icmpv6, echo, next: .routing, headers: routing0),
            rx.ipv6(peer, host, .icmpv6, echo, next: .routing, headers: [routing0[0], 2, 0, 0] + routing0[4...]),
            rx.ipv6(peer, host, IPProtocol(rawValue: 253), [0, 0, 0, 0, 0, 0, 0, 0]),
            rx.ipv6(.loopback, host, .icmpv6, echo),
            rx.ipv6(peer, IPv6Address("fd00:99::1")!, .icmpv6, echo),
            badSum, truncated, version4,
            // A jumbo option at a wrong offset, an error quoting the host's datagram, a datagram to a group.
            rx.ipv6(peer, host, .icmpv6, echo, next: .hopopts, headers: options(.icmpv6, [0xc2, 4, 0, 1, 0, 0])),
            rx.ipv6(peer, host, .icmpv6, FrameBuilder.icmp(type: 1, code: 4, data: Array(
                tx.ipv6(host, peer, .udp, FrameBuilder.udp(7000, 9, payload: data)).dropFirst(14)))),
            multicast(.allNodes).ipv6(peer, .allNodes, .udp, FrameBuilder.udp(40002, 7000, payload: data)),
            rx.ipv6(peer, host, .tcp, FrameBuilder.tcp(40010, 8080, seq: 100, flags: .syn)),
            tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(8080, 40010, seq: 500, ack: 101, flags: [.syn, .ack])),
            rx.ipv6(peer, host, .tcp, FrameBuilder.tcp(40010, 8080, seq: 101, ack: 501, flags: .ack)),
            rx.ipv6(peer, host, .tcp, FrameBuilder.tcp(40010, 8080, seq: 101, ack: 501, flags: [.ack, .psh], payload: data)),
            tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(8080, 40010, seq: 501, ack: 119, flags: .ack)),
            unreachable(0, tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(8080, 40010, seq: 501, ack: 119, flags: .ack))),
            tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(8080, 40010, seq: 501, ack: 119, flags: [.fin, .ack])),
            rx.ipv6(peer, host, .tcp, FrameBuilder.tcp(40010, 8080, seq: 119, ack: 502, flags: [.fin, .ack])),
            tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(8080, 40010, seq: 502, ack: 120, flags: .ack)),
            rx.ipv6(peer, host, .tcp, FrameBuilder.tcp(40010, 8080, seq: 119, ack: 502, flags: [.fin, .ack])),
            tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(8080, 40010, seq: 502, ack: 120, flags: .ack)),
            tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(40011, 443, seq: 900, flags: .syn)),
            unreachable(3, tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(40011, 443, seq: 900, flags: .syn))),
            rx.ipv6(peer, host, .tcp, FrameBuilder.tcp(40012, 8080, seq: 300, flags: .syn)),
            tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(8080, 40012, seq: 700, ack: 301, flags: [.syn, .ack])),
            unreachable(1, tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(8080, 40012, seq: 700, ack: 301, flags: [.syn, .ack]))),
            tx.ipv6(host, peer, .udp, FrameBuilder.udp(7000, 40000, payload: data)),
        ] + pathMTU(rx: rx, tx: tx, host: host, peer: peer) + fragments(rx: rx, tx: tx, host: host, peer: peer, echo: echo)
                        + neighbourDiscovery(rx: rx, tx: tx, host: host, peer: peer) + mld(host: host, headers: options(.icmpv6, [5, 2, 0, 0]))
            // A GRO aggregate over the MTU (merged on the drivers with GRO).
            + [rx.ipv6(peer, host, .tcp, FrameBuilder.tcp(40041, 8080, seq: 1, ack: 1, flags: [.ack, .psh],
                                                          payload: [UInt8](repeating: 0x61, count: 3000)))]
            + sentRedirect(rx: rx, tx: tx, peer: peer, echo: echo)
        // A last echo request two seconds on: the lone first fragment's queue has expired by then.
        return (list + [rx.ipv6(peer, host, .icmpv6, echo)]).enumerated().map { i, bytes in
            let t = 1_700_000_000_000_000_000 + Int64(i) * 1_000_000 + (i == list.count ? 2_000_000_000 : 0)
            return CapturedFrame(index: i + 1, timestampNanoseconds: t, bytes: bytes)
        }
    }

    /// A packet the host forwards back out the link it came from (to a neighbour of the sender, fd00:77::3),
    /// and the redirect the host sends the sender (RFC 4861 §8.2: from its link-local address, hop limit 255,
    /// quoting the packet).
    static func sentRedirect(rx: FrameBuilder, tx: FrameBuilder, peer: IPv6Address, echo: [UInt8]) -> [[UInt8]] {
        let neighbour = IPv6Address("fd00:77::3")!
        let packet = rx.ipv6(peer, neighbour, .icmpv6, echo)
        let quoted = Array(packet.dropFirst(14))
        let header = [UInt8(4), UInt8((quoted.count + 8 + 7) / 8), 0, 0, 0, 0, 0, 0] + quoted
        let redirect = FrameBuilder.icmp(type: 137, data: neighbour.bytes + neighbour.bytes
            + header + [UInt8](repeating: 0, count: (8 - header.count % 8) % 8))
        return [packet, tx.ipv6(IPv6Address("fe80::ff:fe00:d00")!, peer, .icmpv6, redirect, hopLimit: 255)]
    }

    /// The tour's neighbour discovery (RFC 4861, hop limit 255): the peer's solicitation answered by an
    /// advertisement, the host's probe of the entry it made and the peer's answer, a router solicitation
    /// (the host forwards: it learns the sender), a router advertisement and a redirect.
    static func neighbourDiscovery(rx: FrameBuilder, tx: FrameBuilder, host: IPv6Address, peer: IPv6Address) -> [[UInt8]] {
        let hostLL = IPv6Address("fe80::ff:fe00:d00")!, peerLL = IPv6Address("fe80::ff:fe00:e00")!
        let allRouters = IPv6Address("ff02::2")!
        let mac = { (m: MACAddress) in (0..<6).map { UInt8(truncatingIfNeeded: m.rawValue >> (40 - 8 * $0)) } }
        /// A link-layer address option of `type` (1 source, 2 target).
        let lladdr = { (type: UInt8, m: MACAddress) in [type, 1] + mac(m) }
        let nd = { (b: FrameBuilder, src: IPv6Address, dst: IPv6Address, type: UInt8, rest: [UInt8], data: [UInt8]) in
            b.ipv6(src, dst, .icmpv6, FrameBuilder.icmp(type: type, rest: rest, data: data), hopLimit: 255)
        }
        let solicitedGroup = FrameBuilder(source: peerMAC, destination: MACAddress(rawValue: 0x3333_ff00_0000 | host.low & 0xff_ffff))
        let allNodes = FrameBuilder(source: peerMAC, destination: MACAddress(rawValue: 0x3333_0000_0001))
        let routers = FrameBuilder(source: peerMAC, destination: MACAddress(rawValue: 0x3333_0000_0002))
        return [
            nd(solicitedGroup, peer, host.solicitedNode, 135, [0, 0, 0, 0], host.bytes + lladdr(1, peerMAC)),
            nd(tx, host, peer, 136, [0x60, 0, 0, 0], host.bytes + lladdr(2, hostMAC)),
            nd(tx, host, peer, 135, [0, 0, 0, 0], peer.bytes + lladdr(1, hostMAC)),
            nd(rx, peer, host, 136, [0x60, 0, 0, 0], peer.bytes + lladdr(2, peerMAC)),
            nd(routers, peerLL, allRouters, 133, [0, 0, 0, 0], lladdr(1, peerMAC)),
            nd(allNodes, peerLL, .allNodes, 134, [64, 0, 0x07, 0x08], [UInt8](repeating: 0, count: 8) + lladdr(1, peerMAC)),
            nd(rx, peerLL, hostLL, 137, [0, 0, 0, 0], peerLL.bytes + IPv6Address("fd00:99::1")!.bytes),
        ]
    }

    /// MLD (RFC 3810, RFC 2710; hop limit 1, `headers` the hop-by-hop Router Alert): the host's link-local
    /// address in DAD (its probe, a report from `::`), the reports once it passed; a general MLDv2 query
    /// and the host's report of all groups; a general MLDv1 query (MLDv1 mode, a report timer for each
    /// group), another listener's MLDv1 report of the host's solicited-node group (the host's report is
    /// then not sent) and the host's MLDv1 report of its link-local address's group. Then DAD of the
    /// link-local address again: the peer's solicitation for it (not answered while tentative), its own
    /// probe for it (the host's DAD fails) and its advertisement of it.
    static func mld(host: IPv6Address, headers: [UInt8]) -> [[UInt8]] {
        let peerLL = IPv6Address("fe80::ff:fe00:e00")!, hostLL = IPv6Address("fe80::ff:fe00:d00")!, group = host.solicitedNode
        let llGroup = hostLL.solicitedNode, mld2Routers = IPv6Address("ff02::16")!
        let to = { (source: MACAddress, group: IPv6Address) in
            FrameBuilder(source: source, destination: MACAddress(rawValue: 0x3333_0000_0000 | UInt64(group.low & 0xffff_ffff)))
        }
        let query = { (data: [UInt8]) in
            to(peerMAC, .allNodes).ipv6(peerLL, .allNodes, .icmpv6, FrameBuilder.icmp(type: 130, rest: [0, 100, 0, 0], data: data),
                                        next: .hopopts, headers: headers, hopLimit: 1)
        }
        /// The host's MLDv2 report from `source` with one record of `type` for each group (no sources).
        let report = { (source: IPv6Address, type: UInt8, groups: [IPv6Address]) in
            to(hostMAC, mld2Routers).ipv6(source, mld2Routers, .icmpv6,
                                          FrameBuilder.icmp(type: 143, rest: [0, 0, 0, UInt8(groups.count)],
                                                            data: groups.flatMap { [type, 0, 0, 0] + $0.bytes }),
                                          next: .hopopts, headers: headers, hopLimit: 1)
        }
        /// A DAD probe for the host's link-local address, from `source`.
        let probe = { (source: MACAddress) in
            to(source, llGroup).ipv6(.any, llGroup, .icmpv6, FrameBuilder.icmp(type: 135, rest: [0, 0, 0, 0], data: hostLL.bytes),
                                     hopLimit: 255)
        }
        return [
            probe(hostMAC),
            report(.any, 4, [llGroup]),
            report(hostLL, 4, [group, llGroup]),
            report(hostLL, 4, [group, llGroup]),
            query(IPv6Address.any.bytes + [2, 125, 0, 0]),
            report(hostLL, 2, [group, llGroup]),
            query(IPv6Address.any.bytes),
            to(peerMAC, group).ipv6(peerLL, group, .icmpv6, FrameBuilder.icmp(type: 131, rest: [0, 0, 0, 0], data: group.bytes),
                                    next: .hopopts, headers: headers, hopLimit: 1),
            to(hostMAC, llGroup).ipv6(hostLL, llGroup, .icmpv6, FrameBuilder.icmp(type: 131, rest: [0, 0, 0, 0], data: llGroup.bytes),
                                      next: .hopopts, headers: headers, hopLimit: 1),
            probe(hostMAC),
            to(peerMAC, llGroup).ipv6(peerLL, llGroup, .icmpv6, FrameBuilder.icmp(type: 135, rest: [0, 0, 0, 0], data: hostLL.bytes),
                                      hopLimit: 255),
            probe(peerMAC),
            to(peerMAC, .allNodes).ipv6(peerLL, .allNodes, .icmpv6, FrameBuilder.icmp(type: 136, rest: [0x20, 0, 0, 0], data: hostLL.bytes),
                                        hopLimit: 255),
        ]
    }

    /// Path MTU discovery: the host's connection to port 443 set up and a full segment sent, a packet too
    /// big about it (MTU 1280) and the segment again in the smaller size; then packets too big about a
    /// datagram of the UDP socket (MTU 1300), a datagram to the same address made whole before it
    /// arrived (the slow path of `ip6_fragment` splits it), and a packet too big about the host's own
    /// echo request (MTU 1280, below the path MTU just learned) to another address of the link.
    static func pathMTU(rx: FrameBuilder, tx: FrameBuilder, host: IPv6Address, peer: IPv6Address) -> [[UInt8]] {
        /// A packet too big reporting `mtu`, quoting the start of `frame` (its IPv6 packet).
        func tooBig(_ mtu: UInt16, _ frame: [UInt8]) -> [UInt8] {
            rx.ipv6(peer, host, .icmpv6, FrameBuilder.icmp(type: 2, rest: [0, 0, UInt8(mtu >> 8), UInt8(mtu & 0xff)],
                                                           data: Array(frame.dropFirst(14).prefix(1232))))
        }
        let other = IPv6Address("fd00:77::3")!
        let segment = tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(40011, 443, seq: 901, ack: 5001, flags: [.ack, .psh],
                                                                 payload: [UInt8](repeating: 0x74, count: 1400)))
        let echoRequest = tx.ipv6(host, other, .icmpv6, FrameBuilder.icmp(type: 128, rest: [0, 9, 0, 1]))
        return [
            rx.ipv6(peer, host, .tcp, FrameBuilder.tcp(443, 40011, seq: 5000, ack: 901, flags: [.syn, .ack])),
            tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(40011, 443, seq: 901, ack: 5001, flags: .ack)),
            segment,
            tooBig(1280, segment),
            tx.ipv6(host, peer, .tcp, FrameBuilder.tcp(40011, 443, seq: 901, ack: 5001, flags: .ack,
                                                       payload: [UInt8](repeating: 0x74, count: 1220))),
            tooBig(1300, tx.ipv6(host, other, .udp, FrameBuilder.udp(7000, 9, payload: [UInt8](repeating: 0x75, count: 1400)))),
            tx.ipv6(host, other, .udp, FrameBuilder.udp(7000, 9, payload: [UInt8](repeating: 0x76, count: 1400))),
            echoRequest,
            tooBig(1280, echoRequest),
        ]
    }

    /// An echo request the IPv6 host sends from a ping socket.
    static var ipv6PingFrames: [CapturedFrame] {
        let tx = FrameBuilder(source: hostMAC, destination: peerMAC)
        let frame = tx.ipv6(IPv6Address("fd00:77::1")!, IPv6Address("fd00:77::2")!, .icmpv6,
                            FrameBuilder.icmp(type: 128, rest: [0, 7, 0, 1]))
        return [CapturedFrame(index: 1, timestampNanoseconds: 1_700_000_000_000_000_000, bytes: frame)]
    }

    /// The host's router solicitations (the first after DAD, the next from the timer), then router
    /// advertisements to it, a host that takes them: the first (hop limit 64, timers, the router's
    /// link-layer address, MTU 1400, an on-link autonomous prefix and a DNS server option) makes the
    /// default route, the prefix's route and a SLAAC address; the host's echo request to an off-link
    /// address then goes to the router; a redirect (refused: the route carries the MTU option's metric);
    /// router and prefix lifetimes 0 remove both routes; the router comes back without an MTU option,
    /// the redirect is taken, and the request goes to the new first hop.
    static var routerAdvertisementFrames: [CapturedFrame] {
        let peerLL = IPv6Address("fe80::ff:fe00:e00")!, prefix = IPv6Address("fd00:66::")!
        let allNodes = FrameBuilder(source: peerMAC, destination: MACAddress(rawValue: 0x3333_0000_0001))
        let tx = FrameBuilder(source: hostMAC, destination: peerMAC)
        let mac = (0..<6).map { UInt8(truncatingIfNeeded: peerMAC.rawValue >> (40 - 8 * $0)) }
        let be32 = { (v: UInt32) in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }
        func ra(lifetime: UInt16, valid: UInt32, mtu: Bool = true) -> [UInt8] {
            let pinfo: [UInt8] = [3, 4, 64, 0xc0] + be32(valid) + be32(valid) + [0, 0, 0, 0] + prefix.bytes
            // Route information for fd00:98::/48 (RFC 4191, high preference), withdrawn with the router.
            let rinfo: [UInt8] = [24, 2, 48, 0x08] + be32(valid == 0 ? 0 : 600) + [0xfd, 0, 0, 0x98, 0, 0, 0, 0]
            let options = [1, 1] + mac + (mtu ? [5, 1, 0, 0] + be32(1400) : []) + pinfo + rinfo + [25, 3, 0, 0] + be32(600) + peerLL.bytes
            return allNodes.ipv6(peerLL, .allNodes, .icmpv6,
                                 FrameBuilder.icmp(type: 134, rest: [64, 0, UInt8(lifetime >> 8), UInt8(lifetime & 0xff)],
                                                   data: be32(30_000) + be32(1000) + options), hopLimit: 255)
        }
        let request = tx.ipv6(IPv6Address("fd00:77::1")!, IPv6Address("fd00:99::5")!, .icmpv6,
                              FrameBuilder.icmp(type: 128, rest: [0, 8, 0, 1]))
        let hostMACBytes = (0..<6).map { UInt8(truncatingIfNeeded: hostMAC.rawValue >> (40 - 8 * $0)) }
        let solicitation = FrameBuilder(source: hostMAC, destination: MACAddress(rawValue: 0x3333_0000_0002))
            .ipv6(IPv6Address("fe80::ff:fe00:d00")!, IPv6Address("ff02::2")!, .icmpv6,
                  FrameBuilder.icmp(type: 133, rest: [0, 0, 0, 0], data: [1, 1] + hostMACBytes), hopLimit: 255)
        // A redirect for fd00:99::5 to fe80::99, quoting the request: refused on 6.x while the route
        // carries the MTU option's metric, taken once the router came back without it.
        let redirect = FrameBuilder(source: peerMAC, destination: hostMAC)
            .ipv6(peerLL, IPv6Address("fd00:77::1")!, .icmpv6,
                  FrameBuilder.icmp(type: 137, rest: [0, 0, 0, 0], data: IPv6Address("fe80::99")!.bytes
                      + IPv6Address("fd00:99::5")!.bytes + [2, 1, 2, 0, 0, 0, 0x0e, 0x99]
                      + [4, UInt8((request.count - 14 + 8) / 8), 0, 0, 0, 0, 0, 0] + request.dropFirst(14)), hopLimit: 255)
        return [solicitation, solicitation, ra(lifetime: 1800, valid: 86_400), request, redirect, ra(lifetime: 0, valid: 0),
                ra(lifetime: 1800, valid: 86_400, mtu: false), redirect, request]
            .enumerated().map { i, bytes in
            CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000, bytes: bytes)
        }
    }

    /// The tour's IPv6 fragments and forwarded packets: an echo request in two fragments, the host's
    /// reply in two, an atomic fragment, a lone first fragment left to time out, then a packet forwarded
    /// to the second link, one with hop limit 1 and one over that link's MTU.
    static func fragments(rx: FrameBuilder, tx: FrameBuilder, host: IPv6Address, peer: IPv6Address, echo: [UInt8]) -> [[UInt8]] {
        /// The ICMPv6 message of `frame` (checksum filled in), after its Ethernet and IPv6 headers.
        func icmp(_ frame: [UInt8]) -> [UInt8] { Array(frame.dropFirst(14 + 40)) }
        /// A fragment header before `next`: offset in bytes, more fragments, identification.
        func fragment(_ offset: Int, more: Bool, id: UInt8) -> [UInt8] {
            let field = UInt16(offset) | (more ? 1 : 0)
            return [IPProtocol.icmpv6.rawValue, 0, UInt8(field >> 8), UInt8(field & 0xff), 0, 0, 0, id]
        }
        let request = icmp(rx.ipv6(peer, host, .icmpv6, echo))
        let reply = icmp(tx.ipv6(host, peer, .icmpv6, FrameBuilder.icmp(type: 129, rest: [0, 1, 0, 1],
                                                                          data: [UInt8](repeating: 0x61, count: 16))))
        let far = IPv6Address("fd00:88::2")!
        return [
            rx.ipv6(peer, host, .ipv6Fragment, fragment(0, more: true, id: 1) + request.prefix(16)),
            rx.ipv6(peer, host, .ipv6Fragment, fragment(16, more: false, id: 1) + request.dropFirst(16)),
            tx.ipv6(host, peer, .ipv6Fragment, fragment(0, more: true, id: 2) + reply.prefix(16)),
            tx.ipv6(host, peer, .ipv6Fragment, fragment(16, more: false, id: 2) + reply.dropFirst(16)),
            rx.ipv6(peer, host, .ipv6Fragment, fragment(0, more: false, id: 3) + request),
            rx.ipv6(peer, host, .ipv6Fragment, fragment(0, more: true, id: 4) + request.prefix(16)),
            rx.ipv6(peer, far, .icmpv6, echo),
            rx.ipv6(peer, far, .icmpv6, echo, hopLimit: 1),
            rx.ipv6(peer, far, .icmpv6, FrameBuilder.icmp(type: 128, rest: [0, 1, 0, 2], data: [UInt8](repeating: 0x61, count: 1300))),
        ]
    }

    /// A host with a tun device, as a VPN client has one.
    static var tunHost: HostProfile {
        let json = """
            { "interfaces": [ { "name": "tun0", "driver": "tun", "addresses": ["10.77.0.1/24"], "captured": true } ] }
            """
        // The text above is fixed and valid: parsing cannot fail.
        return (try? HostProfile.parse(Data(json.utf8))) ?? HostProfile(kernel: nil, interfaces: [])
    }

    /// Raw IP on the tun device, as `tcpdump -i tun0` records it: a ping the program holding the device
    /// wrote, the host's answer, and a write that is not IP (dropped by `tun_get_user`).
    static var tunFrames: [CapturedFrame] {
        let eth = FrameBuilder(source: .zero, destination: .zero)
        func raw(_ frame: [UInt8]) -> [UInt8] { Array(frame.dropFirst(14)) }
        let ping = FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0, 7, 0, 1])
        let request = raw(eth.ipv4(peerIP, hostIP, .icmp, ping))
        let list = [
            request,
            raw(eth.ipv4(hostIP, peerIP, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoReply, rest: [0, 7, 0, 1]))),
            [0x50] + Array(request.dropFirst()),
        ]
        return list.enumerated().map { i, bytes in
            CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000, bytes: bytes,
                          linkType: .DLT_RAW)
        }
    }

    /// The host talking to itself: `lo` with a listener.
    static var loopbackHost: HostProfile {
        let json = """
            { "interfaces": [ { "name": "lo", "driver": "loopback", "mac": "00:00:00:00:00:00", "mtu": 65536,
                                "addresses": ["127.0.0.1/8"], "captured": true } ],
              "sockets": [ { "proto": "tcp", "port": 8080 } ] }
            """
        // The text above is fixed and valid: parsing cannot fail.
        return (try? HostProfile.parse(Data(json.utf8))) ?? HostProfile(kernel: nil, interfaces: [])
    }

    /// A connection to itself over `lo`, as `tcpdump -i lo` records it (the SYN and its SYN-ACK), and a
    /// ping from a raw socket (ping sockets are not permitted by default): its request, the reply, and a
    /// time exceeded about the request.
    static var loopbackFrames: [CapturedFrame] {
        let lo = FrameBuilder(source: .zero, destination: .zero)
        let local = IPv4Address("127.0.0.1")!
        let request = FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0, 5, 0, 1])
        let list = [
            lo.ipv4(local, local, .tcp, FrameBuilder.tcp(40000, 8080, seq: 1, flags: .syn)),
            lo.ipv4(local, local, .tcp, FrameBuilder.tcp(8080, 40000, seq: 9, ack: 2, flags: [.syn, .ack])),
            lo.ipv4(local, local, .icmp, request),
            // The reply reaches ping's raw socket; then an error about the request, as a router would send.
            lo.ipv4(local, local, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoReply, rest: [0, 5, 0, 1])),
            lo.ipv4(local, local, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.timeExceeded, rest: [0, 0, 0, 0],
                                                           data: Array(lo.ipv4(local, local, .icmp, request)[14..<42]))),
        ]
        return list.enumerated().map { i, bytes in
            CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000, bytes: bytes)
        }
    }
}
