// Mirrors net/ipv6/ip6_output.c (Linux 6.1; 4.14.177 and 6.12 where they differ): IPv6 output, from
// the transport's hand-off to the neighbour layer.
// 4.14 has no `__ip6_finish_output` (`ip6_finish_output` does its work). Counters: 4.14 and 6.1
// count a packet made as `Ip6OutRequests`/`Ip6OutOctets` where it is made (`ip6_xmit`,
// `__ip6_make_skb`); 6.12 counts it there as `Ip6OutRequests` and as `Ip6OutTransmits`/`Ip6OutOctets`
// in `ip6_finish_output2`.
// Not modeled: fragmentation (`ip6_fragment`), forwarding (`ip6_forward`), multicast loopback
// (`ip6_mc_output` copies), GSO, the neighbour state (a next hop is taken as resolved before the
// capture, with a cached header: neighbour discovery is not modeled), extension headers on output.
import Trace
import Wire

/// Functions modeled from `net/ipv6/ip6_output.c`, in the file's order.
public enum ip6_output_c: String, KernelSourceFile {
    public static let path = "net/ipv6/ip6_output.c"
    case ip6_finish_output2, __ip6_finish_output, ip6_finish_output, ip6_output, ip6_xmit, ip6_dst_lookup_tail,
        ip6_dst_lookup, ip6_dst_lookup_flow, ip6_sk_dst_lookup_flow, ip6_send_skb, ip6_push_pending_frames, ip6_make_skb
}

extension Kernel {
    /// Counts a packet made for output (`IPSTATS_MIB_OUT` before 6.12, `IPSTATS_MIB_OUTREQUESTS` in 6.12).
    func countIp6OutRequest(_ skb: SKBuff) {
        count("Ip6OutRequests")
        if profile.version < .v6_12 { count("Ip6OutOctets", ip6PacketLength(skb)) }
    }

    /// The IPv6 packet's length, its header included (`skb->len` where IP counts it: the skb holds
    /// no link-layer header yet).
    func ip6PacketLength(_ skb: SKBuff) -> Int {
        (skb.ipv6_hdr()?.payloadLength ?? 0) + IPv6Packet.headerLength
    }

    /// Hands the packet to the next hop's neighbour entry, counting it as transmitted in 6.12.
    func ip6_finish_output2(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip6_output_c.ip6_finish_output2) {
            if profile.version >= .v6_12 {
                count("Ip6OutTransmits")
                count("Ip6OutOctets", ip6PacketLength(skb))
            }
            if let daddr = skb.ipv6_hdr()?.destination, daddr.isMulticast {
                count("Ip6OutMcastPkts")
                count("Ip6OutMcastOctets", ip6PacketLength(skb))
            }
            return traced(neighbour_h.neigh_output) {
                tracer.note("neighbour assumed resolved before the capture, its header cached (neighbour discovery is not modeled)")
                return neigh_hh_output(&skb)
            }
        }
    }

    /// Sends the packet whole (it fits the MTU: the model does not fragment IPv6).
    func __ip6_finish_output(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip6_output_c.__ip6_finish_output) { ip6_finish_output2(&skb) }
    }

    /// The POST_ROUTING continuation.
    func ip6_finish_output(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip6_output_c.ip6_finish_output) { __ip6_finish_output(&skb) }
    }

    /// The output of a unicast route (`dst->output`): the POST_ROUTING hook, then `ip6_finish_output`.
    func ip6_output(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip6_output_c.ip6_output) {
            NF_HOOK_COND(.NF_INET_POST_ROUTING, &skb, okfn: { ip6_finish_output(&$0) }, dropped: .NETDEV_TX_OK)
        }
    }

    /// Sends a packet a connection or a reset built (the header is the caller's): counts it, runs
    /// LOCAL_OUT and follows the route.
    func ip6_xmit(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip6_output_c.ip6_xmit) {
            countIp6OutRequest(skb)
            return NF_HOOK(.NF_INET_LOCAL_OUT, &skb, okfn: { dst_output(&$0) }, dropped: .NETDEV_TX_OK)
        }
    }

    /// Finds the output route of a flow whose source address is chosen (`ip6_route_output`, inline):
    /// the route to `daddr`.
    func ip6_dst_lookup_tail(_ daddr: IPv6Address, dev: NetDevice) -> DstEntry {
        traced(ip6_output_c.ip6_dst_lookup_tail) { ip6_route_output_flags(daddr, dev: dev) }
    }

    /// The output route lookup without IPsec (ICMPv6 answers make theirs with it).
    func ip6_dst_lookup(_ daddr: IPv6Address, dev: NetDevice) -> DstEntry {
        traced(ip6_output_c.ip6_dst_lookup) { ip6_dst_lookup_tail(daddr, dev: dev) }
    }

    /// The output route lookup of a flow, then, for a route found, the IPsec policy lookup
    /// (`xfrm_lookup_route`: no policies in the model, the route stays).
    @discardableResult
    func ip6_dst_lookup_flow(_ daddr: IPv6Address, dev: NetDevice) -> DstEntry {
        traced(ip6_output_c.ip6_dst_lookup_flow) {
            let dst = ip6_dst_lookup_tail(daddr, dev: dev)
            if dst.type != .unreachable { xfrm_lookup_route() }
            return dst
        }
    }

    /// The output route of a socket's datagram: the route cached on a connected socket when it is
    /// still valid, else `ip6_dst_lookup_flow` (the model keeps no socket routes: it looks up).
    func ip6_sk_dst_lookup_flow(_ daddr: IPv6Address, dev: NetDevice) -> DstEntry {
        traced(ip6_output_c.ip6_sk_dst_lookup_flow) { ip6_dst_lookup_flow(daddr, dev: dev) }
    }

    /// Sends a datagram made from a socket's pending data.
    func ip6_send_skb(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip6_output_c.ip6_send_skb) { ip6_local_out(&skb) }
    }

    /// Makes the datagram from the socket's pending data (`__ip6_make_skb`, counted there) and sends it.
    func ip6_push_pending_frames(_ skb: inout SKBuff) -> NetdevTx {
        traced(ip6_output_c.ip6_push_pending_frames) {
            countIp6OutRequest(skb)
            return ip6_send_skb(&skb)
        }
    }

    /// Makes a datagram from one `sendmsg` call without corking (`__ip6_make_skb`, not recorded, builds
    /// the header and counts it).
    func ip6_make_skb(_ skb: inout SKBuff) {
        traced(ip6_output_c.ip6_make_skb) { countIp6OutRequest(skb) }
    }
}
