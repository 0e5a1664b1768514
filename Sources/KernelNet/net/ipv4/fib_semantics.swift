// Mirrors net/ipv4/fib_semantics.c (Linux 6.1): next-hop selection.
import Trace

/// Functions modeled from `net/ipv4/fib_semantics.c`.
public enum fib_semantics: String, KernelSourceFile {
    public static let path = "net/ipv4/fib_semantics.c"
    case fib_select_path
}

extension Kernel {
    /// Chooses the next hop of the route found (single path in the model).
    func fib_select_path() {
        traced(fib_semantics.fib_select_path) {}
    }
}
