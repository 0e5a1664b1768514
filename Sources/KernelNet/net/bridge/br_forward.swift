// Mirrors net/bridge/br_forward.c (Linux 6.1): sending a frame out of bridge ports, one port or
// all of them.
// Not modeled: bridge netfilter hooks (NF_BR_FORWARD, NF_BR_LOCAL_OUT and NF_BR_POST_ROUTING have
// none), backup ports, hairpin mode, per-port flood flags (every port floods, the default),
// multicast snooping's per-group flood (br_multicast_flood), switchdev offload.
import Trace
import Wire

/// Functions modeled from `net/bridge/br_forward.c`.
public enum br_forward_c: String, KernelSourceFile {
    public static let path = "net/bridge/br_forward.c"
    case br_dev_queue_push_xmit, br_forward_finish, __br_forward, deliver_clone, br_forward, maybe_deliver, br_flood
}

extension Kernel {
    /// Whether a frame may leave on `to`: never back out of the port it came in on (no hairpin);
    /// every port forwards (STP off). `should_deliver`, inline.
    func should_deliver(_ to: net_bridge_port, _ skb: SKBuff) -> Bool { skb.dev !== to.dev }

    /// Puts the Ethernet header back, checks the frame fits the port's MTU, and queues it there.
    func br_dev_queue_push_xmit(_ skb: inout SKBuff) {
        traced(br_forward_c.br_dev_queue_push_xmit) {
            if skb.len > skb.dev.mtu + 14 + 4, !skb.skb_is_gso() {
                tracer.note("\(skb.len) bytes over MTU \(skb.dev.mtu) of \(skb.dev.name) (is_skb_forwardable)")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return
            }
            dev_queue_xmit(&skb)
        }
    }

    /// The NF_BR_FORWARD / NF_BR_LOCAL_OUT continuation: on through NF_BR_POST_ROUTING.
    func br_forward_finish(_ skb: inout SKBuff) {
        traced(br_forward_c.br_forward_finish) {
            NF_HOOK(.NF_BR_POST_ROUTING, &skb, okfn: { br_dev_queue_push_xmit(&$0) }, dropped: ())
        }
    }

    /// Sends the frame out of port `to`: it becomes `skb->dev`. A received frame passes
    /// NF_BR_FORWARD, one the host sent NF_BR_LOCAL_OUT.
    func __br_forward(_ to: net_bridge_port, _ skb: inout SKBuff, localOrig: Bool) {
        traced(br_forward_c.__br_forward) {
            skb.dev = to.dev
            tracer.note("out of bridge port \(to.dev.name)")
            if !localOrig { outcome.set(.forward) }
            NF_HOOK(localOrig ? .NF_BR_LOCAL_OUT : .NF_BR_FORWARD, &skb, okfn: { br_forward_finish(&$0) }, dropped: ())
        }
    }

    /// Forwards a copy of the frame (`skb_clone`): the original still goes up or to another port.
    func deliver_clone(_ to: net_bridge_port, _ skb: inout SKBuff, localOrig: Bool) {
        traced(br_forward_c.deliver_clone) {
            var clone = skb
            __br_forward(to, &clone, localOrig: localOrig)
        }
    }

    /// Forwards the frame to the port its destination was learned behind. A copy when it also goes
    /// up the bridge (`localRcv`); a frame for the port it came in on is freed.
    func br_forward(_ to: net_bridge_port, _ skb: inout SKBuff, localRcv: Bool, localOrig: Bool) {
        traced(br_forward_c.br_forward) {
            guard should_deliver(to, skb) else {
                tracer.note("destination learned behind \(to.dev.name), the port it came in on: not sent back")
                if !localRcv { kfree_skb_reason(&skb, .NOT_SPECIFIED) }
                return
            }
            if localRcv { deliver_clone(to, &skb, localOrig: localOrig) } else { __br_forward(to, &skb, localOrig: localOrig) }
        }
    }

    /// One port of a flood: a port the frame may not leave by (the one it came in on) is passed over;
    /// otherwise the port before it (if any) gets a copy now, and this one is kept for the next.
    func maybe_deliver(_ prev: net_bridge_port?, _ p: net_bridge_port, _ skb: inout SKBuff, localOrig: Bool) -> net_bridge_port? {
        traced(br_forward_c.maybe_deliver) {
            guard should_deliver(p, skb) else { return prev }
            if let prev { deliver_clone(prev, &skb, localOrig: localOrig) }
            return p
        }
    }

    /// Floods the frame to every port but the one it came in on: a copy to each but the last, which
    /// takes the frame itself unless it also goes up the bridge (`localRcv`). A bridge with no other
    /// port frees it.
    func br_flood(_ br: net_bridge, _ skb: inout SKBuff, _ kind: BridgePacketKind, localRcv: Bool, localOrig: Bool) {
        traced(br_forward_c.br_flood) {
            let ports = br.port_list.filter { should_deliver($0, skb) }
            tracer.note("flood (\(kind == .unicast ? "unknown unicast" : kind == .broadcast ? "broadcast" : "multicast")) to "
                + (ports.isEmpty ? "no other port" : ports.map(\.dev.name).joined(separator: ", ")))
            var prev: net_bridge_port?
            for p in br.port_list { prev = maybe_deliver(prev, p, &skb, localOrig: localOrig) }
            guard let last = prev else {
                if !localRcv { kfree_skb_reason(&skb, .NOT_SPECIFIED) }
                return
            }
            if localRcv { deliver_clone(last, &skb, localOrig: localOrig) } else { __br_forward(last, &skb, localOrig: localOrig) }
        }
    }
}
