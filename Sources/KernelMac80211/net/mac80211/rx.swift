// Mirrors net/mac80211/rx.c (Linux 6.1): 802.11 receive for a station interface, fast-RX path.
// Not modeled: the RX handler chain (slow path), A-MPDU reordering, decryption, A-MSDU, monitor
// interfaces; the capture shows frames after 802.11 -> 802.3 conversion, so fast RX is assumed.
import KernelNet
import Trace

/// Functions modeled from `net/mac80211/rx.c`, in the file's order.
public enum rx: String, KernelSourceFile {
    public static let path = "net/mac80211/rx.c"
    case ieee80211_deliver_skb_to_local_stack, ieee80211_rx_8023, ieee80211_invoke_fast_rx,
        ieee80211_prepare_and_rx_handle, __ieee80211_rx_handle_packet, ieee80211_rx_list, ieee80211_rx_napi
}

extension Mac80211Device {
    /// Adds the converted frame to the receive list the NAPI caller hands to GRO.
    func ieee80211_deliver_skb_to_local_stack(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(rx.ieee80211_deliver_skb_to_local_stack) {}
    }

    /// Delivers an 802.3 frame from fast RX: counts it in the interface's receive counters
    /// (`dev_sw_netstats_rx_add`, the converted frame's length), classifies it (`eth_type_trans`)
    /// and passes it up.
    func ieee80211_rx_8023(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(rx.ieee80211_rx_8023) {
            countFastReceive(kernel, skb)
            kernel.eth_type_trans(&skb)
            ieee80211_deliver_skb_to_local_stack(kernel, &skb)
        }
    }

    /// Fast RX for a data frame from the associated AP: converts 802.11 to 802.3 without the handlers.
    /// Before the receive list (4.14) it classifies the frame and hands it to GRO itself.
    func ieee80211_invoke_fast_rx(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(rx.ieee80211_invoke_fast_rx) {
            guard kernel.has(rx.ieee80211_rx_8023) else {
                countFastReceive(kernel, skb)
                kernel.eth_type_trans(&skb)
                kernel.napi_gro_receive(&skb)
                return
            }
            ieee80211_rx_8023(kernel, &skb)
        }
    }

    /// The receive counters fast RX moves, with the length of the 802.3 frame it made
    /// (`ieee80211_rx_stats` in 4.14's `ieee80211_invoke_fast_rx`, `dev_sw_netstats_rx_add` in
    /// `ieee80211_rx_8023` from 6.1).
    func countFastReceive(_ kernel: Kernel, _ skb: SKBuff) {
        kernel.countLink(skb.dev) { $0.rx_packets += 1; $0.rx_bytes += skb.len }
    }

    /// Checks the frame is for this interface and runs fast RX (or the handler chain).
    func ieee80211_prepare_and_rx_handle(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(rx.ieee80211_prepare_and_rx_handle) { ieee80211_invoke_fast_rx(kernel, &skb) }
    }

    /// Finds the station and interface of a received frame and processes it.
    func __ieee80211_rx_handle_packet(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(rx.__ieee80211_rx_handle_packet) { ieee80211_prepare_and_rx_handle(kernel, &skb) }
    }

    /// Receives one frame into a list of frames for the stack.
    func ieee80211_rx_list(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(rx.ieee80211_rx_list) { __ieee80211_rx_handle_packet(kernel, &skb) }
    }

    /// mac80211's receive entry for drivers: processes the frame, then gives the resulting frames to
    /// GRO (`napi_gro_receive`) since the driver passed its NAPI context. (4.14 has no list: fast RX
    /// hands each frame to GRO.)
    public func ieee80211_rx_napi(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(rx.ieee80211_rx_napi) {
            guard kernel.has(rx.ieee80211_rx_list) else {
                __ieee80211_rx_handle_packet(kernel, &skb)
                return
            }
            ieee80211_rx_list(kernel, &skb)
            kernel.napi_gro_receive(&skb)
        }
    }
}
