/// How the frames of two traces are paired.
public enum Alignment: String, Sendable, CaseIterable {
    /// Frame n of A with frame n of B: both traces come from the same capture, every frame in both.
    case frame
    /// By flow and the packet's identity within it (``PacketKey``): traces of different captures,
    /// or of one capture filtered differently.
    case flow

    /// Frame alignment when both traces name the same capture (by file name, as paths differ with
    /// the working directory; standard input names nothing) and hold the same frames, else flow.
    public static func choose(_ a: TraceFile, _ b: TraceFile) -> Alignment {
        func name(_ capture: String) -> String? {
            guard !capture.isEmpty, capture != "-" else { return nil }
            return capture.split(separator: "/").last.map(String.init)
        }
        guard let na = name(a.capture), na == name(b.capture), a.frames.count == b.frames.count,
            a.frames.map(\.frame) == b.frames.map(\.frame)
        else { return .flow }
        return .frame
    }

    /// The frames of `a` and `b` in pairs; a frame without a partner is paired with nil. Pairs come in
    /// A's order, and a frame only in B right after the pair of the frame before it in B.
    public func pairs(_ a: [DiffFrame], _ b: [DiffFrame]) -> [(a: DiffFrame?, b: DiffFrame?)] {
        switch self {
        case .frame: Self.merge(a, b, keys: { $0.map(\.frame) })
        case .flow: Self.merge(a, b, keys: Self.flowKeys)
        }
    }

    /// Packet keys numbered by repeat: the n-th frame with a key is `(key, n)`.
    private static func flowKeys(_ frames: [DiffFrame]) -> [FlowOccurrence] {
        var seen: [PacketKey: Int] = [:]
        return frames.map { f in
            let k = f.key
            seen[k, default: 0] += 1
            return FlowOccurrence(key: k, n: seen[k] ?? 1)
        }
    }

    private struct FlowOccurrence: Hashable {
        var key: PacketKey
        var n: Int
    }

    /// Pairs frames whose keys (unique within each side) are equal.
    private static func merge<K: Hashable>(_ a: [DiffFrame], _ b: [DiffFrame], keys: ([DiffFrame]) -> [K])
        -> [(a: DiffFrame?, b: DiffFrame?)]
    {
        let ka = keys(a)
        let kb = keys(b)
        var indexInA: [K: Int] = [:]
        for (i, k) in ka.enumerated() where indexInA[k] == nil { indexInA[k] = i }
        var partner = [Int?](repeating: nil, count: a.count)
        /// Frames only in B, by the index in A of the pair before them in B (-1: before any pair).
        var onlyB: [Int: [Int]] = [:]
        var anchor = -1
        for (j, k) in kb.enumerated() {
            if let i = indexInA[k], partner[i] == nil {
                partner[i] = j
                anchor = i
            } else {
                onlyB[anchor, default: []].append(j)
            }
        }
        var out: [(a: DiffFrame?, b: DiffFrame?)] = []
        out.reserveCapacity(max(a.count, b.count))
        for j in onlyB[-1] ?? [] { out.append((nil, b[j])) }
        for i in a.indices {
            out.append((a[i], partner[i].map { b[$0] }))
            for j in onlyB[i] ?? [] { out.append((nil, b[j])) }
        }
        return out
    }
}
