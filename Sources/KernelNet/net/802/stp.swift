// Mirrors net/802/stp.c (Linux 6.1): the stp module, which opens LLC SAP 0x42 for the first
// spanning-tree user (the bridge) and dispatches BPDUs by their destination address.
// Not modeled: GARP applications (group addresses 01:80:c2:00:00:20 to :2f; 8021q registers GVRP
// at :21).
import Trace
import Wire

/// Functions modeled from `net/802/stp.c`.
public enum stp: String, KernelSourceFile {
    public static let path = "net/802/stp.c"
    case stp_pdu_rcv
}

extension Kernel {
    /// Receives a PDU on SAP 0x42 (`llcHeader`: where its LLC header begins; `skb->data` is past it): one whose SAPs are not both 0x42 or that is not a UI frame is
    /// dropped here, as is a GARP frame with no application for its address; spanning-tree BPDUs go
    /// to the registered protocol's receiver (the bridge's `br_stp_rcv`).
    func stp_pdu_rcv(_ skb: inout SKBuff, llcHeader: Int) {
        traced(stp.stp_pdu_rcv) {
            let dsap = skb.bytes.u8(at: llcHeader)
            let ssap = skb.bytes.u8(at: llcHeader + 1)
            let ctrl = skb.bytes.u8(at: llcHeader + 2)
            guard dsap == LLC_SAP_BSPAN, ssap == LLC_SAP_BSPAN, ctrl == 0x03 else {
                tracer.note("not a spanning-tree UI PDU (SAPs 0x\(String(dsap, radix: 16))/0x\(String(ssap, radix: 16)), control 0x\(String(ctrl, radix: 16)))")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return
            }
            let last = skb.mac_header.map { skb.bytes.u8(at: $0 + 5) } ?? 0
            if (0x20...0x2f).contains(last) {
                if last == 0x21, modules.contains("8021q") {
                    tracer.notModeled("GVRP PDUs (garp_pdu_rcv)")
                    return
                }
                tracer.note("GARP group address with no GARP application registered for it")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return
            }
            guard modules.contains("bridge") else {
                tracer.note("no spanning-tree protocol registered (the bridge module is not loaded; 8021q's GVRP opened the SAP)")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return
            }
            br_stp_rcv(&skb)
        }
    }
}
