/// Pairs the packets a tracer followed with the capture's frames, by content first and time second.
///
/// A packet's candidates are the frames its records fit (``CaptureFrame/fits(_:)``), looked up in an
/// index (by first bytes, flow and length, or length) and checked one by one, never listed in full:
/// memory stays that of the frames however many packets fit how many frames. When the tool
/// gives times, the offset between its clock and the capture's is the one that puts the most packets
/// within ``tolerance`` of a candidate; each packet then takes the unpaired candidate nearest its
/// time. Without times, or when no offset fits half the packets, or when pairing by the order of the
/// trace pairs more (a replay that did not keep the capture's timing, as the oracle's), each packet
/// takes the first unpaired candidate after the frame the packet before it took.
public struct FrameMatcher {
    /// How far a packet may be from its frame once the clocks are aligned.
    public static let tolerance: Int64 = 10_000_000

    private let frames: [CaptureFrame]
    /// Frame indices, each list in capture order: by frame length, by network length, by flow and
    /// either length, and by their first ``prefixLength`` bytes. A packet is looked up in the most
    /// telling index it can use, so that frames it cannot fit are not tried one by one.
    private let byLength: [Int: [Int]]
    private let byNetworkLength: [Int: [Int]]
    private let byFlow: [FlowKey: [Int]]
    private let byPrefix: [[UInt8]: [Int]]

    /// Bytes of the Ethernet frame a byte index keys on: the Ethernet and IPv4 headers (addresses,
    /// IP ID and checksum tell packets apart).
    static let prefixLength = 34

    private struct FlowKey: Hashable {
        var tuple: PacketTuple
        var length: Int
        var network: Bool
    }

    /// The matcher of `frames`, with its indexes.
    init(_ frames: [CaptureFrame]) {
        self.frames = frames
        var lengths: [Int: [Int]] = [:]
        var networkLengths: [Int: [Int]] = [:]
        var flows: [FlowKey: [Int]] = [:]
        var prefixes: [[UInt8]: [Int]] = [:]
        for (i, f) in frames.enumerated() {
            lengths[f.length, default: []].append(i)
            if let n = f.networkLength { networkLengths[n, default: []].append(i) }
            if let t = f.tuple {
                flows[FlowKey(tuple: t, length: f.length, network: false), default: []].append(i)
                if let n = f.networkLength { flows[FlowKey(tuple: t, length: n, network: true), default: []].append(i) }
            }
            if let bytes = f.ethernetBytes, bytes.count >= Self.prefixLength {
                prefixes[Array(bytes.prefix(Self.prefixLength)), default: []].append(i)
            }
        }
        byLength = lengths
        byNetworkLength = networkLengths
        byFlow = flows
        byPrefix = prefixes
    }

    /// The frame index (into `frames`) of each packet, nil where none fits.
    func match(_ packets: [TracedPacket]) -> [Int?] {
        let inOrder = byOrder(packets)
        guard let offset = clockOffset(packets) else { return inOrder }
        let byTime = byTime(packets, offset: offset)
        // The clock pairs only where it pairs at least as many as the order does.
        return byTime.count { $0 != nil } >= inOrder.count { $0 != nil } ? byTime : inOrder
    }

    /// Whether any frame fits `packet`.
    func anyFits(_ packet: TracedPacket) -> Bool { first(packet, from: 0) { _ in true } != nil }

    /// The frame indices `packet` may fit, in capture order, as sorted runs to merge: by its first
    /// bytes, else by its flow and lengths, else by its lengths (every frame for a packet with neither
    /// lengths nor bytes long enough to key on).
    private func runs(_ p: TracedPacket) -> [ArraySlice<Int>] {
        guard p.isIdentifiable else { return [] }
        if let bytes = p.bytes, bytes.count >= Self.prefixLength {
            return [byPrefix[Array(bytes.prefix(Self.prefixLength))]?[...] ?? []]
        }
        if p.frameLengths.isEmpty, p.networkLengths.isEmpty { return [ArraySlice(frames.indices)] }
        if let t = p.tuple {
            return p.frameLengths.compactMap { byFlow[FlowKey(tuple: t, length: $0, network: false)]?[...] }
                + p.networkLengths.compactMap { byFlow[FlowKey(tuple: t, length: $0, network: true)]?[...] }
        }
        return p.frameLengths.compactMap { byLength[$0]?[...] } + p.networkLengths.compactMap { byNetworkLength[$0]?[...] }
    }

    /// The first candidate at index `start` or later that `accept` takes, in capture order.
    private func first(_ p: TracedPacket, from start: Int, _ accept: (Int) -> Bool) -> Int? {
        var best: Int?
        for run in runs(p) {
            var i = lowerBound(run, start)
            while i < run.endIndex, best.map({ run[i] < $0 }) ?? true {
                if frames[run[i]].fits(p), accept(run[i]) { best = run[i]; break }
                i += 1
            }
        }
        return best
    }

    /// The candidates of `p` within ``tolerance`` of `time`, assuming capture order is time order.
    private func near(_ p: TracedPacket, _ time: Int64, _ body: (Int) -> Void) {
        for run in runs(p) {
            // The first frame of the run not before time - tolerance.
            var lo = run.startIndex
            var hi = run.endIndex
            while lo < hi {
                let mid = (lo + hi) / 2
                if frames[run[mid]].time < time - Self.tolerance { lo = mid + 1 } else { hi = mid }
            }
            while lo < run.endIndex, frames[run[lo]].time <= time + Self.tolerance {
                if frames[run[lo]].fits(p) { body(run[lo]) }
                lo += 1
            }
        }
    }

    private func lowerBound(_ run: ArraySlice<Int>, _ value: Int) -> Int {
        var lo = run.startIndex
        var hi = run.endIndex
        while lo < hi {
            let mid = (lo + hi) / 2
            if run[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Each packet with the unpaired candidate nearest its time on the capture's clock.
    func byTime(_ packets: [TracedPacket], offset: Int64) -> [Int?] {
        var taken = Set<Int>()
        return packets.map { p in
            guard let t = p.time.map({ $0 + offset }) else { return nil }
            var best: Int?
            near(p, t) { f in
                if !taken.contains(f), best.map({ abs(frames[f].time - t) < abs(frames[$0].time - t) }) ?? true { best = f }
            }
            if let best { taken.insert(best) }
            return best
        }
    }

    /// Each packet with the first unpaired candidate after the frame the packet before it took.
    func byOrder(_ packets: [TracedPacket]) -> [Int?] {
        var taken = Set<Int>()
        var last = -1
        return packets.map { p in
            guard let next = first(p, from: last + 1, { !taken.contains($0) }) else { return nil }
            taken.insert(next)
            last = next
            return next
        }
    }

    /// The offset from the tool's clock to the capture's that the most timed packets agree with, if
    /// at least half of those with a candidate do. Offsets are tried from the first candidates of the
    /// first packets and scored on the first 512: enough to tell the right one, bounded however long
    /// the trace.
    func clockOffset(_ packets: [TracedPacket]) -> Int64? {
        var sample: [TracedPacket] = []
        for p in packets where p.time != nil && first(p, from: 0, { _ in true }) != nil {
            sample.append(p)
            if sample.count == 512 { break }
        }
        guard !sample.isEmpty else { return nil }
        var tried = Set<Int64>()
        var best: (offset: Int64, score: Int)?
        for p in sample.prefix(16) {
            var start = 0
            for _ in 0..<16 {
                guard let f = first(p, from: start, { _ in true }) else { break }
                start = f + 1
                let offset = frames[f].time - p.time!
                // Offsets within the tolerance of one already tried score alike.
                guard tried.insert(offset / Self.tolerance).inserted else { continue }
                let score = sample.count { q in
                    var found = false
                    near(q, q.time! + offset) { _ in found = true }
                    return found
                }
                if best == nil || score > best!.score { best = (offset, score) }
            }
        }
        guard let best, best.score * 2 >= sample.count else { return nil }
        return best.offset
    }
}
