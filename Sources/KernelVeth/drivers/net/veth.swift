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
        return veth_xmit(kernel, &skb, to: skb.dev)
    }

    /// Hands an outgoing frame to the peer, which receives it through its backlog.
    public func ndo_start_xmit(_ kernel: Kernel, _ skb: inout SKBuff) -> NetdevTx {
        var copy = skb
        _ = veth_xmit(kernel, &copy, to: peer)
        return .NETDEV_TX_OK
    }

    /// The `ndo_start_xmit` of a veth end: forwards the frame to the other end, `rcv` (through
    /// `dev_forward_skb` in 4.14). The skb keeps its `CHECKSUM_PARTIAL`: the receiver trusts a
    /// checksum the sender left to offload, and the capture shows it unfinished.
    func veth_xmit(_ kernel: Kernel, _ skb: inout SKBuff, to rcv: NetDevice) -> Bool {
        kernel.traced(veth.veth_xmit) {
            if skb.ip_summed == .CHECKSUM_PARTIAL {
                kernel.tracer.note("CHECKSUM_PARTIAL: the sender left the checksum to offload; the skb crosses with it and the receiver does not verify it (not an error)")
            }
            guard kernel.has(veth.veth_forward_skb) else { return kernel.dev_forward_skb(&skb, to: rcv) }
            return veth_forward_skb(kernel, &skb, to: rcv)
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
