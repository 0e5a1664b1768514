/// The recorder the model writes a packet's path into.
///
/// Single-threaded, owned by one kernel model. The model brackets each modeled function with
/// ``enter(_:inline:)`` and ``leave()``; everything else (notes, drops, hooks) is recorded at the
/// current depth. ``take()`` hands the finished path over and starts the next one.
public final class Tracer {
    /// The events of the path being recorded.
    public private(set) var events: [TraceEvent] = []
    /// Current call depth.
    public private(set) var depth = 0
    /// Paths deeper than this are not recorded further (a guard against runaway recursion in the model).
    public static let maximumDepth = 64
    /// The functions entered and not yet left, innermost last, with their inline flags.
    private var stack: [(symbol: KernelSymbol, inline: Bool)] = []

    /// The innermost function entered that is not inlined: where a real trace would place code running
    /// now (the `location` the `skb:kfree_skb` tracepoint reports).
    public var caller: KernelSymbol? { stack.last { !$0.inline }?.symbol }

    public init() { events.reserveCapacity(128) }

    /// Records entry into `symbol` and descends one level.
    @inline(__always)
    public func enter(_ symbol: KernelSymbol, inline: Bool = false) {
        events.append(.call(symbol, depth: depth, inline: inline))
        stack.append((symbol, inline))
        depth = min(depth + 1, Self.maximumDepth)
    }

    /// Returns to the caller's level.
    @inline(__always)
    public func leave() {
        depth = max(0, depth - 1)
        _ = stack.popLast()
    }

    /// Records why a branch was taken.
    public func note(_ text: String) { events.append(.note(text, depth: depth)) }

    /// Records a change of host state.
    public func state(_ text: String) { events.append(.state(text, depth: depth)) }

    /// Records a drop by `function` for `reason` (`nil` for kernels that name no reason).
    public func drop(_ reason: String?, in function: KernelSymbol) {
        events.append(.drop(reason: reason, function: function, depth: depth))
    }

    /// Records a netfilter hook's verdict.
    public func hook(_ name: String, verdict: String) { events.append(.hook(name, verdict: verdict, depth: depth)) }

    /// Records what the model does not follow.
    public func notModeled(_ text: String) { events.append(.notModeled(text, depth: depth)) }

    /// Hands over the recorded path and resets for the next one.
    public func take() -> [TraceEvent] {
        let out = events
        events.removeAll(keepingCapacity: true)
        stack.removeAll(keepingCapacity: true)
        depth = 0
        return out
    }

}
