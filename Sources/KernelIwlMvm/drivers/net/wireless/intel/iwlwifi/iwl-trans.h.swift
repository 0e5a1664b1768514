// Mirrors drivers/net/wireless/intel/iwlwifi/iwl-trans.h (Linux 6.1; iwl-trans.c in 6.12): the
// transport layer's entry points the op mode calls.
// Not modeled: the PCIe transport below (`iwl_trans_pcie_tx`, `iwl_txq_gen2_tx`), which depends on
// the device generation.
import KernelNet
import Trace

/// Functions modeled from `drivers/net/wireless/intel/iwlwifi/iwl-trans.h`.
public enum iwl_trans_h: String, KernelSourceFile {
    public static let path = "drivers/net/wireless/intel/iwlwifi/iwl-trans.h"
    case iwl_trans_tx
}

extension IwlMvm {
    /// Hands an MPDU and its TX command to the transport (an inline call through `trans->ops->tx`
    /// before 6.12, a function of its own that picks the generation's queue code in 6.12).
    func iwl_trans_tx(_ kernel: Kernel, _ skb: inout SKBuff) -> Int {
        kernel.traced(iwl_trans_h.iwl_trans_tx) {
            kernel.tracer.note("queued on the device's TX ring (the PCIe transport is not modeled)")
            return 0
        }
    }
}
