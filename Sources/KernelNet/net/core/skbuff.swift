// Mirrors net/core/skbuff.c (Linux 6.1): freeing packets, as a drop or as normal consumption.
import Trace
import Wire

/// Functions modeled from `net/core/skbuff.c`.
public enum skbuff: String, KernelSourceFile {
    public static let path = "net/core/skbuff.c"
    case __kfree_skb, kfree_skb_reason, __skb_checksum_complete, consume_skb
}

extension Kernel {
    /// Frees a packet without counting it as dropped or consumed (TCP's own frees of segments it
    /// has processed).
    func __kfree_skb(_ skb: inout SKBuff) {
        traced(skbuff.__kfree_skb) {}
    }

    /// Frees a packet as a drop. The only place the model records a drop: the reason and the function
    /// that called it, as the `skb:kfree_skb` tracepoint reports them.
    func kfree_skb_reason(_ skb: inout SKBuff, _ reason: SKBDropReason) {
        let dropper = tracer.caller
        traced(skbuff.kfree_skb_reason) {
            tracer.drop(reason.rawValue, in: dropper ?? skbuff.kfree_skb_reason.symbol)
        }
        outcome.verdict = .drop
        outcome.dropReason = reason.rawValue
        outcome.dropFunction = dropper?.function
    }

    /// Verifies the transport checksum of `skb` over the whole segment in software.
    func __skb_checksum_complete(_ skb: SKBuff, proto: IPProtocol) -> Bool {
        traced(skbuff.__skb_checksum_complete) { transportChecksum(skb, proto: proto) != .bad }
    }

    /// Frees a packet that was used up normally (delivered, copied, answered).
    func consume_skb(_ skb: inout SKBuff) {
        traced(skbuff.consume_skb) {}
    }
}
