// Mirrors net/ipv4/inet_fragment.c (Linux 6.1; 4.14.177 and 6.12 where they differ): the reassembly
// queues IPv4 (ip_fragment.swift) and IPv6 (net/ipv6/reassembly.swift) share: finding or creating a
// queue under the family's memory limit, inserting a fragment (duplicates and overlaps refused, RFC
// 5722), joining the fragments, freeing a queue, and the queues whose timers expired.
// Not modeled: the rb-tree's runs (`last_run_head`), the frag_list layout of the reassembled buffer
// (the model copies the bytes), the per-netns teardown (`fqdir_exit`).
import Trace
import Wire

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

/// One queued fragment: its payload at its offset, the memory it is charged for and the frame it
/// came from.
struct QueuedFragment {
    var offset: Int
    var bytes: [UInt8]
    var truesize: Int
    var frame: Int
}

/// Models `struct inet_frag_queue` (inside `struct ipq` and `struct frag_queue`): the fragments of one
/// datagram received so far.
struct FragmentQueue {
    /// The first fragment as received (network header and payload), once it arrived (`INET_FRAG_FIRST_IN`).
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
    /// `rid`: the peer's fragment count when this queue last took a fragment (`ip_frag_too_far`, IPv4).
    var rid: UInt32 = 0
    /// `nhoffset` (IPv6): where the next-header byte that named the fragment header is, from the
    /// network header of the first fragment.
    var nhoffset = 0
    /// The free bytes behind the first fragment's data (`skb_tailroom`), where `skb_try_coalesce` copies
    /// the fragments that follow it, while they fit.
    var headTailroom = 0
    /// Unhashed by `inet_frag_kill`: freed when the receive path lets go of it.
    var killed = false
    /// `INET_FRAG_DROP` (6.12): its fragments are freed as drops, not consumed, when it is destroyed.
    var dropOnDestroy = false

    /// Whether every byte of the datagram is queued (`FIRST_IN | LAST_IN` and `meat == len`).
    var isComplete: Bool { head != nil && lastIn && meat == len }
}

/// Models `struct fqdir`: one family's reassembly queues, the memory they hold, and when the earliest
/// of their timers can expire.
struct FragmentDir<Key: HashTableKey> {
    var queues = HashTable<Key, FragmentQueue>()
    /// `fqdir->mem`: bytes charged to the family's fragments and queues.
    var memory = 0
    /// Queues created so far (orders queues whose timers expire together).
    var created = 0
    /// No timer of these queues expires before this time (capture clock).
    var horizon = Int64.max
}

/// What the shared code needs of a family (`struct inet_frags` and the family's sysctls).
protocol InetFragKey: HashTableKey {
    /// The family's queues on the kernel (`net->ipv4.fqdir`, `net->ipv6.fqdir`).
    static var fqdir: ReferenceWritableKeyPath<Kernel, FragmentDir<Self>> { get }
    /// `inet_frags.qsize`: the memory charged for every queue.
    static var qsize: Int { get }
    /// The datagram's identification, for notes.
    var fragmentID: UInt32 { get }
    /// The family's `high_thresh` sysctl, in bytes.
    static func highThresh(_ kernel: Kernel) -> Int
    /// That sysctl's name, for notes.
    static var highThreshName: String { get }
    /// The family's reassembly timeout sysctl, in seconds.
    static func timeout(_ kernel: Kernel) -> Int64
    /// `inet_frags.constructor`: fills in a new queue.
    static func construct(_ key: Self, in kernel: Kernel)
    /// The length of the network header (with the unfragmentable headers) of a first fragment.
    static func headerLength(_ bytes: [UInt8]) -> Int
    /// The protocol of the family's packets (`skb->protocol`).
    static var etherType: EtherType { get }
}

extension Kernel {
    /// When a queue of `key`'s family armed now expires: its timeout on (clamped at the clock's end).
    func fragmentExpiry<K: InetFragKey>(_ key: K) -> Int64 {
        now.clampedAdding(K.timeout(self).clampedMultiplied(by: 1_000_000_000))
    }

    /// Removes a queue from the table and stops its timer; it is freed when its last reference goes
    /// (`inet_frag_put`).
    func inet_frag_kill<K: InetFragKey>(_ key: K) {
        traced(inet_fragment.inet_frag_kill) { self[keyPath: K.fqdir].queues[key]?.killed = true }
    }

    /// Frees every fragment still held by a queue and returns the memory they held: each a drop for
    /// `reason`, or consumed when there is none (6.12 consumes the fragments of a queue that did not
    /// time out).
    func inet_frag_rbtree_purge<K: InetFragKey>(_ key: K, _ reason: SKBDropReason?) -> Int {
        traced(inet_fragment.inet_frag_rbtree_purge) {
            guard let q = self[keyPath: K.fqdir].queues[key] else { return 0 }
            let saved = outcome
            for piece in q.pieces {
                // The queued fragments, not the frame being processed.
                var queued = alloc_skb(frame: piece.frame, bytes: [], wireLength: 0, dev: devices[0])
                if let reason { kfree_skb_reason(&queued, reason) } else { kfree_skb_consumed(&queued) }
            }
            outcome = saved
            self[keyPath: K.fqdir].queues[key]?.pieces = []
            return q.pieces.reduce(0) { $0 + $1.truesize }
        }
    }

    /// Empties a queue's tree and uncharges it (6.12).
    func inet_frag_queue_flush<K: InetFragKey>(_ key: K, _ reason: SKBDropReason) {
        traced(inet_fragment.inet_frag_queue_flush) {
            self[keyPath: K.fqdir].memory -= inet_frag_rbtree_purge(key, reason)
        }
    }

    /// Frees a queue: its fragments, its memory and itself.
    func inet_frag_destroy<K: InetFragKey>(_ key: K) {
        traced(inet_fragment.inet_frag_destroy) {
            let reason: SKBDropReason?
            if profile.version >= .v6_12 {
                reason = self[keyPath: K.fqdir].queues[key]?.dropOnDestroy == true ? .FRAG_REASM_TIMEOUT : nil
            } else {
                reason = .NOT_SPECIFIED
            }
            let freed = inet_frag_rbtree_purge(key, reason) + K.qsize
            self[keyPath: K.fqdir].memory -= freed
            self[keyPath: K.fqdir].queues[key] = nil
        }
    }

    /// Finds the queue for `key`, or creates one (charging `qsize` and arming its timer); false when
    /// the family's fragment memory is over its `high_thresh`, checked before any lookup.
    func inet_frag_find<K: InetFragKey>(_ key: K, iif: Int) -> Bool {
        traced(inet_fragment.inet_frag_find) {
            let dir = self[keyPath: K.fqdir]
            let thresh = K.highThresh(self)
            guard thresh != 0, dir.memory <= thresh else {
                tracer.note("fragment memory \(dir.memory) over \(K.highThreshName) \(thresh)")
                return false
            }
            if dir.queues[key] != nil { return true }
            let expires = fragmentExpiry(key)
            self[keyPath: K.fqdir].created += 1
            self[keyPath: K.fqdir].queues[key] = FragmentQueue(expires: expires, armedBy: currentFrame,
                                                              sequence: dir.created + 1, iif: iif)
            K.construct(key, in: self)
            self[keyPath: K.fqdir].horizon = min(dir.horizon, expires)
            self[keyPath: K.fqdir].memory += K.qsize
            tracer.state("reassembly queue created (id \(key.fragmentID)), expires in \(K.timeout(self)) s")
            return true
        }
    }

    /// Inserts a fragment into the queue's tree: a fragment inside one already queued is a duplicate,
    /// one that partly overlaps is an overlap (RFC 5722's rule, applied to IPv4 by Linux too).
    func inet_frag_queue_insert<K: InetFragKey>(_ key: K, _ fragment: QueuedFragment) -> FragmentInsert {
        traced(inet_fragment.inet_frag_queue_insert) {
            guard let q = self[keyPath: K.fqdir].queues[key] else { return .overlap }
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
            self[keyPath: K.fqdir].queues[key]?.pieces.append(fragment)
            return .inserted
        }
    }

    /// Makes the completing fragment the head of the datagram: when it is not the first fragment, it
    /// takes the head's place (`skb_morph`) and the head's buffer is freed.
    func inet_frag_reasm_prepare(_ skb: inout SKBuff, isHead: Bool) {
        traced(inet_fragment.inet_frag_reasm_prepare) { if !isHead { consume_skb(&skb) } }
    }

    /// Links the queued fragments behind the head and fixes up lengths and checksum state; the queue's
    /// memory charge goes with them.
    func inet_frag_reasm_finish<K: InetFragKey>(_ key: K) {
        traced(inet_fragment.inet_frag_reasm_finish) {
            self[keyPath: K.fqdir].memory -= self[keyPath: K.fqdir].queues[key]?.pieces.reduce(0) { $0 + $1.truesize } ?? 0
            self[keyPath: K.fqdir].queues[key]?.pieces = []
        }
    }

    /// Joins the payloads of a complete queue's fragments at their offsets.
    func reassembledPayload(_ q: FragmentQueue) -> [UInt8] {
        var data = [UInt8](repeating: 0, count: q.len)
        for p in q.pieces where p.offset >= 0 {
            // A later piece overwrites what it overlaps; nothing past the datagram's end is kept.
            let n = min(p.bytes.count, data.count - p.offset)
            if n > 0 { data.replaceSubrange(p.offset..<p.offset + n, with: p.bytes.prefix(n)) }
        }
        return data
    }

    /// How many fragments `inet_frag_reasm_finish` chains behind the head (`frag_list`): in offset
    /// order, each is copied into the head's tailroom while it fits (`skb_try_coalesce`); from the
    /// first that does not, the head is non-linear and every one after is chained.
    func fragListLength(_ q: FragmentQueue) -> Int {
        var room = q.headTailroom, chained = 0
        for p in q.pieces.sorted(by: { $0.offset < $1.offset }) where p.offset != 0 {
            if chained == 0, p.bytes.count <= room { room -= p.bytes.count } else { chained += 1 }
        }
        return chained
    }

    /// Takes the first fragment out of a timed-out queue (uncharging it), for the expiry to quote.
    func inet_frag_pull_head<K: InetFragKey>(_ key: K) -> SKBuff? {
        traced(inet_fragment.inet_frag_pull_head) {
            guard let q = self[keyPath: K.fqdir].queues[key], let head = q.head,
                let i = q.pieces.firstIndex(where: { $0.offset == 0 })
            else { return nil }
            let piece = q.pieces[i]
            self[keyPath: K.fqdir].queues[key]?.pieces.remove(at: i)
            self[keyPath: K.fqdir].memory -= piece.truesize
            var skb = alloc_skb(frame: head.frame, bytes: head.bytes, wireLength: head.bytes.count, dev: devices[0])
            skb.protocol = K.etherType
            skb.transport_header = K.headerLength(head.bytes)
            skb.truesize = piece.truesize
            return skb
        }
    }

    /// The queues of `K`'s family whose timers expire at or before `time`, in expiry order. The
    /// queues are scanned only once the clock passes the earliest expiry known.
    func expiredFragmentQueues<K: InetFragKey>(_: K.Type, by time: Int64) -> [(key: K, expires: Int64)] {
        guard self[keyPath: K.fqdir].horizon <= time else { return [] }
        var expired: [(key: K, expires: Int64, sequence: Int)] = []
        var horizon = Int64.max
        self[keyPath: K.fqdir].queues.forEach { key, q in
            guard !q.killed else { return }
            if q.expires <= time {
                expired.append((key, q.expires, q.sequence))
            } else {
                horizon = min(horizon, q.expires)
            }
        }
        self[keyPath: K.fqdir].horizon = horizon
        return expired.sorted { ($0.expires, $0.sequence) < ($1.expires, $1.sequence) }.map { ($0.key, $0.expires) }
    }
}
