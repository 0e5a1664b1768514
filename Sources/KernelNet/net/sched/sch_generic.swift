// Mirrors net/sched/sch_generic.c (Linux 4.14): handing a packet from a qdisc to the driver.
// Not modeled: qdisc queues (the model's qdiscs are empty when a frame arrives), requeueing,
// `__qdisc_run`.
import Trace

/// Functions modeled from `net/sched/sch_generic.c`.
public enum sch_generic: String, KernelSourceFile {
    public static let path = "net/sched/sch_generic.c"
    case sch_direct_xmit
}

extension Kernel {
    /// Sends a packet the qdisc let through: validates it outside the qdisc lock, then gives it to
    /// the driver.
    func sch_direct_xmit(_ skb: inout SKBuff) -> NetdevTx {
        traced(sch_generic.sch_direct_xmit) {
            validate_xmit_skb_list(&skb)
            return dev_hard_start_xmit(&skb)
        }
    }
}
