// Mirrors net/ipv6/datagram.c (Linux 6.1; 4.14.177 and 6.12 alike here): the error queue of an IPv6
// socket with IPV6_RECVERR. The file is datagram6.swift because net/ipv4/datagram.c would mirror to
// datagram.swift, and one module cannot build two files of one name.
import Trace

/// Functions modeled from `net/ipv6/datagram.c`.
public enum ipv6_datagram_c: String, KernelSourceFile {
    public static let path = "net/ipv6/datagram.c"
    case ipv6_icmp_error
}

extension Kernel {
    /// Queues an ICMPv6 error on the error queue of a socket with `IPV6_RECVERR` (a clone of the message,
    /// read with `MSG_ERRQUEUE`): here the raw socket of ping `id`.
    func ipv6_icmp_error(ping id: UInt16) {
        traced(ipv6_datagram_c.ipv6_icmp_error) { tracer.note("the error is queued on the error queue of ping \(id)'s raw socket") }
    }

    /// Offers an ICMPv6 error about a connection attempt to the socket's error queue: without
    /// `IPV6_RECVERR` (the model's sockets do not set it) nothing is queued.
    func ipv6_icmp_error(tcp t: FourTuple) {
        traced(ipv6_datagram_c.ipv6_icmp_error) { tracer.note("socket \(t) without IPV6_RECVERR: nothing queued") }
    }
}
