import Capture
import KernelNet
import Wire

/// Works out the capturing host from a capture when no host profile is given, from the capture's own
/// evidence, and writes down every guess with its reason in `assumptions`:
///
/// - **Which machine.** The capturing host is an endpoint, not the MAC behind which many remote
///   addresses sit (that is its gateway). Frames the host sent carry an initial TTL (64, 128, 255)
///   or TTLs it chose itself (traceroute, scanners), frames relayed from beyond a router a lowered,
///   steady one. Offload leaves marks only the capturing host's own frames have: transmitted segments
///   with unfinished checksums or larger than the MTU (TSO), received ones larger than the MTU (GRO).
///   Cooked captures say the direction outright. With no other evidence the host is the endpoint in
///   most frames, and then the one that answered (SYN-ACKs, RSTs, echo replies): the server of a
///   conversation between two neighbours.
/// - **Its state when the capture began.** Listening sockets (it answered SYNs), connections seen in
///   mid-stream (established), UDP sockets it sent from (connected when they talk to one peer), the
///   multicast groups it receives on a port it uses, its gateway and neighbours.
/// - **What the file says.** A pcapng's `shb_os` (`Linux 6.1.0-…` picks the kernel profile) and
///   `if_name` (the interface's name).
///
/// Evidence is gathered into a compact record per frame (no frame bytes are kept), so inference costs
/// a few megabytes whatever the capture.
public struct HostInference {
    /// The most frames read to infer the host.
    public static let frameLimit = 50_000
    /// The most connections assumed established at the start.
    static let connectionLimit = 4_096

    /// What one frame tells about the host, decoded once.
    struct Facts {
        var src: MACAddress?
        var dst: MACAddress?
        /// The outer 802.1Q VLAN id the frame carried (none for an untagged or priority-tagged frame).
        var vlan: UInt16?
        /// Whether the host sent it, where the capture says (cooked captures).
        var outgoing: Bool?
        var family: Family = .other
        var v4src = IPv4Address.any
        var v4dst = IPv4Address.any
        var v6src = V6(hi: 0, lo: 0)
        var v6dst = V6(hi: 0, lo: 0)
        /// The address a DAD probe (a neighbour solicitation from `::`) is about: its sender is adding it.
        var dadTarget: V6?
        var ttl: UInt8 = 0
        var proto = IPProtocol(rawValue: 0)
        var sport: UInt16 = 0
        var dport: UInt16 = 0
        var tcpFlags = TCPFlags(rawValue: 0)
        /// A TCP segment's sequence and acknowledgment numbers, and how many payload bytes it carries.
        var tcpSequence: UInt32 = 0
        var tcpAcknowledgment: UInt32 = 0
        var tcpPayload = 0
        var icmpType: UInt8 = 0
        var icmpCode: UInt8 = 0
        /// For an ICMP port unreachable: the destination port of the UDP datagram it quotes.
        var quotedUDPPort: UInt16?
        /// A TCP or UDP checksum that does not verify on a complete, unfragmented packet.
        var badTransportChecksum = false
        var wireLength = 0
        /// Capture time, nanoseconds.
        var time: Int64 = 0
        /// The Ethernet frame's length on the wire, when the capture has Ethernet headers.
        var ethernetLength: Int?
        /// Whether the frame is longer than the packet it carries needs, up to Ethernet's 60-byte
        /// minimum: padded by the sender's NIC.
        var padded = false
        /// The interface index and link-layer address a cooked capture recorded.
        var ifindex: UInt32?
        var linkAddress: MACAddress?
        /// A packet seen leaving one interface after it came in on another: forwarded, not the host's own.
        var forwarded = false
        /// A cooked capture's second sighting of one skb on another interface (a bridge and its port, or
        /// two ports of one bridge): the first sighting holds what the frame says about the host.
        var copy = false
        /// For ARP: the operation, and the sender's addresses.
        var arpOperation: UInt16 = 0
    }

    enum Family { case ipv4, ipv6, arp, other }

    /// An IPv6 address as two words (hashable without text).
    struct V6: Hashable {
        var hi: UInt64
        var lo: UInt64
        var isZero: Bool { hi == 0 && lo == 0 }
        var isMulticast: Bool { hi >> 56 == 0xff }
        var isLinkLocal: Bool { hi >> 54 == 0x3fa }
    }

    private(set) var facts: [Facts] = []
    /// The interface each IPv4 packet received on a capture of several interfaces arrived on.
    private var arrivedOn: [PacketKey: UInt32] = [:]
    /// The same for IPv6 packets, which have no identification: their addresses, length, next header
    /// and the first 8 bytes after the fixed header (forwarding changes only the hop limit).
    private var arrivedOn6: [PacketKey6: UInt32] = [:]
    struct PacketKey6: Hashable {
        var source: V6
        var destination: V6
        var length: Int
        var next: UInt8
        var upper: UInt64
    }

    /// One frame of a cooked capture, remembered for a moment to find its copies on other interfaces.
    struct Sighting {
        var key: Int
        var ifindex: UInt32
        var outgoing: Bool
        var otherHost: Bool
        var time: Int64
    }
    /// The cooked frames of the last ``copyWindow``, at most ``sightingLimit``.
    private var sightings: [Sighting] = []
    /// How many recent frames are kept to find copies among.
    static let sightingLimit = 64
    /// The longest delay between two sightings of one skb on two devices: a bridge passes a frame up,
    /// or down to a port, within microseconds.
    static let copyWindow: Int64 = 10_000_000

    /// A device (`lower`) and a device stacked on it (`upper`), by interface index.
    struct Stacking: Hashable {
        var lower: UInt32
        var upper: UInt32
    }
    /// Packets that came in on `lower` and went up `upper` as the same skb; true where one of them was
    /// for `upper`'s address and so `PACKET_OTHERHOST` on `lower` (a bridge port, whose MAC is its own).
    private var passedUp: [Stacking: Bool] = [:]
    /// Packets sent on `upper` and seen leaving `lower` as the same skb.
    private var sentDown: Set<Stacking> = []
    /// Packets that came in on one interface and left another unchanged (same TTL, same MACs): switched
    /// between two ports of one bridge, not routed. Each pair with its lower index first.
    private var switched: Set<Stacking> = []

    /// What identifies an IPv4 packet across the interfaces it crosses.
    struct PacketKey: Hashable {
        var source: IPv4Address
        var destination: IPv4Address
        var id: UInt16
        var proto: UInt8
    }
    /// The text of each IPv6 address seen, made once per address.
    var v6Text: [V6: String] = [:]
    var encapsulation: LinkEncapsulation
    /// What the pcapng's blocks say, if it is one.
    public var metadata = PcapngMetadata()
    /// The capture interface whose frames this inference takes (the first one a frame came from).
    private var interface: Int?
    /// In a pcapng of several interfaces, the inference of each other interface's frames, by number:
    /// each interface is inferred as a capture of its own, then the hosts are merged into one.
    private var otherInterfaces: [Int: HostInference] = [:]
    /// Spanning-tree BPDUs in the capture: evidence of a bridge somewhere on the link, not of the
    /// capturing host's modules.
    public private(set) var spanningTreeFrames = 0
    /// The Wi-Fi station an 802.11 (monitor-mode) capture shows as the host.
    private var stations = StationInference()
    /// The host's MAC when the user names it (`--host-mac`): on an Ethernet capture whose frames do not
    /// say which end took it, the rest is inferred around it.
    public var chosenHostMAC: MACAddress?

    public init(encapsulation: LinkEncapsulation) { self.encapsulation = encapsulation }

    /// Infers the host of the capture at `path` from its first frames. From standard input (`-`),
    /// which can be read only once, the frames read (at most `stdinLimit`) and the open capture are
    /// returned, so the replay goes on from where inference stopped. `assumeState: false` leaves out
    /// what the host held when the capture began (sockets, connections, groups, neighbours). `hostMAC`
    /// names the host's MAC where the frames cannot tell which end took them (``chosenHostMAC``).
    public static func infer(path: String, driver: String, stdinLimit: Int = 10_000, assumeState: Bool = true,
                             hostMAC: MACAddress? = nil) throws(CaptureError) -> (profile: HostProfile, assumptions: [String], frames: [CapturedFrame], capture: PcapFile?)
    {
        let file = try PcapFile(path: path)
        var inference = HostInference(encapsulation: ReplaySession.encapsulation(of: file.linkType))
        inference.chosenHostMAC = hostMAC
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
        inference.metadata = file.metadata
        var (profile, assumptions) = inference.profile(driver: driver, assumeState: assumeState)
        if let note = inference.spanningTreeNote { assumptions.append(note) }
        return (profile, assumptions, kept, keep ? file : nil)
    }

    /// Moves each address the host used only in frames tagged with one VLAN id onto a VLAN
    /// sub-interface of the captured interface for that id (`eth0.10`), as a host whose frames carry
    /// tags (in a capture of the real device) sends and receives them through a VLAN device.
    private func vlanInterfaces(_ profile: inout HostProfile, sent: (Facts) -> Bool, received: (Facts) -> Bool) -> [String] {
        let parent = profile.interfaces[0]
        // What the host sent says which VLAN an address is on; frames sent to it only when it sent
        // none from it (frames for a VLAN the host lacks arrive too, and are dropped).
        var ids: [IPv4Address: Set<UInt16?>] = [:]
        for f in facts where (f.family == .ipv4 || f.family == .arp) && sent(f) { ids[f.v4src, default: []].insert(f.vlan) }
        for f in facts where (f.family == .ipv4 || f.family == .arp) && received(f) && ids[f.v4dst] == nil {
            if parent.addresses.contains(where: { $0.address == f.v4dst }) { ids[f.v4dst, default: []].insert(f.vlan) }
        }
        var notes: [String] = []
        for id in Set(ids.values.compactMap { $0.count == 1 ? $0.first ?? nil : nil }).sorted() {
            let moved = parent.addresses.filter { ids[$0.address] == [id] }
            guard !moved.isEmpty else { continue }
            var vlan = HostProfile.Interface(name: "\(parent.name).\(id)", driver: "vlan", mac: parent.mac, mtu: parent.mtu,
                                             addresses: moved, captured: false)
            vlan.vlan = HostProfile.VLAN(parent: parent.name, id: Int(id))
            profile.interfaces[0].addresses.removeAll { moved.contains($0) }
            profile.interfaces.append(vlan)
            notes.append("VLAN sub-interface \(vlan.name) (802.1Q id \(id) on \(parent.name)) with "
                + "\(moved.map(\.description).joined(separator: ", ")): the host's frames with \(moved.count == 1 ? "that address" : "those addresses") carry that tag")
        }
        return notes
    }

    /// The bridges' group address, where spanning-tree BPDUs go (01:80:c2:00:00:00).
    static let spanningTreeGroup = MACAddress(rawValue: 0x0180_c200_0000)

    /// What was assumed about the modules that would take the capture's spanning-tree BPDUs, if it has any.
    var spanningTreeNote: String? {
        let n = spanningTreeFrames + otherInterfaces.values.reduce(0) { $0 + $1.spanningTreeFrames }
        guard n > 0 else { return nil }
        return "\(n) spanning-tree BPDU\(n == 1 ? "" : "s") (802.2 LLC): treated as on a host without "
            + "the bridge, 8021q or llc modules, so nothing takes them (they come from a bridge on the link and say nothing about "
            + "this host's modules); if it had them loaded, say so in a --host profile: \"modules\": [\"bridge\"]"
    }

    /// Takes one frame into account.
    public mutating func add(_ frame: CapturedFrame) {
        // A frame of a link type pktpath does not replay tells nothing it could use.
        guard frame.linkType.isSupported else { return }
        if let radio = StationInference.encapsulation(of: frame.linkType) {
            stations.add(frame, radio)
            return
        }
        if interface == nil {
            interface = frame.interface
            encapsulation = ReplaySession.encapsulation(of: frame.linkType)
        }
        guard frame.interface == interface else {
            otherInterfaces[frame.interface, default: HostInference(encapsulation: encapsulation)].add(frame)
            return
        }
        guard facts.count < Self.frameLimit else { return }
        let bytes = frame.bytes
        let link = LinkHeader(bytes, encapsulation: encapsulation)
        var f = Facts()
        f.wireLength = frame.originalLength - link.networkOffset
        f.time = frame.timestampNanoseconds
        f.ethernetLength = link.macOffset == nil ? nil : frame.originalLength - (link.macOffset ?? 0)
        if let mac = link.macOffset, let eth = EthernetPacket(bytes, at: mac) {
            f.src = eth.source
            f.dst = eth.destination
        }
        if f.dst == Self.spanningTreeGroup, link.etherType.isLength { spanningTreeFrames += 1 }
        if let id = link.vlanIDs.first, id & 0x0fff != 0 { f.vlan = id & 0x0fff }
        f.outgoing = link.sllPacketType.map { $0 == .outgoing }
        f.ifindex = link.interfaceIndex
        f.linkAddress = link.linkAddress
        guard link.failure == nil else { return }
        if let index = f.ifindex, let outgoing = f.outgoing {
            f.copy = noteCopies(Sighting(key: Kernel.sightingKey(bytes, link).hashValue, ifindex: index, outgoing: outgoing,
                                         otherHost: link.sllPacketType == .otherHost, time: f.time))
        }
        switch link.etherType {
        case .ipv4:
            guard let ip = IPv4Packet(bytes, at: link.networkOffset), ip.headerIsCaptured else { break }
            f.family = .ipv4
            f.v4src = ip.source
            f.v4dst = ip.destination
            f.ttl = ip.ttl
            if let n = f.ethernetLength, n == 60, link.networkOffset - (link.macOffset ?? 0) + ip.totalLength < 60 { f.padded = true }
            f.proto = ip.proto
            let whole = ip.fragmentOffset == 0 && !ip.moreFragments && ip.available >= ip.totalLength
            if ip.fragmentOffset == 0 {
                transport(&f, bytes, at: ip.payloadOffset, length: ip.totalLength - ip.headerLength)
            }
            if whole, f.proto == .tcp || f.proto == .udp {
                f.badTransportChecksum = !Self.transportChecksumVerifies(ip)
            }
            if let index = f.ifindex {
                let key = PacketKey(source: ip.source, destination: ip.destination, id: ip.identification, proto: ip.proto.rawValue)
                if f.outgoing == true, !f.copy, let inbound = arrivedOn[key], inbound != index {
                    f.forwarded = true
                } else if f.outgoing == false, arrivedOn.count < Self.frameLimit {
                    arrivedOn[key] = index
                }
            }
        case .ipv6:
            guard let ip = IPv6Packet(bytes, at: link.networkOffset) else { break }
            f.family = .ipv6
            f.v6src = v6(ip, offset: IPv6Packet.Field.source)
            f.v6dst = v6(ip, offset: IPv6Packet.Field.destination)
            if v6Text[f.v6src] == nil { v6Text[f.v6src] = ip.sourceText }
            if v6Text[f.v6dst] == nil { v6Text[f.v6dst] = ip.destinationText }
            f.ttl = ip.hopLimit
            f.proto = ip.nextHeader
            transport(&f, bytes, at: link.networkOffset + IPv6Packet.headerLength, length: ip.payloadLength)
            if let index = f.ifindex {
                let start = link.networkOffset + IPv6Packet.headerLength
                let upper = (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes.u8(at: start + $1)) }
                let key = PacketKey6(source: f.v6src, destination: f.v6dst, length: ip.payloadLength, next: ip.nextHeader.rawValue, upper: upper)
                if f.outgoing == true, !f.copy, let inbound = arrivedOn6[key], inbound != index {
                    f.forwarded = true
                } else if f.outgoing == false, arrivedOn6.count < Self.frameLimit {
                    arrivedOn6[key] = index
                }
            }
            // A DAD probe's target (struct nd_msg: after the ICMPv6 header).
            let target = link.networkOffset + IPv6Packet.headerLength + 8
            if f.v6src.isZero, f.proto == .icmpv6, bytes.u8(at: target - 8) == ICMPv6Packet.neighbourSolicitation, bytes.count >= target + 16 {
                let t = v6(ip, offset: IPv6Packet.headerLength + 8)
                f.dadTarget = t
                if v6Text[t] == nil { v6Text[t] = IPv6Address(bytes, at: target).description }
            }
        case .arp:
            guard let a = ARPPacket(bytes, at: link.networkOffset), a.available >= 28 else { break }
            f.family = .arp
            f.arpOperation = a.operation
            f.v4src = a.senderProtocol
            f.v4dst = a.targetProtocol
        default:
            break
        }
        facts.append(f)
    }

    /// Finds the copies of a cooked frame's packet captured a moment before on other interfaces, and
    /// notes what each pair says about how the two devices are stacked. Returns whether it is a copy.
    private mutating func noteCopies(_ s: Sighting) -> Bool {
        sightings.removeAll { s.time.clampedSubtracting($0.time) > Self.copyWindow }
        defer {
            if sightings.count >= Self.sightingLimit { sightings.removeFirst() }
            sightings.append(s)
        }
        var copy = false
        for e in sightings where e.key == s.key && e.ifindex != s.ifindex {
            copy = true
            switch (e.outgoing, s.outgoing) {
            case (false, false):
                let pair = Stacking(lower: e.ifindex, upper: s.ifindex)
                passedUp[pair] = (passedUp[pair] ?? false) || (e.otherHost && !s.otherHost)
            case (true, true):
                sentDown.insert(Stacking(lower: s.ifindex, upper: e.ifindex))
            case (false, true):
                switched.insert(Stacking(lower: min(e.ifindex, s.ifindex), upper: max(e.ifindex, s.ifindex)))
            case (true, false):
                break
            }
        }
        return copy
    }

    /// The bridge each port of a cooked capture is on, by interface index, from the copies: a device
    /// whose packets went up another after arriving for that other's address (`PACKET_OTHERHOST` below,
    /// as on a bridge port, whose MAC is not the bridge's), or that switched packets to another device
    /// unchanged, is a bridge port; the device above it is the bridge, and a device it switched with is a
    /// port of the same bridge. (A VLAN device and its real device share a MAC and never switch.)
    var bridgePorts: [UInt32: UInt32] {
        let switching = Set(switched.flatMap { [$0.lower, $0.upper] })
        var bridgeOf: [UInt32: UInt32] = [:]
        for (pair, otherHost) in passedUp.sorted(by: { ($0.key.lower, $0.key.upper) < ($1.key.lower, $1.key.upper) })
        where (otherHost || switching.contains(pair.lower)) && bridgeOf[pair.lower] == nil {
            bridgeOf[pair.lower] = pair.upper
        }
        let bridges = Set(bridgeOf.values)
        for pair in sentDown.sorted(by: { ($0.lower, $0.upper) < ($1.lower, $1.upper) })
        where (switching.contains(pair.lower) || bridges.contains(pair.upper)) && bridgeOf[pair.lower] == nil {
            bridgeOf[pair.lower] = pair.upper
        }
        // Ports that switched with a port of a known bridge are on it too.
        var grew = true
        while grew {
            grew = false
            for pair in switched.sorted(by: { ($0.lower, $0.upper) < ($1.lower, $1.upper) }) {
                if let b = bridgeOf[pair.lower], bridgeOf[pair.upper] == nil, b != pair.upper {
                    bridgeOf[pair.upper] = b
                    grew = true
                } else if let b = bridgeOf[pair.upper], bridgeOf[pair.lower] == nil, b != pair.lower {
                    bridgeOf[pair.lower] = b
                    grew = true
                }
            }
        }
        // A bridge is no port of another (stacked bridges are not inferred).
        return bridgeOf.filter { bridgeOf[$0.value] == nil }
    }

    /// Reads the ports, flags, sequence numbers or ICMP type of the transport header at `offset`, of a
    /// segment of `length` bytes (as the IP header gives it).
    private func transport(_ f: inout Facts, _ bytes: [UInt8], at offset: Int, length: Int) {
        switch f.proto {
        case .tcp:
            guard let t = TCPPacket(bytes, at: offset) else { return }
            f.sport = t.sourcePort
            f.dport = t.destinationPort
            f.tcpFlags = t.flags
            f.tcpSequence = t.sequence
            f.tcpAcknowledgment = t.acknowledgment
            f.tcpPayload = max(0, length - t.headerLength)
        case .udp:
            guard let u = UDPPacket(bytes, at: offset) else { return }
            f.sport = u.sourcePort
            f.dport = u.destinationPort
        case .icmp:
            guard let i = ICMPv4Packet(bytes, at: offset) else { return }
            f.icmpType = i.type
            f.icmpCode = i.code
            if i.type == 3, i.code == 3, let inner = IPv4Packet(bytes, at: offset + 8), inner.headerIsCaptured,
               let u = UDPPacket(bytes, at: inner.payloadOffset) {
                f.quotedUDPPort = u.destinationPort
            }
        case .icmpv6:
            // A port unreachable (type 1 code 4) quotes the datagram: its UDP header past the IPv6 header.
            guard let i = ICMPv6Packet(bytes, at: offset, length: bytes.count - offset), i.type == 1, i.code == 4,
                  IPv6Packet(bytes, at: offset + 8)?.nextHeader == .udp,
                  let u = UDPPacket(bytes, at: offset + 8 + IPv6Packet.headerLength) else { return }
            f.quotedUDPPort = u.destinationPort
        default:
            break
        }
    }

    private func v6(_ ip: IPv6Packet, offset: Int) -> V6 {
        func word(_ at: Int) -> UInt64 {
            (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(ip.bytes.u8(at: ip.start + offset + at + $1)) }
        }
        return V6(hi: word(0), lo: word(8))
    }

    /// Whether the TCP or UDP checksum of a complete IPv4 packet verifies (a UDP checksum of zero is none).
    static func transportChecksumVerifies(_ ip: IPv4Packet) -> Bool {
        let length = ip.totalLength - ip.headerLength
        guard length >= 8 else { return true }
        if ip.proto == .udp, ip.bytes.u16be(at: ip.payloadOffset + 6) == 0 { return true }
        let sum = Checksum.add(ip.bytes, start: ip.payloadOffset, length: length,
                               to: Checksum.pseudoHeader(source: ip.source, destination: ip.destination, protocol: ip.proto, length: length))
        return Checksum.fold(sum) == 0xffff
    }

    // MARK: - Deciding

    /// What the frames a MAC sent say about it.
    struct Sender {
        var initialTTL = 0
        var otherTTL = 0
        /// TTLs seen per IPv4 source address.
        var ttls: [IPv4Address: Set<UInt8>] = [:]
        var v6Sources: Set<V6> = []
        var offload = 0
        var answers = 0
        var dhcpClient = false
        var received = 0
        /// Frames it sent shorter than Ethernet's 60-byte minimum: captured before a NIC padded them.
        var runts = 0
        /// Frames it sent that a NIC padded to Ethernet's minimum.
        var padded = 0
        /// Answers to its requests that came a round trip later (the capture was taken where it asked).
        var slowAnswers = 0
        /// Unicast frames it sent.
        var unicast = 0
        var receivedAggregates = 0
        /// A peer's acknowledgments that came behind data this MAC had already sent (``inFlightEvidence(among:)``).
        var peerLagging = 0

        /// Source addresses with one steady TTL that no host starts with: relayed from beyond a router.
        var relayedSources: Int {
            ttls.values.filter { $0.count == 1 && !$0.contains(where: HostInference.isInitialTTL) }.count
        }
        /// Whether the MAC chose its own TTLs (traceroute, scanners): at least three for one source.
        var choosesTTL: Bool { ttls.values.contains { $0.count >= 3 } }
        /// A gateway: several source addresses, or only relayed ones.
        var isRouterLike: Bool {
            let sources = ttls.count
            return !choosesTTL && (sources >= 3 || (relayedSources > 0 && relayedSources * 2 >= sources && initialTTL == 0))
        }
        /// How strongly the evidence says this is the capturing host (offload marks weigh most).
        var score: Int {
            var s = 0
            if offload > 0 || receivedAggregates > 0 || runts > 0 { s += 1_000 }
            if peerLagging > 0 { s += 300 }
            if slowAnswers > 0 { s += 60 }
            if choosesTTL { s += 100 }
            if dhcpClient { s += 100 }
            if initialTTL > otherTTL { s += 50 }
            if isRouterLike { s -= 500 }
            return s
        }
    }

    static func isInitialTTL(_ ttl: UInt8) -> Bool { ttl == 64 || ttl == 128 || ttl == 255 }

    /// The host profile inferred, and what was assumed (each with its reason).
    public func profile(driver: String, assumeState: Bool = true) -> (HostProfile, [String]) {
        if !otherInterfaces.isEmpty { return severalCaptureInterfaces(driver: driver, assumeState: assumeState) }
        // The interface of the frames is the one the file describes (not necessarily its first).
        var one = self
        if let interface, metadata.interfaces.indices.contains(interface) { one.metadata.interfaces = [metadata.interfaces[interface]] }
        var (profile, assumptions) = one.profileOfOneInterface(driver: driver, assumeState: assumeState)
        if let station = stations.station, let i = profile.interfaces.firstIndex(where: \.captured) ?? profile.interfaces.indices.first {
            // A monitor-mode capture: the host is the station, on a Wi-Fi interface.
            profile.interfaces[i].mac = station.mac
            profile.interfaces[i].driver = "iwlwifi"
            profile.interfaces[i].wifi = station.bss
            if facts.isEmpty { assumptions.removeAll { $0.hasPrefix("host ") || $0.hasPrefix("no Ethernet addresses") } }
            assumptions.insert(station.reason, at: 0)
        }
        return (profile, assumptions)
    }

    /// The host of a pcapng of several interfaces (`dumpcap -i eth0 -i wg0`): each interface's frames
    /// inferred as a capture of their own, on a device named from its `if_name`, then one host with
    /// every device, the first default route, and the sockets of all.
    private func severalCaptureInterfaces(driver: String, assumeState: Bool) -> (HostProfile, [String]) {
        var parts = otherInterfaces
        if let interface { parts[interface] = self }
        var profile = HostProfile(kernel: kernelFromMetadata, interfaces: [])
        var assumptions = ["a capture of \(parts.count) interfaces (pcapng): one device per interface"]
        for (number, var part) in parts.sorted(by: { $0.key < $1.key }) {
            part.otherInterfaces = [:]
            part.chosenHostMAC = chosenHostMAC
            var described = metadata.interfaces.indices.contains(number)
                ? metadata.interfaces[number] : PcapngMetadata.Interface(linkType: LinkType(rawValue: -1))
            described.name = described.deviceName(number: number)
            part.metadata = metadata
            part.metadata.interfaces = [described]
            var (p, said) = part.profileOfOneInterface(driver: driver, assumeState: assumeState)
            // Names stay unique (two interfaces of one name and different link types).
            for i in p.interfaces.indices where profile.interfaces.contains(where: { $0.name == p.interfaces[i].name }) {
                let old = p.interfaces[i].name
                p.interfaces[i].name += "-\(number)"
                for r in p.routes.indices where p.routes[r].device == old { p.routes[r].device = p.interfaces[i].name }
                for n in p.neighbours.indices where p.neighbours[n].device == old { p.neighbours[n].device = p.interfaces[i].name }
            }
            profile.interfaces += p.interfaces
            profile.routes += p.routes.filter { r in !profile.routes.contains { $0.destination == r.destination } }
            profile.neighbours += p.neighbours
            profile.sockets += p.sockets.filter { !profile.sockets.contains($0) }
            profile.sysctl.merge(p.sysctl) { a, _ in a }
            let name = p.interfaces.map(\.name).joined(separator: ", ")
            assumptions += said.filter { !$0.hasPrefix("the capture file says") }.map { "on \(name): \($0)" }
        }
        if let os = metadata.os { assumptions.append(osNote(os)) }
        return (profile, assumptions)
    }

    /// The host of a capture of one interface (or of a cooked capture of several).
    private func profileOfOneInterface(driver: String, assumeState: Bool) -> (HostProfile, [String]) {
        if facts.contains(where: { $0.ifindex != nil }) { return severalInterfaces(driver: driver, assumeState: assumeState) }
        if case .rawIP = encapsulation { return rawIPProfile(assumeState: assumeState) }
        var assumptions: [String] = []
        let loopback = isLoopbackCapture
        var senders: [MACAddress: Sender] = [:]
        if !loopback {
            for f in facts {
                guard let src = f.src, !src.isMulticast, f.family != .other else { continue }
                var s = senders[src, default: Sender()]
                switch f.family {
                case .ipv4:
                    if !f.v4src.isZeroNet {
                        s.ttls[f.v4src, default: []].insert(f.ttl)
                        if Self.isInitialTTL(f.ttl) { s.initialTTL += 1 } else { s.otherTTL += 1 }
                    }
                    if f.badTransportChecksum || f.wireLength > 1500 { s.offload += 1 }
                    if f.proto == .udp, f.sport == 68, f.dport == 67 { s.dhcpClient = true }
                    if isAnswer(f) { s.answers += 1 }
                case .ipv6:
                    if !f.v6src.isZero { s.v6Sources.insert(f.v6src) }
                    if Self.isInitialTTL(f.ttl) { s.initialTTL += 1 } else if f.ttl != 1 { s.otherTTL += 1 }
                    if f.wireLength > 1500 { s.offload += 1 }
                case .arp:
                    if f.arpOperation == ARPPacket.reply { s.answers += 1 }
                case .other:
                    break
                }
                if let n = f.ethernetLength, n < 60 { s.runts += 1 }
                if f.padded { s.padded += 1 }
                senders[src] = s
            }
            // Runts say where the capture was taken only when another sender's frames came padded (a
            // veth pads nothing, so on one both ends send runts).
            for (k, v) in senders where v.runts > 0 {
                if !senders.contains(where: { $0.key != k && $0.value.padded > 0 && $0.value.runts == 0 }) { senders[k]?.runts = 0 }
            }
            for (requester, n) in slowAnswers() where senders[requester] != nil { senders[requester]?.slowAnswers = n }
            for (sender, n) in inFlightEvidence(among: Set(senders.keys)) { senders[sender]?.peerLagging = n }
            for f in facts {
                guard let dst = f.dst, !dst.isMulticast, senders[dst] != nil else { continue }
                senders[dst]?.received += 1
                if let src = f.src, senders[src] != nil { senders[src]?.unicast += 1 }
                if f.wireLength > 1500 { senders[dst]?.receivedAggregates += 1 }
            }
        }
        // Order: evidence, then unicast frames the MAC is in (sent or received), then answers, then the address.
        var hostMAC: MACAddress? = loopback ? MACAddress(rawValue: 0) : senders.max { a, b in
            (a.value.score, a.value.unicast + a.value.received, a.value.answers, b.key.rawValue)
                < (b.value.score, b.value.unicast + b.value.received, b.value.answers, a.key.rawValue)
        }?.key ?? mostFrequentUnicastDestination
        if senders.count == 1, let only = senders.first, only.value.score <= 50, let receiver = silentNeighbour(of: only.key) {
            // Frames from one neighbour to another that never answers: the capture was taken where they
            // arrive (from beyond a router they would carry the router's MAC and a lowered TTL).
            hostMAC = receiver
        }
        var alike: String?
        if let chosen = chosenHostMAC, !loopback {
            if senders[chosen] != nil || facts.contains(where: { $0.dst == chosen }) {
                hostMAC = chosen
            } else {
                assumptions.append("--host-mac \(chosen): no frame of this capture is from or to it; the host is inferred without it")
            }
        } else if let hostMAC, !loopback {
            alike = indistinguishableEndsNote(host: hostMAC, senders: senders)
        }
        let host = hostMAC.flatMap { senders[$0] }

        /// Whether the host sent `f`.
        func sent(_ f: Facts) -> Bool {
            if let o = f.outgoing { return o }
            if loopback { return true }
            guard let hostMAC else { return false }
            return f.src == hostMAC
        }
        func received(_ f: Facts) -> Bool {
            if let o = f.outgoing { return !o }
            if loopback { return true }
            guard let hostMAC else { return false }
            return f.dst == hostMAC || (f.dst?.isMulticast ?? false)
        }

        // Addresses: the sources of what the host sent, its ARP sender address; else what was sent to it.
        var v4Counts: [IPv4Address: Int] = [:]
        var v6Sources: [V6: Int] = [:]
        for f in facts where sent(f) {
            switch f.family {
            case .ipv4, .arp: if !f.v4src.isZeroNet { v4Counts[f.v4src, default: 0] += 1 }
            case .ipv6:
                // A DAD probe's target too: the host is adding that address.
                if let a = f.v6src.isZero ? f.dadTarget : f.v6src { v6Sources[a, default: 0] += 1 }
            case .other: break
            }
        }
        if v4Counts.isEmpty {
            for f in facts where received(f) && f.family == .ipv4 && !f.v4dst.isMulticast && f.v4dst != .broadcast {
                v4Counts[f.v4dst, default: 0] += 1
            }
        }
        let hostRouterLike = host?.isRouterLike ?? false
        let v4 = v4Counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            .prefix(hostRouterLike ? 1 : 4).map(\.key)
        let addresses = v4.map { IPv4Prefix(address: $0, length: $0.isLoopback ? 8 : 24) }
        let v6 = v6Sources.sorted { $0.value > $1.value || ($0.value == $1.value && (v6Text[$0.key] ?? "") < (v6Text[$1.key] ?? "")) }
            .map { v6Text[$0.key] ?? "" }
        let mac = hostMAC ?? MACAddress(rawValue: 0x02_00_00_00_00_01)
        var what = addresses.map(\.description) + v6
        if what.isEmpty { what = ["no address seen"] }
        assumptions.append("host \(mac) with \(what.joined(separator: ", "))"
            + (addresses.contains { !$0.address.isLoopback } ? " (the /24 prefix is assumed)" : ""))
        if loopback {
            assumptions.append("a loopback capture (\(loopbackReason)): the host talks to itself through lo")
        } else if hostMAC == nil {
            assumptions.append("no Ethernet addresses in the capture: the host MAC is a placeholder")
        } else if let chosen = chosenHostMAC, hostMAC == chosen {
            assumptions.append("taken to be the capturing host because --host-mac names it")
        } else if alike == nil, let reason = reason(for: host) {
            assumptions.append("taken to be the capturing host because \(reason)")
        }
        if let alike { assumptions.append(alike) }
        if let hostMAC, !loopback, let note = promiscuousNote(host: hostMAC, addresses: addresses) { assumptions.append(note) }
        if !v6.isEmpty {
            assumptions.append("IPv6 addresses \(v6.joined(separator: ", ")) (\(loopback ? "/128" : "/64") assumed: the addresses it sent from)")
        }
        if let os = metadata.os { assumptions.append(osNote(os)) }
        if let ttlNote = initialTTLNote(host) { assumptions.append(ttlNote) }

        let local = Set(v4)
        func onLink(_ a: IPv4Address) -> Bool { addresses.contains { $0.contains(a) } }

        // The gateway: the MAC off-link traffic goes to, preferring one whose frames look relayed.
        var gatewayFrames: [MACAddress: Int] = [:]
        var macOfIP: [IPv4Address: MACAddress] = [:]
        /// The addresses of `macOfIP` in the order the capture first showed them.
        var ipOrder: [IPv4Address] = []
        func learn(_ ip: IPv4Address, _ mac: MACAddress) {
            if macOfIP.updateValue(mac, forKey: ip) == nil { ipOrder.append(ip) }
        }
        for f in facts {
            if f.family == .arp, let src = f.src { learn(f.v4src, src) }
            guard f.family == .ipv4 else { continue }
            if sent(f), let dst = f.dst, !dst.isMulticast, !onLink(f.v4dst), !f.v4dst.isMulticast, f.v4dst != .broadcast {
                gatewayFrames[dst, default: 0] += 1
            }
            if received(f), let src = f.src, !src.isMulticast, onLink(f.v4src) { learn(f.v4src, src) }
        }
        let gateway = gatewayFrames.max { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) }?.key

        var profile = HostProfile(kernel: kernelFromMetadata, interfaces: [
            .init(name: interfaceName(loopback: loopback, driver: driver), driver: loopback ? "loopback" : driver, mac: mac,
                  mtu: loopback ? 65_536 : 1500, addresses: addresses, captured: true),
        ])
        // IPv6 addresses with the prefix length a host's addresses have (link-local and SLAAC: /64); on lo
        // host routes (::1/128, as addrconf's init_loopback adds it).
        profile.interfaces[0].ipv6Addresses = v6.map { $0 + (loopback ? "/128" : "/64") }
        let device = profile.interfaces[0].name
        if !loopback { assumptions += vlanInterfaces(&profile, sent: sent, received: received) }
        let withVLANs = profile
        /// The interface on whose network `a` lies (a VLAN sub-interface, or the captured one).
        func deviceOn(_ a: IPv4Address) -> String {
            withVLANs.interfaces.first { $0.addresses.contains { $0.contains(a) } }?.name ?? device
        }
        if let gw = gateway {
            let relayed = senders[gw]?.ttls.count ?? 0
            // The first address the capture showed at the gateway's MAC: a MAC that answers for several
            // (ARP spoofing: the gateway's address and its own) routes as the one it claimed first.
            if let gwIP = ipOrder.first(where: { macOfIP[$0] == gw && onLink($0) }) {
                profile.routes = [RouteConfig(destination: IPv4Prefix("0.0.0.0/0")!, gateway: gwIP, device: deviceOn(gwIP))]
                assumptions.append("default route via \(gwIP) (\(gw)): off-link traffic goes to it"
                    + (relayed > 1 ? ", \(relayed) remote addresses behind it" : ""))
            } else {
                assumptions.append("gateway \(gw) seen, its IP address unknown: off-link traffic routed without a gateway address")
                profile.routes = [RouteConfig(destination: IPv4Prefix("0.0.0.0/0")!, gateway: nil, device: device)]
            }
        }
        if !loopback {
            assumptions += addIPv6Gateway(to: &profile, device: device, cacheNeighbour: assumeState, sent: sent, received: received)
        }
        guard assumeState else {
            assumptions.append("no state assumed at the capture's start (--assume none)")
            return (profile, assumptions)
        }
        let state = stateAtStart(sent: sent, received: received, local: local)
        profile.sockets = state.sockets
        assumptions += state.assumptions
        assumptions += addIPv6StateAtStart(to: &profile.sockets, sent: sent, received: received)
        if let gw = gateway, let gwIP = profile.routes.first?.gateway, !state.resolvedInCapture.contains(gwIP) {
            profile.neighbours.append(NeighbourConfig(ip: gwIP, mac: gw, device: deviceOn(gwIP), state: .NUD_REACHABLE))
            assumptions.append("neighbour \(gwIP) (\(gw)) cached: the host reached its gateway without resolving it in the capture")
        }
        return (profile, assumptions)
    }

    /// Sockets and connections the host evidently had when the capture began, and what was assumed.
    func stateAtStart(sent: (Facts) -> Bool, received: (Facts) -> Bool, local: Set<IPv4Address>)
        -> (sockets: [SocketConfig], assumptions: [String], resolvedInCapture: Set<IPv4Address>)
    {
        var listeners: Set<UInt16> = []
        var udpPeers: [UInt16: Set<Endpoint>] = [:]
        var udpSentFrom: Set<UInt16> = []
        var udpClosed: Set<UInt16> = []
        var groups: [UInt16: Set<IPv4Address>] = [:]
        var seenTuples: Set<FourTuple> = []
        var established: [FourTuple] = []
        var resolved: Set<IPv4Address> = []
        for f in facts where !f.forwarded && !f.copy {
            if f.family == .arp, sent(f), f.arpOperation == ARPPacket.request { resolved.insert(f.v4dst) }
            guard f.family == .ipv4 else { continue }
            let out = sent(f)
            let into = !out && received(f)
            switch f.proto {
            case .tcp where out || into:
                let t = out ? FourTuple(local: f.v4src, localPort: f.sport, remote: f.v4dst, remotePort: f.dport)
                    : FourTuple(local: f.v4dst, localPort: f.dport, remote: f.v4src, remotePort: f.sport)
                if out, f.tcpFlags.contains([.syn, .ack]) { listeners.insert(f.sport) }
                guard !seenTuples.contains(t) else { break }
                seenTuples.insert(t)
                // A connection whose first segment here is no SYN began before the capture.
                if !f.tcpFlags.contains(.syn), !f.tcpFlags.contains(.rst), established.count < Self.connectionLimit,
                   local.contains(t.local) {
                    established.append(t)
                }
            case .udp:
                if out {
                    udpSentFrom.insert(f.sport)
                    if !f.v4dst.isMulticast, f.v4dst != .broadcast {
                        udpPeers[f.sport, default: []].insert(Endpoint(address: f.v4dst, port: f.dport))
                    } else if f.v4dst.isMulticast, f.sport == f.dport {
                        groups[f.sport, default: []].insert(f.v4dst)
                    }
                } else if into {
                    if f.v4dst.isMulticast { groups[f.dport, default: []].insert(f.v4dst) }
                    if local.contains(f.v4dst) { udpSentFrom.insert(f.dport) }
                }
            case .icmp where out:
                if let port = f.quotedUDPPort { udpClosed.insert(port) }
            default:
                break
            }
        }
        let udpOpen = udpSentFrom.subtracting(udpClosed)
        var sockets = listeners.sorted().map { SocketConfig(proto: .tcp, address: .any, port: $0, state: .TCP_LISTEN) }
        var assumptions: [String] = []
        if !listeners.isEmpty {
            assumptions.append("TCP listening on \(listeners.sorted().map(String.init).joined(separator: ", ")) (it answered SYNs there)")
        }
        let connections = established
        for t in connections {
            sockets.append(SocketConfig(proto: .tcp, address: t.local, port: t.localPort, state: .TCP_ESTABLISHED,
                                        remote: t.remote, remotePort: t.remotePort))
        }
        if !connections.isEmpty {
            let shown = connections.prefix(4).map { "\($0.local):\($0.localPort)-\($0.remote):\($0.remotePort)" }
            assumptions.append("\(connections.count) TCP connection\(connections.count == 1 ? "" : "s") established before the capture "
                + "(first seen in mid-stream): \(shown.joined(separator: ", "))\(connections.count > 4 ? ", …" : "")")
        }
        var connected: [String] = []
        var joined: [String] = []
        for port in udpOpen.sorted() {
            let peers = udpPeers[port] ?? []
            let g = groups[port].map { Array($0).sorted() } ?? []
            // A socket that sent to one peer only, on an ephemeral port, is taken to be connected to it.
            if peers.count == 1, g.isEmpty, port >= 1024, let peer = peers.first {
                sockets.append(SocketConfig(proto: .udp, address: .any, port: port, remote: peer.address, remotePort: peer.port))
                connected.append("\(port)→\(peer.address):\(peer.port)")
            } else {
                sockets.append(SocketConfig(proto: .udp, address: .any, port: port, groups: g))
            }
            if !g.isEmpty { joined.append("\(g.map(\.description).joined(separator: ", ")) on \(port)") }
        }
        if !udpOpen.isEmpty {
            assumptions.append("UDP sockets on \(udpOpen.sorted().map(String.init).joined(separator: ", "))"
                + (connected.isEmpty ? "" : " (connected: \(connected.joined(separator: ", ")))"))
        }
        if !joined.isEmpty {
            assumptions.append("multicast groups joined (the host uses the port they arrive on): \(joined.joined(separator: "; "))")
        }
        return (sockets, assumptions, resolved)
    }

    /// The host of a cooked capture of several interfaces (`tcpdump -i any`, Linux cooked v2): one
    /// interface per interface index, with the link-layer address its frames left with and the addresses
    /// it sent from (its ARP, its own packets: a packet that came in on another interface first is
    /// forwarded, and makes the host a router).
    private func severalInterfaces(driver: String, assumeState: Bool) -> (HostProfile, [String]) {
        struct Seen {
            var macs: [MACAddress: Int] = [:]
            var own: [IPv4Address: Int] = [:]
            /// The IPv6 addresses it sent from.
            var own6: [V6: Int] = [:]
            var forwarded = 0
            /// Of those, IPv6 packets.
            var forwarded6 = 0
            /// Sources of packets that arrived here and were forwarded: networks reached through it.
            var behind: Set<IPv4Address> = []
            /// The same for IPv6 (global sources, their /64s).
            var behind6: Set<V6> = []
        }
        var seen: [UInt32: Seen] = [:]
        let forwardedKeys = Set(facts.filter(\.forwarded).map {
            PacketKey(source: $0.v4src, destination: $0.v4dst, id: 0, proto: $0.proto.rawValue)
        })
        let forwardedKeys6 = forwardedIPv6()
        for f in facts {
            guard let index = f.ifindex else { continue }
            var i = seen[index, default: Seen()]
            if f.outgoing == false, f.family == .ipv4,
               forwardedKeys.contains(PacketKey(source: f.v4src, destination: f.v4dst, id: 0, proto: f.proto.rawValue)) {
                i.behind.insert(f.v4src)
            }
            if f.outgoing == false, f.family == .ipv6, !f.v6src.isLinkLocal, !f.v6src.isMulticast, !f.v6src.isZero,
               forwardedKeys6.contains([f.v6src, f.v6dst]) {
                i.behind6.insert(V6(hi: f.v6src.hi, lo: 0))
            }
            if f.outgoing == true, !f.copy {
                if let a = f.linkAddress { i.macs[a, default: 0] += 1 }
                if f.forwarded {
                    i.forwarded += f.family == .ipv4 ? 1 : 0
                    i.forwarded6 += f.family == .ipv6 ? 1 : 0
                } else if f.family == .ipv4 || f.family == .arp, !f.v4src.isZeroNet {
                    i.own[f.v4src, default: 0] += 1
                } else if f.family == .ipv6, let a = f.v6src.isZero ? f.dadTarget : f.v6src {
                    i.own6[a, default: 0] += 1
                }
            }
            seen[index] = i
        }
        var assumptions: [String] = []
        var interfaces: [HostProfile.Interface] = []
        let bridgeOf = bridgePorts
        let bridges = Set(bridgeOf.values)
        for (index, i) in seen.sorted(by: { $0.key < $1.key }) {
            let mac = i.macs.max { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) }?.key ?? MACAddress(rawValue: 0)
            var own = i.own.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(4).map(\.key)
            let master = bridgeOf[index]
            let isLoopback = master == nil && mac.rawValue == 0 && (own.isEmpty || own.allSatisfy(\.isLoopback))
            let name = isLoopback ? "lo" : "if\(index)"
            // lo always has 127.0.0.1/8 (inet_init configures it), whether or not the capture shows it used.
            if isLoopback, own.isEmpty { own = [IPv4Address(rawValue: 0x7f00_0001)] }
            let iDriver = isLoopback ? "loopback" : bridges.contains(index) ? "bridge" : driver
            var interface = HostProfile.Interface(name: name, driver: iDriver, mac: mac, mtu: isLoopback ? 65_536 : 1500,
                                                  addresses: own.map { IPv4Prefix(address: $0, length: $0.isLoopback ? 8 : 24) },
                                                  captured: true, ifindex: Int(index))
            interface.master = master.map { "if\($0)" }
            let own6 = i.own6.sorted { $0.value > $1.value || ($0.value == $1.value && (v6Text[$0.key] ?? "") < (v6Text[$1.key] ?? "")) }
                .prefix(4).compactMap { v6Text[$0.key] }
            interface.ipv6Addresses = own6.map { $0 + (isLoopback ? "/128" : "/64") }
            interfaces.append(interface)
            let addresses = own.map(\.description) + own6
            let shown = addresses.isEmpty ? "no address seen" : addresses.joined(separator: ", ")
            var said = "interface \(name) (index \(index)) \(mac) with \(shown)"
                + (own.contains { !$0.isLoopback } ? " (the /24 prefix is assumed)" : "")
                + (own6.isEmpty || isLoopback ? "" : " (/64 assumed for IPv6)")
            if bridges.contains(index) {
                said += ": a bridge (packets came in on its ports and went up it, or left it through them, as one skb)"
            } else if let master {
                said += ": a port of the bridge if\(master) (the same skbs seen on both\(switched.contains { $0.lower == index || $0.upper == index } ? ", and switched to or from another port unchanged" : ""))"
                    + (i.macs.isEmpty ? "; its own MAC is not in the capture (a bridge sends with its own)" : "")
            }
            assumptions.append(said)
        }
        assumptions.insert("a capture of \(interfaces.count) interface\(interfaces.count == 1 ? "" : "s") (Linux cooked v2, as tcpdump -i any writes): "
            + "one per interface index; names are not in the capture", at: 0)
        var profile = HostProfile(kernel: kernelFromMetadata, interfaces: interfaces)
        // Networks the host forwards from, reached through the interface their packets came in on.
        for (interface, (_, i)) in zip(interfaces, seen.sorted(by: { $0.key < $1.key })) {
            let networks = Set(i.behind.map { IPv4Prefix(address: IPv4Address(rawValue: $0.rawValue & 0xffff_ff00), length: 24) })
            for n in networks.sorted(by: { $0.address < $1.address }) where !interface.addresses.contains(where: { $0.contains(n.address) }) {
                profile.routes.append(RouteConfig(destination: n, gateway: nil, device: interface.name))
                assumptions.append("route to \(n) on \(interface.name): packets from it came in there and were forwarded (on-link /24 assumed)")
            }
            let own6 = interface.ipv6Addresses.compactMap { IPv6Prefix($0) }
            for n in i.behind6.sorted(by: { $0.hi < $1.hi }) {
                let prefix = IPv6Prefix(address: IPv6Address(high: n.hi, low: 0), length: 64)
                guard !own6.contains(where: { $0.contains(prefix.address) }) else { continue }
                profile.routes6.append(RouteConfig6(destination: prefix, gateway: nil, device: interface.name))
                assumptions.append("route to \(prefix) on \(interface.name): IPv6 packets from it came in there and were forwarded (on-link /64 assumed)")
            }
        }
        let loopbacks = Set(interfaces.filter { $0.driver == "loopback" }.compactMap { $0.ifindex.map(UInt32.init) })
        // On lo the host sent every frame it received.
        // Packets the host forwarded are not its own.
        let sent = { (f: Facts) in (f.outgoing == true && !f.forwarded) || f.ifindex.map(loopbacks.contains) == true }
        let received = { (f: Facts) in f.outgoing == false }
        var gateways: [NeighbourConfig] = []
        for interface in interfaces where interface.driver != "loopback" && interface.master == nil {
            guard let index = interface.ifindex.map(UInt32.init) else { continue }
            if let (route, mac, said) = cookedGateway(profile, interface: interface, ifindex: index) {
                profile.routes.append(route)
                if let ip = route.gateway { gateways.append(NeighbourConfig(ip: ip, mac: mac, device: interface.name, state: .NUD_REACHABLE)) }
                assumptions.append(said)
            }
            assumptions += addIPv6Gateway(to: &profile, device: interface.name, ifindex: index, cacheNeighbour: assumeState,
                                          sent: sent, received: received)
        }
        let forwarded = seen.values.reduce(0) { $0 + $1.forwarded }, forwarded6 = seen.values.reduce(0) { $0 + $1.forwarded6 }
        if forwarded > 0 {
            profile.sysctl["net.ipv4.ip_forward"] = 1
            assumptions.append("forwarding on (net.ipv4.ip_forward=1): \(forwarded) packets left on one interface after arriving on another")
        }
        if forwarded6 > 0 {
            profile.sysctl["net.ipv6.conf.all.forwarding"] = 1
            assumptions.append("IPv6 forwarding on (net.ipv6.conf.all.forwarding=1): \(forwarded6) IPv6 packets left on one interface after arriving on another")
        }
        guard assumeState else {
            assumptions.append("no state assumed at the capture's start (--assume none)")
            return (profile, assumptions)
        }
        let local = Set(interfaces.flatMap { $0.addresses.map(\.address) })
        let state = stateAtStart(sent: sent, received: received, local: local)
        profile.sockets = state.sockets
        assumptions += state.assumptions
        assumptions += addIPv6StateAtStart(to: &profile.sockets, sent: sent, received: received)
        for gw in gateways where !state.resolvedInCapture.contains(gw.ip) {
            profile.neighbours.append(gw)
            assumptions.append("neighbour \(gw.ip) (\(gw.mac)) cached: the host reached its gateway without resolving it in the capture")
        }
        return (profile, assumptions)
    }

    /// The IPv4 default route of a cooked capture's `interface` (index `ifindex`), which shows no
    /// destination MAC: the gateway is the MAC packets from off-link sources (outside the interface's
    /// /24s) came in from, its address the on-link one its ARP or its packets came from. Nil when the
    /// profile has a default route already, or nothing came from off-link; with the gateway's MAC and
    /// what was assumed.
    private func cookedGateway(_ profile: HostProfile, interface: HostProfile.Interface, ifindex: UInt32)
        -> (RouteConfig, MACAddress, String)?
    {
        guard !profile.routes.contains(where: { $0.destination.length == 0 }), !interface.addresses.isEmpty else { return nil }
        func onLink(_ a: IPv4Address) -> Bool { interface.addresses.contains { $0.contains(a) } }
        var frames: [MACAddress: Int] = [:]
        var addressOf: [MACAddress: IPv4Address] = [:]
        for f in facts where f.ifindex == ifindex && f.outgoing == false && !f.copy {
            guard let mac = f.linkAddress, !mac.isMulticast else { continue }
            if f.family == .arp || (f.family == .ipv4 && onLink(f.v4src)) {
                if onLink(f.v4src), addressOf[mac] == nil { addressOf[mac] = f.v4src }
            } else if f.family == .ipv4, !f.v4src.isZeroNet, !f.v4src.isLoopback, !f.v4src.isMulticast {
                frames[mac, default: 0] += 1
            }
        }
        guard let gw = frames.max(by: { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) })?.key else { return nil }
        guard let ip = addressOf[gw] else {
            return (RouteConfig(destination: IPv4Prefix("0.0.0.0/0")!, gateway: nil, device: interface.name), gw,
                    "gateway \(gw) seen on \(interface.name), its IP address unknown: off-link traffic routed without a gateway address")
        }
        return (RouteConfig(destination: IPv4Prefix("0.0.0.0/0")!, gateway: ip, device: interface.name), gw,
                "default route via \(ip) (\(gw)) on \(interface.name): off-link traffic came in from it")
    }

    /// An address and port, for UDP peers.
    struct Endpoint: Hashable {
        var address: IPv4Address
        var port: UInt16
    }

    /// Per MAC, the answers to its SYNs and echo requests that came at least ``roundTrip`` after the
    /// request: a kernel answers within microseconds, so only a capture taken at the requester sees a
    /// round trip between the two.
    private func slowAnswers() -> [MACAddress: Int] {
        var asked: [MACAddress: Int64] = [:]
        var out: [MACAddress: Int] = [:]
        for f in facts where f.family == .ipv4 {
            guard let src = f.src, let dst = f.dst, !dst.isMulticast else { continue }
            let isRequest = (f.proto == .tcp && f.tcpFlags.contains(.syn) && !f.tcpFlags.contains(.ack))
                || (f.proto == .icmp && f.icmpType == ICMPv4Packet.echoRequest)
            if isRequest {
                asked[src] = f.time
            } else if isAnswer(f), let t = asked[dst], f.time.clampedSubtracting(t) >= Self.roundTrip {
                out[dst, default: 0] += 1
                asked[dst] = nil
            }
        }
        return out
    }

    /// The least delay between a request and its answer that is taken for a network round trip.
    static let roundTrip: Int64 = 500_000

    /// Whether the frame answers another host (SYN-ACK, RST, echo reply, ICMP error).
    private func isAnswer(_ f: Facts) -> Bool {
        switch f.proto {
        case .tcp: return f.tcpFlags.contains([.syn, .ack]) || f.tcpFlags.contains(.rst)
        case .icmp: return f.icmpType == ICMPv4Packet.echoReply || [3, 4, 5, 11, 12].contains(f.icmpType)
        default: return false
        }
    }

    /// Why the chosen MAC was taken for the host, in words, from its strongest evidence.
    private func reason(for host: Sender?) -> String? {
        guard let host else { return nil }
        if host.peerLagging > 0 {
            return "\(host.peerLagging) of its peer's acknowledgments came behind data it had already sent: "
                + "the capture saw its segments leave before the peer could have received them"
        }
        if host.runts > 0 { return "\(host.runts) of its frames are shorter than Ethernet's minimum: captured before its NIC padded them" }
        if host.offload > 0 { return "\(host.offload) of its frames carry offload marks (unfinished checksums or TSO sizes) only the sender's own capture shows" }
        if host.receivedAggregates > 0 { return "it received \(host.receivedAggregates) GRO aggregates larger than the MTU" }
        if host.choosesTTL { return "it sets its own TTLs (traceroute or a scanner)" }
        if host.slowAnswers > 0 { return "answers to its requests came a round trip later (\(host.slowAnswers) seen)" }
        if host.dhcpClient { return "it is the DHCP client" }
        if host.initialTTL > host.otherTTL { return "it sends with initial TTLs and from few addresses (an endpoint, not a router)" }
        return nil
    }

    /// A note on the host's initial TTL when it is not Linux's 64.
    private func initialTTLNote(_ host: Sender?) -> String? {
        guard let host, host.initialTTL > 0 else { return nil }
        let ttls = host.ttls.values.reduce(into: Set<UInt8>()) { $0.formUnion($1) }
        if ttls.contains(128), !ttls.contains(64) {
            return "the host sends with initial TTL 128, as Windows does: pktpath models what a Linux kernel would do with these frames"
        }
        return nil
    }

    /// A note on the operating system the pcapng says the capture was taken on.
    func osNote(_ os: String) -> String {
        if let v = kernelFromMetadata { return "the capture file says it was taken on \(os): kernel profile \(v)" }
        return "the capture file says it was taken on \(os): pktpath models a Linux kernel"
    }

    /// The modeled kernel nearest to the Linux version a pcapng's `shb_os` names (`Linux 6.1.0-13-amd64`).
    var kernelFromMetadata: String? {
        guard let os = metadata.os, os.lowercased().hasPrefix("linux") else { return nil }
        return HostSnapshot.nearestKernel(toRelease: os)
    }

    /// The interface's name: the pcapng's `if_name` when it has one, else the driver's usual name.
    private func interfaceName(loopback: Bool, driver: String) -> String {
        if let name = metadata.interfaces.first?.linuxName { return name }
        if loopback { return "lo" }
        return driver == "iwlwifi" ? "wlan0" : "eth0"
    }

    /// Whether the capture was taken on the loopback device: BSD loopback framing, or Ethernet whose
    /// every frame has all-zero MACs, or an interface named `lo`.
    var isLoopbackCapture: Bool {
        if case .bsdLoopback = encapsulation { return true }
        if metadata.interfaces.first?.name == "lo" { return true }
        guard !facts.isEmpty else { return false }
        return facts.allSatisfy { $0.src?.rawValue == 0 && $0.dst?.rawValue == 0 }
    }

    private var loopbackReason: String {
        if case .bsdLoopback = encapsulation { return "BSD loopback framing" }
        if metadata.interfaces.first?.name == "lo" { return "the interface is named lo" }
        return "every frame has all-zero MACs"
    }

    /// The MAC that `sender`'s unicast frames go to, when it never sends and every IPv4 packet to it is
    /// for an address in the sender's /24 (a neighbour, not a gateway).
    private func silentNeighbour(of sender: MACAddress) -> MACAddress? {
        var receiver: MACAddress?
        for f in facts where f.src == sender {
            guard let dst = f.dst, !dst.isMulticast else { continue }
            guard receiver == nil || receiver == dst else { return nil }
            receiver = dst
            if f.family == .ipv4, IPv4Prefix(address: f.v4src, length: 24).contains(f.v4dst) == false { return nil }
        }
        return receiver
    }

    /// The unicast destination MAC most frames go to (a capture where the host sent nothing).
    private var mostFrequentUnicastDestination: MACAddress? {
        var count: [MACAddress: Int] = [:]
        for f in facts {
            guard let dst = f.dst, !dst.isMulticast else { continue }
            count[dst, default: 0] += 1
        }
        return count.max { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) }?.key
    }
}
