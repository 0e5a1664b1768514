// Mirrors net/8021q/vlan_dev.c (Linux 6.1): the VLAN device of the 8021q module. A packet sent on
// it leaves on the device below with the VLAN's tag.
// Not modeled: egress priority maps, netpoll, a real device without VLAN transmit offload (there
// the tag is written into the data by `vlan_dev_hard_header` and, in the core, by
// `validate_xmit_vlan`; the model keeps it out of the data as veth and most NICs do).
import Trace
import Wire

/// Functions modeled from `net/8021q/vlan_dev.c`.
public enum vlan_dev: String, KernelSourceFile {
    public static let path = "net/8021q/vlan_dev.c"
    case vlan_dev_hard_header, vlan_dev_hard_start_xmit, vlan_passthru_hard_header
}

/// The driver of an 802.1Q VLAN device: it receives nothing itself (tagged frames arrive on the
/// real device and `vlan_do_receive` moves them here) and sends through the real device
/// (`vlan_setup` sets `IFF_NO_QUEUE`: the real device's qdisc is the one that queues).
public final class VLANDevice: StackedDeviceOps {
    public let driverName = "802.1Q VLAN Support"
    public init() {}
    public func receivedAlone(_ dev: NetDevice) -> String {
        "a frame captured on VLAN device \(dev.name) is received through its real device"
    }

    public func ndo_start_xmit(_ kernel: Kernel, _ skb: inout SKBuff) -> NetdevTx {
        kernel.vlan_dev_hard_start_xmit(&skb)
    }
}

extension Kernel {
    /// A VLAN device's `header_ops->create`. 6.1 and 6.12 always use `vlan_header_ops`
    /// (`vlan_dev_hard_header`); 4.14 uses `vlan_passthru_header_ops` when the real device puts tags
    /// on in hardware (veth does), `vlan_header_ops` otherwise. Neither has a `cache` operation.
    func vlan_header_ops_create(_ skb: inout SKBuff) {
        let offload = skb.dev.vlan?.real_dev.ops.hasVLANTransmitOffload ?? false
        if has(vlan_dev.vlan_passthru_hard_header), offload { vlan_passthru_hard_header(&skb) } else { vlan_dev_hard_header(&skb) }
    }

    /// Writes the real device's hardware header with the VLAN device's address as the source. The
    /// tag stays out of the data (`VLAN_FLAG_REORDER_HDR`, the default): `vlan_dev_hard_start_xmit`
    /// puts it in `skb->vlan_tci`.
    func vlan_dev_hard_header(_ skb: inout SKBuff) {
        traced(vlan_dev.vlan_dev_hard_header) { eth_header(&skb) }
    }

    /// 4.14's header for a VLAN on a device with VLAN transmit offload: the real device's own header.
    func vlan_passthru_hard_header(_ skb: inout SKBuff) {
        traced(vlan_dev.vlan_passthru_hard_header) { eth_header(&skb) }
    }

    /// Sends a packet out of a VLAN device: the VLAN's tag goes into `skb->vlan_tci`, the real
    /// device becomes `skb->dev`, and the packet is queued there (`dev_queue_xmit`).
    func vlan_dev_hard_start_xmit(_ skb: inout SKBuff) -> NetdevTx {
        traced(vlan_dev.vlan_dev_hard_start_xmit) {
            guard let vlan = skb.dev.vlan else { return .NETDEV_TX_OK }
            let vlanDev = skb.dev, len = skb.len
            skb.vlan_tci = vlan.vlan_id
            tracer.note("tagged VID \(vlan.vlan_id), on to \(vlan.real_dev.name)")
            skb.dev = vlan.real_dev
            let ret = dev_queue_xmit(&skb)
            // The VLAN device's own counters (vlan_pcpu_stats): what the real device took, with its length here.
            countLink(vlanDev) { if ret == .NETDEV_TX_OK { $0.tx_packets += 1; $0.tx_bytes += len } else { $0.tx_dropped += 1 } }
            return ret
        }
    }
}
