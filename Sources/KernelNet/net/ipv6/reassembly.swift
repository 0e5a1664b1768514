// Mirrors net/ipv6/reassembly.c and the reassembly helpers of include/net/ipv6_frag.h (Linux 6.1;
// 4.14.177 and 6.12 where they differ): the fragment header handler (RFC 8200 §4.5) for local
// delivery: atomic fragments, the checks of each fragment against what its queue knows, overlapping
// fragments (the whole datagram dropped, RFC 5722), the reassembly timer (`ip6frag_time`, ICMPv6 time
// exceeded code 1, RFC 4443 §3.3) and the memory cap (`ip6frag_high_thresh`). The queues are the ones
// IPv4 uses (net/ipv4/inet_fragment.swift), in IPv6's own table.
// 4.14 does not check that a first fragment holds the upper-layer header (`ipv6frag_thdr_truncated`).
// Not modeled: the queue constructor (`ip6frag_init`: it copies the key), ECN combination
// (`ip_frag_ecn_table`), reassembly for netfilter (nf_conntrack_reasm.c), jumbograms.
import Trace
import Wire

/// Functions modeled from `net/ipv6/reassembly.c`, in the file's order.
public enum ipv6_reassembly_c: String, KernelSourceFile {
    public static let path = "net/ipv6/reassembly.c"
    case ip6_frag_expire, fq_find, ip6_frag_queue, ip6_frag_reasm, ipv6_frag_rcv
}

/// Functions modeled from `include/net/ipv6_frag.h` (`static inline`).
public enum ipv6_frag_h: String, KernelSourceFile {
    public static let path = "include/net/ipv6_frag.h"
    case ip6frag_expire_frag_queue, ipv6frag_thdr_truncated
}

/// Functions modeled from `net/ipv6/exthdrs_core.c`.
public enum exthdrs_core: String, KernelSourceFile {
    public static let path = "net/ipv6/exthdrs_core.c"
    case ipv6_ext_hdr, ipv6_skip_exthdr, ipv6_find_hdr
}

/// How the kernel keys an IPv6 reassembly queue (`struct frag_v6_compare_key`, without `user`): the
/// interface counts only for link-local and multicast destinations.
struct Frag6Key: Equatable {
    var saddr: IPv6Address
    var daddr: IPv6Address
    var id: UInt32
    var iif: Int

    func hash(seed: UInt64) -> UInt64 {
        saddr.hash(seed: daddr.hash(seed: mix64(UInt64(id) << 32 ^ UInt64(truncatingIfNeeded: iif) ^ seed)))
    }
}

extension Frag6Key: InetFragKey {
    static var fqdir: ReferenceWritableKeyPath<Kernel, FragmentDir<Self>> { \Kernel.ip6Frags }
    /// `sizeof(struct frag_queue)` on x86-64 (Linux 6.1): `struct inet_frag_queue` (176) with `iif`,
    /// `nhoffset` and `ecn`, aligned.
    static let qsize = 184
    var fragmentID: UInt32 { id }
    static func highThresh(_ kernel: Kernel) -> Int { kernel.sysctl.ip6frag_high_thresh }
    static let highThreshName = "ip6frag_high_thresh"
    static func timeout(_ kernel: Kernel) -> Int64 { kernel.ip6fragTime }
    static func construct(_ key: Self, in kernel: Kernel) {}
    static func headerLength(_ bytes: [UInt8]) -> Int { IPv6Packet.headerLength }
    static let etherType = EtherType.ipv6
}

extension ICMPv6Type {
    /// Time exceeded code: fragment reassembly time exceeded.
    static let ICMPV6_EXC_FRAGTIME: UInt8 = 1
    /// Parameter problem code: the first fragment lacks the upper-layer header (RFC 7112).
    static let ICMPV6_HDR_INCOMP: UInt8 = 3
}

/// The fragment header (RFC 8200 §4.5): next header, reserved, offset and M flag, identification.
private enum FragHeader {
    static let length = 8
    /// Where the offset-and-flags field is.
    static let fragOff = 2
    static let identification = 4
    /// The M (more fragments) flag of the offset field.
    static let more: UInt16 = 1
    /// The offset bits of the field (`IP6_OFFSET`).
    static let offsetMask: UInt16 = 0xfff8
}

extension Kernel {
    /// `net.ipv6.ip6frag_time` in seconds (default 60).
    var ip6fragTime: Int64 { Int64(sysctl.ip6frag_time) }

    /// The reassembly timer of an IPv6 queue (`ip6_frag_expire`). The model runs it when the capture
    /// clock first passes its expiry, before the next frame (`TimerRun`).
    func ip6_frag_expire(_ key: Frag6Key) {
        traced(ipv6_reassembly_c.ip6_frag_expire) { ip6frag_expire_frag_queue(key) }
    }

    /// The datagram did not complete within `ip6frag_time`: kills the queue, counts the failure on
    /// the interface of its last fragment and, when the first fragment arrived, sends ICMPv6 time
    /// exceeded (reassembly) about it to its sender; every fragment held is freed.
    func ip6frag_expire_frag_queue(_ key: Frag6Key) {
        traced(ipv6_frag_h.ip6frag_expire_frag_queue) {
            guard let q = ip6Frags.queues[key] else { return }
            tracer.note("reassembly of id 0x\(String(key.id, radix: 16)) from \(key.saddr) timed out after \(ip6fragTime) s")
            if profile.version >= .v6_12 { ip6Frags.queues[key]?.dropOnDestroy = true }
            inet_frag_kill(key)
            defer { inet_frag_destroy(key) }  // inet_frag_put: the timer's reference was the last
            guard let dev = devices.first(where: { $0.ifindex == q.iif }) else { return }
            count("Ip6ReasmFails")
            count("Ip6ReasmTimeout")
            guard q.head != nil, var head = inet_frag_pull_head(key) else {
                tracer.note("the first fragment never arrived: no ICMPv6")
                return
            }
            head.dev = dev
            icmpv6_send(&head, type: ICMPv6Type.ICMPV6_TIME_EXCEED, code: ICMPv6Type.ICMPV6_EXC_FRAGTIME)
            // 6.12 names the timeout; before, the head is freed with kfree_skb.
            kfree_skb_reason(&head, profile.version >= .v6_12 ? .FRAG_REASM_TIMEOUT : .NOT_SPECIFIED)
        }
    }

    /// Finds or creates the queue of the fragment at `fh` (the fragment header); nil when IPv6
    /// fragment memory is over `ip6frag_high_thresh`.
    func fq_find(_ skb: SKBuff, fh: Int, hdr: IPv6Packet) -> Frag6Key? {
        traced(ipv6_reassembly_c.fq_find) {
            let daddr = hdr.destination
            let scoped = daddr.isMulticast || daddr.isLinkLocal
            let key = Frag6Key(saddr: hdr.source, daddr: daddr, id: skb.bytes.u32be(at: fh + FragHeader.identification),
                               iif: scoped ? skb.dev.ifindex : 0)
            return inet_frag_find(key, iif: skb.dev.ifindex) ? key : nil
        }
    }

    /// Whether a first fragment ends before its upper-layer header does (RFC 8200 §4.5, RFC 7112):
    /// the headers after the fixed header are walked (`ipv6_skip_exthdr`) and the TCP, UDP or ICMPv6
    /// header (one byte of any other) must be in the packet.
    func ipv6frag_thdr_truncated(_ skb: SKBuff) -> Bool {
        traced(ipv6_frag_h.ipv6frag_thdr_truncated) {
            guard let (upper, nexthdr, fragmentOffset) = ipv6_skip_exthdr(skb), fragmentOffset == 0 else { return false }
            let need: Int
            switch nexthdr {
            case .tcp: need = 20
            case .udp: need = 8
            case .icmpv6: need = 8
            default: need = 1
            }
            return upper + need > skb.data + skb.len
        }
    }

    /// Whether `nexthdr` is an extension header the walk passes (hop-by-hop, routing, fragment, AH,
    /// no next header, destination options).
    func ipv6_ext_hdr(_ nexthdr: IPProtocol) -> Bool {
        traced(exthdrs_core.ipv6_ext_hdr) {
            [.hopopts, .routing, .ipv6Fragment, .ah, .dstopts].contains(nexthdr) || nexthdr.rawValue == 59
        }
    }

    /// Walks the extension headers after the fixed IPv6 header at `header` (the packet's own by
    /// default; an ICMPv6 error's quoted one) to the upper-layer header: returns where it starts, its
    /// protocol and the offset of the fragment header passed (0 if none), or nil when a header runs past
    /// the packet or says no header follows. The walk stops at a fragment header of a later fragment.
    func ipv6_skip_exthdr(_ skb: SKBuff, header: Int? = nil) -> (start: Int, nexthdr: IPProtocol, fragmentOffset: UInt16)? {
        traced(exthdrs_core.ipv6_skip_exthdr) {
            let header = header ?? skb.network_header
            guard let hdr = IPv6Packet(skb.bytes, at: header) else { return nil }
            var at = header + IPv6Packet.headerLength, next = hdr.nextHeader, fragOff: UInt16 = 0
            let end = skb.data + skb.len
            while [.hopopts, .routing, .dstopts, .ipv6Fragment, .ah].contains(next) || next.rawValue == 59 {
                // No next header: nothing follows to walk to.
                guard next.rawValue != 59, at + (next == .ipv6Fragment ? 4 : 2) <= min(end, skb.bytes.count) else { return nil }
                let following = IPProtocol(rawValue: skb.bytes.u8(at: at))
                if next == .ipv6Fragment {
                    fragOff = skb.bytes.u16be(at: at + FragHeader.fragOff) & FragHeader.offsetMask
                    if fragOff != 0 { return (at, next, fragOff) }
                    at += FragHeader.length
                } else if next == .ah {
                    at += (Int(skb.bytes.u8(at: at + 1)) + 2) << 2
                } else {
                    at += (Int(skb.bytes.u8(at: at + 1)) + 1) << 3
                }
                next = following
            }
            return (at, next, fragOff)
        }
    }

    /// Finds the transport header of the packet as nftables asks for it (any protocol, stopping at an
    /// authentication header: `IP6_FH_F_AUTH`): walks the extension headers from the packet's IPv6
    /// header and returns the first that is not one (or AH, or no-next-header), where it starts, and
    /// the fragment offset; in a later fragment the walk ends at the fragment header, with the
    /// protocol it names. Nil (`-ENOENT`, `-EBADMSG`) when a header is cut short or a later
    /// fragment's next header is another extension header.
    func ipv6_find_hdr(_ skb: SKBuff) -> NftPktinfo? {
        traced(exthdrs_core.ipv6_find_hdr) {
            guard let hdr = skb.ipv6_hdr() else { return nil }
            var start = skb.network_header + IPv6Packet.headerLength, next = hdr.nextHeader
            let end = min(skb.data + skb.len, skb.bytes.count)
            let extHeaders: Set<UInt8> = [0, 43, 44, 51, 59, 60]
            while extHeaders.contains(next.rawValue), next != .noNextHeader {
                guard start + 2 <= end else { return nil }
                let following = IPProtocol(rawValue: skb.bytes.u8(at: start))
                let length: Int
                switch next {
                case .ipv6Fragment:
                    guard start + 4 <= end else { return nil }
                    let fragoff = skb.bytes.u16be(at: start + 2) & 0xfff8
                    if fragoff != 0 {
                        guard !extHeaders.contains(following.rawValue) || following == .noNextHeader else { return nil }
                        return NftPktinfo(tprot: following, thoff: start, fragoff: fragoff)
                    }
                    length = 8
                case .ah:
                    return NftPktinfo(tprot: next, thoff: start, fragoff: 0)
                default:
                    length = (Int(skb.bytes.u8(at: start + 1)) + 1) << 3
                }
                guard end - start >= length else { return nil }
                next = following
                start += length
            }
            return NftPktinfo(tprot: next, thoff: start, fragoff: 0)
        }
    }

    /// Checks a fragment against its queue and queues it; completes the datagram when every byte is
    /// there. A fragment ending beyond 65535 bytes, or a non-final one whose length is not a multiple
    /// of 8, is answered by the caller with a parameter problem at `probOffset`; one that contradicts
    /// the datagram's known end, or overlaps a queued one, ends the whole datagram.
    ///
    /// Returns `.nextHeader` when `skb` holds the reassembled datagram, `.dropped` when the fragment
    /// was queued (`-EINPROGRESS`) or dropped.
    func ip6_frag_queue(_ skb: inout SKBuff, key: Frag6Key, fh: Int, probOffset: inout Int) -> Inet6HandlerResult {
        traced(ipv6_reassembly_c.ip6_frag_queue) {
            guard let q = ip6Frags.queues[key], let hdr = skb.ipv6_hdr() else { return .dropped }
            let field = skb.bytes.u16be(at: fh + FragHeader.fragOff)
            let offset = Int(field & FragHeader.offsetMask)
            let unfragmentable = fh + FragHeader.length - (skb.network_header + IPv6Packet.headerLength)
            let end = offset + hdr.payloadLength - unfragmentable
            if end > 65_535 {
                tracer.note("fragment ends at \(end), beyond the largest datagram")
                probOffset = fh + FragHeader.fragOff - skb.network_header
                return .dropped
            }
            /// Ends the datagram (`discard_fq`): the queue is killed and the fragment freed.
            func discard(_ why: String) -> Inet6HandlerResult {
                tracer.note(why)
                inet_frag_kill(key)
                count("Ip6ReasmFails")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .dropped
            }
            if field & FragHeader.more == 0 {
                if end < q.len || (q.lastIn && end != q.len) {
                    return discard("last fragment ends at \(end), the queue says \(q.len)")
                }
                ip6Frags.queues[key]?.lastIn = true
                ip6Frags.queues[key]?.len = end
            } else {
                if end & 7 != 0 {
                    tracer.note("non-final fragment of \(end - offset) bytes, not a multiple of 8")
                    probOffset = IPv6Packet.Field.payloadLength
                    return .dropped
                }
                if end > q.len {
                    if q.lastIn { return discard("fragment ends at \(end), beyond the datagram's end \(q.len)") }
                    ip6Frags.queues[key]?.len = end
                }
            }
            if end == offset { return discard("fragment without data") }
            let payloadStart = min(fh + FragHeader.length, skb.bytes.count)
            let payloadEnd = min(fh + FragHeader.length + (end - offset), skb.bytes.count)
            let fragment = QueuedFragment(offset: offset, bytes: Array(skb.bytes[payloadStart..<payloadEnd]),
                                          truesize: skb.truesize, frame: skb.frame)
            switch inet_frag_queue_insert(key, fragment) {
            case .inserted: break
            case .duplicate:
                // 6.12 names the reason; 6.1 and 4.14 free it with kfree_skb.
                kfree_skb_reason(&skb, profile.version >= .v6_12 ? .DUP_FRAG : .NOT_SPECIFIED)
                return .dropped
            case .overlap:
                // Counted as IPSTATS_MIB_REASM_OVERLAPS, a slot /proc/net/snmp6 does not show.
                return discard("overlapping fragments: the datagram is dropped (RFC 5722)")
            }
            ip6Frags.queues[key]?.iif = skb.dev.ifindex
            ip6Frags.queues[key]?.meat += end - offset
            ip6Frags.memory += skb.truesize
            if offset == 0 {
                ip6Frags.queues[key]?.nhoffset = skb.nhoff
                ip6Frags.queues[key]?.headTailroom = skb.tailroom
                ip6Frags.queues[key]?.head = (skb.frame, Array(skb.bytes[min(skb.network_header, payloadEnd)..<payloadEnd]))
            }
            guard let current = ip6Frags.queues[key], current.isComplete else {
                tracer.note("fragment \(offset)-\(end) queued; datagram incomplete (IPv6 fragment memory \(ip6Frags.memory))")
                outcome.set(.queue)
                return .dropped
            }
            return ip6_frag_reasm(&skb, key: key, queue: current, headArrivedLast: offset == 0)
        }
    }

    /// Joins the queued fragments into one datagram in `skb`: the first fragment's headers before the
    /// fragment header, with the fragment header taken out (its next header moves into the header
    /// before it) and the payload length set to the whole datagram's.
    func ip6_frag_reasm(_ skb: inout SKBuff, key: Frag6Key, queue q: FragmentQueue, headArrivedLast: Bool) -> Inet6HandlerResult {
        traced(ipv6_reassembly_c.ip6_frag_reasm) {
            inet_frag_kill(key)
            inet_frag_reasm_prepare(&skb, isHead: headArrivedLast)
            let first = q.pieces.first { $0.offset == 0 }?.bytes.count ?? 0
            guard let head = q.head?.bytes, head.count - first - FragHeader.length >= IPv6Packet.headerLength else {
                return .dropped
            }
            let unfragmentable = head.count - first - FragHeader.length
            let payloadLength = unfragmentable - IPv6Packet.headerLength + q.len
            guard payloadLength <= 65_535 else {
                tracer.note("reassembled payload of \(payloadLength) bytes is too long")
                count("Ip6ReasmFails")
                inet_frag_kill(key)
                return .dropped
            }
            var header = Array(head[0..<unfragmentable])
            if q.nhoffset < header.count { header[q.nhoffset] = head[unfragmentable] }
            header[IPv6Packet.Field.payloadLength] = UInt8(truncatingIfNeeded: payloadLength >> 8)
            header[IPv6Packet.Field.payloadLength + 1] = UInt8(truncatingIfNeeded: payloadLength)
            let data = reassembledPayload(q)
            inet_frag_reasm_finish(key)
            let reassembled = header + data
            skb.bytes = reassembled
            skb.data = 0
            skb.network_header = 0
            skb.transport_header = unfragmentable
            skb.len = reassembled.count
            skb.nhoff = q.nhoffset
            skb.ip6Fragmented = true
            skb.fragListCount = fragListLength(q)
            count("Ip6ReasmOKs")
            outcome.reassembled = true
            tracer.note("reassembled \(reassembled.count) bytes from \(q.pieces.count) fragments")
            return .nextHeader
        }
    }

    /// The fragment header handler (`inet6_protos[NEXTHDR_FRAGMENT]`). An atomic fragment (offset 0,
    /// no M flag, RFC 6946) goes straight on to its next header; a fragment of a packet already
    /// reassembled, a jumbogram's or a truncated header is a header error (parameter problem); a first
    /// fragment without the upper-layer header is answered with parameter problem code 3 (6.1 and
    /// later); any other is queued for reassembly.
    func ipv6_frag_rcv(_ skb: inout SKBuff) -> Inet6HandlerResult {
        traced(ipv6_reassembly_c.ipv6_frag_rcv) {
            guard let hdr = skb.ipv6_hdr() else { return .dropped }
            /// The header error path (`fail_hdr`): a parameter problem pointing past the unfragmentable part.
            func failHeader(_ why: String) -> Inet6HandlerResult {
                tracer.note(why)
                count("Ip6InHdrErrors")
                icmpv6_param_prob(&skb, code: ICMPv6Type.ICMPV6_HDR_FIELD, pointer: skb.transport_header - skb.network_header)
                return .dropped
            }
            if skb.ip6Fragmented { return failHeader("a second fragment header in a reassembled packet") }
            count("Ip6ReasmReqds")
            if hdr.payloadLength == 0 { return failHeader("fragment header in a jumbogram") }
            let fh = skb.transport_header
            guard fh + FragHeader.length <= skb.data + skb.len else { return failHeader("fragment header cut short") }
            guard fh + FragHeader.length <= skb.bytes.count else {
                tracer.notModeled("IPv6 fragment header not in the capture (snap length)")
                outcome.set(.unknown)
                return .dropped
            }
            let field = skb.bytes.u16be(at: fh + FragHeader.fragOff)
            if field & (FragHeader.offsetMask | FragHeader.more) == 0 {
                tracer.note("atomic fragment: not fragmented")
                skb.transport_header += FragHeader.length
                count("Ip6ReasmOKs")
                skb.nhoff = fh - skb.network_header
                skb.ip6Fragmented = true
                return .nextHeader
            }
            if has(ipv6_frag_h.ipv6frag_thdr_truncated), ipv6frag_thdr_truncated(skb) {
                tracer.note("first fragment ends inside the upper-layer header")
                count("Ip6InHdrErrors")
                icmpv6_param_prob(&skb, code: ICMPv6Type.ICMPV6_HDR_INCOMP, pointer: 0)
                return .dropped
            }
            guard let key = fq_find(skb, fh: fh, hdr: hdr) else {
                count("Ip6ReasmFails")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .dropped
            }
            ip6Frags.queues[key]?.iif = skb.dev.ifindex
            var probOffset = 0
            let result = ip6_frag_queue(&skb, key: key, fh: fh, probOffset: &probOffset)
            // inet_frag_put: a killed queue (completed or discarded) is freed with its last reference.
            if ip6Frags.queues[key]?.killed == true { inet_frag_destroy(key) }
            if probOffset != 0 {
                count("Ip6InHdrErrors")
                icmpv6_param_prob(&skb, code: ICMPv6Type.ICMPV6_HDR_FIELD, pointer: probOffset)
            }
            return result
        }
    }
}
