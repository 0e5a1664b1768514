// Mirrors net/ipv6/raw.c (Linux 6.1; 4.14.177 and 6.12 alike here): raw IPv6 sockets on receive.
// The file is raw6.swift because net/ipv4/raw.c's mirror is raw.swift, and one module cannot build
// two files of one name.
// Not modeled: raw sockets themselves (a host profile has none): every packet and error passes them by.
import Trace
import Wire

/// Functions modeled from `net/ipv6/raw.c`.
public enum ipv6_raw_c: String, KernelSourceFile {
    public static let path = "net/ipv6/raw.c"
    case raw6_icmp_error, raw6_local_deliver
}

extension Kernel {
    /// Offers an ICMPv6 error to the raw sockets of the quoted packet's next header (none in the model).
    func raw6_icmp_error(_ skb: inout SKBuff) {
        traced(ipv6_raw_c.raw6_icmp_error) {}
    }

    /// Offers the packet to raw sockets of its next header; returns whether one took a copy (never:
    /// the model has no raw sockets).
    func raw6_local_deliver(_ skb: inout SKBuff, protocol proto: IPProtocol) -> Bool {
        traced(ipv6_raw_c.raw6_local_deliver) { false }
    }
}
