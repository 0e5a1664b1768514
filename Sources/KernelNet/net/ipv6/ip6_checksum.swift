// Mirrors net/ipv6/ip6_checksum.c (Linux 6.1; 4.14.177 and 6.12 alike here): UDP checksum set-up on
// IPv6 receive.
import Trace
import Wire

/// Functions modeled from `net/ipv6/ip6_checksum.c`.
public enum ip6_checksum: String, KernelSourceFile {
    public static let path = "net/ipv6/ip6_checksum.c"
    case udp6_csum_init
}

extension Kernel {
    /// Prepares the datagram's checksum for verification (`skb_checksum_init_zero_check`): a datagram
    /// of up to 76 bytes (`CHECKSUM_BREAK`) the device did not verify is verified at once, a longer
    /// one when it is used. Returns false when the checksum is wrong.
    func udp6_csum_init(_ skb: inout SKBuff) -> Bool {
        traced(ip6_checksum.udp6_csum_init) {
            guard skb.ip_summed == .CHECKSUM_NONE, skb.len <= 76, skb.udp_hdr()?.checksum != 0 else { return true }
            guard __skb_checksum_complete(skb, proto: .udp) else { return false }
            skb.ip_summed = .CHECKSUM_UNNECESSARY
            return true
        }
    }
}
