// The retransmission queue as the SACK code of net/ipv4/tcp_input.c walks it: `tcp_sacktag_write_queue`,
// `tcp_sacktag_walk`, `tcp_shift_skb_data`, `tcp_shifted_skb`, `tcp_match_skb_to_sack`, `tcp_sacktag_one`
// (4.14, 6.1 and 6.12 alike but for 4.14's first check, below). Described in our own words; the counters
// are those of the kernel (`TcpExtTCPSackShiftFallback`, `TcpExtTCPSackShifted`, `TcpExtTCPSackMerged`).
//
// Not modeled: what the tags feed (`sacked_out`, `lost_out`, `retrans_out` beyond the count of SACKed
// segments; reordering; RACK's timestamps; rate sampling), `tcp_skb_shift`'s size limits (64 KiB skbs never
// reach them), the collapsing of retransmitted skbs (`tcp_retrans_try_collapse`) and ACKs older than
// `snd_una`, which the kernel also tags (`old_ack`).

/// The tag bits of an skb of the retransmission queue (`TCP_SKB_CB(skb)->sacked`, `TCPCB_TAGBITS`).
public struct TCPSackTags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// `TCPCB_SACKED_ACKED`: a SACK block covered it.
    public static let sackedAcked = TCPSackTags(rawValue: 1)
    /// `TCPCB_SACKED_RETRANS`: sent again, the retransmission still in flight.
    public static let sackedRetrans = TCPSackTags(rawValue: 2)
    /// `TCPCB_LOST`: marked lost.
    public static let lost = TCPSackTags(rawValue: 4)
}

/// One skb of the retransmission queue (`tcp_rtx_queue`), as the host built it: one GSO skb of several
/// MSS-sized segments, or one segment.
public struct TCPRetransmitSKB: Sendable, Equatable {
    /// Identity (the skb's address): what `highest_sack` points to survives its skb being cut or grown.
    var id: Int
    var seq: UInt32
    /// `end_seq`, a FIN included.
    var end: UInt32
    var fin = false
    /// `tcp_skb_mss`: the segment size the skb was cut for (`gso_size` once it holds more than one).
    var mss: Int
    /// `tcp_skb_pcount`.
    var pcount: Int
    var tags: TCPSackTags = []

    init(id: Int, seq: UInt32, end: UInt32, fin: Bool = false, mss: Int) {
        (self.id, self.seq, self.end, self.fin, self.mss, self.pcount) = (id, seq, end, fin, max(1, mss), 1)
        setSegments()
    }

    /// Payload bytes (`skb->len`, without the FIN).
    var length: Int { Int(end &- seq) - (fin ? 1 : 0) }
    /// `tcp_skb_seglen`: the whole payload of a one-segment skb, else its segment size.
    var segmentLength: Int { pcount == 1 ? length : mss }

    /// `tcp_set_skb_tso_segs`: how many segments of `mss` the payload makes.
    mutating func setSegments() { pcount = length <= mss ? 1 : (length + mss - 1) / mss }
}

/// The functions of the walk, for the caller to record as frames (`tcp_shift_skb_data` is inlined into
/// `tcp_sacktag_walk`).
public enum TCPSackFrame: Sendable {
    case tcp_sacktag_walk, tcp_shift_skb_data, tcp_shifted_skb, tcp_match_skb_to_sack, tcp_sacktag_one, tcp_fragment
}

/// Records `body` as a call of a function of the walk; the default records nothing.
public typealias TCPSackTrace = (TCPSackFrame, () -> Void) -> Void

/// What one walk of the SACK blocks counted.
public struct TCPSackTagCounts: Equatable, Sendable {
    public var shiftFallback = 0
    public var shifted = 0
    public var merged = 0
}

/// The retransmission queue of one connection with what `tcp_sacktag_write_queue` keeps between ACKs:
/// the number of SACKed segments (`sacked_out`), the skb after the highest SACKed one (`highest_sack`)
/// and the blocks of the last ACK (`recv_sack_cache`), which spare walking what an earlier ACK tagged.
/// Unchecked: it holds the caller's recorder only while one walk runs, on the replay's own thread.
public struct TCPSackScoreboard: @unchecked Sendable {
    var queue: [TCPRetransmitSKB] = []
    var sackedOut = 0
    /// `highest_sack`: the identity of the skb after the highest SACKed one; nil: none (`NULL`).
    var highestSack: Int?
    var recvSackCache: [(start: UInt32, end: UInt32)] = Array(repeating: (0, 0), count: 4)
    private var nextID = 0
    /// The caller's recorder during a walk.
    private var trace: TCPSackTrace = { $1() }
    /// Whether the skbs hold their payload in page fragments, which `tcp_shift_skb_data` can move
    /// (`skb_can_shift`), and the socket builds GSO skbs (4.14's `sk_can_gso`): from 6.1 always; the model's
    /// 4.14 builds one skb per segment (its device is not known to offload), so every shift falls back.
    var canShift = true
    /// The most skbs kept; beyond it the oldest are forgotten (a memory bound of the model).
    static let limit = 128

    /// An empty queue, whose skbs can be shifted as `canShift` says (``canShift``).
    init(canShift: Bool = true) { self.canShift = canShift }

    private static func before(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) < 0 }
    private static func after(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: b &- a) < 0 }

    // MARK: building the queue as the capture shows the host send

    /// New data leaves: a new skb, or (`extending`) one more segment of the GSO skb sent last.
    mutating func sent(seq: UInt32, end: UInt32, fin: Bool, mss: Int, extending: Bool) {
        if extending, var last = queue.last, last.end == seq, last.tags.isEmpty {
            last.end = end
            last.fin = fin
            last.setSegments()
            queue[queue.count - 1] = last
            return
        }
        if let last = queue.last, !Self.after(end, last.end) { return }
        nextID += 1
        queue.append(TCPRetransmitSKB(id: nextID, seq: seq, end: end, fin: fin, mss: mss))
        // tcp_event_new_data_sent: the first skb sent after the highest SACKed one.
        if highestSack == nil { highestSack = nextID }
        while queue.count > Self.limit { forget(queue[0]) }
    }

    /// Data from `seq` to `end` sent again (`__tcp_retransmit_skb` cuts the skb to what leaves): the skb
    /// holding it is cut there and tagged lost and retransmitted.
    mutating func retransmitted(seq: UInt32, end: UInt32) {
        guard var i = index(containing: seq) else { return }
        if queue[i].seq != seq, queue[i].pcount > 1, !queue[i].tags.contains(.sackedAcked) {
            tcp_fragment(at: i, length: Int(seq &- queue[i].seq))
            i += 1
        }
        if Self.before(end, queue[i].end), queue[i].pcount > 1 { tcp_fragment(at: i, length: Int(end &- queue[i].seq)) }
        queue[i].tags.formUnion([.sackedRetrans, .lost])
    }

    /// `tcp_clean_rtx_queue`: skbs `snd_una` covers leave; one it covers in part loses its acknowledged
    /// segments (`tcp_tso_acked`, `tcp_trim_head`).
    mutating func acknowledged(to una: UInt32) {
        while let first = queue.first {
            if !Self.after(first.end, una) {
                forget(first)
                continue
            }
            if first.pcount > 1, Self.after(una, first.seq) {
                queue[0].seq = una
                queue[0].setSegments()
                if first.tags.contains(.sackedAcked) { sackedOut = max(0, sackedOut - (first.pcount - queue[0].pcount)) }
            }
            break
        }
    }

    private mutating func forget(_ skb: TCPRetransmitSKB) {
        guard let i = queue.firstIndex(where: { $0.id == skb.id }) else { return }
        if skb.tags.contains(.sackedAcked) { sackedOut = max(0, sackedOut - skb.pcount) }
        // tcp_highest_sack_replace: the pointer moves to the next skb.
        if highestSack == skb.id { highestSack = i + 1 < queue.count ? queue[i + 1].id : nil }
        queue.remove(at: i)
    }

    private func index(containing seq: UInt32) -> Int? {
        queue.firstIndex { !Self.before(seq, $0.seq) && Self.before(seq, $0.end) }
    }

    private func index(of id: Int) -> Int? { queue.firstIndex { $0.id == id } }

    /// Cuts an skb of the queue in two: the skb at `i` keeps its first `length` bytes, a new skb after it the rest, both
    /// with its tags and segment size.
    private mutating func tcp_fragment(at i: Int, length: Int) {
        var tail = queue[i]
        nextID += 1
        tail.id = nextID
        tail.seq = queue[i].seq &+ UInt32(length)
        queue[i].end = tail.seq
        queue[i].fin = false
        queue[i].setSegments()
        tail.setSegments()
        queue.insert(tail, at: i + 1)
    }

    // MARK: tcp_sacktag_write_queue

    /// `tcp_highest_sack_seq`.
    private func highestSackSeq(una: UInt32, nxt: UInt32) -> UInt32 {
        guard sackedOut > 0 else { return una }
        return highestSack.flatMap { index(of: $0) }.map { queue[$0].seq } ?? nxt
    }

    /// `tcp_is_sackblock_valid`: a block within what was sent, above `snd_una`, or a D-SACK below it
    /// reaching no lower than `undo_marker` (allowing one window across it).
    private static func valid(_ b: (start: UInt32, end: UInt32), dsack: Bool, una: UInt32, nxt: UInt32,
                              undoMarker: UInt32?, maxWindow: UInt32) -> Bool {
        if after(b.end, nxt) || !before(b.start, b.end) || !before(b.start, nxt) { return false }
        if after(b.start, una) { return true }
        guard dsack, let undo = undoMarker, undo != 0, !after(b.end, una) else { return false }
        if !before(b.start, undo) { return true }
        if !after(b.end, undo) { return false }
        return !before(b.start, b.end &- maxWindow)
    }

    /// Tags the retransmission queue with the SACK `blocks` of an ACK of `ack` (`tcp_sacktag_write_queue`,
    /// called after `snd_una` moved from `priorUna` to `una`); `dsack` is `tcp_check_dsack`'s finding.
    mutating func sacktag(blocks: [(start: UInt32, end: UInt32)], ack: UInt32, dsack: Bool, priorUna: UInt32, una: UInt32,
                          nxt: UInt32, undoMarker: UInt32?, maxWindow: UInt32,
                          trace: @escaping TCPSackTrace = { $1() }) -> TCPSackTagCounts {
        self.trace = trace
        defer { self.trace = { $1() } }
        var counts = TCPSackTagCounts()
        // Cuts made by earlier walks count against the bound too.
        while queue.count > Self.limit { forget(queue[0]) }
        if sackedOut == 0 { highestSack = queue.first?.id }
        guard !queue.isEmpty else { return counts }
        var sp: [(start: UInt32, end: UInt32)] = []
        var first = 0
        for (i, b) in blocks.enumerated() {
            let dup = i == 0 && dsack
            if !Self.valid(b, dsack: dup, una: una, nxt: nxt, undoMarker: undoMarker, maxWindow: maxWindow) {
                // A block the ACK's own reordering made old is skipped without a mark (TCPSACKDiscard otherwise).
                if !dup, ack != una, !Self.after(b.end, una) { continue }
                if i == 0 { first = -1 }
                continue
            }
            if !Self.after(b.end, priorUna) {
                if i == 0 { first = -1 }
                continue
            }
            sp.append(b)
        }
        // Sorted by start, following where the first block goes.
        if sp.count > 1 {
            for i in stride(from: sp.count - 1, to: 0, by: -1) {
                for j in 0..<i where Self.after(sp[j].start, sp[j + 1].start) {
                    sp.swapAt(j, j + 1)
                    if j == first { first = j + 1 }
                }
            }
        }
        var skb: Int? = nil
        var ci = sackedOut == 0 ? recvSackCache.count : 0
        if sackedOut > 0 { while ci < recvSackCache.count, recvSackCache[ci] == (0, 0) { ci += 1 } }
        var i = 0
        blocksLoop: while i < sp.count {
            let (start, end) = sp[i]
            let dup = dsack && i == first
            let nextDup = dsack && i + 1 == first ? sp[i + 1] : nil
            while ci < recvSackCache.count, !Self.before(start, recvSackCache[ci].end) { ci += 1 }
            var walkFromHere = false
            if ci < recvSackCache.count, !dup, Self.after(end, recvSackCache[ci].start) {
                let cache = recvSackCache[ci]
                if Self.before(start, cache.start) {
                    skb = skip(skb, to: start)
                    skb = tcp_sacktag_walk(from: skb, nextDup: nextDup, start: start, end: cache.start, dup: dup, una: una, nxt: nxt, &counts)
                }
                if !Self.after(end, cache.end) {
                    i += 1
                    continue blocksLoop
                }
                if let nd = nextDup, Self.before(nd.start, cache.end) {
                    skb = skip(skb, to: nd.start)
                    skb = tcp_sacktag_walk(from: skb, nextDup: nil, start: nd.start, end: nd.end, dup: true, una: una, nxt: nxt, &counts)
                }
                if highestSackSeq(una: una, nxt: nxt) == cache.end {
                    guard let h = highestSack.flatMap({ index(of: $0) }) else { break blocksLoop }
                    skb = h
                    ci += 1
                    walkFromHere = true
                } else {
                    skb = skip(skb, to: cache.end)
                    ci += 1
                    continue blocksLoop
                }
            }
            if !walkFromHere {
                if !Self.before(start, highestSackSeq(una: una, nxt: nxt)) {
                    guard let h = highestSack.flatMap({ index(of: $0) }) else { break blocksLoop }
                    skb = h
                }
                skb = skip(skb, to: start)
            }
            skb = tcp_sacktag_walk(from: skb, nextDup: nextDup, start: start, end: end, dup: dup, una: una, nxt: nxt, &counts)
            i += 1
        }
        recvSackCache = Array(repeating: (0, 0), count: recvSackCache.count - sp.count) + sp
        return counts
    }

    /// `tcp_sacktag_skip`: the walk goes on from `skb` unless it starts at or below `seq`, then from the skb
    /// holding `seq` (`tcp_sacktag_bsearch`).
    private func skip(_ skb: Int?, to seq: UInt32) -> Int? {
        if let skb, skb < queue.count, Self.after(queue[skb].seq, seq) { return skb }
        return index(containing: seq)
    }

    /// Whether a SACK block covers an skb: 1 when the block covers the skb, 0 when not, -1 on a piece too small; a
    /// GSO skb the block covers in part is first cut at a segment boundary.
    private mutating func tcp_match_skb_to_sack(_ i: Int, start: UInt32, end: UInt32) -> Int {
        var result = 0
        trace(.tcp_match_skb_to_sack) { result = matchBody(i, start: start, end: end) }
        return result
    }

    private mutating func matchBody(_ i: Int, start: UInt32, end: UInt32) -> Int {
        let skb = queue[i]
        var inSack = !Self.after(start, skb.seq) && !Self.before(end, skb.end)
        if skb.pcount > 1, !inSack, Self.after(skb.end, start) {
            let mss = skb.mss
            inSack = !Self.after(start, skb.seq)
            var pktLength: Int
            if !inSack {
                pktLength = max(Int(start &- skb.seq), mss)
            } else {
                pktLength = Int(end &- skb.seq)
                if pktLength < mss { return -1 }
            }
            if pktLength > mss {
                var rounded = pktLength / mss * mss
                if !inSack, rounded < pktLength { rounded += mss }
                pktLength = rounded
            }
            if pktLength >= skb.length, !inSack { return 0 }
            trace(.tcp_fragment) { tcp_fragment(at: i, length: pktLength) }
        }
        return inSack ? 1 : 0
    }

    /// Tags newly SACKed data above `snd_una`; a D-SACK clears a retransmission's tag.
    private mutating func tcp_sacktag_one(_ tags: TCPSackTags, end: UInt32, dup: Bool, pcount: Int, una: UInt32) -> TCPSackTags {
        var result = tags
        trace(.tcp_sacktag_one) { result = tagOneBody(tags, end: end, dup: dup, pcount: pcount, una: una) }
        return result
    }

    private mutating func tagOneBody(_ tags: TCPSackTags, end: UInt32, dup: Bool, pcount: Int, una: UInt32) -> TCPSackTags {
        var tags = tags
        guard Self.after(end, una) else { return tags }
        if !tags.contains(.sackedAcked) {
            if tags.contains(.sackedRetrans) {
                if tags.contains(.lost) { tags.subtract([.lost, .sackedRetrans]) }
            } else {
                tags.remove(.lost)
            }
            tags.insert(.sackedAcked)
            sackedOut += pcount
        }
        if dup { tags.remove(.sackedRetrans) }
        return tags
    }

    /// Tags the skbs from `from` that the block covers, each first offered to
    /// `tcp_shift_skb_data`. Returns where the next block's walk may start.
    private mutating func tcp_sacktag_walk(from: Int?, nextDup: (start: UInt32, end: UInt32)?, start: UInt32, end: UInt32, dup: Bool,
                               una: UInt32, nxt: UInt32, _ counts: inout TCPSackTagCounts) -> Int? {
        guard from != nil else { return nil }
        var result: Int?
        trace(.tcp_sacktag_walk) {
            result = walkBody(from: from, nextDup: nextDup, start: start, end: end, dup: dup, una: una, nxt: nxt, &counts)
        }
        return result
    }

    private mutating func walkBody(from: Int?, nextDup: (start: UInt32, end: UInt32)?, start: UInt32, end: UInt32, dup dupIn: Bool,
                                   una: UInt32, nxt: UInt32, _ counts: inout TCPSackTagCounts) -> Int? {
        guard var i = from else { return nil }
        while i < queue.count {
            var inSack = 0
            var dup = dupIn
            if !Self.before(queue[i].seq, end) { break }
            if let nd = nextDup, Self.before(queue[i].seq, nd.end) {
                inSack = tcp_match_skb_to_sack(i, start: nd.start, end: nd.end)
                if inSack > 0 { dup = true }
            }
            if inSack <= 0 {
                var shiftResult = ShiftResult.noop
                trace(.tcp_shift_skb_data) { shiftResult = tcp_shift_skb_data(i, start: start, end: end, dup: dup, una: una, &counts) }
                switch shiftResult {
                case .fallback: inSack = tcp_match_skb_to_sack(i, start: start, end: end)
                case .noop: inSack = 0
                case let .into(prev):
                    i = prev + 1
                    continue
                }
            }
            if inSack < 0 { break }
            if inSack > 0 {
                let skb = queue[i]
                queue[i].tags = tcp_sacktag_one(skb.tags, end: skb.end, dup: dup, pcount: skb.pcount, una: una)
                if !Self.before(skb.seq, highestSackSeq(una: una, nxt: nxt)) {
                    highestSack = i + 1 < queue.count ? queue[i + 1].id : nil
                }
            }
            i += 1
        }
        return i < queue.count ? i : nil
    }

    private enum ShiftResult { case fallback, noop, into(Int) }

    /// Moves the newly SACKed segments of skb `i` into the SACKed skb before it when
    /// both are cut alike, or falls back to tagging skb `i` itself (`TcpExtTCPSackShiftFallback`).
    private mutating func tcp_shift_skb_data(_ i: Int, start: UInt32, end: UInt32, dup: Bool, una: UInt32,
                                _ counts: inout TCPSackTagCounts) -> ShiftResult {
        let skb = queue[i]
        func fallback() -> ShiftResult {
            counts.shiftFallback += 1
            return .fallback
        }
        // skb_can_shift: the payload in page fragments; an skb with none (a FIN alone) cannot move.
        guard canShift, skb.length > 0 else { return fallback() }
        if !dup, skb.tags.intersection([.lost, .sackedRetrans]) == .sackedRetrans { return fallback() }
        guard Self.after(skb.end, una), i > 0 else { return fallback() }
        let prev = queue[i - 1]
        guard prev.tags == .sackedAcked else { return fallback() }
        var length: Int, pcount: Int, mss: Int
        if !Self.after(start, skb.seq), !Self.before(end, skb.end) {
            (length, pcount, mss) = (skb.length, skb.pcount, skb.segmentLength)
            if mss != prev.segmentLength { return fallback() }
        } else {
            if !Self.after(skb.end, start) || skb.pcount <= 1 { return .noop }
            if Self.after(start, skb.seq) { return fallback() }
            length = Int(end &- skb.seq)
            mss = skb.mss
            if mss != prev.segmentLength { return fallback() }
            if length < mss { return .noop }
            pcount = length / mss
            length = pcount * mss
        }
        if !Self.after(skb.seq &+ UInt32(length), una) { return fallback() }
        if !tcp_shifted_skb(into: i - 1, pcount: pcount, length: length, mss: mss, dup: dup, una: una, &counts) {
            return .into(i - 1)
        }
        // The hole filled, the next skb, SACKed and cut alike, may join too.
        let p = i - 1
        if p + 1 < queue.count, queue[p + 1].tags.intersection([.sackedAcked, .sackedRetrans, .lost]) == .sackedAcked,
           queue[p + 1].segmentLength == mss {
            let next = queue[p + 1]
            _ = tcp_shifted_skb(into: p, pcount: next.pcount, length: next.length, mss: mss, dup: false, una: una, &counts)
        }
        return .into(p)
    }

    /// Records a shift: `length` bytes (`pcount` segments) move from the skb after `p` into it; a
    /// remainder left counts `TcpExtTCPSackShifted`, an skb emptied is freed (`TcpExtTCPSackMerged`).
    /// Returns whether it was emptied.
    private mutating func tcp_shifted_skb(into p: Int, pcount: Int, length: Int, mss: Int, dup: Bool, una: UInt32,
                                  _ counts: inout TCPSackTagCounts) -> Bool {
        var result = false
        trace(.tcp_shifted_skb) { result = shiftedBody(into: p, pcount: pcount, length: length, mss: mss, dup: dup, una: una, &counts) }
        return result
    }

    private mutating func shiftedBody(into p: Int, pcount: Int, length: Int, mss: Int, dup: Bool, una: UInt32,
                                      _ counts: inout TCPSackTagCounts) -> Bool {
        let skb = queue[p + 1]
        _ = tcp_sacktag_one(skb.tags, end: skb.seq &+ UInt32(length), dup: dup, pcount: pcount, una: una)
        queue[p].end = queue[p].end &+ UInt32(length)
        queue[p].pcount += pcount
        if queue[p].pcount > 1 { queue[p].mss = max(1, mss) }
        queue[p + 1].seq = skb.seq &+ UInt32(length)
        queue[p + 1].pcount -= pcount
        if queue[p + 1].length > 0 {
            counts.shifted += 1
            return false
        }
        if skb.fin {
            queue[p].fin = true
            queue[p].end = queue[p].end &+ 1
        }
        if highestSack == skb.id { highestSack = p + 2 < queue.count ? queue[p + 2].id : nil }
        queue.remove(at: p + 1)
        counts.merged += 1
        return true
    }
}
