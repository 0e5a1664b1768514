// Mirrors net/mac80211/tx.c and iface.c (Linux 6.1; 4.14 and 6.12 where they differ): 802.11 transmit
// for a station interface, fast xmit and the slow path (its handlers are in tx_handlers.swift), through
// mac80211's TXQs or straight to the driver, and the interface as a network device.
// Not modeled: aggregation sessions, software encryption, power save, GSO segmentation on the slow path.
import KernelNet
import Trace

/// Functions modeled from `net/mac80211/tx.c`, in the file's order.
public enum tx: String, KernelSourceFile {
    public static let path = "net/mac80211/tx.c"
    case ieee80211_tx_h_dynamic_ps, ieee80211_tx_h_check_assoc, ieee80211_tx_h_ps_buf,
        ieee80211_tx_h_check_control_port_protocol, ieee80211_tx_h_select_key, ieee80211_tx_h_rate_ctrl,
        ieee80211_tx_h_sequence, ieee80211_tx_h_fragment, ieee80211_tx_h_stats, ieee80211_tx_h_encrypt,
        ieee80211_tx_h_calculate_duration, ieee80211_tx_prepare, ieee80211_aggr_check, ieee80211_queue_skb,
        ieee80211_tx_frags, __ieee80211_tx, invoke_tx_handlers_early, invoke_tx_handlers_late, ieee80211_tx,
        ieee80211_xmit, ieee80211_lookup_ra_sta, ieee80211_build_hdr, ieee80211_xmit_fast_finish,
        __ieee80211_xmit_fast, ieee80211_xmit_fast, ieee80211_tx_dequeue, __ieee80211_subif_start_xmit,
        ieee80211_subif_start_xmit, __ieee80211_tx_skb_tid_band, ieee80211_tx_skb_tid, ieee80211_tx_control_port
}

/// A mac80211 network interface (managed mode) on top of a driver: the `NetDeviceOps` of the netdev
/// (`ieee80211_dataif_ops`), with the driver's `Ieee80211Ops` below.
public final class Mac80211Device: NetDeviceOps, DriverTimers {
    /// The driver below mac80211.
    public let hw: any Ieee80211Ops
    public var driverName: String { hw.driverName }
    /// mac80211 sets `IFF_NO_QUEUE` when the driver has `wake_tx_queue` (iface.c); else the interface
    /// gets one queue per access category, with a qdisc.
    public func isNoQueue(in kernel: Kernel) -> Bool { hw.hasTXQs(in: kernel) }
    public let receiveMode = ReceiveMode.napiGRO
    /// The station's association, when known (from the host profile or the capture); `nil` for an
    /// interface whose capture shows only 802.3 frames, which implies an open controlled port.
    public var u_mgd: IEEE80211IfManaged?
    /// Management frames the RX handlers queued for the interface's work (`sdata->skb_queue`).
    var skb_queue: [SKBuff] = []
    /// The AP's station entry's block-ack sessions (`sta->ampdu_mlme`).
    var ampdu_mlme = sta_ampdu_mlme()
    /// The interface's fragment cache (`sdata->frags`; in 4.14 `sdata->fragments`, for every frame).
    var frags = ieee80211_fragment_cache()
    /// The AP's station entry's fragment cache (`sta->frags`, 6.1 on).
    var sta_frags = ieee80211_fragment_cache()
    /// The slow path's state of the frame on a TXQ, for `ieee80211_tx_dequeue`; `nil` for a frame fast
    /// xmit queued (`IEEE80211_TX_CTRL_FAST_XMIT`). The model's TXQs hold one frame at a time.
    var txq_tx: ieee80211_tx_data?

    /// Whether the driver hands frames over in its NAPI poll (`napi` given to `ieee80211_rx_napi`): not
    /// while a driver timer releases frames it held.
    public var napi = true

    public init(hw: any Ieee80211Ops) { self.hw = hw }

    public var timerHorizon: Int64 { hw.timerHorizon }

    public func expiredTimers(_ kernel: Kernel, by time: Int64) -> [(function: String, expires: Int64, armedBy: Int?, run: () -> Void)] {
        hw.expiredTimers(kernel, by: time, mac80211: self)
    }

    /// The driver's receive, then the interface work for the management frames it queued.
    public func receive(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool {
        let own = skb.dev.dev_addr
        defer { ieee80211_iface_work(kernel, own: own) }
        return hw.rx(kernel, &skb, mac80211: self)
    }

    public func ndo_start_xmit(_ kernel: Kernel, _ skb: inout SKBuff) -> NetdevTx {
        ieee80211_subif_start_xmit(kernel, &skb)
    }

    /// Without TXQs the interface has a queue per access category, chosen by `ndo_select_queue`.
    public func ndo_select_queue(_ kernel: Kernel, _ skb: inout SKBuff) {
        guard !hw.hasTXQs(in: kernel) else { return }
        ieee80211_netdev_select_queue(kernel, &skb)
    }

    /// Finds the station a frame goes to (the AP, for a station interface).
    func ieee80211_lookup_ra_sta(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(tx.ieee80211_lookup_ra_sta) {}
    }

    /// Starts a block-ack (aggregation) session with the station when its traffic warrants one.
    func ieee80211_aggr_check(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(tx.ieee80211_aggr_check) {}
    }

    /// Puts the frame on its station's TXQ (a management frame on the station's management TXQ, as
    /// iwlwifi asks with `STA_MMPDU_TXQ`) and wakes the driver. `slowPath` is the frame's state when the
    /// slow path queues it. Returns false when the driver has no TXQs: the caller sends the frame itself.
    func ieee80211_queue_skb(_ kernel: Kernel, _ skb: inout SKBuff, slowPath: ieee80211_tx_data? = nil) -> Bool {
        kernel.traced(tx.ieee80211_queue_skb) {
            guard hw.hasTXQs(in: kernel) else { return false }
            txq_tx = slowPath
            drv_wake_tx_queue(kernel, &skb)
            return true
        }
    }

    /// Hands the frames of a transmission to the driver (`drv_tx`), for drivers without TXQs.
    func ieee80211_tx_frags(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(tx.ieee80211_tx_frags) { drv_tx(kernel, &skb) }
    }

    /// Finishes a fast-xmit frame at dequeue time (sequence number, key, rate), and counts it in the
    /// interface's transmit counters with the length of the 802.11 frame it now is: the model's frame
    /// is the 802.3 one the stack handed down, so the count is that less its Ethernet header plus a
    /// QoS data header and an RFC 1042 header (the space a driver reserves for a cipher's IV is not
    /// modeled).
    func ieee80211_xmit_fast_finish(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(tx.ieee80211_xmit_fast_finish) { countTransmit(kernel, skb) }
    }

    /// Counts a data frame in the interface's transmit counters with the length of the 802.11 frame it
    /// becomes (`ieee80211_tx_stats` in 4.14, `dev_sw_netstats_tx_add` from 6.1).
    func countTransmit(_ kernel: Kernel, _ skb: SKBuff) {
        let length = skb.len - Self.ethernetHeaderLength + Self.qosDataHeaderLength + Self.rfc1042HeaderLength
        kernel.countLink(skb.dev) { $0.tx_packets += 1; $0.tx_bytes += length }
    }

    /// An Ethernet header's length (`ETH_HLEN`).
    static let ethernetHeaderLength = 14
    /// A QoS data frame's 802.11 header to the AP: three addresses, sequence control and QoS control.
    static let qosDataHeaderLength = 26
    /// The RFC 1042 (SNAP) header that carries the EtherType in an 802.11 data frame.
    static let rfc1042HeaderLength = 8

    /// Builds the 802.11 header from the station's cached template and queues the frame; without
    /// TXQs, finishes it and hands it to the driver at once.
    func __ieee80211_xmit_fast(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(tx.__ieee80211_xmit_fast) {
            guard !ieee80211_queue_skb(kernel, &skb) else { return }
            ieee80211_xmit_fast_finish(kernel, &skb)
            ieee80211_tx_frags(kernel, &skb)
        }
    }

    /// Checks that the station has a fast-xmit template and transmits with it (the work moved into
    /// `__ieee80211_xmit_fast` in 6.12).
    func ieee80211_xmit_fast(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(tx.ieee80211_xmit_fast) {
            kernel.tracer.note("fast xmit to the AP's station entry")
            __ieee80211_xmit_fast(kernel, &skb)
        }
    }

    /// Called by the driver to pull the next frame of a TXQ: a fast-xmit frame is finished, a slow-path
    /// frame gets its key chosen again (it may have changed while queued) and runs the late handlers.
    public func ieee80211_tx_dequeue(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(tx.ieee80211_tx_dequeue) {
            guard var data = txq_tx else { return ieee80211_xmit_fast_finish(kernel, &skb) }
            txq_tx = nil
            ieee80211_tx_h_select_key(kernel, &data)
            invoke_tx_handlers_late(kernel)
        }
    }

    /// Looks up the station, picks the frame's TXQ (drivers with TXQs; without, the netdev queue was
    /// chosen before), and chooses fast or slow transmit.
    func __ieee80211_subif_start_xmit(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(tx.__ieee80211_subif_start_xmit) {
            ieee80211_lookup_ra_sta(kernel, &skb)
            if hw.hasTXQs(in: kernel) {
                if kernel.has(wme.__ieee80211_select_queue) {
                    __ieee80211_select_queue(kernel, &skb)
                } else {
                    ieee80211_select_queue(kernel, &skb)
                }
            }
            ieee80211_aggr_check(kernel, &skb)
            guard !fastTransmitReady else { return ieee80211_xmit_fast(kernel, &skb) }
            kernel.tracer.note("the AP's entry has no fast-xmit template until its port is authorized: the slow path")
            ieee80211_build_hdr(kernel, &skb)
            countTransmit(kernel, skb)
            ieee80211_xmit(kernel, &skb, data: ieee80211_tx_data(isManagement: false, isControlPort: skb.protocol == .eapol))
        }
    }

    /// Whether the AP's station entry has a fast-xmit template (`sta->fast_tx`): associated and
    /// authorized, as for fast RX.
    var fastTransmitReady: Bool { fastReceiveReady }

    /// The `ndo_start_xmit` of mac80211 data interfaces.
    func ieee80211_subif_start_xmit(_ kernel: Kernel, _ skb: inout SKBuff) -> NetdevTx {
        kernel.traced(tx.ieee80211_subif_start_xmit) {
            __ieee80211_subif_start_xmit(kernel, &skb)
            return .NETDEV_TX_OK
        }
    }

    /// Builds the 802.11 header of a data frame for the slow path: to the AP (ToDS), with QoS control
    /// when the AP does QoS, and the RFC 1042 header before the payload (the model keeps the 802.3
    /// frame and counts its 802.11 length).
    func ieee80211_build_hdr(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(tx.ieee80211_build_hdr) {}
    }

    /// The slow path's common start for a frame with an 802.11 header: makes headroom for the device
    /// and the cipher, then transmits it.
    func ieee80211_xmit(_ kernel: Kernel, _ skb: inout SKBuff, data: ieee80211_tx_data) {
        kernel.traced(tx.ieee80211_xmit) { ieee80211_tx(kernel, &skb, data: data) }
    }

    /// Looks up the frame's station (the AP, by address 1) and sets up its transmit state.
    func ieee80211_tx_prepare(_ kernel: Kernel) {
        kernel.traced(tx.ieee80211_tx_prepare) {}
    }

    /// Runs the early handlers, queues the frame on its TXQ (the late handlers run at dequeue), or,
    /// without TXQs, runs the late handlers and hands the frame to the driver.
    func ieee80211_tx(_ kernel: Kernel, _ skb: inout SKBuff, data: ieee80211_tx_data) {
        kernel.traced(tx.ieee80211_tx) {
            ieee80211_tx_prepare(kernel)
            var data = data
            invoke_tx_handlers_early(kernel, &data)
            guard !ieee80211_queue_skb(kernel, &skb, slowPath: data) else { return }
            invoke_tx_handlers_late(kernel)
            __ieee80211_tx(kernel, &skb)
        }
    }

    /// Hands the slow path's frames to the driver (`ieee80211_tx_frags`).
    func __ieee80211_tx(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(tx.__ieee80211_tx) { ieee80211_tx_frags(kernel, &skb) }
    }

    /// Transmits a frame mac80211 made itself, taking the band from the interface's channel context.
    func __ieee80211_tx_skb_tid_band(_ kernel: Kernel, _ skb: inout SKBuff, data: ieee80211_tx_data) {
        kernel.traced(tx.__ieee80211_tx_skb_tid_band) { ieee80211_xmit(kernel, &skb, data: data) }
    }

    /// Transmits a frame mac80211 made itself (management frames, null data) on a TID (7, voice, for
    /// management frames), through `ieee80211_tx_skb`.
    func ieee80211_tx_skb_tid(_ kernel: Kernel, _ skb: inout SKBuff, data: ieee80211_tx_data) {
        kernel.traced(tx.ieee80211_tx_skb_tid) { __ieee80211_tx_skb_tid_band(kernel, &skb, data: data) }
    }

    /// The supplicant's frames of the control port protocol (EAPOL) over nl80211 (6.x): into the
    /// interface's transmit as if from the stack, flagged as control port frames.
    func ieee80211_tx_control_port(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(tx.ieee80211_tx_control_port) { __ieee80211_subif_start_xmit(kernel, &skb) }
    }
}
