// Mirrors net/core/sock.c (Linux 6.1; 4.14.177 and 6.12 where noted): queueing a packet on a socket's
// receive queue, for the sockets that use the generic queue (raw sockets); whether a sending socket
// loops its multicast back (`sk_mc_loop`).
import Trace
import Wire

/// Functions modeled from `net/core/sock.c`.
public enum sock: String, KernelSourceFile {
    public static let path = "net/core/sock.c"
    case sock_queue_rcv_skb, sock_queue_rcv_skb_reason, __sock_queue_rcv_skb, sk_mc_loop
}

/// Functions modeled from `net/core/filter.c`.
public enum filter: String, KernelSourceFile {
    public static let path = "net/core/filter.c"
    case sk_filter_trim_cap
}

extension Kernel {
    /// Queues a packet on a socket after its filter: 4.14's `sock_queue_rcv_skb`; in 6.1 and 6.12 an inline
    /// wrapper in include/net/sock.h of `sock_queue_rcv_skb_reason`. Returns whether the filter let it
    /// through (the model's sockets never fill their receive buffers).
    func sock_queue_rcv_skb(_ skb: SKBuff, accepts: Bool) -> Bool {
        traced(sock.sock_queue_rcv_skb) {
            has(sock.sock_queue_rcv_skb_reason) ? sock_queue_rcv_skb_reason(skb, accepts: accepts)
                : sk_filter_trim_cap(accepts: accepts) && __sock_queue_rcv_skb(skb)
        }
    }

    /// Runs the socket's filter, then queues the packet; a packet the filter refuses has reason
    /// `SOCKET_FILTER` (6.1 and 6.12).
    func sock_queue_rcv_skb_reason(_ skb: SKBuff, accepts: Bool) -> Bool {
        traced(sock.sock_queue_rcv_skb_reason) { sk_filter_trim_cap(accepts: accepts) && __sock_queue_rcv_skb(skb) }
    }

    /// Runs the socket's BPF filter, if it has one (`sk->sk_filter`): `accepts` is what it says.
    func sk_filter_trim_cap(accepts: Bool) -> Bool {
        traced(filter.sk_filter_trim_cap) {
            if !accepts { tracer.note("the socket's filter refuses it (SOCKET_FILTER): the clone is freed") }
            return accepts
        }
    }

    /// Charges the packet to the socket, appends it to its receive queue and wakes the reader
    /// (`sk->sk_data_ready`). Always succeeds in the model (no receive buffer fills).
    func __sock_queue_rcv_skb(_ skb: SKBuff) -> Bool {
        traced(sock.__sock_queue_rcv_skb) { true }
    }

    /// Whether the socket sending a multicast packet wants its own copy (`IP_MULTICAST_LOOP`,
    /// `IPV6_MULTICAST_LOOP`): on by default for every socket and for a packet without one; neighbour
    /// discovery's control socket has it off (`ndisc_net_init`), MLD's keeps it on. The model carries
    /// the sender's flag in ``TransmitContext/multicastLoop``.
    func sk_mc_loop() -> Bool {
        traced(sock.sk_mc_loop) {
            let loop = transmitContext.multicastLoop
            if !loop { tracer.note("the sending socket does not loop its multicast back (multicast loop off)") }
            return loop
        }
    }
}
