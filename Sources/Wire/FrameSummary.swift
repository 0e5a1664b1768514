/// One-line, tcpdump-like descriptions of frames, built from validated headers.
///
/// Problems show in parentheses (`IPv4 (ihl=3 invalid)`), in the style of smoltcp's pretty printer.
public enum FrameSummary {
    /// Describes the network layer at `offset` of protocol `etherType`.
    public static func describe(_ bytes: [UInt8], networkOffset offset: Int, etherType: EtherType) -> String {
        switch etherType {
        case .ipv4: return describeIPv4(bytes, at: offset)
        case .arp: return describeARP(bytes, at: offset)
        case .ipv6:
            guard let p = IPv6Packet(bytes, at: offset) else { return "IPv6 (truncated)" }
            return "IPv6 \(p.sourceText) > \(p.destinationText) next=\(p.nextHeader)"
        default: return etherType.description
        }
    }

    static func describeARP(_ bytes: [UInt8], at offset: Int) -> String {
        do {
            let a = try ARPHeader(parsing: bytes, at: offset)
            switch a.operation {
            case ARPPacket.request:
                if a.senderProtocol == a.targetProtocol { return "ARP gratuitous \(a.senderProtocol) is-at \(a.senderHardware)" }
                return "ARP who-has \(a.targetProtocol) tell \(a.senderProtocol)"
            case ARPPacket.reply: return "ARP reply \(a.senderProtocol) is-at \(a.senderHardware)"
            default: return "ARP op \(a.operation) \(a.senderProtocol) > \(a.targetProtocol)"
            }
        } catch {
            return "ARP (\(error))"
        }
    }

    static func describeIPv4(_ bytes: [UInt8], at offset: Int) -> String {
        let ip: IPv4Header
        do { ip = try IPv4Header(parsing: bytes, at: offset) } catch { return "IPv4 (\(error))" }
        let hosts = "\(ip.source) > \(ip.destination)"
        var frag = ""
        if ip.moreFragments || ip.fragmentOffset != 0 {
            frag = " frag id=\(ip.identification) off=\(ip.fragmentOffset)\(ip.moreFragments ? "+" : "")"
            if ip.fragmentOffset != 0 {
                return "IPv4 \(ip.proto) \(hosts)\(frag) len=\(ip.totalLength - ip.headerLength)"
            }
        }
        let l4 = offset + ip.headerLength
        let payloadLength = ip.totalLength - ip.headerLength
        switch ip.proto {
        case .tcp:
            guard let t = try? TCPHeader(parsing: bytes, at: l4) else { return "TCP \(hosts)\(frag) (truncated)" }
            let data = max(0, payloadLength - t.headerLength)
            var s = "TCP \(ip.source):\(t.sourcePort) > \(ip.destination):\(t.destinationPort) [\(t.flags)]"
            s += " seq=\(t.sequence)"
            if t.flags.contains(.ack) { s += " ack=\(t.acknowledgment)" }
            s += " win=\(t.window) len=\(data)"
            return s + frag
        case .udp:
            guard let u = try? UDPHeader(parsing: bytes, at: l4) else { return "UDP \(hosts)\(frag) (truncated)" }
            return "UDP \(ip.source):\(u.sourcePort) > \(ip.destination):\(u.destinationPort) len=\(u.length - 8)" + frag
        case .icmp:
            guard let p = ICMPv4Packet(bytes, at: l4) else { return "ICMP \(hosts)\(frag) (truncated)" }
            var s = "ICMP \(hosts) \(p.name)"
            if p.type == ICMPv4Packet.echoRequest || p.type == ICMPv4Packet.echoReply {
                s += " id=\(p.identifier) seq=\(p.sequence)"
            }
            return s + frag
        default:
            return "IPv4 \(ip.proto) \(hosts)\(frag) len=\(payloadLength)"
        }
    }
}
