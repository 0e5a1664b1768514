// Mirrors include/linux/skbuff.h (Linux 6.1): the packet buffer and its checksum states.
// Not modeled: paged data, clones sharing data, the frag list, GSO types other than TCPv4/UDP.
import Wire

/// Models `enum PACKET_*` as `skb->pkt_type` holds it (include/uapi/linux/if_packet.h).
public enum PacketType: String, Sendable {
    case PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST, PACKET_OUTGOING, PACKET_LOOPBACK
}

/// Models the `CHECKSUM_*` states of `skb->ip_summed`.
public enum IPSummed: String, Sendable {
    /// Nothing verified; the stack checks in software.
    case CHECKSUM_NONE
    /// The device verified the transport checksum.
    case CHECKSUM_UNNECESSARY
    /// The device summed the packet; the stack folds in the pseudo-header.
    case CHECKSUM_COMPLETE
    /// The sender left the checksum to be finished by hardware (offload); the receiver trusts it.
    case CHECKSUM_PARTIAL
}

/// Models `struct sk_buff` (include/linux/skbuff.h): one packet as the stack handles it.
///
/// `bytes` are the captured bytes of the frame; offsets play the role of the kernel's header pointers.
/// `len` follows the wire length, so a frame cut short by the capture's snap length still has the
/// kernel's length; reads beyond `bytes` return zeros and the model says so where it matters.
public struct SKBuff {
    /// Sequential identity, shown as `skb#N` (never an address).
    public var id: Int
    /// The capture frame this skb came from (or that the model matched it to).
    public var frame: Int
    public var bytes: [UInt8]
    /// Offset of `skb->data`.
    public var data: Int
    /// `skb->len`: bytes from `data` to the end of the packet.
    public var len: Int
    public var mac_header: Int?
    public var network_header: Int
    public var transport_header: Int
    public var pkt_type: PacketType
    public var `protocol`: EtherType
    /// `skb->dev`. Not reference-counted (an skb is copied a few times a frame, and each counted
    /// reference costs a retain and a release per copy): every device is made with the replay's
    /// ``Kernel`` and held by it (``Kernel/devices``, a veth's peer by its driver) for as long as the
    /// kernel lives, and no skb outlives the kernel that made it.
    public unowned(unsafe) var dev: NetDevice
    public var ip_summed: IPSummed
    /// The VLAN tag the device or `skb_vlan_untag` took off, if any.
    public var vlan_tci: UInt16?
    /// The route attached by input or output routing (`skb_dst`).
    public var dst: DstEntry?
    /// The capture had no Ethernet header for this frame (cooked or raw IP): `protocol` and
    /// `pkt_type` come from the capture, not from `eth_type_trans`.
    public var linkLayerMissing = false
    /// The sender's link-layer address a cooked capture kept for a received frame (the SLL/SLL2
    /// address field), which is all of the Ethernet header it keeps.
    public var cookedSource: MACAddress?
    /// `skb->len` as an Ethernet driver sees it, with its 14-byte Ethernet header (`ETH_HLEN`): the
    /// one a cooked or raw-IP capture left out, or the one `eth_type_trans` pulled from a received
    /// packet that now leaves again (forwarded: the kernel pushes a new header, the model only moves
    /// past the old one). What veth and loopback count as bytes sent and received.
    public var ethernetLength: Int {
        let pulled = mac_header.map { data > $0 } ?? false
        return len + (linkLayerMissing || pulled ? 14 : 0)
    }
    /// The input route failed the reverse-path filter (`-EXDEV`).
    public var rpFiltered = false
    /// 802.1Q/802.1ad tags the frame carried, outermost first (for `skb_vlan_untag`).
    public var vlanIDs: [UInt16] = []
    /// `skb->truesize`: the memory the buffer holds, charged to fragment queues and socket buffers.
    public var truesize: Int
    /// `skb_shinfo(skb)->gso_size`: the payload of each wire segment of a GSO packet (one larger than
    /// its device's MTU: a TSO/GSO packet not yet cut, or a GRO aggregate); 0 for a plain packet.
    public var gso_size = 0
    /// `skb_shinfo(skb)->gso_segs`: how many wire segments a GSO packet stands for.
    public var gso_segs = 0
    /// What a Wi-Fi driver puts in `skb->cb` for mac80211 (`struct ieee80211_rx_status`) when the
    /// capture shows the 802.11 frame itself: its decoded headers and radio information. `nil` for
    /// frames captured as Ethernet.
    public var ieee80211_rx_status: IEEE80211RxStatus?
    /// `IP6CB(skb)->nhoff`: where, from the network header, the next-header byte of the IPv6 header or
    /// extension header last processed is.
    public var nhoff = 0
    /// `IP6CB(skb)->ra`: the value of a hop-by-hop Router Alert option (RFC 2711), if the packet had one.
    public var ip6RouterAlert: UInt16?
    /// `IP6CB(skb)->flags & IP6SKB_FRAGMENTED`: the packet went through `ipv6_frag_rcv` (reassembled,
    /// or an atomic fragment), so a second fragment header is an error.
    public var ip6Fragmented = false
    /// How many fragment buffers a reassembled packet chains behind its head
    /// (`skb_shinfo(skb)->frag_list`); freeing the packet frees each.
    public var fragListCount = 0

    public init(id: Int, frame: Int, bytes: [UInt8], wireLength: Int, dev: NetDevice) {
        self.id = id
        self.frame = frame
        self.bytes = bytes
        self.data = 0
        self.len = max(wireLength, bytes.count)
        self.mac_header = nil
        self.network_header = 0
        self.transport_header = 0
        self.pkt_type = .PACKET_HOST
        self.protocol = EtherType(rawValue: 0)
        self.dev = dev
        self.ip_summed = .CHECKSUM_NONE
        self.vlan_tci = nil
        self.dst = nil
        self.truesize = SKBuff.SKB_TRUESIZE(frameLength: max(wireLength, bytes.count))
    }

    /// The truesize of a frame of `frameLength` bytes received in one linear buffer, as `__alloc_skb`
    /// sizes it on x86-64 (Linux 6.1): 16 bytes of headroom (`LL_RESERVED_SPACE` of an Ethernet device)
    /// plus the frame, cache-line aligned, plus `struct skb_shared_info` (320), rounded up to the
    /// kmalloc size class, plus `struct sk_buff` (256 aligned). Drivers that receive into pages
    /// charge differently; the model charges every frame this way.
    public static func SKB_TRUESIZE(frameLength: Int) -> Int {
        let head = (16 + frameLength + 63) / 64 * 64 + 320
        var slab = 8
        if head > 192 {
            while slab < head { slab *= 2 }
        } else {
            slab = [8, 16, 32, 64, 96, 128, 192].first { $0 >= head } ?? 192
        }
        return slab + 256
    }

    /// Models `skb_is_gso`: the packet stands for several wire segments.
    public func skb_is_gso() -> Bool { gso_size != 0 }

    /// Models `skb_tailroom` of a received frame in one linear buffer, sized as ``SKB_TRUESIZE(frameLength:)``
    /// assumes: the buffer, less `struct sk_buff`, `struct skb_shared_info`, the headroom and the frame.
    public var tailroom: Int { max(0, truesize - 256 - 320 - 16 - bytes.count) }

    /// Models `skb_gso_validate_network_len`: whether each segment of a GSO packet, with its IP and
    /// transport headers, fits in `mtu`.
    public func skb_gso_validate_network_len(_ mtu: Int) -> Bool {
        transport_header - network_header + gsoTransportHeaderLength + gso_size <= mtu
    }

    /// The transport header length each GSO segment repeats (TCP's with options, or UDP's 8).
    var gsoTransportHeaderLength: Int {
        let tcp = ip_hdr().map { $0.proto == .tcp } ?? (ipv6_hdr()?.nextHeader == .tcp)
        return tcp ? tcp_hdr()?.headerLength ?? TCPPacket.minimumHeaderLength : UDPPacket.headerLength
    }

    /// Models `pskb_may_pull`: whether `n` bytes from `data` are in the packet.
    public func pskb_may_pull(_ n: Int) -> Bool { n <= len }

    /// Whether `n` bytes from `data` were captured (the model can read them).
    public func captured(_ n: Int) -> Bool { data + n <= bytes.count }

    /// Models `skb_pull`: advances `data` by `n`.
    public mutating func skb_pull(_ n: Int) {
        data += n
        len -= n
    }

    /// Models `skb_reset_network_header`.
    public mutating func skb_reset_network_header() { network_header = data }
    /// Models `skb_reset_transport_header`.
    public mutating func skb_reset_transport_header() { transport_header = data }

    /// Models `ip_hdr`: the IPv4 header at the network header.
    public func ip_hdr() -> IPv4Packet? { IPv4Packet(bytes, at: network_header) }
    /// Models `ipv6_hdr`: the IPv6 header at the network header.
    public func ipv6_hdr() -> IPv6Packet? { IPv6Packet(bytes, at: network_header) }
    /// Models `arp_hdr`.
    public func arp_hdr() -> ARPPacket? { ARPPacket(bytes, at: network_header) }
    /// Models `tcp_hdr`.
    public func tcp_hdr() -> TCPPacket? { TCPPacket(bytes, at: transport_header) }
    /// Models `udp_hdr`.
    public func udp_hdr() -> UDPPacket? { UDPPacket(bytes, at: transport_header) }
    /// Models `icmp_hdr`.
    public func icmp_hdr() -> ICMPv4Packet? { ICMPv4Packet(bytes, at: transport_header) }
    /// The Ethernet header, when the frame has one.
    public func eth_hdr() -> EthernetPacket? { mac_header.flatMap { EthernetPacket(bytes, at: $0) } }
}

/// The 802.11 frame a Wi-Fi driver hands to mac80211, as a monitor-mode capture recorded it (models
/// the parts of `struct ieee80211_rx_status` in `skb->cb` that decide the receive path).
public final class IEEE80211RxStatus {
    /// The frame's radio header, MAC header and payload position (mac80211 moves the payload when it
    /// removes a cipher's header or joins fragments).
    public var frame: WirelessFrame
    /// The `RX_FLAG_*` bits the driver and mac80211 set.
    public var flag: RxFlag = []
    /// Whether the payload is the ciphertext of a frame the device decrypted: the capture was taken by
    /// another radio, and mac80211 worked on a plaintext the model does not have.
    public var ciphertext = false

    public init(frame: WirelessFrame) { self.frame = frame }
}

/// Models the `RX_FLAG_*` bits of `ieee80211_rx_status.flag` (include/net/mac80211.h) that decide how
/// mac80211 treats a protected frame.
public struct RxFlag: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The device decrypted the frame and checked its MIC.
    public static let RX_FLAG_DECRYPTED = RxFlag(rawValue: 1 << 0)
    /// The device removed the MIC.
    public static let RX_FLAG_MIC_STRIPPED = RxFlag(rawValue: 1 << 1)
    /// The driver checked the packet number against its own counter.
    public static let RX_FLAG_PN_VALIDATED = RxFlag(rawValue: 1 << 2)
    /// The device removed the ICV of WEP or TKIP.
    public static let RX_FLAG_ICV_STRIPPED = RxFlag(rawValue: 1 << 3)
}
