import KernelNet
import Wire

extension HostInference {
    /// Adds to `sockets` the IPv6 sockets and connections the host evidently had when the capture
    /// began, and returns what was assumed: TCP listeners (it answered a SYN with a SYN-ACK), taken to
    /// be bound to `::` and so to take IPv4 too (`net.ipv6.bindv6only` 0, the default: an IPv4
    /// listener already inferred on the port becomes that one socket); connections seen in mid-stream
    /// (their first segment here is no SYN); UDP sockets bound to `::` on the ports it sent from or
    /// received unicast datagrams on without answering a port unreachable.
    func addIPv6StateAtStart(to sockets: inout [SocketConfig], sent: (Facts) -> Bool, received: (Facts) -> Bool) -> [String] {
        var listeners: Set<UInt16> = []
        var seen: Set<FourTuple> = []
        var established: [FourTuple] = []
        var udpSentFrom: Set<UInt16> = []
        var udpReceivedOn: Set<UInt16> = []
        var udpClosed: Set<UInt16> = []
        for f in facts where f.family == .ipv6 && !f.forwarded && !f.copy {
            let out = sent(f)
            guard out || received(f) else { continue }
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
            case .udp where f.v6dst.hi >> 56 != 0xff:
                udpReceivedOn.insert(f.dport)
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
        return assumptions
    }
}
