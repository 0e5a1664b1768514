// Mirrors drivers/net/wireless/intel/iwlwifi/mvm/tx.c (Linux 6.1): building the TX command and
// handing the MPDU to the transport.
// Not modeled: TSO/A-MSDU segmentation (`iwl_mvm_tx_tso`).
import KernelNet
import Trace

/// Functions modeled from `drivers/net/wireless/intel/iwlwifi/mvm/tx.c`, in the file's order.
public enum mvm_tx: String, KernelSourceFile {
    public static let path = "drivers/net/wireless/intel/iwlwifi/mvm/tx.c"
    case iwl_mvm_tx_mpdu, iwl_mvm_tx_skb_sta
}

extension IwlMvm {
    /// Builds the TX command for one MPDU and queues it on the hardware queue of its TID.
    func iwl_mvm_tx_mpdu(_ kernel: Kernel, _ skb: inout SKBuff) -> Int {
        kernel.traced(mvm_tx.iwl_mvm_tx_mpdu) { iwl_trans_tx(kernel, &skb) }
    }

    /// Transmits a frame to a station (segmenting GSO frames first).
    func iwl_mvm_tx_skb_sta(_ kernel: Kernel, _ skb: inout SKBuff) -> Int {
        kernel.traced(mvm_tx.iwl_mvm_tx_skb_sta) { iwl_mvm_tx_mpdu(kernel, &skb) }
    }
}
