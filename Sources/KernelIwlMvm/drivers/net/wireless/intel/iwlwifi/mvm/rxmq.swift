// Mirrors drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c (Linux 6.1): multi-queue receive of MPDUs.
// Not modeled: the PCIe transport below (`iwl_pcie_rx_handle`), reordering, PN checks, radiotap, A-MSDU
// subframe indexes in duplicate detection, several RX queues.
import KernelMac80211
import KernelNet
import Trace
import Wire

/// Functions modeled from `drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c`.
public enum rxmq: String, KernelSourceFile {
    public static let path = "drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c"
    case iwl_mvm_pass_packet_to_mac80211, iwl_mvm_is_dup, iwl_mvm_rx_mpdu_mq
}

extension IwlMvm {
    /// Hands a received frame to mac80211 with the NAPI context. Returns whether a frame went up to GRO.
    func iwl_mvm_pass_packet_to_mac80211(_ kernel: Kernel, _ skb: inout SKBuff, mac80211: Mac80211Device) -> Bool {
        kernel.traced(rxmq.iwl_mvm_pass_packet_to_mac80211) { mac80211.ieee80211_rx_napi(kernel, &skb) }
    }

    /// Whether a frame from a station the firmware knows is a retransmission already received: the
    /// Retry bit and the same sequence control as the last frame of its TID. Control frames, QoS null
    /// data and group-addressed frames are not checked. Either way mac80211 is told the check was done
    /// (`RX_FLAG_DUP_VALIDATED`), so its own (`ieee80211_rx_h_check_dup`) passes the frame.
    func iwl_mvm_is_dup(_ kernel: Kernel, _ h: IEEE80211Header) -> Bool {
        kernel.traced(rxmq.iwl_mvm_is_dup) {
            let fc = h.frameControl
            guard fc.type != .control, !(fc.isQoSData && fc.isNullData), !h.address1.isMulticast,
                  let seq = h.sequenceControl else { return false }
            let tid = fc.isQoSData ? Int(h.tid ?? 0) : 8
            if fc.retry, last_seq[tid] == seq {
                kernel.tracer.note("a retransmission of sequence number \(seq >> 4) (Retry set, the same sequence control "
                    + "as the last frame of TID \(tid)): a duplicate")
                return true
            }
            last_seq[tid] = seq
            return false
        }
    }

    /// Receives one MPDU from an RX queue: builds the skb and its status (checksum offload result
    /// included; a failed FCS check marks the status, and mac80211 lets only monitor interfaces have
    /// the frame), drops duplicates from a known station, and passes it up.
    func iwl_mvm_rx_mpdu_mq(_ kernel: Kernel, _ skb: inout SKBuff, mac80211: Mac80211Device) -> Bool {
        kernel.traced(rxmq.iwl_mvm_rx_mpdu_mq) {
            if skb.ieee80211_rx_status?.frame.radio?.flags.contains(.badFCS) ?? false {
                kernel.tracer.note("the device reports a bad FCS: RX_FLAG_FAILED_FCS_CRC")
            } else if kernel.deviceVerifiesChecksum(&skb) {
                skb.ip_summed = .CHECKSUM_UNNECESSARY
                kernel.tracer.note("RX checksum offload: transport checksum verified (CHECKSUM_UNNECESSARY)")
            }
            if let h = skb.ieee80211_rx_status?.frame.header, mac80211.knowsStation(h), iwl_mvm_is_dup(kernel, h) {
                kernel.kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return false
            }
            return iwl_mvm_pass_packet_to_mac80211(kernel, &skb, mac80211: mac80211)
        }
    }
}
