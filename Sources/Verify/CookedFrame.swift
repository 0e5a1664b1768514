import Capture
import Replay
import Wire

/// The Ethernet frame to send for a frame of a cooked capture (`tcpdump -i any`: Linux SLL or SLL2),
/// which keeps the sender's address, the packet type and the protocol but not the Ethernet header.
///
/// The destination is the one the packet type implies on the receiving device: its own MAC for
/// `PACKET_HOST`, the broadcast address, the group's MAC for `PACKET_MULTICAST` (01:00:5e… for IPv4,
/// 33:33… for IPv6, as `ip_eth_mc_map` and `ipv6_eth_mc_map` in include/net/ip.h and
/// include/net/addrconf.h map them), and for `PACKET_OTHERHOST` a unicast MAC that is not the device's.
/// A received frame so rebuilt arrives with the packet type the capture recorded.
enum CookedFrame {
    /// `bytes` of a frame of link type `linkType` as Ethernet for a device whose MAC is `device`; the
    /// bytes as they are for an Ethernet capture; nil when no Ethernet frame can be rebuilt (another
    /// link type, a cut-short cooked header, a frame the host sent).
    static func ethernet(_ bytes: [UInt8], linkType: LinkType, device: MACAddress) -> [UInt8]? {
        let encapsulation = ReplaySession.encapsulation(of: linkType)
        if encapsulation == .ethernet { return bytes }
        guard encapsulation == .linuxSLL || encapsulation == .linuxSLL2 else { return nil }
        let link = LinkHeader(bytes, encapsulation: encapsulation)
        guard link.failure == nil, let type = link.sllPacketType else { return nil }
        let payload = Array(bytes[link.networkOffset...])
        let destination: MACAddress
        switch type {
        case .host: destination = device
        case .broadcast: destination = .broadcast
        case .multicast:
            guard let group = multicastMAC(payload, etherType: link.etherType) else { return nil }
            destination = group
        case .otherHost: destination = MACAddress(rawValue: device.rawValue ^ 1)
        case .outgoing: return nil
        }
        let source = link.linkAddress ?? MACAddress(rawValue: 0)
        var frame: [UInt8] = []
        frame.reserveCapacity(14 + payload.count)
        for mac in [destination, source] {
            for shift in stride(from: 40, through: 0, by: -8) { frame.append(UInt8(truncatingIfNeeded: mac.rawValue >> UInt64(shift))) }
        }
        frame += [UInt8(link.etherType.rawValue >> 8), UInt8(link.etherType.rawValue & 0xff)]
        return frame + payload
    }

    /// The Ethernet group address of an IPv4 or IPv6 packet's multicast destination.
    static func multicastMAC(_ packet: [UInt8], etherType: EtherType) -> MACAddress? {
        switch etherType {
        case .ipv4:
            guard packet.count >= 20 else { return nil }
            let low = UInt64(packet[17] & 0x7f) << 16 | UInt64(packet[18]) << 8 | UInt64(packet[19])
            return MACAddress(rawValue: 0x01_00_5e_00_00_00 | low)
        case .ipv6:
            guard packet.count >= 40 else { return nil }
            let low = packet[36..<40].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return MACAddress(rawValue: 0x33_33_00_00_00_00 | low)
        default:
            return nil
        }
    }
}
