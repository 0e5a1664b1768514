// Mirrors drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c (Linux 6.1): multi-queue receive of MPDUs.
// Not modeled: the PCIe transport below (`iwl_pcie_rx_handle`), reordering, PN checks, radiotap.
import KernelMac80211
import KernelNet
import Trace

/// Functions modeled from `drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c`.
public enum rxmq: String, KernelSourceFile {
    public static let path = "drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c"
    case iwl_mvm_pass_packet_to_mac80211, iwl_mvm_rx_mpdu_mq
}

extension IwlMvm {
    /// Hands a received frame to mac80211 with the NAPI context. Returns whether a frame went up to GRO.
    func iwl_mvm_pass_packet_to_mac80211(_ kernel: Kernel, _ skb: inout SKBuff, mac80211: Mac80211Device) -> Bool {
        kernel.traced(rxmq.iwl_mvm_pass_packet_to_mac80211) { mac80211.ieee80211_rx_napi(kernel, &skb) }
    }

    /// Receives one MPDU from an RX queue: builds the skb and its status (checksum offload result
    /// included; a failed FCS check marks the status, and mac80211 lets only monitor interfaces have
    /// the frame) and passes it up.
    func iwl_mvm_rx_mpdu_mq(_ kernel: Kernel, _ skb: inout SKBuff, mac80211: Mac80211Device) -> Bool {
        kernel.traced(rxmq.iwl_mvm_rx_mpdu_mq) {
            if skb.ieee80211_rx_status?.frame.radio?.flags.contains(.badFCS) ?? false {
                kernel.tracer.note("the device reports a bad FCS: RX_FLAG_FAILED_FCS_CRC")
            } else if kernel.deviceVerifiesChecksum(&skb) {
                skb.ip_summed = .CHECKSUM_UNNECESSARY
                kernel.tracer.note("RX checksum offload: transport checksum verified (CHECKSUM_UNNECESSARY)")
            }
            return iwl_mvm_pass_packet_to_mac80211(kernel, &skb, mac80211: mac80211)
        }
    }
}
