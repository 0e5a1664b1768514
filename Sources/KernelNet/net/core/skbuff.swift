// Mirrors net/core/skbuff.c (Linux 6.1): freeing packets, as a drop or as normal consumption.
import Trace
import Wire

/// Functions modeled from `net/core/skbuff.c`.
public enum skbuff: String, KernelSourceFile {
    public static let path = "net/core/skbuff.c"
    case __kfree_skb, kfree_skb, kfree_skb_reason, sk_skb_reason_drop, kfree_skb_list, kfree_skb_list_reason,
         __skb_checksum_complete, consume_skb, skb_vlan_untag, skb_clone
}

extension Kernel {
    /// Frees a packet without counting it as dropped or consumed (TCP's own frees of segments it
    /// has processed).
    func __kfree_skb(_ skb: inout SKBuff) {
        traced(skbuff.__kfree_skb) {}
    }

    /// Frees a packet as a drop. The only place the model records a drop: the reason and the function
    /// that called it, as the `skb:kfree_skb` tracepoint reports them. 4.14 has no reasons (a plain
    /// `kfree_skb`); in 6.12 `kfree_skb_reason` is an inline wrapper of `sk_skb_reason_drop`, which
    /// TCP and UDP also call directly.
    public func kfree_skb_reason(_ skb: inout SKBuff, _ reason: SKBDropReason) {
        let dropper = tracer.caller
        let name = profile.namesDropReasons ? reason.rawValue : nil
        if !has(skbuff.kfree_skb_reason) {
            kfree_skb(skb, dropper: dropper)
        } else if let dropper, profile.dropsWithSocket.contains(dropper.function) {
            sk_skb_reason_drop(skb, name, dropper: dropper)
        } else if has(skbuff.sk_skb_reason_drop) {
            traced(skbuff.kfree_skb_reason) { sk_skb_reason_drop(skb, name, dropper: dropper) }
        } else {
            traced(skbuff.kfree_skb_reason) {
                tracer.drop(name, in: dropper ?? dropLocation(.kfree_skb_reason))
                freeFragList(skb)
            }
        }
        outcome.drop(reason: name, by: dropper)
    }

    /// `kfree_skb(NULL)`: a caller that handed its packet on frees nothing. 6.1 enters `kfree_skb_reason`,
    /// which returns at once, 6.12 its `sk_skb_reason_drop` (under the inline `kfree_skb_reason`); no
    /// tracepoint fires.
    func kfree_skb_null() {
        traced(skbuff.kfree_skb_reason) {
            if has(skbuff.sk_skb_reason_drop) { traced(skbuff.sk_skb_reason_drop) {} }
        }
    }

    /// Frees a packet as a drop without a reason (4.14, before drop reasons): the tracepoint names the
    /// caller only.
    func kfree_skb(_ skb: SKBuff, dropper: KernelSymbol?) {
        traced(skbuff.kfree_skb) {
            tracer.drop(nil, in: dropper ?? dropLocation(.kfree_skb))
            freeFragList(skb)
        }
    }

    /// Frees a packet as a drop for a reason, charging it to the socket it was for (6.12).
    func sk_skb_reason_drop(_ skb: SKBuff, _ reason: String?, dropper: KernelSymbol?) {
        traced(skbuff.sk_skb_reason_drop) {
            tracer.drop(reason, in: dropper ?? dropLocation(.sk_skb_reason_drop))
            freeFragList(skb)
        }
    }

    /// Where a drop with no modeled caller is placed: the freeing function itself.
    private func dropLocation(_ fn: skbuff) -> KernelSymbol {
        KernelSymbol(function: fn.rawValue, file: profile.file(of: fn.rawValue, modelFile: skbuff.path))
    }

    /// Verifies the transport checksum of `skb` over the whole segment in software.
    func __skb_checksum_complete(_ skb: SKBuff, proto: IPProtocol) -> Bool {
        traced(skbuff.__skb_checksum_complete) { transportChecksum(skb, proto: proto) != .bad }
    }

    /// Makes a clone of `skb` (a new head sharing its data), for a second receiver of the same packet.
    func skb_clone(_ skb: SKBuff) -> SKBuff {
        traced(skbuff.skb_clone) { skb }
    }

    /// Frees a packet that was used up normally (delivered, copied, answered).
    public func consume_skb(_ skb: inout SKBuff) {
        traced(skbuff.consume_skb) { freeFragList(skb) }
    }

    /// Frees the fragment buffers a reassembled packet chains behind its head (`frag_list`), as freeing
    /// the head does in every version, from `skb_release_data` (a static function the model does not
    /// show): 4.14's `kfree_skb_list` frees each with `kfree_skb`, 6.1's `kfree_skb_list_reason` with
    /// `kfree_skb_reason` (both list functions inlined into `skb_release_data`), 6.12's `kfree_skb_list_reason` in bulk
    /// through the inline `__sk_skb_reason_drop`. Their tracepoint drops (`NOT_SPECIFIED`, or a consume
    /// in 6.12 when the head was consumed) are not recorded: they are the packet's own buffers, not
    /// packets the host dropped.
    private func freeFragList(_ skb: SKBuff) {
        guard skb.fragListCount > 0 else { return }
        if has(skbuff.kfree_skb_list) { kfree_skb_list(skb.fragListCount) } else { kfree_skb_list_reason(skb.fragListCount) }
    }

    /// Frees the `count` buffers chained behind a packet's head, each with `kfree_skb` (4.14).
    private func kfree_skb_list(_ count: Int) {
        traced(skbuff.kfree_skb_list) { for _ in 0..<count { traced(skbuff.kfree_skb) {} } }
    }

    /// Frees the `count` buffers chained behind a packet's head: each with `kfree_skb_reason` (6.1), or
    /// in bulk through the inline `__sk_skb_reason_drop` (6.12).
    private func kfree_skb_list_reason(_ count: Int) {
        traced(skbuff.kfree_skb_list_reason) {
            guard !has(skbuff.sk_skb_reason_drop) else { return }
            for _ in 0..<count { traced(skbuff.kfree_skb_reason) {} }
        }
    }

    /// Frees a packet with `dev_kfree_skb` (a `consume_skb`) where the code that does so has not
    /// delivered it: no drop tracepoint fires, but the frame went no further, and the trace's verdict
    /// says so (a drop without a reason, at the calling function).
    public func dev_kfree_skb_undelivered(_ skb: inout SKBuff) {
        let freer = tracer.caller
        consume_skb(&skb)
        outcome.drop(reason: nil, by: freer)
    }

    /// Frees a packet that was used up, from code that passes its reason along: 6.12's
    /// `kfree_skb_reason(skb, SKB_CONSUMED)`, which `sk_skb_reason_drop` reports as a consume, not a
    /// drop; `consume_skb` in versions without that reason.
    func kfree_skb_consumed(_ skb: inout SKBuff) {
        guard has(skbuff.sk_skb_reason_drop) else {
            consume_skb(&skb)
            return
        }
        traced(skbuff.kfree_skb_reason) { traced(skbuff.sk_skb_reason_drop) {} }
    }

    /// Takes the outer VLAN tag of a packet that carries it in its data (a device without VLAN receive
    /// offload) out into `skb->vlan_tci`, and exposes the protocol it encapsulates.
    func skb_vlan_untag(_ skb: inout SKBuff) {
        traced(skbuff.skb_vlan_untag) {
            skb.vlan_tci = skb.vlanIDs.removeFirst()
            skb.protocol = EtherType(rawValue: skb.bytes.u16be(at: skb.data + 2))
            skb.skb_pull(VLANPacket.headerLength)
        }
    }
}
