// Mirrors net/ipv4/af_inet.c (Linux 6.1): helpers of the IPv4 socket family the model calls.
import Trace

/// Functions modeled from `net/ipv4/af_inet.c`.
public enum af_inet: String, KernelSourceFile {
    public static let path = "net/ipv4/af_inet.c"
    case inet_current_timestamp
}

extension Kernel {
    /// Milliseconds since midnight UTC, for ICMP timestamp replies (RFC 792).
    func inet_current_timestamp() {
        traced(af_inet.inet_current_timestamp) {}
    }
}
