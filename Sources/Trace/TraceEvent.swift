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
