// Mirrors net/ipv4/ip_output.c (Linux 6.1): IPv4 output, from the transport protocols' hand-off to
// the neighbour layer, including fragmentation (RFC 791 §3.2).
// Not modeled: software GSO segmentation (a GSO packet the capture saw was cut below the tap, or its
// segments were captured instead), GSO segments over the route's MTU, a multicast packet with a TTL
// of 0 (`ip_mc_output` frees it after its copy), multicast routing, corking beyond one datagram, BPF
// cgroup egress programs.
import Trace
import Wire

/// Functions modeled from `net/ipv4/ip_output.c`, in the file's order.
public enum ip_output_c: String, KernelSourceFile {
    public static let path = "net/ipv4/ip_output.c"
    case __ip_local_out, ip_local_out, ip_build_and_send_pkt, ip_finish_output2, ip_finish_output_gso, __ip_finish_output,
        ip_finish_output, ip_mc_finish_output, ip_mc_output, ip_output, __ip_queue_xmit, ip_queue_xmit, ip_fraglist_init, ip_fraglist_prepare,
        ip_frag_init, ip_frag_next, ip_fragment, ip_do_fragment, ip_send_skb,
        ip_push_pending_frames, ip_send_unicast_reply
}

/// What the capture shows of a transmitted IPv4 packet that the output path needs to know.
public struct TransmitContext: Sendable {
    /// The frame is the first fragment of a larger datagram that `ip_do_fragment` split.
    public var isFirstFragment = false
    /// The frame is a later fragment of such a datagram.
    public var isLaterFragment = false
    /// Where an IPv6 fragment's fragment header starts in the frame (`ip6_fragment` reads its M flag).
    public var fragmentHeader6: Int?
    /// The host forwarded the packet (another host made it): fragmenting it copies the received
    /// datagram out piece by piece (the slow path).
    public var isForwarded = false
    /// The frame is an ARP packet (so `arp_send_dst` sends the frame itself).
    public var isARP = false
    /// The frame is a neighbour solicitation the host's `nd_tbl` sent (`ndisc_send_ns` runs its send).
    public var isNeighbourSolicitation = false
    /// The next hop the neighbour layer resolves.
    public var nexthop: IPv4Address = .any
    /// The frame whose processing already received the packet's looped-back copy (a broadcast reply
    /// the model sent while processing that frame), if one did.
    public var loopedBackWith: Int?
    /// The model accounts for the frame: it matched a packet the model sent, or an origin explains it.
    public var explained = false
    /// Whether the socket that sent the packet loops its multicast back to the host (``Kernel/sk_mc_loop()``).
    public var multicastLoop = true
}

extension Kernel {
    /// Runs the LOCAL_OUT hook on a locally generated packet (after setting its length and checksum).
    /// 6.12 counts `IpOutRequests` here, for local packets only.
    func __ip_local_out(_ skb: inout SKBuff) -> Bool {
        traced(ip_output_c.__ip_local_out) {
            if profile.version >= .v6_12 { count("IpOutRequests") }
            return nf_hook(.NF_INET_LOCAL_OUT, &skb)
        }
    }

    /// Sends a locally generated packet: LOCAL_OUT, then the route's output function.
    @discardableResult
    func ip_local_out(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip_output_c.ip_local_out) {
            guard __ip_local_out(&skb) else { return .NETDEV_TX_OK }
            return dst_output(&skb)
        }
    }

    /// Builds the IP header of a packet for a connection being set up (SYN-ACK) and sends it.
    func ip_build_and_send_pkt(_ skb: inout SKBuff) {
        traced(ip_output_c.ip_build_and_send_pkt) { ip_local_out(&skb) }
    }

    /// Resolves the next hop's neighbour entry and sends through it. 6.12 counts every packet sent,
    /// forwarded and fragments included, as `IpOutTransmits` here.
    func ip_finish_output2(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip_output_c.ip_finish_output2) {
            // 6.12 counts the packets and bytes that leave here, after fragmentation (4.14 and 6.1 count
            // them per datagram in the output functions: countOutRequest).
            let length = skb.ip_hdr()?.totalLength ?? 0
            if profile.version >= .v6_12 {
                count("IpOutTransmits")
                count("IpExtOutOctets", length)
            }
            if let daddr = skb.ip_hdr()?.destination, outputsThroughMulticast(daddr) {
                count(daddr.isMulticast ? "IpExtOutMcastPkts" : "IpExtOutBcastPkts")
                count(daddr.isMulticast ? "IpExtOutMcastOctets" : "IpExtOutBcastOctets", length)
            }
            let nexthop = transmitContext.nexthop
            if neighbours[nexthop] == nil {
                if skb.dev.ops.headerOps(in: self) != .ethernet {
                    // A device without link-layer headers (tun, IFF_NOARP): arp_constructor makes every entry NUD_NOARP.
                    __neigh_create(nexthop)
                    neighbours[nexthop] = Neighbour(ha: nil, state: .NUD_NOARP, hh_cached: false)
                } else if nexthop.isMulticast || routeLookup(nexthop)?.type == .broadcast {
                    // Broadcast and multicast next hops need no resolution: arp_constructor makes them NUD_NOARP.
                    __neigh_create(nexthop)
                    neighbours[nexthop] = Neighbour(ha: nil, state: .NUD_NOARP, hh_cached: false)
                } else if coldNeighbours {
                    // The host started with an empty table: the lookup fails and the entry is made here.
                    __neigh_create(nexthop)
                    neighbours[nexthop] = Neighbour(ha: nil, state: .NUD_NONE, hh_cached: false)
                } else {
                    // The capture shows no resolution for it, so the entry was resolved and used before.
                    neighbours[nexthop] = Neighbour(ha: nil, state: .NUD_REACHABLE, hh_cached: true)
                    tracer.note("neigh \(nexthop): assumed resolved before the capture (no ARP for it seen)")
                }
            }
            return neigh_output(&skb, nexthop: nexthop)
        }
    }

    /// Output of a GSO packet: when each of its segments fits the route's MTU, it goes on as one skb
    /// (it is segmented later, by the device or `validate_xmit_skb`), never fragmented.
    func ip_finish_output_gso(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip_output_c.ip_finish_output_gso) {
            guard skb.skb_gso_validate_network_len(skb.dev.mtu) else {
                tracer.notModeled("GSO segments over MTU \(skb.dev.mtu): skb_gso_segment, then ip_fragment of each segment")
                return .NETDEV_TX_OK
            }
            tracer.note("segments of \(skb.gso_size) bytes fit MTU \(skb.dev.mtu) (skb_gso_validate_network_len)")
            return ip_finish_output2(&skb)
        }
    }

    /// Fragments a datagram larger than the route's MTU, else hands it on; a GSO packet goes to
    /// `ip_finish_output_gso` instead.
    func __ip_finish_output(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip_output_c.__ip_finish_output) {
            if skb.skb_is_gso() { return ip_finish_output_gso(&skb) }
            if transmitContext.isFirstFragment || skb.ip_hdr().map({ $0.totalLength > skb.dev.mtu }) == true {
                tracer.note("datagram larger than MTU \(skb.dev.mtu): fragment")
                return ip_fragment(&skb)
            }
            return ip_finish_output2(&skb)
        }
    }

    /// Runs the cgroup egress program (none) and finishes output.
    func ip_finish_output(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip_output_c.ip_finish_output) { __ip_finish_output(&skb) }
    }

    /// Loops a copy of a broadcast or multicast packet back to this host's own receivers.
    func ip_mc_finish_output(_ skb: inout SKBuff) {
        traced(ip_output_c.ip_mc_finish_output) {
            var copy = skb
            dev_loopback_xmit(&copy)
        }
    }

    /// The output function of broadcast and multicast routes: a copy goes back to this host
    /// (RFC 1122 §3.3.6), the packet itself through POST_ROUTING to `ip_finish_output`. A multicast
    /// packet's copy only when its sender loops multicast back (`sk_mc_loop`; the host's own packets
    /// pass the multicast-routing condition, `RTCF_LOCAL` or not forwarded); a broadcast's always.
    @discardableResult
    func ip_mc_output(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip_output_c.ip_mc_output) {
            countOutRequest(skb)
            if skb.ip_hdr()?.destination.isMulticast != true || sk_mc_loop() {
                NF_HOOK(.NF_INET_POST_ROUTING, &skb, okfn: { ip_mc_finish_output(&$0) }, dropped: ())
            }
            return NF_HOOK_COND(.NF_INET_POST_ROUTING, &skb, okfn: { ip_finish_output(&$0) }, dropped: .NETDEV_TX_OK)
        }
    }

    /// 4.14 and 6.1 count `IpOutRequests` and `IpExtOutOctets` (`IPSTATS_MIB_OUT`, by `skb->len`) in
    /// the output functions, forwarded packets included (6.12 counts local packets in `__ip_local_out`
    /// and the octets in `ip_finish_output2`). The length is the captured packet's: for a datagram the
    /// host fragmented, its first fragment's (the model does not rebuild the datagram's length).
    private func countOutRequest(_ skb: SKBuff) {
        guard profile.version < .v6_12 else { return }
        count("IpOutRequests")
        count("IpExtOutOctets", skb.ip_hdr()?.totalLength ?? 0)
    }

    /// The output function of unicast routes: POST_ROUTING, then `ip_finish_output`.
    @discardableResult
    func ip_output(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip_output_c.ip_output) {
            countOutRequest(skb)
            return NF_HOOK_COND(.NF_INET_POST_ROUTING, &skb, okfn: { ip_finish_output(&$0) }, dropped: .NETDEV_TX_OK)
        }
    }

    /// Builds the IP header of a transport segment and sends it on the route the socket holds (a
    /// connection's route is resolved when it is set up, so `__sk_dst_check` finds it).
    ///
    /// Not modeled: re-routing after the socket's route was invalidated (`ip_route_output_ports`).
    func __ip_queue_xmit(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip_output_c.__ip_queue_xmit) {
            tracer.note("route: cached on the socket (__sk_dst_check)")
            return ip_local_out(&skb)
        }
    }

    /// The IPv4 `queue_xmit` of TCP (`icsk_af_ops->queue_xmit`).
    @discardableResult
    func ip_queue_xmit(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip_output_c.ip_queue_xmit) { __ip_queue_xmit(&skb) }
    }

    /// Checks whether the datagram may be fragmented (DF) and splits it.
    func ip_fragment(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip_output_c.ip_fragment) { ip_do_fragment(&skb) }
    }

    /// Starts the fast path over a datagram built as a list of MTU-sized buffers (`frag_list`).
    func ip_fraglist_init() {
        traced(ip_output_c.ip_fraglist_init) {}
    }

    /// Writes the IP header of the next fragment of the list.
    func ip_fraglist_prepare() {
        traced(ip_output_c.ip_fraglist_prepare) {}
    }

    /// Sets up the slow path's walk over a datagram (header length, MTU, offset).
    func ip_frag_init() {
        traced(ip_output_c.ip_frag_init) {}
    }

    /// Copies the next MTU-sized piece of the datagram into a new packet with its own header: `offset`
    /// bytes into the datagram's payload, `more` when pieces follow (a piece of a fragment keeps MF).
    func ip_frag_next(_ skb: SKBuff, length: Int, offset: Int, more: Bool) -> SKBuff {
        traced(ip_output_c.ip_frag_next) {
            var piece = skb
            piece.len = length
            // Its own header: total length, fragment offset (8-byte units) and MF, checksum.
            let at = piece.network_header
            if piece.bytes.count >= at + IPv4Packet.minimumHeaderLength {
                let original = UInt16(piece.bytes[at + 6]) << 8 | UInt16(piece.bytes[at + 7])
                let wasMore = original & 0x2000 != 0
                let flags = (original & 0x8000) | (more || wasMore ? 0x2000 : 0)
                let field = flags | ((original & 0x1fff) &+ UInt16(truncatingIfNeeded: offset / 8))
                piece.bytes[at + 2] = UInt8(truncatingIfNeeded: length >> 8)
                piece.bytes[at + 3] = UInt8(truncatingIfNeeded: length)
                piece.bytes[at + 6] = UInt8(field >> 8)
                piece.bytes[at + 7] = UInt8(field & 0xff)
                Checksum.updateIPv4Header(&piece.bytes, at: at)
            }
            return piece
        }
    }

    /// Splits a datagram into MTU-sized fragments and sends each through `ip_finish_output2`: the
    /// frame traced is one of them. Locally built datagrams take the fast path over their buffer list,
    /// preparing each fragment's header before sending the one before it. A whole datagram received
    /// and forwarded takes the slow path: every fragment is copied out and sent here, one after the
    /// other (4.14 does the same without the two helpers).
    func ip_do_fragment(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip_output_c.ip_do_fragment) {
            if let iph = skb.ip_hdr(), iph.totalLength > skb.dev.mtu {
                let size = (skb.dev.mtu - iph.headerLength) & ~7
                let payload = iph.totalLength - iph.headerLength
                let count = (payload + size - 1) / max(size, 8)
                tracer.note("slow path: \(count) fragments of at most \(size) bytes of payload")
                ip_frag_init()
                for i in 0..<count {
                    var piece = ip_frag_next(skb, length: iph.headerLength + min(size, payload - i * size),
                                             offset: i * size, more: i < count - 1)
                    _ = ip_finish_output2(&piece)
                    self.count("IpFragCreates")
                }
                consume_skb(&skb)
                self.count("IpFragOKs")
                return .NETDEV_TX_OK
            }
            count("IpFragCreates")
            if transmitContext.isForwarded {
                tracer.note("slow path: each fragment is copied out of the received datagram (ip_frag_next, not modeled)")
            } else if transmitContext.isFirstFragment {
                tracer.note("fast path: the datagram's frag_list holds the fragments")
                ip_fraglist_init()
                ip_fraglist_prepare()
            } else if skb.ip_hdr()?.moreFragments == true {
                ip_fraglist_prepare()
            }
            let sent = ip_finish_output2(&skb)
            // The datagram counts as fragmented once its last fragment has left.
            if transmitContext.isLaterFragment, !transmitContext.isForwarded, skb.ip_hdr()?.moreFragments == false {
                count("IpFragOKs")
            }
            return sent
        }
    }

    /// Sends a datagram built by `__ip_make_skb`.
    @discardableResult
    func ip_send_skb(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip_output_c.ip_send_skb) { ip_local_out(&skb) }
    }

    /// Makes one datagram of the data appended to the socket and sends it.
    @discardableResult
    func ip_push_pending_frames(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip_output_c.ip_push_pending_frames) { ip_send_skb(&skb) }
    }

    /// Sends a reply that belongs to no full socket (RST, time-wait ACK) through the per-CPU control
    /// socket.
    func ip_send_unicast_reply(_ skb: inout SKBuff) {
        traced(ip_output_c.ip_send_unicast_reply) {
            if let iph = skb.ip_hdr() { _ = ip_route_output_flow(daddr: iph.destination) }
            ip_push_pending_frames(&skb)
        }
    }
}
