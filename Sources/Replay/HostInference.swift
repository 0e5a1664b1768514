import Capture
import KernelNet
import Wire

/// Works out the capturing host from a capture when no host profile is given: its MAC and addresses,
/// the ports it listens on, its gateway. Every guess is written down in `assumptions`.
public struct HostInference {
    /// The most frames read to infer the host.
    public static let frameLimit = 100_000

    /// Frames each MAC sent in answer to another host: SYN-ACKs, RSTs, echo replies, ICMP errors, ARP
    /// replies. When two MACs appear in every frame, the capture is taken to be the answering host's.
    private var answers: [MACAddress: Int] = [:]
    private var ipsByMAC: [MACAddress: [IPv4Address: Int]] = [:]
    /// Frames in capture order, reduced to what the inference needs.
    private var frames: [(src: MACAddress?, dst: MACAddress?, outgoing: Bool?, bytes: [UInt8], link: LinkHeader)] = []
    private let encapsulation: LinkEncapsulation

    public init(encapsulation: LinkEncapsulation) { self.encapsulation = encapsulation }

    /// Infers the host of the capture at `path` from its first frames. From standard input (`-`),
    /// which can be read only once, the frames read (at most `stdinLimit`) and the open capture are
    /// returned, so the replay goes on from where inference stopped.
    public static func infer(path: String, driver: String, stdinLimit: Int = 10_000) throws(CaptureError)
        -> (profile: HostProfile, assumptions: [String], frames: [CapturedFrame], capture: PcapFile?)
    {
        let file = try PcapFile(path: path)
        var inference = HostInference(encapsulation: ReplaySession.encapsulation(of: file.linkType))
        let keep = path == "-"
        let limit = keep ? stdinLimit : frameLimit
        var kept: [CapturedFrame] = []
        var frame = CapturedFrame()
        var n = 0
        // A capture that breaks is reported by the replay that follows; inference uses what it read.
        while n < limit, (try? file.read(into: &frame)) == true {
            inference.add(frame)
            if keep { kept.append(frame) }
            n += 1
        }
        let (profile, assumptions) = inference.profile(driver: driver)
        return (profile, assumptions, kept, keep ? file : nil)
    }

    /// Takes one frame into account.
    public mutating func add(_ frame: CapturedFrame) {
        let link = LinkHeader(frame.bytes, encapsulation: encapsulation)
        var src: MACAddress?
        var dst: MACAddress?
        if let mac = link.macOffset, let eth = EthernetPacket(frame.bytes, at: mac) {
            src = eth.source
            dst = eth.destination
            if link.etherType == .ipv4, let ip = IPv4Packet(frame.bytes, at: link.networkOffset) {
                ipsByMAC[eth.source, default: [:]][ip.source, default: 0] += 1
                if Self.isAnswer(ip) { answers[eth.source, default: 0] += 1 }
            } else if link.etherType == .arp, let a = ARPPacket(frame.bytes, at: link.networkOffset), a.available >= 28 {
                ipsByMAC[eth.source, default: [:]][a.senderProtocol, default: 0] += 1
                if a.operation == ARPPacket.reply { answers[eth.source, default: 0] += 1 }
            }
        }
        let outgoing = link.sllPacketType.map { $0 == .outgoing }
        if frames.count < Self.frameLimit {
            frames.append((src, dst, outgoing, frame.bytes, link))
        }
    }

    /// Whether an IPv4 packet answers another host (SYN-ACK, RST, echo reply, ICMP error).
    private static func isAnswer(_ ip: IPv4Packet) -> Bool {
        switch ip.proto {
        case .tcp:
            guard let t = TCPPacket(ip.bytes, at: ip.payloadOffset) else { return false }
            return t.flags.contains([.syn, .ack]) || t.flags.contains(.rst)
        case .icmp:
            guard let i = ICMPv4Packet(ip.bytes, at: ip.payloadOffset) else { return false }
            return i.type == ICMPv4Packet.echoReply || i.isError
        default: return false
        }
    }

    /// The host profile inferred so far, and what was assumed.
    public func profile(driver: String) -> (HostProfile, [String]) {
        var assumptions: [String] = []
        // The host is the unicast MAC present in most frames (it sent or received them all).
        // The host is in every unicast frame it sent or received. Broadcasts of other hosts and
        // frames to a MAC that never sends (seen in promiscuous mode) say nothing about it.
        let senders = Set(frames.compactMap(\.src))
        var macCount: [MACAddress: Int] = [:]
        for f in frames {
            guard let src = f.src, let dst = f.dst, !src.isMulticast, !dst.isMulticast, senders.contains(dst) else { continue }
            macCount[src, default: 0] += 1
            macCount[dst, default: 0] += 1
        }
        if macCount.isEmpty {
            // No unicast exchange between two senders: the capture was taken where the frames arrive.
            for f in frames {
                guard let dst = f.dst, !dst.isMulticast else { continue }
                macCount[dst, default: 0] += 1
            }
        }
        let hostMAC = macCount.max { a, b in
            (a.value, answers[a.key, default: 0], b.key.rawValue) < (b.value, answers[b.key, default: 0], a.key.rawValue)
        }?.key
        var addressCounts: [IPv4Address: Int] = [:]
        for f in frames {
            let isOut = f.outgoing ?? (hostMAC != nil && f.src == hostMAC)
            guard isOut, f.link.etherType == .ipv4, let ip = IPv4Packet(f.bytes, at: f.link.networkOffset) else {
                if f.outgoing == nil, hostMAC == nil, f.link.etherType == .ipv4,
                    let ip = IPv4Packet(f.bytes, at: f.link.networkOffset)
                {
                    addressCounts[ip.source, default: 0] += 1
                    addressCounts[ip.destination, default: 0] += 1
                }
                continue
            }
            if !ip.source.isZeroNet { addressCounts[ip.source, default: 0] += 1 }
        }
        if let hostMAC, let arpIPs = ipsByMAC[hostMAC] {
            for (ip, n) in arpIPs where !ip.isZeroNet { addressCounts[ip, default: 0] += n }
        }
        if addressCounts.isEmpty, let hostMAC {
            // The host sent nothing: take the addresses frames to its MAC were sent to.
            for f in frames where f.dst == hostMAC && f.link.etherType == .ipv4 {
                if let ip = IPv4Packet(f.bytes, at: f.link.networkOffset) { addressCounts[ip.destination, default: 0] += 1 }
            }
        }
        let addresses = addressCounts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            .prefix(hostMAC == nil ? 1 : 4).map { IPv4Prefix(address: $0.key, length: 24) }
        let mac = hostMAC ?? MACAddress(rawValue: 0x02_00_00_00_00_01)
        assumptions.append("host \(mac) with \(addresses.map(\.description).joined(separator: ", ")) (the /24 prefix is assumed)")
        if hostMAC == nil { assumptions.append("no Ethernet addresses in the capture: the host MAC is a placeholder") }

        let local = Set(addresses.map(\.address))
        var listeners: Set<UInt16> = []
        var udpOpen: Set<UInt16> = []
        var udpClosed: Set<UInt16> = []
        var gatewayMAC: [MACAddress: Int] = [:]
        var macOfIP: [IPv4Address: MACAddress] = [:]
        for f in frames {
            let isOut = f.outgoing ?? (hostMAC != nil ? f.src == hostMAC : false)
            if f.link.etherType == .arp, let a = ARPPacket(f.bytes, at: f.link.networkOffset), a.available >= 28 {
                macOfIP[a.senderProtocol] = a.senderHardware
                continue
            }
            guard f.link.etherType == .ipv4, let ip = IPv4Packet(f.bytes, at: f.link.networkOffset), ip.headerIsCaptured else { continue }
            let isOutgoing = f.outgoing ?? (hostMAC != nil ? isOut : local.contains(ip.source))
            if isOutgoing, let dst = f.dst, !dst.isMulticast, !addresses.contains(where: { $0.contains(ip.destination) }) {
                gatewayMAC[dst, default: 0] += 1
            }
            if !isOutgoing, let src = f.src, !src.isMulticast, addresses.contains(where: { $0.contains(ip.source) }) {
                macOfIP[ip.source] = src
            }
            switch ip.proto {
            case .tcp:
                if let t = TCPPacket(f.bytes, at: ip.payloadOffset), isOutgoing, t.flags.contains([.syn, .ack]) {
                    listeners.insert(t.sourcePort)
                }
            case .udp:
                if let u = UDPPacket(f.bytes, at: ip.payloadOffset) {
                    if isOutgoing { udpOpen.insert(u.sourcePort) } else if local.contains(ip.destination) { udpOpen.insert(u.destinationPort) }
                }
            case .icmp:
                if isOutgoing, let ic = ICMPv4Packet(f.bytes, at: ip.payloadOffset), ic.type == 3, ic.code == 3,
                    let inner = IPv4Packet(f.bytes, at: ip.payloadOffset + 8), inner.headerIsCaptured,
                    let u = UDPPacket(f.bytes, at: inner.payloadOffset)
                {
                    udpClosed.insert(u.destinationPort)
                }
            default: break
            }
        }
        udpOpen.subtract(udpClosed)
        var profile = HostProfile(kernel: nil, interfaces: [
            .init(name: driver == "iwlwifi" ? "wlan0" : "eth0", driver: driver, mac: mac, mtu: 1500,
                  addresses: addresses, captured: true),
        ])
        profile.sockets = listeners.sorted().map { SocketConfig(proto: .tcp, address: .any, port: $0, state: .TCP_LISTEN) }
            + udpOpen.sorted().map { SocketConfig(proto: .udp, address: .any, port: $0) }
        if !listeners.isEmpty { assumptions.append("TCP listening on \(listeners.sorted().map(String.init).joined(separator: ", ")) (it answered SYNs there)") }
        if !udpOpen.isEmpty { assumptions.append("UDP sockets on \(udpOpen.sorted().map(String.init).joined(separator: ", "))") }
        if let gw = gatewayMAC.max(by: { $0.value < $1.value })?.key {
            if let gwIP = macOfIP.first(where: { $0.value == gw })?.key {
                profile.routes = [RouteConfig(destination: IPv4Prefix("0.0.0.0/0")!, gateway: gwIP, device: profile.interfaces[0].name)]
                assumptions.append("default route via \(gwIP) (\(gw))")
            } else {
                assumptions.append("gateway \(gw) seen, its IP address unknown: off-link traffic routed without a gateway address")
                profile.routes = [RouteConfig(destination: IPv4Prefix("0.0.0.0/0")!, gateway: nil, device: profile.interfaces[0].name)]
            }
        }
        return (profile, assumptions)
    }
}
