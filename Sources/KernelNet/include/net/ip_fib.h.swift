// Mirrors include/net/ip_fib.h (Linux 6.1): the FIB lookup wrapper used when no policy rules exist.
import Trace
import Wire

/// Functions modeled from `include/net/ip_fib.h` (all `static inline`).
public enum ip_fib_h: String, KernelSourceFile {
    public static let path = "include/net/ip_fib.h"
    case fib_lookup
}

extension Kernel {
    /// Looks `daddr` up in the merged local/main table (no custom rules: one trie).
    func fib_lookup(_ daddr: IPv4Address) -> DstEntry? {
        traced(ip_fib_h.fib_lookup) { fib_table_lookup(daddr) }
    }
}
