/// How paths are compared when one side was recorded by a real tracer (`pktpath import`): on the
/// functions both traces name, in order, without call depths.
///
/// A tracer sees only what it was set to watch (an ftrace filter, pwru's functions taking an skb) and
/// never an inlined function; the model names only the functions it models. A function one side never
/// names anywhere says nothing about the other, so each path keeps the functions that both traces
/// name somewhere, the model's inlined ones left out. Depths are dropped: a recorded call tree is
/// rooted where the tool started (an interrupt, a system call), the model's at the packet's first
/// function. A recorded path that starts before the model's (the sending side of a veth pair, the
/// socket call that sent it) is compared from the model path's first function on.
public struct RecordedComparison: Sendable {
    /// The functions both traces name.
    public let common: Set<String>

    /// The comparison of `a` and `b`, or nil when neither was recorded by a tracer.
    public init?(_ a: TraceFile, _ b: TraceFile) {
        guard a.recordedBy != nil || b.recordedBy != nil else { return nil }
        func names(_ f: TraceFile) -> Set<String> { Set(f.frames.lazy.flatMap(\.steps).filter { !$0.inline }.map(\.function)) }
        common = names(a).intersection(names(b))
    }

    /// The pair as compared: each path on the common functions at depth 0, and a path that begins
    /// before the other's first function from that function on.
    public func prepare(_ a: DiffFrame?, _ b: DiffFrame?) -> (DiffFrame?, DiffFrame?) {
        var a = a.map(project)
        var b = b.map(project)
        if let first = a?.steps.first, let i = b?.steps.firstIndex(of: first), i > 0 { b?.steps.removeFirst(i) }
        if let first = b?.steps.first, let i = a?.steps.firstIndex(of: first), i > 0 { a?.steps.removeFirst(i) }
        return (a, b)
    }

    private func project(_ frame: DiffFrame) -> DiffFrame {
        var f = frame
        f.steps = frame.steps.filter { !$0.inline && common.contains($0.function) }.map { DiffStep(function: $0.function, depth: 0) }
        return f
    }
}
