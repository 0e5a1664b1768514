// Mirrors net/ipv4/ip_fragment.c and the queue handling of net/ipv4/inet_fragment.c (Linux 6.1):
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

/// Functions modeled from `net/ipv4/inet_fragment.c`, in the file's order.
public enum inet_fragment: String, KernelSourceFile {
    public static let path = "net/ipv4/inet_fragment.c"
    case inet_frag_kill, inet_frag_rbtree_purge, inet_frag_queue_flush, inet_frag_destroy, inet_frag_find,
        inet_frag_queue_insert,
        inet_frag_reasm_prepare, inet_frag_reasm_finish, inet_frag_pull_head
}

/// What inserting a fragment into its queue found.
enum FragmentInsert {
    case inserted, duplicate, overlap
}

/// How the kernel keys a reassembly queue (`struct frag_v4_compare_key`, without vif and user).
struct FragmentKey: Hashable {
    var saddr: IPv4Address
    var daddr: IPv4Address
    var id: UInt16
    var proto: UInt8
}

/// One queued fragment: its payload at its offset, the memory it is charged for and the frame it
/// came from.
struct QueuedFragment {
    var offset: Int
    var bytes: [UInt8]
    var truesize: Int
    var frame: Int
}

/// Models `struct ipq`: the fragments of one datagram received so far.
struct FragmentQueue {
    /// The first fragment as received (IP header and payload), once it arrived (`INET_FRAG_FIRST_IN`).
    var head: (frame: Int, bytes: [UInt8])?
    /// Queued fragments (the queue's rb-tree), in arrival order.
    var pieces: [QueuedFragment] = []
    /// `q.len`: the datagram's payload length as far as known; final once the last fragment arrived.
    var len = 0
    /// `INET_FRAG_LAST_IN`: the fragment without MF arrived.
    var lastIn = false
    /// `q.meat`: payload bytes queued.
    var meat = 0
    /// When the queue's timer fires (capture clock, nanoseconds).
    var expires: Int64
    /// The frame whose fragment created the queue (armed its timer).
    var armedBy: Int
    /// Creation order, for queues whose timers expire at the same moment.
    var sequence: Int
    /// `iif`: the interface of the last fragment queued.
    var iif: Int
    /// `rid`: the peer's fragment count when this queue last took a fragment (`ip_frag_too_far`).
    var rid: UInt32 = 0
    /// Unhashed by `inet_frag_kill`: freed when `ip_defrag` lets go of it.
    var killed = false
    /// `INET_FRAG_DROP` (6.12): its fragments are freed as drops, not consumed, when it is destroyed.
    var dropOnDestroy = false

    /// The IP header of the first fragment.
    var header: [UInt8]? {
        guard let h = head, let iph = IPv4Packet(h.bytes, at: 0), iph.headerLength <= h.bytes.count else { return nil }
        return Array(h.bytes[0..<iph.headerLength])
    }

    /// Whether every byte of the datagram is queued (`FIRST_IN | LAST_IN` and `meat == len`).
    var isComplete: Bool { head != nil && lastIn && meat == len }
}

extension Kernel {
    /// `sizeof(struct ipq)` on x86-64 (Linux 6.1): charged to fragment memory for every queue (`qsize`).
    static let ipqSize = 200

    /// `net.ipv4.ipfrag_time` in seconds (default 30).
    var ipfragTime: Int64 { Int64(sysctl.values["net.ipv4.ipfrag_time"] ?? 30) }
    /// When a queue armed now expires: `ipfrag_time` seconds on (clamped at the clock's end).
    var fragmentExpiry: Int64 { now.clampedAdding(ipfragTime.clampedMultiplied(by: 1_000_000_000)) }
    /// `net.ipv4.ipfrag_high_thresh` in bytes (default 4 MiB).
    var ipfragHighThresh: Int { sysctl.values["net.ipv4.ipfrag_high_thresh"] ?? 4 * 1024 * 1024 }
    /// `net.ipv4.ipfrag_max_dist` (default 64; 0 turns the check off).
    var ipfragMaxDist: UInt32 { UInt32(max(0, sysctl.values["net.ipv4.ipfrag_max_dist"] ?? 64)) }

    /// Fills in a new queue: its key, and the sender's peer entry when `ipfrag_max_dist` is on
    /// (`inet_frags.constructor`).
    func ip4_frag_init(_ key: FragmentKey) {
        traced(ip_fragment_c.ip4_frag_init) {
            if ipfragMaxDist != 0 { inet_getpeer(key.saddr) }
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
            guard let q = fragmentQueues[key] else { return }
            tracer.note("reassembly of id \(key.id) from \(key.saddr) timed out after \(ipfragTime) s")
            fragmentQueues[key]?.dropOnDestroy = true
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
            guard let q = fragmentQueues[key], ipfragMaxDist != 0, var peer = peers[key.saddr] else { return false }
            let start = q.rid
            peer.rid &+= 1
            peers[key.saddr] = peer
            fragmentQueues[key]?.rid = peer.rid
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
                fragmentMemory -= inet_frag_rbtree_purge(key, .NOT_SPECIFIED)
            }
            fragmentQueues[key]?.expires = fragmentExpiry
            fragmentTimerHorizon = min(fragmentTimerHorizon, fragmentExpiry)
            fragmentQueues[key]?.head = nil
            fragmentQueues[key]?.len = 0
            fragmentQueues[key]?.meat = 0
            fragmentQueues[key]?.lastIn = false
            tracer.state("reassembly queue id \(key.id) emptied and restarted")
        }
    }

    /// Removes a queue from the table and stops its timer; it is freed when its last reference goes
    /// (`ipq_put`).
    func inet_frag_kill(_ key: FragmentKey) {
        traced(inet_fragment.inet_frag_kill) { fragmentQueues[key]?.killed = true }
    }

    /// Frees every fragment still held by a queue and returns the memory they held: each a drop for
    /// `reason`, or consumed when there is none (6.12 consumes the fragments of a queue that did not
    /// time out).
    func inet_frag_rbtree_purge(_ key: FragmentKey, _ reason: SKBDropReason?) -> Int {
        traced(inet_fragment.inet_frag_rbtree_purge) {
            guard let q = fragmentQueues[key] else { return 0 }
            let saved = outcome
            for piece in q.pieces {
                // The queued fragments, not the frame being processed.
                var queued = alloc_skb(frame: piece.frame, bytes: [], wireLength: 0, dev: devices[0])
                if let reason { kfree_skb_reason(&queued, reason) } else { kfree_skb_consumed(&queued) }
            }
            outcome = saved
            fragmentQueues[key]?.pieces = []
            return q.pieces.reduce(0) { $0 + $1.truesize }
        }
    }

    /// Empties a queue's tree and uncharges it (6.12).
    func inet_frag_queue_flush(_ key: FragmentKey, _ reason: SKBDropReason) {
        traced(inet_fragment.inet_frag_queue_flush) { fragmentMemory -= inet_frag_rbtree_purge(key, reason) }
    }

    /// Frees a queue: its fragments, its memory and itself.
    func inet_frag_destroy(_ key: FragmentKey) {
        traced(inet_fragment.inet_frag_destroy) {
            let reason: SKBDropReason?
            if profile.version >= .v6_12 {
                reason = fragmentQueues[key]?.dropOnDestroy == true ? .FRAG_REASM_TIMEOUT : nil
            } else {
                reason = .NOT_SPECIFIED
            }
            fragmentMemory -= inet_frag_rbtree_purge(key, reason) + Self.ipqSize
            fragmentQueues[key] = nil
        }
    }

    /// Finds the queue for `key`, or creates one (charging `sizeof(struct ipq)` and arming its timer);
    /// false when fragment memory is over `ipfrag_high_thresh`, checked before any lookup.
    func inet_frag_find(_ key: FragmentKey, iif: Int) -> Bool {
        traced(inet_fragment.inet_frag_find) {
            guard ipfragHighThresh != 0, fragmentMemory <= ipfragHighThresh else {
                tracer.note("fragment memory \(fragmentMemory) over ipfrag_high_thresh \(ipfragHighThresh)")
                return false
            }
            if fragmentQueues[key] != nil { return true }
            fragmentQueueCount += 1
            fragmentQueues[key] = FragmentQueue(expires: fragmentExpiry, armedBy: currentFrame,
                                                sequence: fragmentQueueCount, iif: iif)
            ip4_frag_init(key)
            fragmentTimerHorizon = min(fragmentTimerHorizon, fragmentExpiry)
            fragmentMemory += Self.ipqSize
            tracer.state("reassembly queue created (id \(key.id)), expires in \(ipfragTime) s")
            return true
        }
    }

    /// Inserts a fragment into the queue's tree: a fragment inside one already queued is a duplicate,
    /// one that partly overlaps is an overlap (RFC 5722's rule, applied to IPv4 by Linux).
    func inet_frag_queue_insert(_ key: FragmentKey, _ fragment: QueuedFragment) -> FragmentInsert {
        traced(inet_fragment.inet_frag_queue_insert) {
            guard let q = fragmentQueues[key] else { return .overlap }
            let offset = fragment.offset
            let end = offset + fragment.bytes.count
            if q.pieces.contains(where: { offset >= $0.offset && end <= $0.offset + $0.bytes.count }) {
                tracer.note("fragment \(offset)-\(end) duplicates one already queued")
                return .duplicate
            }
            if q.pieces.contains(where: { offset < $0.offset + $0.bytes.count && $0.offset < end }) {
                tracer.note("fragment \(offset)-\(end) overlaps what is queued")
                return .overlap
            }
            fragmentQueues[key]?.pieces.append(fragment)
            return .inserted
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
            guard let q = fragmentQueues[key] else { return false }
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
                fragmentQueues[key]?.lastIn = true
                fragmentQueues[key]?.len = end
            } else {
                end &= ~7
                if end > q.len {
                    if q.lastIn {
                        tracer.note("fragment ends at \(end), beyond the datagram's end \(q.len)")
                        discardFragmentQueue(key)
                        kfree_skb_reason(&skb, .NOT_SPECIFIED)
                        return false
                    }
                    fragmentQueues[key]?.len = end
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
            fragmentQueues[key]?.iif = skb.dev.ifindex
            fragmentQueues[key]?.meat += end - offset
            fragmentMemory += skb.truesize
            if offset == 0 {
                let bytes = Array(skb.bytes[min(iph.start, skb.bytes.count)..<min(iph.payloadOffset + (end - offset), skb.bytes.count)])
                fragmentQueues[key]?.head = (skb.frame, bytes)
            }
            guard let current = fragmentQueues[key], current.isComplete else {
                tracer.note("fragment \(offset)-\(end) queued; datagram incomplete (fragment memory \(fragmentMemory))")
                outcome.set(.queue)
                return false
            }
            return ip_frag_reasm(&skb, key: key, queue: current, headArrivedLast: offset == 0)
        }
    }

    /// Makes the completing fragment the head of the datagram: when it is not the first fragment, it
    /// takes the head's place (`skb_morph`) and the head's buffer is freed.
    func inet_frag_reasm_prepare(_ skb: inout SKBuff, isHead: Bool) {
        traced(inet_fragment.inet_frag_reasm_prepare) { if !isHead { consume_skb(&skb) } }
    }

    /// Links the queued fragments behind the head and fixes up lengths and checksum state; the queue's
    /// memory charge goes with them.
    func inet_frag_reasm_finish(_ key: FragmentKey) {
        traced(inet_fragment.inet_frag_reasm_finish) {
            fragmentMemory -= fragmentQueues[key]?.pieces.reduce(0) { $0 + $1.truesize } ?? 0
            fragmentQueues[key]?.pieces = []
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
            var data = [UInt8](repeating: 0, count: q.len)
            for p in q.pieces {
                for (i, b) in p.bytes.enumerated() where p.offset + i < data.count { data[p.offset + i] = b }
            }
            inet_frag_reasm_finish(key)
            let reassembled = header + data
            skb.bytes = reassembled
            skb.data = 0
            skb.network_header = 0
            skb.transport_header = header.count
            skb.len = reassembled.count
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
            if fragmentQueues[key]?.killed == true { inet_frag_destroy(key) }
            return complete
        }
    }

    /// Takes the first fragment out of a timed-out queue (uncharging it), for `ip_expire` to quote.
    func inet_frag_pull_head(_ key: FragmentKey) -> SKBuff? {
        traced(inet_fragment.inet_frag_pull_head) {
            guard let q = fragmentQueues[key], let head = q.head,
                let i = q.pieces.firstIndex(where: { $0.offset == 0 })
            else { return nil }
            let piece = q.pieces[i]
            fragmentQueues[key]?.pieces.remove(at: i)
            fragmentMemory -= piece.truesize
            var skb = alloc_skb(frame: head.frame, bytes: head.bytes, wireLength: head.bytes.count, dev: devices[0])
            skb.protocol = .ipv4
            skb.transport_header = IPv4Packet(head.bytes, at: 0)?.headerLength ?? 20
            skb.truesize = piece.truesize
            return skb
        }
    }

    /// The reassembly queues whose timers expire at or before `time`, in expiry order. The queues are
    /// scanned only once the clock passes the earliest expiry known.
    func expiredFragmentQueues(by time: Int64) -> [(key: FragmentKey, expires: Int64)] {
        guard fragmentTimerHorizon <= time else { return [] }
        var expired: [(key: FragmentKey, expires: Int64, sequence: Int)] = []
        var horizon = Int64.max
        for (key, q) in fragmentQueues where !q.killed {
            if q.expires <= time {
                expired.append((key, q.expires, q.sequence))
            } else {
                horizon = min(horizon, q.expires)
            }
        }
        fragmentTimerHorizon = horizon
        return expired.sorted { ($0.expires, $0.sequence) < ($1.expires, $1.sequence) }.map { ($0.key, $0.expires) }
    }
}
