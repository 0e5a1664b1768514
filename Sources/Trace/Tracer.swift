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
    /// The chunk the paths are written into (``TraceEvents``' encoding), and its words, written up to
    /// `wordCount`; the path being recorded starts at `pathStart`. The recorder writes through the
    /// pointer, as a call is recorded for every modeled function and must cost no more than a store.
    private var chunk: TraceWords
    @usableFromInline var words: UnsafeMutablePointer<UInt64>
    @usableFromInline var wordCount = 0
    @usableFromInline var wordCapacity: Int
    private var pathStart = 0
    /// Words per chunk: some hundreds of paths.
    static let chunkWords = 1 << 15
    /// The events of the path other than calls.
    private var details: [TraceEvent] = []
    /// Current call depth.
    public var depth: Int { currentDepth }
    @usableFromInline var currentDepth = 0
    /// Whether notes, states, hooks, drops and `not modeled` events are recorded.
    public var detail: TraceDetail {
        get { recordsDetails ? .full : .calls }
        set { recordsDetails = newValue == .full }
    }
    /// Paths deeper than this are not recorded further (a guard against runaway recursion in the model).
    public static let maximumDepth = 64
    private var recordsDetails = true
    /// The functions entered and not yet left, innermost last: the symbol's id shifted left by one,
    /// with the low bit set when it is inlined. A plain buffer, as ``words`` is.
    @usableFromInline var stack: UnsafeMutablePointer<UInt32>
    @usableFromInline var stackCount = 0
    @usableFromInline var stackCapacity = Tracer.maximumDepth

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

    /// The innermost function entered, inlined or not: the function whose code runs now.
    public var current: KernelSymbol? { stackCount > 0 ? KernelSymbol(id: stack[stackCount - 1] >> 1) : nil }

    public init() {
        chunk = TraceWords(capacity: Self.chunkWords)
        words = chunk.base
        wordCapacity = chunk.capacity
        stack = .allocate(capacity: stackCapacity)
    }

    deinit { stack.deallocate() }

    /// Records entry into `symbol` and descends one level.
    @inlinable @inline(__always)
    public func enter(_ symbol: KernelSymbol, inline: Bool = false) {
        if wordCount == wordCapacity { growWords() }
        words[wordCount] = TraceEvents.call(symbol, depth: currentDepth, inline: inline)
        wordCount += 1
        if stackCount == stackCapacity { growStack() }
        stack[stackCount] = symbol.id << 1 | (inline ? 1 : 0)
        stackCount += 1
        currentDepth = min(currentDepth + 1, Self.maximumDepth)
    }

    /// Records an event other than a call.
    private func record(_ event: TraceEvent) {
        if wordCount == wordCapacity { growWords() }
        words[wordCount] = TraceEvents.detail(details.count)
        wordCount += 1
        details.append(event)
    }

    /// Continues in a new chunk, taking along the path recorded so far.
    @usableFromInline @inline(never)
    func growWords() {
        let path = wordCount - pathStart
        let next = TraceWords(capacity: max(Self.chunkWords, path * 2))
        next.base.update(from: words + pathStart, count: path)
        chunk.used = pathStart
        chunk = next
        words = next.base
        wordCapacity = next.capacity
        wordCount = path
        pathStart = 0
    }

    @usableFromInline @inline(never)
    func growStack() {
        let bigger = UnsafeMutablePointer<UInt32>.allocate(capacity: stackCapacity * 2)
        bigger.update(from: stack, count: stackCount)
        stack.deallocate()
        stack = bigger
        stackCapacity *= 2
    }

    /// Returns to the caller's level.
    @inlinable @inline(__always)
    public func leave() {
        currentDepth = max(0, currentDepth - 1)
        if stackCount > 0 { stackCount -= 1 }
    }

    /// Records why a branch was taken.
    @inline(__always)
    public func note(_ text: @autoclosure () -> String) {
        if recordsDetails { record(.note(text(), depth: depth)) }
    }

    /// Records a change of host state.
    @inline(__always)
    public func state(_ text: @autoclosure () -> String) {
        if recordsDetails { record(.state(text(), depth: depth)) }
    }

    /// Records a drop by `function` for `reason` (`nil` for kernels that name no reason).
    public func drop(_ reason: String?, in function: KernelSymbol) {
        if recordsDetails { record(.drop(reason: reason, function: function, depth: depth)) }
    }

    /// Records a netfilter hook's verdict.
    public func hook(_ name: String, verdict: String) {
        if recordsDetails { record(.hook(name, verdict: verdict, depth: depth)) }
    }

    /// Records what the model does not follow.
    @inline(__always)
    public func notModeled(_ text: @autoclosure () -> String) {
        if recordsDetails { record(.notModeled(text(), depth: depth)) }
    }

    /// Hands over the recorded path and resets for the next one.
    public func take() -> TraceEvents {
        let out = TraceEvents(chunk: chunk, start: pathStart, count: wordCount - pathStart, details: details)
        chunk.used = wordCount
        pathStart = wordCount
        // The next path's list starts as large as this one's was: one allocation instead of one per doubling.
        let detailCount = details.count
        details = []
        if detailCount > 0 { details.reserveCapacity(detailCount) }
        stackCount = 0
        currentDepth = 0
        return out
    }
}
