// Mirrors net/8021q/vlan_core.c (Linux 6.1): the part of 802.1Q VLAN support built into the kernel
// even when the 8021q module is not loaded: handing a tagged packet to the VLAN device for its id.
// Not modeled: 802.1ad outer tags on a VLAN device (only 802.1Q), ingress priority maps, the
// VLAN_FLAG_REORDER_HDR-off case (the tag is put back into the data), GRO of tagged packets.
import Trace
import Wire

/// Functions modeled from `net/8021q/vlan_core.c`.
public enum vlan_core: String, KernelSourceFile {
    public static let path = "net/8021q/vlan_core.c"
    case vlan_do_receive
}

extension Kernel {
    /// The VLAN device on `real_dev` for VLAN id `vlan_id` (`vlan_find_dev`, an inline lookup in
    /// the real device's VLAN group), if the host has one.
    public func vlan_find_dev(_ real_dev: NetDevice, _ vlan_id: UInt16) -> NetDevice? {
        devices.first { $0.vlan?.real_dev === real_dev && $0.vlan?.vlan_id == vlan_id }
    }

    /// Hands a packet whose tag is out of the data (`skb->vlan_tci`) to the VLAN device of its id:
    /// the device becomes `skb->dev`, the tag is cleared, and the caller runs the receive core again
    /// for that device. Returns false, leaving the packet as it was, when the real device has no
    /// VLAN device for the id. A packet for another MAC becomes the host's when the destination is
    /// the VLAN device's own address (a VLAN device may have a MAC of its own).
    func vlan_do_receive(_ skb: inout SKBuff) -> Bool {
        traced(vlan_core.vlan_do_receive) {
            guard let tci = skb.vlan_tci, let vlanDev = vlan_find_dev(skb.dev, tci & 0x0fff) else { return false }
            skb.dev = vlanDev
            if skb.pkt_type == .PACKET_OTHERHOST, let mac = skb.mac_header,
                EthernetPacket(skb.bytes, at: mac)?.destination == vlanDev.dev_addr
            {
                skb.pkt_type = .PACKET_HOST
                tracer.note("destination is \(vlanDev.name)'s own address: pkt_type PACKET_HOST")
            }
            skb.vlan_tci = nil
            countLink(vlanDev) { $0.rx_packets += 1; $0.rx_bytes += skb.len }  // vlan_pcpu_stats
            tracer.note("VID \(tci & 0x0fff): received on \(vlanDev.name), another round of the receive core")
            return true
        }
    }
}
