// Mirrors net/bridge/br_stp_bpdu.c (Linux 6.1): the bridge's BPDU receiver, which stp calls for
// every spanning-tree BPDU the host receives while the bridge module is loaded.
// Not modeled: the STP state machine (br_received_config_bpdu, br_received_tcn_bpdu): a bridge
// port's rx_handler takes BPDUs before stp does, and with STP off (the default, the only mode the
// model has) floods them like any multicast, so the BPDUs that reach here are on other devices.
import Trace
import Wire

/// Functions modeled from `net/bridge/br_stp_bpdu.c`.
public enum br_stp_bpdu: String, KernelSourceFile {
    public static let path = "net/bridge/br_stp_bpdu.c"
    case br_stp_rcv
}

extension Kernel {
    /// Receives a BPDU: one too short for its protocol id and version, or not of protocol 0 version
    /// 0, is dropped; so is one received on a device that is not a bridge port (a port's BPDUs
    /// never get here: `br_handle_frame` takes them).
    func br_stp_rcv(_ skb: inout SKBuff) {
        traced(br_stp_bpdu.br_stp_rcv) {
            if skb.len < 4 {
                tracer.note("BPDU shorter than 4 bytes")
            } else if skb.bytes.u8(at: skb.data) != 0 || skb.bytes.u8(at: skb.data + 1) != 0 || skb.bytes.u8(at: skb.data + 2) != 0 {
                tracer.note("not protocol 0, version 0")
            } else {
                tracer.note("\(skb.dev.name) is not a bridge port (br_port_get_check_rcu): the BPDU is freed")
            }
            kfree_skb_reason(&skb, .NOT_SPECIFIED)
        }
    }
}
