/// How a capture wraps each frame: the link-layer header in front of the network layer.
public enum LinkEncapsulation: Sendable, Equatable {
    /// Ethernet II, with optional 802.1Q/802.1ad tags.
    case ethernet
    /// Linux cooked capture v1 (16-byte header).
    case linuxSLL
    /// Linux cooked capture v2 (20-byte header with interface index).
    case linuxSLL2
    /// Raw IP; the version nibble says IPv4 or IPv6.
    case rawIP
    /// BSD loopback: a 4-byte address family, little-endian (`DLT_NULL`) or big-endian (`DLT_LOOP`).
    case bsdLoopback(bigEndian: Bool)
}

/// Linux `PACKET_*` packet types as a cooked (SLL) header carries them (include/uapi/linux/if_packet.h).
public enum SLLPacketType: UInt16, Sendable {
    case host = 0, broadcast = 1, multicast = 2, otherHost = 3, outgoing = 4
}

/// What the link layer of one captured frame says: where the network layer starts and what it is.
public struct LinkHeader: Sendable, Equatable {
    /// Offset of the Ethernet header, when the frame has one.
    public var macOffset: Int?
    /// Offset of the network-layer header.
    public var networkOffset: Int
    /// The network protocol (after any VLAN tags).
    public var etherType: EtherType
    /// 802.1Q/802.1ad tags in order, outermost first (VLAN IDs).
    public var vlanIDs: [UInt16]
    /// The packet type a cooked capture recorded, if any.
    public var sllPacketType: SLLPacketType?
    /// The interface index a cooked v2 capture recorded, if any.
    public var interfaceIndex: UInt32?
    /// The 6-byte link-layer address a cooked capture recorded: the sender's for a frame received, the
    /// interface's own for one sent.
    public var linkAddress: MACAddress?
    /// Set when the link header itself was cut short; the other fields are then best effort.
    public var failure: WireError?

    /// Decodes the link layer of `bytes` as `encapsulation` says. Never fails: a short header gives a
    /// `failure` and an `etherType` of 0.
    public init(_ bytes: [UInt8], encapsulation: LinkEncapsulation) {
        macOffset = nil
        networkOffset = 0
        etherType = EtherType(rawValue: 0)
        vlanIDs = []
        sllPacketType = nil
        interfaceIndex = nil
        linkAddress = nil
        failure = nil
        switch encapsulation {
        case .ethernet:
            guard let eth = EthernetPacket(bytes) else {
                failure = .truncated(layer: .ethernet, need: EthernetPacket.headerLength, have: bytes.count)
                return
            }
            macOffset = 0
            var type = eth.etherType
            var offset = eth.payloadOffset
            while type == .vlan || type == .qinq {
                guard let tag = VLANPacket(bytes, at: offset) else {
                    failure = .truncated(layer: .vlan, need: VLANPacket.headerLength, have: bytes.count - offset)
                    break
                }
                vlanIDs.append(tag.vlanID)
                type = tag.etherType
                offset = tag.payloadOffset
            }
            etherType = type
            networkOffset = offset
        case .linuxSLL:
            guard bytes.count >= 16 else {
                failure = .truncated(layer: .sll, need: 16, have: bytes.count)
                return
            }
            sllPacketType = SLLPacketType(rawValue: bytes.u16be(at: 0))
            if bytes.u16be(at: 4) == 6 { linkAddress = MACAddress(bytes, at: 6) }
            etherType = EtherType(rawValue: bytes.u16be(at: 14))
            networkOffset = 16
        case .linuxSLL2:
            guard bytes.count >= 20 else {
                failure = .truncated(layer: .sll, need: 20, have: bytes.count)
                return
            }
            etherType = EtherType(rawValue: bytes.u16be(at: 0))
            interfaceIndex = bytes.u32be(at: 4)
            sllPacketType = SLLPacketType(rawValue: UInt16(bytes.u8(at: 10)))
            if bytes.u8(at: 11) == 6 { linkAddress = MACAddress(bytes, at: 12) }
            networkOffset = 20
        case .rawIP:
            switch bytes.u8(at: 0) >> 4 {
            case 4: etherType = .ipv4
            case 6: etherType = .ipv6
            default: failure = .invalidField(layer: .ipv4, field: "version", value: Int(bytes.u8(at: 0) >> 4))
            }
        case .bsdLoopback(let bigEndian):
            guard bytes.count >= 4 else {
                failure = .truncated(layer: .loopback, need: 4, have: bytes.count)
                return
            }
            networkOffset = 4
            switch bigEndian ? bytes.u32be(at: 0) : bytes.u32le(at: 0) {
            case 2: etherType = .ipv4
            case 24, 28, 30: etherType = .ipv6
            case let family: failure = .invalidField(layer: .loopback, field: "family", value: Int(family))
            }
        }
    }
}
