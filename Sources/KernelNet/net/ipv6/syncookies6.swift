// Mirrors net/ipv6/syncookies.c (Linux 6.1; 4.14.177 and 6.12 alike here): IPv6's SYN cookie. The
// file is syncookies6.swift because net/ipv4/syncookies.c's mirror is syncookies.swift, and one module
// cannot build two files of one name.
// Not modeled: checking a cookie an ACK returns (`cookie_v6_check`).
import Trace

/// Functions modeled from `net/ipv6/syncookies.c`, in the file's order.
public enum ipv6_syncookies_c: String, KernelSourceFile {
    public static let path = "net/ipv6/syncookies.c"
    case __cookie_v6_init_sequence, cookie_v6_init_sequence
}

extension Kernel {
    /// `tcp_request_sock_ipv6_ops.cookie_init_seq`: IPv6's SYN cookie sequence number.
    func cookie_v6_init_sequence() {
        traced(ipv6_syncookies_c.cookie_v6_init_sequence) {
            __cookie_v6_init_sequence()
        }
    }

    /// Computes a SYN cookie from the SYN's IPv6 header and TCP header: a keyed hash of addresses and
    /// ports, the time in minutes and the index of the MSS it offered (exported for other users too).
    func __cookie_v6_init_sequence() {
        traced(ipv6_syncookies_c.__cookie_v6_init_sequence) {}
    }
}
