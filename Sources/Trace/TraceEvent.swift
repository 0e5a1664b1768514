/// One step of a packet's path through the model.
///
/// Every event carries the call depth at which it happened (0 for the entry function of a path).
public enum TraceEvent: Sendable, Equatable {
    /// A modeled kernel function was entered. `inline` marks functions the compiler inlines in the
    /// profile's build, which a real trace (ftrace, eBPF) cannot see.
    case call(KernelSymbol, depth: Int, inline: Bool)
    /// Why the model took a branch (`route: local`, `socket: listener 0.0.0.0:8080`).
    case note(String, depth: Int)
    /// The packet was freed as a drop: the kernel's reason name (none before Linux 5.17) and the
    /// function that dropped it.
    case drop(reason: String?, function: KernelSymbol, depth: Int)
    /// A netfilter hook ran: its name (`NF_INET_PRE_ROUTING`) and verdict (`NF_ACCEPT`).
    case hook(String, verdict: String, depth: Int)
    /// A change of state in the host (`neigh 10.0.0.2 INCOMPLETE -> REACHABLE`).
    case state(String, depth: Int)
    /// The model stops following the kernel here, and says what it does not model.
    case notModeled(String, depth: Int)

    /// The call depth of the event.
    public var depth: Int {
        switch self {
        case .call(_, let d, _), .note(_, let d), .drop(_, _, let d), .hook(_, _, let d), .state(_, let d),
            .notModeled(_, let d):
            d
        }
    }

    /// The function of a `call` event.
    public var symbol: KernelSymbol? {
        if case .call(let s, _, _) = self { return s }
        return nil
    }
}

/// A path's events in order, stored compactly: one 64-bit word per event.
///
/// A call, by far the most common event, is its word alone: the symbol's id in the low 32 bits, the
/// depth in bits 32-47 and bit 48 set when the call is inlined. Any other event (or a call too deep
/// for 16 bits) sets bit 49 and keeps the index of its ``TraceEvent`` in a side list.
///
/// The words live in a ``TraceWords`` chunk that many paths share: the recorder writes each path after
/// the previous one, so recording a path allocates nothing, and a path's words never change once it
/// is handed over (appending to a shared path copies its words to a chunk of its own first).
public struct TraceEvents: RandomAccessCollection, Sendable, Equatable, ExpressibleByArrayLiteral {
    @usableFromInline static let depthShift: UInt64 = 32
    @usableFromInline static let inlineBit: UInt64 = 1 << 48
    @usableFromInline static let detailBit: UInt64 = 1 << 49
    /// The deepest call a word holds.
    @usableFromInline static let maximumWordDepth = 0xFFFF

    /// The chunk holding the words, from `start` on, `count` of them.
    @usableFromInline var chunk: TraceWords
    @usableFromInline var start: Int
    public private(set) var count: Int
    /// The events other than calls, in order.
    @usableFromInline var details: [TraceEvent]

    /// An empty path.
    public init() {
        chunk = TraceWords.empty
        start = 0
        count = 0
        details = []
    }

    /// The path of `events`, in order.
    public init<S: Sequence>(_ events: S) where S.Element == TraceEvent {
        self.init()
        for e in events { append(e) }
    }

    public init(arrayLiteral events: TraceEvent...) { self.init(events) }

    /// A path of `count` words of `chunk` from `start` (the recorder's hand-over).
    init(chunk: TraceWords, start: Int, count: Int, details: [TraceEvent]) {
        self.chunk = chunk
        self.start = start
        self.count = count
        self.details = details
    }

    /// About how many bytes of memory the path holds: a word per event and, for each event other
    /// than a call, the event with its text. Bounds what may wait between threads in bytes.
    public var footprint: Int {
        var bytes = count * MemoryLayout<UInt64>.stride + details.count * MemoryLayout<TraceEvent>.stride
        for d in details {
            switch d {
            case .note(let text, _), .state(let text, _), .notModeled(let text, _): bytes += text.utf8.count
            case .hook(let name, let verdict, _): bytes += name.utf8.count + verdict.utf8.count
            case .call, .drop: break
            }
        }
        return bytes
    }

    /// The words, in order.
    @inlinable
    var words: UnsafeBufferPointer<UInt64> { UnsafeBufferPointer(start: chunk.base + start, count: count) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> TraceEvent {
        precondition(position >= 0 && position < count, "TraceEvents index out of range")
        let w = chunk.base[start + position]
        if w & Self.detailBit != 0 { return details[Self.detailIndex(of: w)] }
        return .call(KernelSymbol(id: UInt32(truncatingIfNeeded: w)), depth: Self.depth(of: w),
                     inline: w & Self.inlineBit != 0)
    }

    public static func == (a: TraceEvents, b: TraceEvents) -> Bool {
        withExtendedLifetime((a.chunk, b.chunk)) {
            a.count == b.count && a.details == b.details && a.words.elementsEqual(b.words)
        }
    }

    /// Appends `event`.
    public mutating func append(_ event: TraceEvent) {
        if case let .call(symbol, depth, inline) = event, (0...Self.maximumWordDepth).contains(depth) {
            appendWord(Self.call(symbol, depth: depth, inline: inline))
        } else {
            appendWord(Self.detail(details.count))
            details.append(event)
        }
    }

    /// Appends a word in place when this path alone holds its chunk and ends where the chunk's written
    /// words end; else first moves the words to a chunk of its own.
    private mutating func appendWord(_ w: UInt64) {
        if !(isKnownUniquelyReferenced(&chunk) && start + count == chunk.used && chunk.used < chunk.capacity) {
            let bigger = TraceWords(capacity: Swift.max(16, count * 2))
            bigger.base.update(from: chunk.base + start, count: count)
            chunk = bigger
            start = 0
            chunk.used = count
        }
        chunk.base[chunk.used] = w
        chunk.used += 1
        count += 1
    }

    /// The word of a call.
    @inlinable @inline(__always)
    static func call(_ symbol: KernelSymbol, depth: Int, inline: Bool) -> UInt64 {
        UInt64(symbol.id) | UInt64(truncatingIfNeeded: depth) << depthShift | (inline ? inlineBit : 0)
    }

    /// The word of the event at `index` in the side list.
    @inlinable @inline(__always)
    static func detail(_ index: Int) -> UInt64 { detailBit | UInt64(truncatingIfNeeded: index) }

    /// The side-list index of a word made by ``detail(_:)``.
    @inlinable @inline(__always)
    static func detailIndex(of word: UInt64) -> Int { Int(truncatingIfNeeded: word & 0xFFFF_FFFF) }

    @inlinable @inline(__always)
    static func depth(of word: UInt64) -> Int { Int(truncatingIfNeeded: (word >> depthShift) & 0xFFFF) }

    /// Calls `body` with each call a real trace (ftrace, eBPF) can see, in order: inlined ones and
    /// other events left out. Reads the words only.
    @inlinable
    public func forEachVisibleCall(_ body: (KernelSymbol) throws -> Void) rethrows {
        try withExtendedLifetime(chunk) {
            for w in words where w & Self.inlineBit == 0 {
                if w & Self.detailBit == 0 {
                    try body(KernelSymbol(id: UInt32(truncatingIfNeeded: w)))
                } else if case let .call(symbol, _, false) = details[Self.detailIndex(of: w)] {
                    try body(symbol)
                }
            }
        }
    }

    /// Calls `call` with each call (its symbol, depth and whether it is inlined) and `other` with each
    /// other event, in order. Calls are read from their words, without an event made and destroyed for
    /// each (a renderer's loop over every event of every path).
    @inlinable
    public func forEach(call: (KernelSymbol, _ depth: Int, _ inline: Bool) throws -> Void,
                        other: (TraceEvent) throws -> Void) rethrows {
        try withExtendedLifetime(chunk) {
            for w in words {
                if w & Self.detailBit == 0 {
                    try call(KernelSymbol(id: UInt32(truncatingIfNeeded: w)), Self.depth(of: w), w & Self.inlineBit != 0)
                } else if case let .call(symbol, depth, inline) = details[Self.detailIndex(of: w)] {
                    try call(symbol, depth, inline)
                } else {
                    try other(details[Self.detailIndex(of: w)])
                }
            }
        }
    }

    /// The functions of the path a real trace (ftrace, eBPF) can see, in order: inlined ones left out.
    public var visibleFunctions: [String] {
        var out: [String] = []
        forEachVisibleCall { out.append($0.function) }
        return out
    }

    /// The symbols of ``visibleFunctions``, without reading their names.
    public var visibleSymbols: [KernelSymbol] {
        var out: [KernelSymbol] = []
        forEachVisibleCall { out.append($0) }
        return out
    }
}

/// A chunk of path words (``TraceEvents``' encoding), shared by the paths written into it.
///
/// Words up to ``used`` belong to paths and never change; the writer (the recorder, or a path that holds
/// the chunk alone) appends after them. So a chunk can be read by one thread while another appends.
public final class TraceWords: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<UInt64>
    @usableFromInline let capacity: Int
    /// The words written so far.
    @usableFromInline var used = 0

    /// The chunk of empty paths.
    static let empty = TraceWords(capacity: 0)

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: max(1, capacity))
    }

    deinit { base.deallocate() }
}
