// Mirrors net/ipv6/exthdrs.c (Linux 6.1; 4.14.177 and 6.12 where they differ): the hop-by-hop,
// destination options and routing headers of received packets (RFC 8200 §4.3–4.6).
// Not modeled: the options' effects beyond parsing (IOAM, CALIPSO, home address), segment routing
// (SRH, RPL) and type 2 routing headers, source-routed forwarding.
import Trace
import Wire

/// Functions modeled from `net/ipv6/exthdrs.c`, in the file's order.
public enum exthdrs: String, KernelSourceFile {
    public static let path = "net/ipv6/exthdrs.c"
    case ip6_tlvopt_unknown, ip6_parse_tlv, ipv6_destopt_rcv, ipv6_rthdr_rcv, ipv6_hop_ra, ipv6_hop_jumbo,
        ipv6_parse_hopopts
}

/// Option types of hop-by-hop and destination options headers (`IPV6_TLV_*`, include/uapi/linux/in6.h).
enum IPV6_TLV {
    static let PAD1: UInt8 = 0
    static let PADN: UInt8 = 1
    static let ROUTERALERT: UInt8 = 5
    static let JUMBO: UInt8 = 0xc2
    static let CALIPSO: UInt8 = 0x07
    static let IOAM: UInt8 = 0x31
}

extension Kernel {
    /// Acts on an option the host does not know by the two high bits of its type (RFC 8200 §4.2):
    /// skip it, drop the packet, or drop it and send a parameter problem (not for a multicast
    /// destination when the bits are 11). Returns whether the packet goes on.
    func ip6_tlvopt_unknown(_ skb: inout SKBuff, optoff: Int) -> Bool {
        traced(exthdrs.ip6_tlvopt_unknown) {
            let type = skb.bytes.u8(at: skb.network_header + optoff)
            tracer.note("unknown option type 0x\(String(type, radix: 16)) (action \(type >> 6))")
            switch type >> 6 {
            case 0: return true
            case 1: break
            case 3 where skb.ipv6_hdr()?.destination.isMulticast == true: break
            default:
                icmpv6ParamProb(&skb, code: ICMPv6Type.ICMPV6_UNK_OPTION, pointer: optoff, reason: .UNHANDLED_PROTO)
                return false
            }
            kfree_skb_reason(&skb, .UNHANDLED_PROTO)
            return false
        }
    }

    /// Walks the options of a hop-by-hop (`hopbyhop`) or destination options header at the
    /// transport header: padding must be at most 7 bytes in a row and PadN all zeros (RFC 4942), each
    /// option must fit, and at most `maxCount` options may be other than padding (`max_hbh_opts_cnt`,
    /// `max_dst_opts_cnt`, 8). Returns whether the packet goes on; a bad header is freed here
    /// (`IP_INHDR`).
    func ip6_parse_tlv(_ skb: inout SKBuff, hopbyhop: Bool, maxCount: Int = 8) -> Bool {
        traced(exthdrs.ip6_parse_tlv) {
            let start = skb.transport_header
            var len = (Int(skb.bytes.u8(at: start + 1)) + 1) << 3
            var off = start - skb.network_header + 2
            func bad(_ why: String) -> Bool {
                tracer.note(why)
                kfree_skb_reason(&skb, .IP_INHDR)
                return false
            }
            guard start + len <= skb.data + skb.len else { return bad("options header longer than the packet") }
            guard start + len <= skb.bytes.count else {
                tracer.notModeled("IPv6 options not in the capture (snap length)")
                outcome.set(.unknown)
                return false
            }
            len -= 2
            var padlen = 0, count = 0
            while len > 0 {
                let at = skb.network_header + off
                let type = skb.bytes.u8(at: at)
                if type == IPV6_TLV.PAD1 {
                    padlen += 1
                    guard padlen <= 7 else { return bad("more than 7 bytes of padding") }
                    off += 1
                    len -= 1
                    continue
                }
                guard len >= 2 else { return bad("option header cut at the end") }
                let optlen = Int(skb.bytes.u8(at: at + 1)) + 2
                guard optlen <= len else { return bad("option longer than the header") }
                if type == IPV6_TLV.PADN {
                    padlen += optlen
                    guard padlen <= 7 else { return bad("more than 7 bytes of padding") }
                    guard (2..<optlen).allSatisfy({ skb.bytes.u8(at: at + $0) == 0 }) else {
                        return bad("PadN with non-zero bytes")
                    }
                } else {
                    count += 1
                    guard count <= maxCount else { return bad("more than \(maxCount) options") }
                    let goesOn: Bool
                    switch (hopbyhop, type) {
                    case (true, IPV6_TLV.ROUTERALERT): goesOn = ipv6_hop_ra(&skb, optoff: off)
                    case (true, IPV6_TLV.JUMBO): goesOn = ipv6_hop_jumbo(&skb, optoff: off)
                    case (true, IPV6_TLV.CALIPSO):
                        tracer.notModeled("CALIPSO option (ipv6_hop_calipso)")
                        outcome.set(.unknown)
                        return false
                    case (true, IPV6_TLV.IOAM) where profile.version >= .v6_1:
                        tracer.notModeled("IOAM option (ipv6_hop_ioam)")
                        outcome.set(.unknown)
                        return false
                    default: goesOn = ip6_tlvopt_unknown(&skb, optoff: off)
                    }
                    guard goesOn else { return false }
                    padlen = 0
                }
                off += optlen
                len -= optlen
            }
            return len == 0 ? true : bad("options overrun the header")
        }
    }

    /// The destination options header handler (`inet6_protos[IPPROTO_DSTOPTS]`): parses its options
    /// and moves to the next header.
    func ipv6_destopt_rcv(_ skb: inout SKBuff) -> Inet6HandlerResult {
        traced(exthdrs.ipv6_destopt_rcv) {
            let extlen = (Int(skb.bytes.u8(at: skb.transport_header + 1)) + 1) << 3
            guard skb.transport_header - skb.data + 8 <= skb.len, skb.transport_header - skb.data + extlen <= skb.len else {
                count("Ip6InHdrErrors")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .dropped
            }
            let nhoff = skb.transport_header - skb.network_header
            guard ip6_parse_tlv(&skb, hopbyhop: false) else {
                count("Ip6InHdrErrors")
                return .dropped
            }
            skb.transport_header += extlen
            skb.nhoff = nhoff
            return .nextHeader
        }
    }

    /// The routing header handler (`inet6_protos[IPPROTO_ROUTING]`): a header with no segments left
    /// is skipped; a multicast destination or a frame not for this host is an address error; type 0
    /// (deprecated by RFC 5095) and other types the host does not process are answered with a
    /// parameter problem pointing at the type field (RFC 8200 §4.4).
    func ipv6_rthdr_rcv(_ skb: inout SKBuff) -> Inet6HandlerResult {
        traced(exthdrs.ipv6_rthdr_rcv) {
            let start = skb.transport_header
            let extlen = (Int(skb.bytes.u8(at: start + 1)) + 1) << 3
            guard start - skb.data + 8 <= skb.len, start - skb.data + extlen <= skb.len else {
                count("Ip6InHdrErrors")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .dropped
            }
            if skb.ipv6_hdr()?.destination.isMulticast == true || skb.pkt_type != .PACKET_HOST {
                count("Ip6InAddrErrors")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .dropped
            }
            let type = skb.bytes.u8(at: start + 2), segmentsLeft = skb.bytes.u8(at: start + 3)
            switch type {
            case 4:
                tracer.notModeled("segment routing header (ipv6_srh_rcv)")
                outcome.set(.unknown)
                return .dropped
            case 3 where profile.version >= .v6_1:
                tracer.notModeled("RPL source routing header (ipv6_rpl_srh_rcv)")
                outcome.set(.unknown)
                return .dropped
            default: break
            }
            if segmentsLeft == 0 {
                if type == 2 {
                    // A type 2 header the host did not process itself (Mobile IPv6 home address).
                    count("Ip6InAddrErrors")
                    kfree_skb_reason(&skb, .NOT_SPECIFIED)
                    return .dropped
                }
                skb.nhoff = start - skb.network_header
                skb.transport_header += extlen
                return .nextHeader
            }
            if type == 2 {
                tracer.notModeled("type 2 routing header with segments left (Mobile IPv6)")
                outcome.set(.unknown)
                return .dropped
            }
            tracer.note("routing header type \(type) with \(segmentsLeft) segments left: not processed")
            count("Ip6InHdrErrors")
            icmpv6_param_prob(&skb, code: ICMPv6Type.ICMPV6_HDR_FIELD, pointer: start + 2 - skb.network_header)
            return .dropped
        }
    }

    /// The Router Alert option (RFC 2711): must be 2 bytes long; its value is kept for MLD.
    func ipv6_hop_ra(_ skb: inout SKBuff, optoff: Int) -> Bool {
        traced(exthdrs.ipv6_hop_ra) {
            let at = skb.network_header + optoff
            guard skb.bytes.u8(at: at + 1) == 2 else {
                tracer.note("router alert option of length \(skb.bytes.u8(at: at + 1))")
                kfree_skb_reason(&skb, .IP_INHDR)
                return false
            }
            skb.ip6RouterAlert = skb.bytes.u16be(at: at + 2)
            return true
        }
    }

    /// The Jumbo Payload option (RFC 2675): 4 bytes at a 4n+2 offset, a length above 65535, a zero
    /// payload length in the fixed header, and no more than the packet holds.
    func ipv6_hop_jumbo(_ skb: inout SKBuff, optoff: Int) -> Bool {
        traced(exthdrs.ipv6_hop_jumbo) {
            let at = skb.network_header + optoff
            guard skb.bytes.u8(at: at + 1) == 4, optoff & 3 == 2 else {
                tracer.note("jumbo option of wrong length or alignment")
                kfree_skb_reason(&skb, .IP_INHDR)
                return false
            }
            let length = Int(skb.bytes.u32be(at: at + 2))
            guard length > 65_535, skb.ipv6_hdr()?.payloadLength == 0 else {
                icmpv6ParamProb(&skb, code: ICMPv6Type.ICMPV6_HDR_FIELD, pointer: optoff + 2, reason: .IP_INHDR)
                return false
            }
            guard length <= skb.len - IPv6Packet.headerLength else {
                kfree_skb_reason(&skb, .PKT_TOO_SMALL)
                return false
            }
            skb.len = length + IPv6Packet.headerLength
            return true
        }
    }

    /// Parses the hop-by-hop options header that follows the fixed header (from `ip6_rcv_core`):
    /// it must be in the packet and no longer than `max_hbh_opts_len` (the default allows any).
    /// Returns 1 when the packet goes on, -1 after freeing it.
    func ipv6_parse_hopopts(_ skb: inout SKBuff) -> Int {
        traced(exthdrs.ipv6_parse_hopopts) {
            let extlen = (Int(skb.bytes.u8(at: skb.transport_header + 1)) + 1) << 3
            guard skb.pskb_may_pull(IPv6Packet.headerLength + 8), skb.pskb_may_pull(IPv6Packet.headerLength + extlen) else {
                tracer.note("hop-by-hop header longer than the packet")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return -1
            }
            guard ip6_parse_tlv(&skb, hopbyhop: true) else { return -1 }
            skb.transport_header += extlen
            skb.nhoff = IPv6Packet.headerLength
            return 1
        }
    }
}
