// Mirrors net/ipv4/raw.c (Linux 6.1): delivery to raw sockets.
// Not modeled: raw sockets themselves (the host profile has none, so nothing is delivered).
import Trace
import Wire

/// Functions modeled from `net/ipv4/raw.c`.
public enum raw: String, KernelSourceFile {
    public static let path = "net/ipv4/raw.c"
    case raw_local_deliver
}

extension Kernel {
    /// Offers the packet to raw sockets bound to its protocol (none in the model).
    func raw_local_deliver(_ skb: inout SKBuff, protocol proto: IPProtocol) {
        traced(raw.raw_local_deliver) {}
    }
}
