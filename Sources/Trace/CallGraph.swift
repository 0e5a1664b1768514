/// The call graph of a set of traces: which modeled function called which, how often, and the
/// drop reasons and notes seen in each function.
public struct CallGraph: Sendable {
    /// A caller → callee pair.
    public struct Edge: Hashable, Sendable, Comparable {
        public var caller: String
        public var callee: String

        public init(caller: String, callee: String) {
            self.caller = caller
            self.callee = callee
        }

        public static func < (a: Edge, b: Edge) -> Bool { (a.caller, a.callee) < (b.caller, b.callee) }
    }

    /// Every function seen, with its source file.
    public private(set) var files: [String: String] = [:]
    /// Functions the traces flag as inlined.
    public private(set) var inlined: Set<String> = []
    /// Functions that begin a call tree (entry points: drivers, origins of transmissions, softirqs).
    public private(set) var roots: [String: Int] = [:]
    /// Edges with the number of frames that took them.
    public private(set) var edges: [Edge: Int] = [:]
    /// Drop reasons raised by each function.
    public private(set) var drops: [String: Set<String>] = [:]
    /// Notes recorded directly inside each function: the branches it decides.
    public private(set) var notes: [String: Set<String>] = [:]

    public init() {}

    /// Adds the calls of one frame's trace and of the timers that ran before it (each edge counted
    /// once per path).
    public mutating func add(_ trace: PacketTrace) {
        for run in trace.timers { add(run.events) }
        add(trace.events)
    }

    /// Adds the calls of one path.
    private mutating func add(_ events: TraceEvents) {
        var stack: [String] = []
        var seen: Set<Edge> = []
        for event in events {
            let depth = event.depth
            if stack.count > depth { stack.removeLast(stack.count - depth) }
            switch event {
            case let .call(sym, _, inline):
                files[sym.function] = sym.file
                if inline { inlined.insert(sym.function) }
                if let caller = stack.last {
                    seen.insert(Edge(caller: caller, callee: sym.function))
                } else {
                    roots[sym.function, default: 0] += 1
                }
                stack.append(sym.function)
            case let .drop(reason, function, _):
                drops[function.function, default: []].insert(reason ?? "(no reason)")
            case let .note(text, _):
                if let f = stack.last { notes[f, default: []].insert(Self.generalized(text)) }
            default:
                break
            }
        }
        for e in seen { edges[e, default: 0] += 1 }
    }

    /// The callers and callees of `function`.
    public func neighbours(of function: String) -> (callers: [String], callees: [String]) {
        let callers = edges.keys.filter { $0.callee == function }.map(\.caller).sorted()
        let callees = edges.keys.filter { $0.caller == function }.map(\.callee).sorted()
        return (callers, callees)
    }

    /// A note with its addresses, ports and numbers (decimal or hex) replaced, so notes of many frames
    /// group.
    static func generalized(_ text: String) -> String {
        var out = ""
        var inNumber = false
        for ch in text {
            if ch.isNumber || (inNumber && (ch == "." || ch == ":" || ch.isHexDigit || ch == "x")) {
                if !inNumber { out += "N" }
                inNumber = true
            } else {
                inNumber = false
                out.append(ch)
            }
        }
        return out
    }
}
