/// Pairs the packets a tracer followed with the capture's frames, by content first and time second.
///
/// A packet's candidates are the frames its records fit (``CaptureFrame/fits(_:)``). When the tool
/// gives times, the offset between its clock and the capture's is the one that puts the most packets
/// within ``tolerance`` of a candidate; each packet then takes the unpaired candidate nearest its
/// time. Without times, or when no offset fits half the packets, or when pairing by the order of the
/// trace pairs more (a replay that did not keep the capture's timing, as the oracle's), each packet
/// takes the first unpaired candidate after the frame the packet before it took.
public struct FrameMatcher {
    /// How far a packet may be from its frame once the clocks are aligned.
    public static let tolerance: Int64 = 10_000_000

    /// The frame index (into `frames`) of each packet, nil where none fits.
    public static func match(_ packets: [TracedPacket], to frames: [CaptureFrame]) -> [Int?] {
        let candidates = packets.map { p in p.isIdentifiable ? frames.indices.filter { frames[$0].fits(p) } : [] }
        let inOrder = byOrder(candidates)
        guard let offset = clockOffset(packets, frames, candidates) else { return inOrder }
        let byTime = byTime(packets, frames, candidates, offset: offset)
        // The clock pairs only where it pairs at least as many as the order does.
        return byTime.count { $0 != nil } >= inOrder.count { $0 != nil } ? byTime : inOrder
    }

    /// Each packet with the unpaired candidate nearest its time on the capture's clock.
    static func byTime(_ packets: [TracedPacket], _ frames: [CaptureFrame], _ candidates: [[Int]], offset: Int64) -> [Int?] {
        var taken = Set<Int>()
        return packets.indices.map { i in
            guard let t = packets[i].time.map({ $0 + offset }) else { return nil }
            let best = candidates[i].filter { !taken.contains($0) && abs(frames[$0].time - t) <= tolerance }
                .min { abs(frames[$0].time - t) < abs(frames[$1].time - t) }
            if let best { taken.insert(best) }
            return best
        }
    }

    /// Each packet with the first unpaired candidate after the frame the packet before it took.
    static func byOrder(_ candidates: [[Int]]) -> [Int?] {
        var taken = Set<Int>()
        var last = -1
        return candidates.map { c in
            guard let next = c.first(where: { $0 > last && !taken.contains($0) }) else { return nil }
            taken.insert(next)
            last = next
            return next
        }
    }

    /// The offset from the tool's clock to the capture's that the most timed packets agree with, if
    /// at least half of those with a candidate do.
    static func clockOffset(_ packets: [TracedPacket], _ frames: [CaptureFrame], _ candidates: [[Int]]) -> Int64? {
        let timed = packets.indices.filter { packets[$0].time != nil && !candidates[$0].isEmpty }
        guard !timed.isEmpty else { return nil }
        // Offsets are scored on the first packets: enough to tell the right one, bounded however long the trace.
        let sample = timed.prefix(512)
        var tried = Set<Int64>()
        var best: (offset: Int64, score: Int)?
        for i in timed.prefix(64) {
            for f in candidates[i].prefix(64) {
                let offset = frames[f].time - packets[i].time!
                // Offsets within the tolerance of one already tried score alike.
                guard tried.insert(offset / tolerance).inserted else { continue }
                let score = sample.reduce(0) { n, j in
                    n + (candidates[j].contains { abs(frames[$0].time - (packets[j].time! + offset)) <= tolerance } ? 1 : 0)
                }
                if best == nil || score > best!.score { best = (offset, score) }
            }
        }
        guard let best, best.score * 2 >= sample.count else { return nil }
        return best.offset
    }
}
