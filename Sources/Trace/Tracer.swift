/// How much of a path the recorder keeps.
public enum TraceDetail: Sendable {
    /// Every event: calls, notes, states, hooks, drops and what is not modeled (`text`, `json`).
    case full
    /// Calls only (`chain`, `stats`): notes and the other events are neither built nor kept.
    case calls
}

/// The recorder the model writes a packet's path into.
///
/// Single-threaded, owned by one kernel model. The model brackets each modeled function with
/// ``enter(_:inline:)`` and ``leave()``; everything else (notes, drops, hooks) is recorded at the
/// current depth. ``take()`` hands the finished path over and starts the next one.
///
/// The texts of notes, states and `not modeled` events are taken as autoclosures: with
/// ``TraceDetail/calls`` they are never built.
public final class Tracer {
    /// The events of the path being recorded.
    public private(set) var events: [TraceEvent] = []
    /// Current call depth.
    public private(set) var depth = 0
    /// Whether notes, states, hooks, drops and `not modeled` events are recorded.
    public var detail: TraceDetail {
        get { recordsDetails ? .full : .calls }
        set { recordsDetails = newValue == .full }
    }
    /// Paths deeper than this are not recorded further (a guard against runaway recursion in the model).
    public static let maximumDepth = 64
    private var recordsDetails = true
    /// The functions entered and not yet left, innermost last: the symbol's id shifted left by one,
    /// with the low bit set when it is inlined. A plain buffer: pushed and popped for every modeled
    /// function, it must cost no more than a store.
    private var stack: UnsafeMutablePointer<UInt32>
    private var stackCount = 0
    private var stackCapacity = Tracer.maximumDepth

    /// The innermost function entered that is not inlined: where a real trace would place code running
    /// now (the `location` the `skb:kfree_skb` tracepoint reports).
    public var caller: KernelSymbol? {
        var i = stackCount - 1
        while i >= 0 {
            if stack[i] & 1 == 0 { return KernelSymbol(id: stack[i] >> 1) }
            i -= 1
        }
        return nil
    }

    public init() {
        events.reserveCapacity(128)
        stack = .allocate(capacity: stackCapacity)
    }

    deinit { stack.deallocate() }

    /// Records entry into `symbol` and descends one level.
    @inline(__always)
    public func enter(_ symbol: KernelSymbol, inline: Bool = false) {
        events.append(.call(symbol, depth: depth, inline: inline))
        if stackCount == stackCapacity { growStack() }
        stack[stackCount] = symbol.id << 1 | (inline ? 1 : 0)
        stackCount += 1
        depth = min(depth + 1, Self.maximumDepth)
    }

    @inline(never)
    private func growStack() {
        let bigger = UnsafeMutablePointer<UInt32>.allocate(capacity: stackCapacity * 2)
        bigger.update(from: stack, count: stackCount)
        stack.deallocate()
        stack = bigger
        stackCapacity *= 2
    }

    /// Returns to the caller's level.
    @inline(__always)
    public func leave() {
        depth = max(0, depth - 1)
        if stackCount > 0 { stackCount -= 1 }
    }

    /// Records why a branch was taken.
    @inline(__always)
    public func note(_ text: @autoclosure () -> String) {
        if recordsDetails { events.append(.note(text(), depth: depth)) }
    }

    /// Records a change of host state.
    @inline(__always)
    public func state(_ text: @autoclosure () -> String) {
        if recordsDetails { events.append(.state(text(), depth: depth)) }
    }

    /// Records a drop by `function` for `reason` (`nil` for kernels that name no reason).
    public func drop(_ reason: String?, in function: KernelSymbol) {
        if recordsDetails { events.append(.drop(reason: reason, function: function, depth: depth)) }
    }

    /// Records a netfilter hook's verdict.
    public func hook(_ name: String, verdict: String) {
        if recordsDetails { events.append(.hook(name, verdict: verdict, depth: depth)) }
    }

    /// Records what the model does not follow.
    @inline(__always)
    public func notModeled(_ text: @autoclosure () -> String) {
        if recordsDetails { events.append(.notModeled(text(), depth: depth)) }
    }

    /// Hands over the recorded path and resets for the next one.
    public func take() -> [TraceEvent] {
        let out = events
        events.removeAll(keepingCapacity: true)
        stackCount = 0
        depth = 0
        return out
    }
}
