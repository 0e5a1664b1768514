// Mirrors drivers/net/veth.c (Linux 6.1): the virtual Ethernet pair. A frame sent on one end is
// received by the other through the per-CPU backlog (GRO and XDP are off by default).
// Not modeled: XDP, NAPI mode (GRO on), multiple queues.
import KernelNet
import Trace

/// Functions modeled from `drivers/net/veth.c`.
public enum veth: String, KernelSourceFile {
    public static let path = "drivers/net/veth.c"
    case veth_forward_skb, veth_xmit
}

/// The veth driver as the host's device sees it: its peer transmits what the host receives, and what
/// the host transmits goes to the peer.
public final class VethDriver: NetDeviceOps {
    public let driverName = "veth"
    /// veth sets `IFF_NO_QUEUE`.
    public func isNoQueue(in kernel: Kernel) -> Bool { true }
    public let receiveMode = ReceiveMode.backlog
    /// The peer's skb itself crosses the pair, with its checksum state and GSO size.
    public let receivesSenderSKB = true
    /// veth's features include `NETIF_F_HW_VLAN_CTAG_TX`: tags cross the pair in `skb->vlan_tci`.
    public let hasVLANTransmitOffload = true
    /// The peer device: frames arrive from its `veth_xmit`.
    private let peer: NetDevice

    public init(peerName: String = "veth peer") {
        peer = NetDevice(name: peerName, ifindex: 0, dev_addr: .zero, mtu: 1500, addresses: [],
                         ops: NullDevice(), hasTap: false, isRemote: true)
    }

    /// The peer's `veth_xmit` hands the frame to this device's backlog.
    public func receive(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool {
        kernel.tracer.note("sent by the peer of \(skb.dev.name)")
        return veth_xmit(kernel, &skb, from: peer, to: skb.dev)
    }

    /// Hands an outgoing frame to the peer, which receives it through its backlog.
    public func ndo_start_xmit(_ kernel: Kernel, _ skb: inout SKBuff) -> NetdevTx {
        var copy = skb
        _ = veth_xmit(kernel, &copy, from: skb.dev, to: peer)
        return .NETDEV_TX_OK
    }

    /// The `ndo_start_xmit` of a veth end, `dev`: forwards the frame to the other end, `rcv` (through
    /// `dev_forward_skb` in 4.14). The skb keeps its `CHECKSUM_PARTIAL`: the receiver trusts a
    /// checksum the sender left to offload, and the capture shows it unfinished.
    ///
    /// Device counters: a frame handed over counts in the sending end's transmit counters
    /// (`dev_sw_netstats_tx_add` in 6.1 and 6.12, the per-CPU `vstats` in 4.14), with the length it had
    /// here, its Ethernet header included; `veth_get_stats64` reports them as the receiving end's
    /// receive counters. A frame that could not be handed over counts in the sending end's
    /// `priv->dropped`, its `tx_dropped`; 4.14's `veth_get_stats64` also reports the peer's
    /// `dropped` as the receiving end's `rx_dropped`, 6.1's and 6.12's do not.
    func veth_xmit(_ kernel: Kernel, _ skb: inout SKBuff, from dev: NetDevice, to rcv: NetDevice) -> Bool {
        kernel.traced(veth.veth_xmit) {
            let length = skb.ethernetLength
            if skb.ip_summed == .CHECKSUM_PARTIAL {
                kernel.tracer.note("CHECKSUM_PARTIAL: the sender left the checksum to offload; the skb crosses with it and the receiver does not verify it (not an error)")
            }
            let forwarded = kernel.has(veth.veth_forward_skb)
                ? veth_forward_skb(kernel, &skb, to: rcv) : kernel.dev_forward_skb(&skb, to: rcv)
            if forwarded {
                kernel.countLink(dev) { $0.tx_packets += 1; $0.tx_bytes += length }
                kernel.countLink(rcv) { $0.rx_packets += 1; $0.rx_bytes += length }
            } else {
                kernel.countLink(dev) { $0.tx_dropped += 1 }
                if kernel.profile.version < .v6_1 { kernel.countLink(rcv) { $0.rx_dropped += 1 } }
            }
            return forwarded
        }
    }

    /// Makes the frame the receiving end's (`__dev_forward_skb`) and queues it on that CPU's backlog.
    func veth_forward_skb(_ kernel: Kernel, _ skb: inout SKBuff, to rcv: NetDevice) -> Bool {
        kernel.traced(veth.veth_forward_skb) {
            guard kernel.__dev_forward_skb(&skb, to: rcv) else { return false }
            kernel.__netif_rx(&skb)
            return true
        }
    }
}

/// A device whose driver the model does not follow (veth's peer, outside the host).
final class NullDevice: NetDeviceOps {
    let driverName = "peer"
    func isNoQueue(in kernel: Kernel) -> Bool { true }
    let receiveMode = ReceiveMode.backlog
    func receive(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool { false }
    func ndo_start_xmit(_ kernel: Kernel, _ skb: inout SKBuff) -> NetdevTx { .NETDEV_TX_OK }
}
