import KernelNet
import Wire

/// The host of a raw-IP capture (link types 12, 14, 101, 228, 229: `tcpdump -i tun0`, or a pcapng
/// interface of that type): a tun device, point-to-point, with no link-layer addresses to say which
/// frames the host sent.
extension HostInference {
    /// How strongly the frames point to one address as the host's own, compared in order: the
    /// distinct peers it talks to (a VPN client talks to many servers through its tun device, each
    /// server to it alone), the frames it sent with an unmodified initial TTL or hop limit minus those
    /// with a lowered one (from beyond a router), then the earlier it first sent (the host opened the
    /// first exchange).
    struct RawIPEndpoint {
        var peers = 0
        var ttlEvidence = 0
        var firstSent = Int.max

        func outranks(_ o: RawIPEndpoint) -> Bool {
            (peers, ttlEvidence, -firstSent) > (o.peers, o.ttlEvidence, -o.firstSent)
        }
    }

    /// The address of one family most likely the host's, among the unicast endpoints `endpoints` gives
    /// for each frame.
    private func rawIPHostAddress<A: Hashable>(_ endpoints: (Facts) -> (src: A, dst: A)?, usable: (A) -> Bool) -> A? {
        var peers: [A: Set<A>] = [:]
        var ranks: [A: RawIPEndpoint] = [:]
        for (i, f) in facts.enumerated() {
            guard let (src, dst) = endpoints(f), usable(src) else { continue }
            if usable(dst) {
                peers[src, default: []].insert(dst)
                peers[dst, default: []].insert(src)
            }
            ranks[src, default: RawIPEndpoint()].ttlEvidence += Self.isInitialTTL(f.ttl) ? 1 : -1
            ranks[src, default: RawIPEndpoint()].firstSent = min(ranks[src]?.firstSent ?? .max, i)
        }
        for (a, p) in peers { ranks[a, default: RawIPEndpoint()].peers = p.count }
        return ranks.max { b, a in a.value.outranks(b.value) }?.key
    }

    /// The host profile of a raw-IP capture: one tun device with the addresses the frames show as the
    /// host's, a route through it for the peers beyond its prefix, and the state at capture start.
    func rawIPProfile(assumeState: Bool) -> (HostProfile, [String]) {
        let v4 = rawIPHostAddress({ $0.family == .ipv4 ? ($0.v4src, $0.v4dst) : nil }) {
            !$0.isZeroNet && !$0.isMulticast && $0 != .broadcast
        }
        let v6 = rawIPHostAddress({ $0.family == .ipv6 ? ($0.v6src, $0.v6dst) : nil }) { !$0.isZero && !$0.isMulticast }
        let prefix = v4.map { IPv4Prefix(address: $0, length: 24) }
        let name = metadata.interfaces.first?.linuxName ?? "tun0"
        var interface = HostProfile.Interface(name: name, driver: "tun", mac: .zero, mtu: 1500,
                                              addresses: prefix.map { [$0] } ?? [], captured: true)
        let v6Address = v6.flatMap { v6Text[$0] }
        interface.ipv6Addresses = v6Address.map { [$0 + "/64"] } ?? []
        var profile = HostProfile(kernel: kernelFromMetadata, interfaces: [interface])
        var assumptions = ["a raw-IP capture (no link-layer header): \(name) is a tun device, point-to-point, without ARP or neighbours"]
        let what = (prefix.map { [$0.description] } ?? []) + (v6Address.map { [$0 + "/64"] } ?? [])
        assumptions.append("host addresses \(what.isEmpty ? "none seen" : what.joined(separator: ", ")): "
            + "the endpoints with the most peers, then initial TTLs, then the first to send (the prefix lengths are assumed)")

        func sent(_ f: Facts) -> Bool {
            switch f.family {
            case .ipv4: v4 != nil && f.v4src == v4
            case .ipv6: v6 != nil && f.v6src == v6
            case .arp, .other: false
            }
        }
        func received(_ f: Facts) -> Bool {
            switch f.family {
            case .ipv4: v4 != nil && (f.v4dst == v4 || f.v4dst.isMulticast)
            case .ipv6: v6 != nil && (f.v6dst == v6 || f.v6dst.isMulticast)
            case .arp, .other: false
            }
        }
        if let prefix, facts.contains(where: { $0.family == .ipv4 && sent($0) && !prefix.contains($0.v4dst) && !$0.v4dst.isMulticast }) {
            profile.routes = [RouteConfig(destination: IPv4Prefix("0.0.0.0/0")!, gateway: nil, device: name)]
            assumptions.append("default route through \(name) (no gateway: point-to-point): the host sent beyond \(prefix)")
        }
        if let os = metadata.os { assumptions.append(osNote(os)) }
        guard assumeState else {
            assumptions.append("no state assumed at the capture's start (--assume none)")
            return (profile, assumptions)
        }
        let state = stateAtStart(sent: sent, received: received, local: Set(v4.map { [$0] } ?? []))
        profile.sockets = state.sockets
        assumptions += state.assumptions
        return (profile, assumptions)
    }
}
