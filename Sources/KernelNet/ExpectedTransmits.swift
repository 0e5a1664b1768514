/// The packets the model sent while processing earlier frames, waiting to be matched with the frames the
/// capture shows leaving the host: the earliest of a kind is taken first, and beyond ``limit`` the oldest
/// is forgotten.
///
/// Kept per kind, so that taking one costs a lookup rather than a scan of every packet waiting: in a
/// capture where many never show (acknowledgments the capture's host delayed or merged), the list stays
/// full. Within a kind, packets leave in the order they came, whether taken or forgotten; a packet is
/// waiting while its number is at or after the first number of its kind's queue.
struct ExpectedTransmits {
    /// The most packets kept waiting.
    let limit: Int
    /// Per kind, its waiting packets in the order they were sent, each with its number.
    private var byKind = HashTable<TransmitKind, KindQueue>()
    /// Every packet's number and kind in the order they were sent, from `orderStart` on; those taken
    /// since are skipped when the oldest is forgotten, and pruned when they pile up.
    private var order: [(number: Int, kind: TransmitKind)] = []
    private var orderStart = 0
    private var nextNumber = 0
    /// Packets waiting.
    private(set) var count = 0
    /// The kind of the packet added last, while it waits.
    private var lastKind: TransmitKind?

    private struct KindQueue {
        var entries: [(number: Int, transmit: ExpectedTransmit)] = []
        var start = 0
        var isEmpty: Bool { start == entries.count }

        mutating func removeFirst() -> ExpectedTransmit {
            let first = entries[start].transmit
            start += 1
            if start == entries.count {
                entries.removeAll(keepingCapacity: true)
                start = 0
            } else if start >= 1024, 2 * start >= entries.count {
                // A kind whose queue never empties (acknowledgments the capture never shows, forgotten one by
                // one) would otherwise keep every entry it ever took: memory growing with the capture.
                entries.removeFirst(start)
                start = 0
            }
            return first
        }
    }

    init(limit: Int) { self.limit = limit }

    /// Adds a packet, forgetting the oldest one when ``limit`` are waiting.
    mutating func append(_ transmit: ExpectedTransmit) {
        if count >= limit { forgetOldest() }
        byKind[transmit.kind, default: KindQueue()].entries.append((nextNumber, transmit))
        order.append((nextNumber, transmit.kind))
        nextNumber += 1
        count += 1
        lastKind = transmit.kind
        if order.count - orderStart > 4 * limit { prune() }
    }

    /// Takes the earliest waiting packet of `kind`.
    mutating func take(_ kind: TransmitKind) -> ExpectedTransmit? {
        guard let (first, emptied) = byKind.update(kind, { queue in (queue.removeFirst(), queue.isEmpty) }) else { return nil }
        if emptied { byKind.removeValue(forKey: kind) }
        count -= 1
        return first
    }

    /// How many entries the queues and the order keep, waiting or already taken: what the structure's
    /// memory grows with.
    var storedEntries: Int {
        var entries = order.count
        byKind.forEach { _, queue in entries += queue.entries.count }
        return entries
    }

    /// Whether a packet of `kind` is waiting.
    func waits(for kind: TransmitKind) -> Bool { byKind[kind].map { !$0.isEmpty } ?? false }

    /// The frame of each packet still waiting (one entry per packet), in no particular order.
    var waitingFrames: [Int] {
        var frames: [Int] = []
        byKind.forEach { _, queue in frames += queue.entries[queue.start...].map(\.transmit.frame) }
        return frames
    }

    /// Marks the packet added last as looped back to the host with the frame that sent it.
    mutating func markLastLoopedBack() {
        guard let kind = lastKind, let last = byKind[kind]?.entries.indices.last else { return }
        byKind[kind]?.entries[last].transmit.loopedBack = true
    }

    /// Whether packet `number` of `kind` is still waiting.
    private func isWaiting(_ number: Int, _ kind: TransmitKind) -> Bool {
        guard let queue = byKind[kind], !queue.isEmpty else { return false }
        return number >= queue.entries[queue.start].number
    }

    private mutating func forgetOldest() {
        while orderStart < order.count {
            let (number, kind) = order[orderStart]
            orderStart += 1
            if isWaiting(number, kind) {
                _ = take(kind)
                break
            }
        }
        if orderStart > 4096, orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }

    /// Drops the record of packets already taken.
    private mutating func prune() {
        order = order[orderStart...].filter { isWaiting($0.number, $0.kind) }
        orderStart = 0
    }
}
