/// How one frame compares between side A and side B.
public struct FrameDiff: Sendable {
    public enum Status: String, Sendable {
        case same, changed
        case onlyA = "only_a"
        case onlyB = "only_b"
    }

    /// What differs in a changed frame.
    public enum Change: String, Sendable, CaseIterable {
        case verdict, proto
        case dropReason = "drop_reason"
        case dropFunction = "drop_function"
        case path
    }

    public var status: Status
    public var a: DiffFrame?
    public var b: DiffFrame?
    public var changes: [Change]
    /// Where the paths part, for a changed path.
    public var divergence: Divergence?
}

/// The first step where two paths part, with context: the steps both took just before it, and the
/// first steps of each side from there.
public struct Divergence: Sendable, Equatable {
    /// 0-based index of the first step that differs (the length of the common prefix).
    public var index: Int
    /// Up to `context` steps before the divergence, the same on both sides; the first is step
    /// `index - before.count`.
    public var before: [DiffStep]
    /// Up to `context` steps of each side from the divergence on (empty where a path ended).
    public var a: [DiffStep]
    public var b: [DiffStep]
    /// Path lengths.
    public var countA: Int
    public var countB: Int

    /// Where `a` and `b` part, or nil when they are equal.
    public static func find(_ a: [DiffStep], _ b: [DiffStep], context: Int) -> Divergence? {
        var i = 0
        while i < a.count, i < b.count, a[i] == b[i] { i += 1 }
        if i == a.count, i == b.count { return nil }
        let start = max(0, i - context)
        return Divergence(index: i, before: Array(a[start..<i]),
                          a: Array(a[i..<min(a.count, i + context)]), b: Array(b[i..<min(b.count, i + context)]),
                          countA: a.count, countB: b.count)
    }
}

/// A change from one value on side A to another on side B (`deliver→drop`).
public struct Transition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var from: String
    public var to: String

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }

    public var description: String { "\(from)→\(to)" }
    public static func < (x: Transition, y: Transition) -> Bool { (x.from, x.to) < (y.from, y.to) }
}

/// The totals of a diff.
public struct DiffSummary: Sendable {
    /// Frames present on both sides.
    public var compared = 0
    public var same = 0
    public var changed = 0
    public var onlyA = 0
    public var onlyB = 0
    /// Changes of verdict among the frames compared.
    public var verdictChanges: [Transition: Int] = [:]
    /// Changes of drop reason (`none` where a side did not drop).
    public var dropReasonChanges: [Transition: Int] = [:]
    /// Changes of the function that dropped (`none` where a side did not drop).
    public var dropFunctionChanges: [Transition: Int] = [:]
    /// Frames of each path class (``DiffFrame/pathClass``) on each side, every frame counted.
    public var classesA: [String: Int] = [:]
    public var classesB: [String: Int] = [:]

    public init() {}

    /// Whether the two sides differ at all.
    public var hasDifferences: Bool { changed + onlyA + onlyB > 0 }

    /// Path classes on side B and not on side A, with B's frame counts, most frames first.
    public var classesGained: [(pathClass: String, frames: Int)] { Self.missing(from: classesA, in: classesB) }
    /// Path classes on side A and not on side B, with A's frame counts, most frames first.
    public var classesLost: [(pathClass: String, frames: Int)] { Self.missing(from: classesB, in: classesA) }

    private static func missing(from other: [String: Int], in side: [String: Int]) -> [(pathClass: String, frames: Int)] {
        side.filter { other[$0.key] == nil }.map { ($0.key, $0.value) }
            .sorted { ($1.frames, $0.pathClass) < ($0.frames, $1.pathClass) }
    }
}

/// Compares frames pair by pair and keeps the totals. Streaming: it holds no frames, so a diff of two
/// replays of one capture runs in bounded memory.
public struct TraceDiffer: Sendable {
    /// Steps of context around a divergence.
    public let context: Int
    public private(set) var summary = DiffSummary()

    public init(context: Int = 3) { self.context = max(0, context) }

    /// Compares one pair (either side may be missing) and counts it.
    public mutating func compare(_ a: DiffFrame?, _ b: DiffFrame?) -> FrameDiff {
        if let a { summary.classesA[a.pathClass, default: 0] += 1 }
        if let b { summary.classesB[b.pathClass, default: 0] += 1 }
        guard let a, let b else {
            if a != nil { summary.onlyA += 1 } else { summary.onlyB += 1 }
            return FrameDiff(status: a != nil ? .onlyA : .onlyB, a: a, b: b, changes: [], divergence: nil)
        }
        summary.compared += 1
        var changes: [FrameDiff.Change] = []
        if a.verdict != b.verdict {
            changes.append(.verdict)
            summary.verdictChanges[Transition(from: a.verdict, to: b.verdict), default: 0] += 1
        }
        if a.proto != b.proto { changes.append(.proto) }
        if a.dropReason != b.dropReason {
            changes.append(.dropReason)
            summary.dropReasonChanges[Transition(from: a.dropReason ?? "none", to: b.dropReason ?? "none"), default: 0] += 1
        }
        if a.dropFunction != b.dropFunction {
            changes.append(.dropFunction)
            summary.dropFunctionChanges[Transition(from: a.dropFunction ?? "none", to: b.dropFunction ?? "none"), default: 0] += 1
        }
        let divergence = Divergence.find(a.steps, b.steps, context: context)
        if divergence != nil { changes.append(.path) }
        if changes.isEmpty {
            summary.same += 1
            return FrameDiff(status: .same, a: a, b: b, changes: [], divergence: nil)
        }
        summary.changed += 1
        return FrameDiff(status: .changed, a: a, b: b, changes: changes, divergence: divergence)
    }
}
