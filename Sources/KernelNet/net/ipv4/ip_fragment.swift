// Mirrors net/ipv4/ip_fragment.c (Linux 6.1; the queue handling it shares with IPv6 is in
// inet_fragment.swift):
// reassembly of IPv4 fragments (RFC 791 §3.2, RFC 815) for local delivery, the reassembly timer
// (`ip_expire`, RFC 792's time exceeded code 1), the memory cap (`ipfrag_high_thresh`) and the
// fragment id distance check (`ipfrag_max_dist`).
// Not modeled: reassembly for netfilter (conntrack defrag users), ECN combination rules, datagrams
// over 64 KiB, the frag_list layout of the reassembled buffer (the model copies the bytes).
import Trace
import Wire

/// Functions modeled from `net/ipv4/ip_fragment.c`, in the file's order.
public enum ip_fragment_c: String, KernelSourceFile {
    public static let path = "net/ipv4/ip_fragment.c"
    case ip4_frag_init, ip_expire, ip_find, ip_frag_too_far, ip_frag_reinit, ip_frag_queue, ip_frag_reasm, ip_defrag
}

/// How the kernel keys a reassembly queue (`struct frag_v4_compare_key`, without vif and user).
struct FragmentKey: Equatable {
    var saddr: IPv4Address
    var daddr: IPv4Address
    var id: UInt16
    var proto: UInt8

    func hash(seed: UInt64) -> UInt64 {
        mix64(UInt64(saddr.rawValue) << 32 | UInt64(daddr.rawValue) ^ mix64(UInt64(id) << 8 | UInt64(proto) ^ seed))
    }
}

extension FragmentKey: InetFragKey {
    static var fqdir: ReferenceWritableKeyPath<Kernel, FragmentDir<Self>> { \Kernel.ip4Frags }
    static let qsize = Kernel.ipqSize
    var fragmentID: UInt32 { UInt32(id) }
    static func highThresh(_ kernel: Kernel) -> Int { kernel.sysctl.ipfrag_high_thresh }
    static let highThreshName = "ipfrag_high_thresh"
    static func timeout(_ kernel: Kernel) -> Int64 { kernel.ipfragTime }
    static func construct(_ key: Self, in kernel: Kernel) { kernel.ip4_frag_init(key) }
    static func headerLength(_ bytes: [UInt8]) -> Int { IPv4Packet(bytes, at: 0)?.headerLength ?? 20 }
    static let etherType = EtherType.ipv4
}

extension FragmentQueue {
    /// The IPv4 header of the first fragment.
    var header: [UInt8]? {
        guard let h = head, let iph = IPv4Packet(h.bytes, at: 0), iph.headerLength <= h.bytes.count else { return nil }
        return Array(h.bytes[0..<iph.headerLength])
    }
}

extension Kernel {
    /// `sizeof(struct ipq)` on x86-64 (Linux 6.1): charged to fragment memory for every queue (`qsize`).
    static let ipqSize = 200

    /// `net.ipv4.ipfrag_time` in seconds (default 30).
    var ipfragTime: Int64 { Int64(sysctl.ipfrag_time) }
    /// `net.ipv4.ipfrag_max_dist` (default 64; 0 turns the check off).
    var ipfragMaxDist: UInt32 { UInt32(max(0, sysctl.ipfrag_max_dist)) }

    /// Fills in a new queue: its key, and the sender's peer entry when `ipfrag_max_dist` is on
    /// (`inet_frags.constructor`).
    func ip4_frag_init(_ key: FragmentKey) {
        traced(ip_fragment_c.ip4_frag_init) {
            if ipfragMaxDist != 0 { inet_getpeer(.v4(key.saddr)) }
        }
    }

    /// The reassembly timer: the datagram did not complete within `ipfrag_time`. Kills the queue and,
    /// when its first fragment arrived, sends ICMP time exceeded (fragment reassembly time exceeded)
    /// about that fragment to its sender (RFC 792); every fragment held is freed.
    ///
    /// The kernel runs it from the timer softirq; the model runs it when the capture clock first
    /// passes `expires`, before the next frame (`TimerRun`).
    func ip_expire(_ key: FragmentKey) {
        traced(ip_fragment_c.ip_expire) {
            guard let q = ip4Frags.queues[key] else { return }
            tracer.note("reassembly of id \(key.id) from \(key.saddr) timed out after \(ipfragTime) s")
            ip4Frags.queues[key]?.dropOnDestroy = true
            inet_frag_kill(key)
            count("IpReasmFails")
            count("IpReasmTimeout")
            defer { inet_frag_destroy(key) }  // ipq_put: the timer's reference was the last
            guard q.head != nil, var head = inet_frag_pull_head(key) else {
                tracer.note("the first fragment never arrived: no ICMP")
                return
            }
            if let dev = devices.first(where: { $0.ifindex == q.iif }) { head.dev = dev }
            // 6.1 frees the head with kfree_skb (NOT_SPECIFIED); 6.12 names the timeout.
            let reason: SKBDropReason = profile.version >= .v6_12 ? .FRAG_REASM_TIMEOUT : .NOT_SPECIFIED
            guard let iph = head.ip_hdr(),
                ip_route_input_noref(&head, daddr: iph.destination, saddr: iph.source)
            else {
                kfree_skb_reason(&head, reason)
                return
            }
            icmp_send(&head, type: ICMPv4Packet.timeExceeded, code: 1)
            kfree_skb_reason(&head, reason)
        }
    }

    /// Finds or creates the queue for a fragment; false when fragment memory is over
    /// `ipfrag_high_thresh`.
    func ip_find(_ key: FragmentKey, iif: Int) -> Bool {
        traced(ip_fragment_c.ip_find) { inet_frag_find(key, iif: iif) }
    }

    /// Whether more than `ipfrag_max_dist` fragments came from the sender, to any queue, since this
    /// queue last took one: then the queue is probably stale (the id was reused) and starts over.
    func ip_frag_too_far(_ key: FragmentKey) -> Bool {
        traced(ip_fragment_c.ip_frag_too_far) {
            guard let q = ip4Frags.queues[key], ipfragMaxDist != 0, var peer = peers[.v4(key.saddr)] else { return false }
            let start = q.rid
            peer.rid &+= 1
            peers[.v4(key.saddr)] = peer
            ip4Frags.queues[key]?.rid = peer.rid
            guard !q.pieces.isEmpty, peer.rid &- start > ipfragMaxDist else { return false }
            tracer.note("\(peer.rid &- start) fragments from \(key.saddr) since this queue's last (ipfrag_max_dist \(ipfragMaxDist))")
            count("IpReasmFails")
            return true
        }
    }

    /// Empties a stale queue and restarts its timer, so the fragment at hand begins a new datagram.
    func ip_frag_reinit(_ key: FragmentKey) {
        traced(ip_fragment_c.ip_frag_reinit) {
            if has(inet_fragment.inet_frag_queue_flush) {
                inet_frag_queue_flush(key, .FRAG_TOO_FAR)
            } else {
                ip4Frags.memory -= inet_frag_rbtree_purge(key, .NOT_SPECIFIED)
            }
            ip4Frags.queues[key]?.expires = fragmentExpiry(key)
            ip4Frags.horizon = min(ip4Frags.horizon, fragmentExpiry(key))
            ip4Frags.queues[key]?.head = nil
            ip4Frags.queues[key]?.len = 0
            ip4Frags.queues[key]?.meat = 0
            ip4Frags.queues[key]?.lastIn = false
            tracer.state("reassembly queue id \(key.id) emptied and restarted")
        }
    }

    /// Kills the queue and counts a failed reassembly (`discard_qp`); the caller frees the fragment.
    private func discardFragmentQueue(_ key: FragmentKey) {
        inet_frag_kill(key)
        count("IpReasmFails")
    }

    /// Adds a fragment to its queue, checking it against what the queue knows of the datagram's end;
    /// completes the datagram when every byte is there. Returns true when `skb` now holds the
    /// reassembled datagram.
    func ip_frag_queue(_ skb: inout SKBuff, key: FragmentKey, iph: IPv4Packet) -> Bool {
        traced(ip_fragment_c.ip_frag_queue) {
            if ip_frag_too_far(key) { ip_frag_reinit(key) }
            guard let q = ip4Frags.queues[key] else { return false }
            let offset = iph.fragmentOffset
            var end = offset + max(0, iph.totalLength - iph.headerLength)
            if !iph.moreFragments {
                // The last fragment fixes the datagram's length: data beyond it, or another end, is corrupt.
                if end < q.len || (q.lastIn && end != q.len) {
                    tracer.note("last fragment ends at \(end), the queue says \(q.len)")
                    discardFragmentQueue(key)
                    kfree_skb_reason(&skb, .NOT_SPECIFIED)
                    return false
                }
                ip4Frags.queues[key]?.lastIn = true
                ip4Frags.queues[key]?.len = end
            } else {
                end &= ~7
                if end > q.len {
                    if q.lastIn {
                        tracer.note("fragment ends at \(end), beyond the datagram's end \(q.len)")
                        discardFragmentQueue(key)
                        kfree_skb_reason(&skb, .NOT_SPECIFIED)
                        return false
                    }
                    ip4Frags.queues[key]?.len = end
                }
            }
            if end == offset {
                tracer.note("fragment without data")
                discardFragmentQueue(key)
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return false
            }
            let start = min(iph.payloadOffset, skb.bytes.count)
            let payload = Array(skb.bytes[start..<min(iph.payloadOffset + (end - offset), skb.bytes.count)])
            let fragment = QueuedFragment(offset: offset, bytes: payload, truesize: skb.truesize, frame: skb.frame)
            switch inet_frag_queue_insert(key, fragment) {
            case .inserted: break
            case .duplicate:
                // 6.12 names the reason (net/ipv4/ip_fragment.c, insert_error); 6.1 frees with none.
                kfree_skb_reason(&skb, profile.version >= .v6_12 ? .DUP_FRAG : .NOT_SPECIFIED)
                return false
            case .overlap:
                count("IpExtReasmOverlaps")
                discardFragmentQueue(key)
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return false
            }
            ip4Frags.queues[key]?.iif = skb.dev.ifindex
            ip4Frags.queues[key]?.meat += end - offset
            ip4Frags.memory += skb.truesize
            if offset == 0 {
                let bytes = Array(skb.bytes[min(iph.start, skb.bytes.count)..<min(iph.payloadOffset + (end - offset), skb.bytes.count)])
                ip4Frags.queues[key]?.head = (skb.frame, bytes)
                ip4Frags.queues[key]?.headTailroom = skb.tailroom
            }
            guard let current = ip4Frags.queues[key], current.isComplete else {
                tracer.note("fragment \(offset)-\(end) queued; datagram incomplete (fragment memory \(ip4Frags.memory))")
                outcome.set(.queue)
                return false
            }
            return ip_frag_reasm(&skb, key: key, queue: current, headArrivedLast: offset == 0)
        }
    }

    /// Joins the queued fragments into one datagram in `skb`.
    func ip_frag_reasm(_ skb: inout SKBuff, key: FragmentKey, queue q: FragmentQueue, headArrivedLast: Bool) -> Bool {
        traced(ip_fragment_c.ip_frag_reasm) {
            inet_frag_kill(key)
            inet_frag_reasm_prepare(&skb, isHead: headArrivedLast)
            var header = q.header ?? []
            let total = q.len + header.count
            if header.count >= 8 {
                header[2] = UInt8(truncatingIfNeeded: total >> 8)
                header[3] = UInt8(truncatingIfNeeded: total)
                header[6] = 0
                header[7] = 0
                Checksum.updateIPv4Header(&header)
            }
            let data = reassembledPayload(q)
            inet_frag_reasm_finish(key)
            let reassembled = header + data
            skb.bytes = reassembled
            skb.data = 0
            skb.network_header = 0
            skb.transport_header = header.count
            skb.len = reassembled.count
            skb.fragListCount = fragListLength(q)
            count("IpReasmOKs")
            outcome.reassembled = true
            tracer.note("reassembled \(reassembled.count) bytes from \(q.pieces.count) fragments")
            return true
        }
    }

    /// Reassembles a fragment for local delivery. Returns true when `skb` holds the complete
    /// datagram; false when the fragment was queued or dropped.
    func ip_defrag(_ skb: inout SKBuff) -> Bool {
        traced(ip_fragment_c.ip_defrag) {
            count("IpReasmReqds")
            guard let iph = skb.ip_hdr() else { return false }
            let key = FragmentKey(saddr: iph.source, daddr: iph.destination, id: iph.identification,
                                  proto: iph.proto.rawValue)
            guard ip_find(key, iif: skb.dev.ifindex) else {
                count("IpReasmFails")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return false
            }
            let complete = ip_frag_queue(&skb, key: key, iph: iph)
            // ipq_put: a killed queue (completed or discarded) is freed with its last reference.
            if ip4Frags.queues[key]?.killed == true { inet_frag_destroy(key) }
            return complete
        }
    }
}
