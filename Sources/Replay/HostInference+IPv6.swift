import KernelNet
import Wire

extension HostInference {
    /// Adds to `sockets` the IPv6 sockets and connections the host evidently had when the capture
    /// began, and returns what was assumed: TCP listeners (it answered a SYN with a SYN-ACK), taken to
    /// be bound to `::` and so to take IPv4 too (`net.ipv6.bindv6only` 0, the default: an IPv4
    /// listener already inferred on the port becomes that one socket); connections seen in mid-stream
    /// (their first segment here is no SYN); UDP sockets bound to `::` on the ports it sent from or
    /// received unicast datagrams on without answering a port unreachable; a UDP socket on `::` that
    /// joined a group, where a datagram to the group arrived and the host answered its sender, or sent
    /// from its port (a DHCPv6 server on 547 and `ff02::1:2`, an mDNS responder on 5353 and `ff02::fb`).
    func addIPv6StateAtStart(to sockets: inout [SocketConfig], sent: (Facts) -> Bool, received: (Facts) -> Bool) -> [String] {
        var listeners: Set<UInt16> = []
        var seen: Set<FourTuple> = []
        var established: [FourTuple] = []
        var udpSentFrom: Set<UInt16> = []
        var udpReceivedOn: Set<UInt16> = []
        var udpClosed: Set<UInt16> = []
        /// Datagrams to IPv6 groups the host received (group, port, sender), and whom it sent UDP to.
        var groupDatagrams: [(group: V6, port: UInt16, sender: V6)] = []
        var udpSentTo: Set<V6> = []
        // A packet the host forwarded was not for it, where it came in either.
        let forwarded = forwardedIPv6()
        for f in facts where f.family == .ipv6 && !f.forwarded && !f.copy {
            let out = sent(f)
            guard out || (received(f) && !forwarded.contains([f.v6src, f.v6dst])) else { continue }
            switch f.proto {
            case .tcp:
                let src = IPv6Address(high: f.v6src.hi, low: f.v6src.lo), dst = IPv6Address(high: f.v6dst.hi, low: f.v6dst.lo)
                let t = out ? FourTuple(local6: src, localPort: f.sport, remote6: dst, remotePort: f.dport)
                    : FourTuple(local6: dst, localPort: f.dport, remote6: src, remotePort: f.sport)
                if out, f.tcpFlags.contains([.syn, .ack]) { listeners.insert(f.sport) }
                guard seen.count < Self.connectionLimit, seen.insert(t).inserted else { break }
                if !f.tcpFlags.contains(.syn), !f.tcpFlags.contains(.rst), !t.local6.isMulticast { established.append(t) }
            case .udp where out:
                udpSentFrom.insert(f.sport)
                udpSentTo.insert(f.v6dst)
            case .udp where f.v6dst.hi >> 56 != 0xff:
                udpReceivedOn.insert(f.dport)
            case .udp:
                if groupDatagrams.count < Self.connectionLimit { groupDatagrams.append((f.v6dst, f.dport, f.v6src)) }
            case .icmpv6 where out:
                if let port = f.quotedUDPPort { udpClosed.insert(port) }
            default:
                break
            }
        }
        var assumptions: [String] = []
        for port in listeners.sorted() {
            if let i = sockets.firstIndex(where: { $0.proto == .tcp && $0.state == .TCP_LISTEN && $0.port == port }) {
                sockets[i].ipv6 = true
            } else {
                var s = SocketConfig(proto: .tcp, address: .any, port: port, state: .TCP_LISTEN)
                s.ipv6 = true
                sockets.append(s)
            }
        }
        if !listeners.isEmpty {
            assumptions.append("TCP listening on [::] port \(listeners.sorted().map(String.init).joined(separator: ", ")) "
                + "(it answered SYNs over IPv6; IPv4 taken too, net.ipv6.bindv6only 0)")
        }
        for t in established {
            var s = SocketConfig(proto: .tcp, address: .any, port: t.localPort, state: .TCP_ESTABLISHED, remotePort: t.remotePort)
            s.address6 = t.local6
            s.remote6 = t.remote6
            sockets.append(s)
        }
        if !established.isEmpty {
            let shown = established.prefix(4).map { "[\($0.local6)]:\($0.localPort)-[\($0.remote6)]:\($0.remotePort)" }
            assumptions.append("\(established.count) IPv6 TCP connection\(established.count == 1 ? "" : "s") established before "
                + "the capture (first seen in mid-stream): \(shown.joined(separator: ", "))\(established.count > 4 ? ", …" : "")")
        }
        var udp: [UInt16] = []
        for port in udpSentFrom.union(udpReceivedOn).subtracting(udpClosed).sorted() {
            if let i = sockets.firstIndex(where: { $0.proto == .udp && $0.port == port }) {
                sockets[i].ipv6 = true
            } else {
                var s = SocketConfig(proto: .udp, address: .any, port: port)
                s.ipv6 = true
                sockets.append(s)
            }
            udp.append(port)
        }
        if !udp.isEmpty {
            assumptions.append("UDP sockets on [::] port \(udp.map(String.init).joined(separator: ", ")) "
                + "(it sent from them, or received on them without a port unreachable, over IPv6)")
        }
        var joined: [String] = []
        for d in groupDatagrams where !udpClosed.contains(d.port) && (udpSentTo.contains(d.sender) || udpSentFrom.contains(d.port)) {
            let group = IPv6Address(high: d.group.hi, low: d.group.lo)
            var i = sockets.firstIndex { $0.proto == .udp && $0.port == d.port && $0.remotePort == nil }
            if i == nil {
                var s = SocketConfig(proto: .udp, address: .any, port: d.port)
                s.ipv6 = true
                sockets.append(s)
                i = sockets.count - 1
            }
            guard let i, !sockets[i].groups6.contains(group) else { continue }
            sockets[i].ipv6 = true
            sockets[i].groups6.append(group)
            joined.append("\(group) on [::]:\(d.port)")
        }
        if !joined.isEmpty {
            assumptions.append("IPv6 groups joined by UDP sockets (what arrived to them was answered): \(joined.joined(separator: "; "))")
        }
        return assumptions
    }
}

extension HostInference {
    /// The source and destination of each IPv6 packet the capture shows the host forward: the copy that
    /// came in (not marked forwarded) was not for the host either.
    func forwardedIPv6() -> Set<[V6]> {
        Set(facts.filter { $0.forwarded && $0.family == .ipv6 }.map { [$0.v6src, $0.v6dst] })
    }

    /// The IPv6 default route of `device` (interface index `ifindex` in a cooked capture), found as the
    /// IPv4 one is: the gateway is the MAC the host sent off-link IPv6 packets to (destinations outside
    /// the device's /64s, neither link-local nor multicast), or, in a cooked capture, which shows no
    /// destination MAC, the one off-link packets came in from. Its address is the on-link one (link-local,
    /// or in one of the /64s) its packets came from: the one the host solicited in the capture, else a
    /// link-local one (what a route learnt from a router advertisement names). Adds the route to `profile`
    /// (and, with `cacheNeighbour`, the neighbour entry, reachable, when the host never solicited it in the
    /// capture) and returns what was assumed.
    func addIPv6Gateway(to profile: inout HostProfile, device: String, ifindex: UInt32? = nil, cacheNeighbour: Bool,
                        sent: (Facts) -> Bool, received: (Facts) -> Bool) -> [String] {
        guard !profile.routes6.contains(where: { $0.destination.length == 0 }),
              let interface = profile.interfaces.first(where: { $0.name == device }) else { return [] }
        // The device's own prefixes, and the networks behind it a router forwards to directly.
        let prefixes = interface.ipv6Addresses.compactMap { IPv6Prefix($0) }
            + profile.routes6.filter { $0.gateway == nil && $0.device == device }.map(\.destination)
        func onLink(_ a: V6) -> Bool {
            a.isLinkLocal || prefixes.contains { $0.contains(IPv6Address(high: a.hi, low: a.lo)) }
        }
        var frames: [MACAddress: Int] = [:]
        var addresses: [MACAddress: Set<V6>] = [:]
        var solicited: Set<UInt64> = []
        for f in facts where f.family == .ipv6 && !f.forwarded && !f.copy && (ifindex == nil || f.ifindex == ifindex) {
            if sent(f) {
                if let dst = f.dst, !dst.isMulticast, !f.v6dst.isMulticast, !onLink(f.v6dst) { frames[dst, default: 0] += 1 }
                // A neighbour solicitation goes to the target's solicited-node group, ff02::1:ffXX:XXXX.
                if f.proto == .icmpv6, f.v6dst.hi == 0xff02 << 48, f.v6dst.lo >> 24 == 0x1_ff { solicited.insert(f.v6dst.lo & 0xff_ffff) }
            } else if received(f), let src = f.src ?? f.linkAddress, !src.isMulticast, !f.v6src.isZero {
                if onLink(f.v6src) {
                    addresses[src, default: []].insert(f.v6src)
                } else if f.src == nil, !f.v6src.isMulticast {
                    frames[src, default: 0] += 1
                }
            }
        }
        guard let gw = frames.max(by: { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) })?.key else { return [] }
        let candidates = (addresses[gw] ?? []).sorted { ($0.hi, $0.lo) < ($1.hi, $1.lo) }
        // No packet of the gateway's own in the capture (its neighbour entry was fresh, nothing it sent
        // was captured): the link-local address its MAC gives by default, which a router advertises from.
        let chosen = candidates.first(where: { solicited.contains($0.lo & 0xff_ffff) })
            ?? candidates.first(where: \.isLinkLocal) ?? candidates.first
        let address = chosen.map { IPv6Address(high: $0.hi, low: $0.lo) }
            ?? IPv6Address(high: 0xfe80 << 48, low: gw.eui64InterfaceIdentifier)
        profile.routes6.append(RouteConfig6(destination: IPv6Prefix(address: .any, length: 0), gateway: address, device: device))
        var assumed = ["IPv6 default route via \(address) (\(gw)) on \(device): off-link IPv6 traffic goes to it"
            + (chosen == nil ? "; no packet of its gives its address: the link-local one its MAC forms (modified EUI-64)" : "")]
        if cacheNeighbour, !solicited.contains(address.low & 0xff_ffff) {
            profile.ipv6Neighbours.append(IPv6NeighbourConfig(ip: address, mac: gw, device: device, state: .NUD_REACHABLE))
            assumed.append("IPv6 neighbour \(address) (\(gw)) cached: the host reached its IPv6 gateway without soliciting it in the capture")
        }
        return assumed
    }
}
