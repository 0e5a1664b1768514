// Mirrors net/llc/llc_input.c (Linux 6.1): the 802.2 LLC receive entry of the llc module, which
// registers it for ETH_P_802_2 when loaded (llc_core.c). Frames go to the service access point
// (SAP) their destination SAP names; spanning tree (SAP 0x42) is opened by the stp module when the
// bridge module registers with it.
// Not modeled: the station handler (DSAP 0), llc2's SAP and connection handlers (af_llc, not loaded
// by the bridge or 8021q modules).
import Trace
import Wire

/// Functions modeled from `net/llc/llc_input.c`.
public enum llc_input: String, KernelSourceFile {
    public static let path = "net/llc/llc_input.c"
    case llc_rcv
}

/// The LLC service access point of spanning tree (`LLC_SAP_BSPAN`).
let LLC_SAP_BSPAN: UInt8 = 0x42

extension Kernel {
    /// Whether the llc module is loaded, so that `llc_rcv` takes 802.2 frames. Debian builds bridge
    /// and 8021q as modules that need it (bridge → stp → llc; 8021q → garp and mrp → stp → llc).
    public var llcLoaded: Bool { !modules.isDisjoint(with: ["llc", "stp", "bridge", "8021q"]) }

    /// Whether spanning tree's SAP is open: the first module to register with stp opens SAP 0x42 with
    /// `stp_pdu_rcv` (`stp_proto_register`): the bridge (`br_init`), or 8021q through GVRP
    /// (`vlan_gvrp_init` registers a GARP application; Debian builds 8021q with GVRP).
    var stpSAPOpen: Bool { modules.contains("bridge") || modules.contains("8021q") }

    /// Receives an 802.2 frame: frames for other hosts are dropped at once, then the LLC header is
    /// checked and pulled (`llc_fixup_skb`, inlined) and the frame goes to the receive function of
    /// the SAP it is for; a SAP nobody opened drops it here.
    @discardableResult
    func llc_rcv(_ skb: inout SKBuff) -> NetRxResult {
        traced(llc_input.llc_rcv) {
            if skb.pkt_type == .PACKET_OTHERHOST {
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .NET_RX_SUCCESS
            }
            // llc_fixup_skb: the 3-byte header of a U-format PDU (4 bytes otherwise), then the
            // length field must cover it.
            let dsap = skb.bytes.u8(at: skb.data)
            let ctrl = skb.bytes.u8(at: skb.data + 2)
            let llcLength = ctrl & 0x03 == 0x03 ? 3 : 4
            let pduLength = skb.mac_header.map { Int(skb.bytes.u16be(at: $0 + 12)) } ?? 0
            guard skb.len >= llcLength, pduLength >= llcLength, skb.len >= pduLength else {
                tracer.note("LLC header or 802.3 length does not fit the frame (llc_fixup_skb)")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .NET_RX_SUCCESS
            }
            if dsap == 0 {
                tracer.notModeled("LLC station handler (DSAP 0)")
                return .NET_RX_SUCCESS
            }
            guard dsap == LLC_SAP_BSPAN, stpSAPOpen else {
                tracer.note("no LLC SAP 0x\(String(dsap, radix: 16)) open (llc_sap_find)")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .NET_RX_SUCCESS
            }
            // A UI, XID or TEST PDU is for the SAP; no SAP handler type is registered without llc2,
            // so the SAP's own receive function takes the frame.
            let header = skb.data
            skb.skb_pull(llcLength)
            stp_pdu_rcv(&skb, llcHeader: header)
            return .NET_RX_SUCCESS
        }
    }
}
