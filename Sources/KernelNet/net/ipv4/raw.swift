// Mirrors net/ipv4/raw.c (Linux 6.1): delivery to raw sockets.
// Not modeled: raw sockets themselves (the host profile has none, so nothing is delivered).
import Trace
import Wire

/// Functions modeled from `net/ipv4/raw.c`.
public enum raw: String, KernelSourceFile {
    public static let path = "net/ipv4/raw.c"
    case raw_icmp_error, raw_local_deliver
}

extension Kernel {
    /// Offers an ICMP error to the raw sockets of the quoted packet's protocol (none in the model).
    func raw_icmp_error(_ skb: inout SKBuff) {
        traced(raw.raw_icmp_error) {}
    }

    /// Offers the packet to raw sockets bound to its protocol (none in the model).
    func raw_local_deliver(_ skb: inout SKBuff, protocol proto: IPProtocol) {
        traced(raw.raw_local_deliver) {}
    }
}
