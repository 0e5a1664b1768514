// Mirrors net/ipv4/ip_fragment.c and the queue handling of net/ipv4/inet_fragment.c (Linux 6.1):
// reassembly of IPv4 fragments (RFC 791 §3.2, RFC 815) for local delivery.
// Not modeled: the reassembly timer firing (`ip_expire` and its ICMP time exceeded; expired queues are
// discarded silently when the clock passes them), fragment overlap rules beyond exact duplicates.
import Trace
import Wire

/// Functions modeled from `net/ipv4/ip_fragment.c`.
public enum ip_fragment_c: String, KernelSourceFile {
    public static let path = "net/ipv4/ip_fragment.c"
    case ip_find, ip_frag_reasm, ip_frag_queue, ip_defrag
}

/// Functions modeled from `net/ipv4/inet_fragment.c`.
public enum inet_fragment: String, KernelSourceFile {
    public static let path = "net/ipv4/inet_fragment.c"
    case inet_frag_kill, inet_frag_destroy, inet_frag_find, inet_frag_queue_insert, inet_frag_reasm_prepare,
        inet_frag_reasm_finish
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

/// Models `struct ipq`: the fragments of one datagram received so far.
struct FragmentQueue {
    /// The first fragment's IP header bytes, once it arrived.
    var header: [UInt8]?
    /// Payload pieces by offset.
    var pieces: [(offset: Int, bytes: [UInt8])] = []
    /// The datagram's payload length, known once the last fragment (MF clear) arrived.
    var totalLength: Int?
    var firstSeen: Int64
    var memory: Int = 0
    /// Unhashed by `inet_frag_kill`: freed when `ip_defrag` lets go of it.
    var killed = false

    /// Whether the pieces cover the whole datagram.
    var isComplete: Bool {
        guard let total = totalLength, header != nil else { return false }
        var covered = 0
        for p in pieces.sorted(by: { $0.offset < $1.offset }) {
            guard p.offset <= covered else { return false }
            covered = max(covered, p.offset + p.bytes.count)
        }
        return covered >= total
    }
}

extension Kernel {
    /// Memory charged per queued fragment beyond its data (an skb's truesize overhead).
    static let fragmentOverhead = 768

    /// Default `net.ipv4.ipfrag_time` (seconds).
    var ipfragTime: Int64 { Int64(sysctl.values["net.ipv4.ipfrag_time"] ?? 30) }
    /// Default `net.ipv4.ipfrag_high_thresh` (bytes).
    var ipfragHighThresh: Int { sysctl.values["net.ipv4.ipfrag_high_thresh"] ?? 4 * 1024 * 1024 }

    /// Finds or creates the queue for a fragment; nil when fragment memory is over the high threshold.
    func inet_frag_find(_ key: FragmentKey) -> Bool {
        traced(inet_fragment.inet_frag_find) {
            if fragmentQueues[key] != nil {
                return true
            }
            guard fragmentMemory < ipfragHighThresh else {
                tracer.note("fragment memory \(fragmentMemory) over ipfrag_high_thresh")
                return false
            }
            fragmentQueues[key] = FragmentQueue(firstSeen: now)
            tracer.state("reassembly queue created (id \(key.id))")
            return true
        }
    }

    /// Looks up the queue for the packet's key.
    func ip_find(_ key: FragmentKey) -> Bool {
        traced(ip_fragment_c.ip_find) { inet_frag_find(key) }
    }

    /// Inserts a fragment into the queue's tree: a fragment inside one already queued is a duplicate,
    /// one that partly overlaps is an overlap (RFC 5722's rule, applied to IPv4 by Linux).
    func inet_frag_queue_insert(_ key: FragmentKey, offset: Int, payload: [UInt8]) -> FragmentInsert {
        traced(inet_fragment.inet_frag_queue_insert) {
            guard var q = fragmentQueues[key] else { return .overlap }
            let end = offset + payload.count
            if q.pieces.contains(where: { offset >= $0.offset && end <= $0.offset + $0.bytes.count }) {
                tracer.note("fragment \(offset)-\(end) duplicates one already queued")
                return .duplicate
            }
            if q.pieces.contains(where: { offset < $0.offset + $0.bytes.count && $0.offset < end }) {
                tracer.note("fragment \(offset)-\(end) overlaps what is queued")
                return .overlap
            }
            q.pieces.append((offset, payload))
            // Charged like the kernel charges truesize: the data plus the buffer's own overhead.
            let charge = payload.count + Self.fragmentOverhead
            q.memory += charge
            fragmentMemory += charge
            fragmentQueues[key] = q
            return .inserted
        }
    }

    /// Removes a queue from the table; it is freed when its last reference goes (`ipq_put`).
    func inet_frag_kill(_ key: FragmentKey) {
        traced(inet_fragment.inet_frag_kill) { fragmentQueues[key]?.killed = true }
    }

    /// Frees a queue, its memory and any fragment still queued on it (those are dropped).
    func inet_frag_destroy(_ key: FragmentKey) {
        traced(inet_fragment.inet_frag_destroy) {
            fragmentMemory -= fragmentQueues[key]?.memory ?? 0
            if let q = fragmentQueues[key], !q.pieces.isEmpty {
                var queued = alloc_skb(frame: currentFrame, bytes: [], wireLength: 0, dev: devices[0])
                let saved = outcome
                kfree_skb_reason(&queued, .NOT_SPECIFIED)  // the queued fragments, not this frame
                outcome = saved
            }
            fragmentQueues[key] = nil
        }
    }

    /// Adds a fragment to its queue; completes the datagram when every piece is there.
    /// Returns true when `skb` now holds the reassembled datagram.
    func ip_frag_queue(_ skb: inout SKBuff, key: FragmentKey, iph: IPv4Packet) -> Bool {
        traced(ip_fragment_c.ip_frag_queue) {
            let payloadLength = iph.totalLength - iph.headerLength
            let start = iph.payloadOffset
            let payload = Array(skb.bytes[min(start, skb.bytes.count)..<min(start + max(0, payloadLength), skb.bytes.count)])
            switch inet_frag_queue_insert(key, offset: iph.fragmentOffset, payload: payload) {
            case .inserted: break
            case .duplicate:
                // 6.12 names the reason (net/ipv4/ip_fragment.c, insert_error); 6.1 frees with none.
                kfree_skb_reason(&skb, profile.version >= .v6_12 ? .DUP_FRAG : .NOT_SPECIFIED)
                return false
            case .overlap:
                count("IpExtReasmOverlaps")
                inet_frag_kill(key)
                count("IpReasmFails")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return false
            }
            if iph.fragmentOffset == 0 {
                fragmentQueues[key]?.header = Array(skb.bytes[iph.start..<iph.start + iph.headerLength])
            }
            if !iph.moreFragments { fragmentQueues[key]?.totalLength = iph.fragmentOffset + payloadLength }
            guard let q = fragmentQueues[key], q.isComplete else {
                tracer.note("fragment offset \(iph.fragmentOffset) queued; datagram incomplete")
                outcome.set(.queue)
                return false
            }
            inet_frag_kill(key)
            return ip_frag_reasm(&skb, key: key, queue: q, headArrivedLast: iph.fragmentOffset == 0)
        }
    }

    /// Makes the completing fragment the head of the datagram: when it is not the first fragment, it
    /// takes the head's place (`skb_morph`) and the head's buffer is freed.
    func inet_frag_reasm_prepare(_ skb: inout SKBuff, isHead: Bool) {
        traced(inet_fragment.inet_frag_reasm_prepare) { if !isHead { consume_skb(&skb) } }
    }

    /// Links the queued fragments behind the head and fixes up lengths and checksum state.
    func inet_frag_reasm_finish() {
        traced(inet_fragment.inet_frag_reasm_finish) {}
    }

    /// Joins the queued fragments into one datagram in `skb`.
    func ip_frag_reasm(_ skb: inout SKBuff, key: FragmentKey, queue q: FragmentQueue, headArrivedLast: Bool) -> Bool {
        traced(ip_fragment_c.ip_frag_reasm) {
            inet_frag_reasm_prepare(&skb, isHead: headArrivedLast)
            var header = q.header ?? []
            let total = (q.totalLength ?? 0) + header.count
            header[2] = UInt8(truncatingIfNeeded: total >> 8)
            header[3] = UInt8(truncatingIfNeeded: total)
            header[6] = 0
            header[7] = 0
            Checksum.updateIPv4Header(&header)
            var data = [UInt8](repeating: 0, count: q.totalLength ?? 0)
            for p in q.pieces {
                for (i, b) in p.bytes.enumerated() where p.offset + i < data.count { data[p.offset + i] = b }
            }
            inet_frag_reasm_finish()
            let reassembled = header + data
            skb.bytes = reassembled
            skb.data = 0
            skb.network_header = 0
            skb.transport_header = header.count
            skb.len = reassembled.count
            fragmentQueues[key]?.pieces = []
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
            expireFragmentQueues()
            let key = FragmentKey(saddr: iph.source, daddr: iph.destination, id: iph.identification,
                                  proto: iph.proto.rawValue)
            guard ip_find(key) else {
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

    /// Discards queues older than `ipfrag_time` by the capture clock.
    private func expireFragmentQueues() {
        guard now - lastFragmentExpiry >= 1_000_000_000 else { return }
        lastFragmentExpiry = now
        let limit = ipfragTime * 1_000_000_000
        for (key, q) in fragmentQueues where now - q.firstSeen > limit {
            fragmentMemory -= q.memory
            fragmentQueues[key] = nil
            count("IpReasmTimeout")
            count("IpReasmFails")
        }
    }
}
