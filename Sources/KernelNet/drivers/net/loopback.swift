// Mirrors drivers/net/loopback.c (Linux 6.1; 6.12 is the same, 4.14 hands the packet to netif_rx): the
// loopback device `lo`. What the host sends on it, it receives: loopback_xmit turns the outgoing skb
// into an incoming one and queues it on the CPU's backlog, from which process_backlog receives it.
// Not modeled: timestamps, blackhole_netdev.
import Trace

/// Functions modeled from `drivers/net/loopback.c`.
public enum loopback: String, KernelSourceFile {
    public static let path = "drivers/net/loopback.c"
    case loopback_xmit
}

/// The loopback device's driver. A frame captured on `lo` is one skb the host both sent and received:
/// libpcap keeps only the incoming copy of each packet on `lo` (it discards the outgoing one), so the
/// replay follows the frame from the origin the model infers for it down to `loopback_xmit`, and then
/// through the receive it queued.
public final class LoopbackDriver: NetDeviceOps {
    public let driverName = "loopback"
    /// `loopback_setup` sets `IFF_NO_QUEUE`.
    public func isNoQueue(in kernel: Kernel) -> Bool { true }
    public let receiveMode = ReceiveMode.backlog

    public init() {}

    /// Frames on `lo` arrive only from the host itself: the replay sends each one (see the type's
    /// comment), so this is never the way in.
    public func receive(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool {
        kernel.tracer.note("received on lo: the host sent it (loopback_xmit)")
        return kernel.__netif_rx_or_netif_rx(&skb) == .NET_RX_SUCCESS
    }

    public func ndo_start_xmit(_ kernel: Kernel, _ skb: inout SKBuff) -> NetdevTx {
        kernel.loopback_xmit(&skb)
    }
}

extension Kernel {
    /// The loopback device's `ndo_start_xmit`: the skb becomes one the host receives (its type set by
    /// `eth_type_trans`, its route kept) and goes onto the backlog, received after this frame's send.
    func loopback_xmit(_ skb: inout SKBuff) -> NetdevTx {
        traced(loopback.loopback_xmit) {
            // The length once eth_type_trans pulled the Ethernet header (all three versions read skb->len
            // after it), counted once the backlog took the packet (dev_lstats_add; 4.14's per-CPU
            // lb_stats); loopback_get_stats64 reports the count as received and as sent.
            let length = skb.ethernetLength - 14
            var incoming = skb
            incoming.pkt_type = .PACKET_HOST
            eth_type_trans(&incoming)
            // The route stays with the skb (skb_dst_force): the receive goes to local delivery without
            // an input route lookup or early demux.
            if incoming.dst == nil { incoming.dst = DstEntry(type: .local, dev: incoming.dev) }
            if let network = incoming.ip_hdr().map({ _ in incoming.network_header }) {
                incoming.len -= network - incoming.data
                incoming.data = network
            }
            _ = __netif_rx_or_netif_rx(&incoming)
            countLink(skb.dev) { s in
                s.rx_packets += 1; s.rx_bytes += length
                s.tx_packets += 1; s.tx_bytes += length
            }
            backlog.append(incoming)
            return .NETDEV_TX_OK
        }
    }

    /// `__netif_rx` (6.1 on), or `netif_rx` in the versions without it (4.14).
    @discardableResult
    func __netif_rx_or_netif_rx(_ skb: inout SKBuff) -> NetRxResult {
        has(dev_c.__netif_rx) ? __netif_rx(&skb) : netif_rx(&skb)
    }
}
