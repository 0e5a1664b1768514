// Mirrors net/ipv4/syncookies.c (Linux 6.1; 4.14.177 and 6.12 alike here): the SYN cookie a listener
// whose SYN queue is full answers with instead of keeping a request socket.
// Not modeled: checking a cookie an ACK returns (`cookie_v4_check`, `tcp_v4_cookie_check`), the MSS
// table the cookie encodes, timestamps carrying the options.
import Trace

/// Functions modeled from `net/ipv4/syncookies.c`, in the file's order.
public enum syncookies: String, KernelSourceFile {
    public static let path = "net/ipv4/syncookies.c"
    case __cookie_v4_init_sequence, cookie_v4_init_sequence
}

extension Kernel {
    /// `tcp_request_sock_ipv4_ops.cookie_init_seq`: the initial sequence number of a SYN cookie, made
    /// from the SYN's addresses and ports and the MSS it offered.
    func cookie_v4_init_sequence() {
        traced(syncookies.cookie_v4_init_sequence) {
            __cookie_v4_init_sequence()
        }
    }

    /// Computes a SYN cookie from the SYN's IPv4 header and TCP header: a keyed hash of addresses and
    /// ports, the time in minutes and the index of the MSS it offered (exported for other users too).
    func __cookie_v4_init_sequence() {
        traced(syncookies.__cookie_v4_init_sequence) {}
    }
}
