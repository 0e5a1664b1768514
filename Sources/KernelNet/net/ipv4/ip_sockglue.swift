// Mirrors net/ipv4/ip_sockglue.c (Linux 6.1; 4.14.177 and 6.12 alike here): the error queue of a socket
// with IP_RECVERR.
import Trace

/// Functions modeled from `net/ipv4/ip_sockglue.c`.
public enum ip_sockglue: String, KernelSourceFile {
    public static let path = "net/ipv4/ip_sockglue.c"
    case ip_icmp_error
}

extension Kernel {
    /// Queues an ICMP error on the error queue of a socket with `IP_RECVERR` (a clone of the message,
    /// read with `MSG_ERRQUEUE`): here the raw socket of ping `id`.
    func ip_icmp_error(ping id: UInt16) {
        traced(ip_sockglue.ip_icmp_error) { tracer.note("the error is queued on the error queue of ping \(id)'s raw socket") }
    }
}
