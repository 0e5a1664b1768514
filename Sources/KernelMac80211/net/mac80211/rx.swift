// Mirrors net/mac80211/rx.c (Linux 6.1; 4.14 and 6.12 where they differ): 802.11 receive for a
// station interface, as far as choosing between fast RX, the RX handlers and dropping.
// Frames come either as 802.11 (a monitor-mode capture: `skb.ieee80211_rx_status` set) or already
// converted to 802.3 (a capture of the station's own interface).
// The RX handler chain is in rx_handlers.swift. Not modeled: A-MPDU reordering; monitor interfaces. On 802.3 captures multicast frames are taken through fast RX,
// which the kernel (since fast RX rejects group addresses) sends through the handlers instead.
import KernelNet
import Trace
import Wire

/// Functions modeled from `net/mac80211/rx.c` (here and in rx_handlers.swift), in the file's order.
public enum rx: String, KernelSourceFile {
    public static let path = "net/mac80211/rx.c"
    case ieee80211_queue_skb_to_iface, ieee80211_rx_monitor, ieee80211_rx_h_check_dup, ieee80211_rx_h_check, ieee80211_rx_h_check_more_data,
        ieee80211_rx_h_uapsd_and_pspoll, ieee80211_rx_h_sta_process, ieee80211_rx_h_decrypt, ieee80211_reassemble_add,
        ieee80211_reassemble_find, ieee80211_rx_h_defragment,
        ieee80211_802_1x_port_control, ieee80211_drop_unencrypted, __ieee80211_data_to_8023, ieee80211_frame_allowed,
        ieee80211_deliver_skb, ieee80211_rx_h_amsdu, ieee80211_rx_h_data, ieee80211_rx_h_ctrl,
        ieee80211_process_sa_query_req, ieee80211_rx_cooked_monitor, ieee80211_rx_h_mgmt_check, ieee80211_get_mmie_keyidx, ieee80211_drop_unencrypted_mgmt, ieee80211_rx_h_action, ieee80211_rx_h_userspace_mgmt,
        ieee80211_rx_h_action_post_userspace, ieee80211_rx_h_action_return, ieee80211_rx_h_ext, ieee80211_rx_h_mgmt,
        ieee80211_rx_handlers_result, ieee80211_rx_handlers, ieee80211_invoke_rx_handlers,
        ieee80211_deliver_skb_to_local_stack, ieee80211_accept_frame, ieee80211_rx_8023, ieee80211_invoke_fast_rx,
        ieee80211_prepare_and_rx_handle, ieee80211_rx_for_interface, __ieee80211_rx_handle_packet, ieee80211_rx_list,
        ieee80211_rx_napi
}

extension Mac80211Device {
    /// Passes the frame to monitor interfaces (there are none) and returns whether the other interfaces
    /// get it: not when its FCS failed, when it is shorter than 16 bytes, or for a control frame other
    /// than PS-Poll and BlockAckReq (`should_drop_frame`); mac80211 then frees it.
    func ieee80211_rx_monitor(_ kernel: Kernel, _ skb: inout SKBuff, _ status: IEEE80211RxStatus) -> Bool {
        kernel.traced(rx.ieee80211_rx_monitor) {
            let frame = status.frame
            let why: String? =
                if frame.radio?.flags.contains(.badFCS) ?? false { "its FCS failed (RX_FLAG_FAILED_FCS_CRC)" }
                else if skb.len < 16 { "it is shorter than 16 bytes" }
                else if let fc = frame.header?.frameControl, fc.type == .control, fc.subtype != 10, fc.subtype != 8 {
                    "control frames other than PS-Poll and BlockAckReq are for monitor interfaces only"
                } else { nil }
            guard let why else { return true }
            kernel.tracer.note("only monitor interfaces take this frame: \(why); there are none, so it is freed")
            kernel.dev_kfree_skb_undelivered(&skb)
            return false
        }
    }

    /// Adds the converted frame to the receive list the NAPI caller hands to GRO; sends EAPOL to the
    /// supplicant over nl80211 instead, and frees it. Returns whether the list has the frame.
    @discardableResult
    func ieee80211_deliver_skb_to_local_stack(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool {
        kernel.traced(rx.ieee80211_deliver_skb_to_local_stack) {
            guard skb.protocol == .eapol else { return true }
            cfg80211_rx_control_port(kernel, &skb)
            kernel.consume_skb(&skb)
            kernel.delivered(to: "eapol")
            return false
        }
    }

    /// Runs the RX handlers over a frame fast RX did not take: the duplicate and association checks,
    /// then the chain (`ieee80211_rx_handlers`). Returns whether a frame is on the list for the stack.
    func ieee80211_invoke_rx_handlers(_ kernel: Kernel, _ skb: inout SKBuff, sta: Bool) -> Bool {
        kernel.traced(rx.ieee80211_invoke_rx_handlers) {
            guard let frame = skb.ieee80211_rx_status?.frame, let h = frame.header else {
                kernel.tracer.notModeled("mac80211's RX handlers for a frame the capture shows converted to 802.3")
                return false
            }
            var result = ieee80211_rx_h_check_dup(kernel, sta: sta)
            if result == .RX_CONTINUE { result = ieee80211_rx_h_check(kernel, skb, frame, h, sta: sta) }
            guard result == .RX_CONTINUE else {
                ieee80211_rx_handlers_result(kernel, &skb, result)
                return false
            }
            return ieee80211_rx_handlers(kernel, &skb, sta: sta)
        }
    }

    /// Decides whether a station interface takes a frame fast RX did not: it needs a BSSID, and must be
    /// a group-addressed frame or one for the interface's own address.
    func ieee80211_accept_frame(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool {
        kernel.traced(rx.ieee80211_accept_frame) {
            let own = skb.dev.dev_addr
            // ieee80211_get_bssid: a block-ack request's BSSID is its transmitter, a PS-Poll's its receiver.
            if let header = skb.ieee80211_rx_status?.frame.header, header.bssid == nil,
               header.frameControl.type != .control || header.address2 == nil {
                kernel.tracer.note("no BSSID (a frame between access points): not for a station interface")
                return false
            }
            guard let receiver = receiverAddress(skb), !receiver.isMulticast else { return true }
            guard receiver == own else {
                kernel.tracer.note("addressed to \(receiver), not to this station (\(own)); the device's address filter "
                    + "normally keeps such frames from the driver")
                return false
            }
            return true
        }
    }

    /// Delivers an 802.3 frame from fast RX: counts it in the interface's receive counters
    /// (`dev_sw_netstats_rx_add`, the converted frame's length), classifies it (`eth_type_trans`)
    /// and passes it up.
    func ieee80211_rx_8023(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(rx.ieee80211_rx_8023) {
            countReceive(kernel, skb)
            kernel.eth_type_trans(&skb)
            ieee80211_deliver_skb_to_local_stack(kernel, &skb)
        }
    }

    /// Fast RX for a data frame from the associated AP: converts 802.11 to 802.3 without the handlers.
    /// Returns false for a frame it does not take (the caller goes on with the handlers), `nil` for a
    /// protected frame whose decrypted payload the capture does not hold (which decides). Before the
    /// receive list (4.14) it classifies the frame and hands it to GRO itself.
    func ieee80211_invoke_fast_rx(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool? {
        kernel.traced(rx.ieee80211_invoke_fast_rx, &skb) { skb in
            if let status = skb.ieee80211_rx_status {
                let frame = fastReceiveFrame(skb, status)
                if let why = fastReceiveRefusal(skb, status, frame) {
                    kernel.tracer.note("fast RX does not take it: \(why)")
                    return false
                }
                if status.ciphertext {
                    kernel.tracer.notModeled("the decrypted payload, which decides: fast RX takes the frame when it starts with an "
                        + "RFC 1042 header other than EAPOL's (as IP and ARP do); the capture, taken by another radio, holds the ciphertext")
                    return nil
                }
                convertTo8023(&skb, frame)
            } else if let receiver = receiverAddress(skb), !receiver.isMulticast, receiver != skb.dev.dev_addr {
                kernel.tracer.note("fast RX does not take it: not addressed to this station")
                return false
            }
            guard kernel.has(rx.ieee80211_rx_8023) else {
                countReceive(kernel, skb)
                kernel.eth_type_trans(&skb)
                if napi { kernel.napi_gro_receive(&skb) } else { kernel.netif_receive_skb(&skb) }
                return true
            }
            ieee80211_rx_8023(kernel, &skb)
            return true
        }
    }

    /// The address a frame was sent to over the air: the 802.11 header's address 1, or the Ethernet
    /// destination of a frame the capture shows converted; `nil` when a cooked capture kept no
    /// link-layer header (the model then lets the frame through, as before it knew of mac80211's checks).
    func receiverAddress(_ skb: SKBuff) -> MACAddress? {
        if let header = skb.ieee80211_rx_status?.frame.header { return header.address1 }
        guard !skb.linkLayerMissing else { return nil }
        return EthernetPacket(skb.bytes, at: skb.data)?.destination
    }

    /// The frame as fast RX reads it: past the CCMP or GCMP header of a protected frame (which the
    /// device leaves in place), with the LLC/SNAP header there when the capture holds the plaintext.
    func fastReceiveFrame(_ skb: SKBuff, _ status: IEEE80211RxStatus) -> WirelessFrame {
        var frame = status.frame
        guard frame.header?.frameControl.isProtected == true else { return frame }
        frame.bodyOffset += IEEE80211_CCMP_HDR_LEN
        if !status.ciphertext, let type = LLCSNAP.etherType(skb.bytes, at: frame.bodyOffset) {
            frame.etherType = type
            frame.networkOffset = frame.bodyOffset + LLCSNAP.headerLength
        }
        return frame
    }

    /// Why fast RX leaves an 802.11 frame to the handlers, or `nil` when it takes it: it takes
    /// unfragmented data from the AP to this station's own address, with an RFC 1042 header, no A-MSDU,
    /// and not of the control port protocol; on a link with a key, only frames the device decrypted
    /// and the driver checked the packet number of (`RX_FLAG_DECRYPTED`, `RX_FLAG_PN_VALIDATED`). (4.14's
    /// fast RX refuses A-MSDUs, 6.1's de-aggregates them; the iwlwifi device has split the unprotected ones.)
    func fastReceiveRefusal(_ skb: SKBuff, _ status: IEEE80211RxStatus, _ frame: WirelessFrame) -> String? {
        guard let h = frame.header else { return "the 802.11 header could not be read" }
        let fc = h.frameControl
        if u_mgd?.cipher != nil, !status.flag.isSuperset(of: [.RX_FLAG_DECRYPTED, .RX_FLAG_PN_VALIDATED]) {
            return fc.isProtected ? "not decrypted with its packet number checked by the driver" : "unprotected on a link with a pairwise key"
        }
        if fc.type != .data || fc.isNullData { return "not a data frame with a payload" }
        if !fc.fromDS || fc.toDS { return "not a frame from the distribution system (FromDS only)" }
        if h.address1 != skb.dev.dev_addr { return "not addressed to this station's own address" }
        if fc.moreFragments || h.fragmentNumber != 0 { return "a fragment" }
        if fc.isProtected, u_mgd?.cipher == nil { return "protected, on a link without a key" }
        if h.isAMSDU { return "an A-MSDU" }
        if status.ciphertext { return nil }
        guard frame.etherType != nil, (0..<6).allSatisfy({ skb.bytes.u8(at: frame.bodyOffset + $0) == LLCSNAP.rfc1042[$0] })
        else { return "no RFC 1042 header" }
        if frame.etherType == .eapol { return "the control port protocol (EAPOL), which needs the handlers" }
        return nil
    }

    /// Rewrites an 802.11 data frame's headers as the Ethernet header fast RX makes: destination,
    /// source, then the EtherType of the RFC 1042 header, followed by the payload.
    func convertTo8023(_ skb: inout SKBuff, _ frame: WirelessFrame) {
        guard let eth = ethernetFrame(frame, skb.bytes) else { return }
        skb.bytes = eth
        skb.data = 0
        skb.len = eth.count
        skb.ieee80211_rx_status = nil
    }

    /// An 802.11 data frame as an 802.3 frame: destination, source, the EtherType of its RFC 1042 header,
    /// then the payload; `nil` without an 802.11 header or an EtherType.
    func ethernetFrame(_ frame: WirelessFrame, _ bytes: [UInt8]) -> [UInt8]? {
        guard let h = frame.header, let type = frame.etherType else { return nil }
        let header = EthernetHeader(destination: h.destinationAddress, source: h.sourceAddress ?? .zero, etherType: type)
        let end = min(frame.end, bytes.count)
        let payload = max(0, end - frame.networkOffset)
        // Made at its full length at once (appending the payload to the header's 14 bytes reallocated).
        return [UInt8](unsafeUninitializedCapacity: EthernetPacket.headerLength + payload) { eth, count in
            header.write(to: eth.baseAddress!)
            if payload > 0 {
                bytes.withUnsafeBufferPointer {
                    (eth.baseAddress! + EthernetPacket.headerLength).initialize(from: $0.baseAddress! + frame.networkOffset, count: payload)
                }
            }
            count = EthernetPacket.headerLength + payload
        }
    }

    /// The receive counters fast RX and the handlers' delivery move, with the length of the 802.3 frame
    /// made (`ieee80211_rx_stats` in 4.14's `ieee80211_invoke_fast_rx` and `ieee80211_deliver_skb`,
    /// `dev_sw_netstats_rx_add` in `ieee80211_rx_8023` and `ieee80211_deliver_skb` from 6.1).
    func countReceive(_ kernel: Kernel, _ skb: SKBuff) {
        kernel.countLink(skb.dev) { $0.rx_packets += 1; $0.rx_bytes += skb.len }
    }

    /// Tries fast RX when the frame came from a known station, else checks the frame is for this
    /// interface and runs the handler chain. Returns whether the interface took it, and whether the
    /// model has an 802.3 frame for the stack.
    func ieee80211_prepare_and_rx_handle(_ kernel: Kernel, _ skb: inout SKBuff, fromStation: Bool)
        -> (taken: Bool, listed: Bool)
    {
        kernel.traced(rx.ieee80211_prepare_and_rx_handle) {
            if fromStation, fastReceiveReady {
                switch ieee80211_invoke_fast_rx(kernel, &skb) {
                case true?: return (true, true)
                case nil: return (true, false)
                case false?: break
                }
            }
            guard ieee80211_accept_frame(kernel, &skb) else { return (false, false) }
            return (true, ieee80211_invoke_rx_handlers(kernel, &skb, sta: fromStation))
        }
    }

    /// Whether the AP's station entry has fast RX set up: associated and authorized (an 802.3 capture
    /// of the interface implies both), and without a TKIP or WEP key (`ieee80211_check_fast_rx` leaves
    /// the Michael MIC and WEP to the handlers).
    var fastReceiveReady: Bool {
        guard let bss = u_mgd else { return true }
        let slowCiphers: [WLANCipherSuite] = [.TKIP, .WEP40, .WEP104]
        return bss.associated && bss.authorized && !slowCiphers.contains { $0 == bss.suite }
    }

    /// Hands a frame from no known station to an interface (6.1 on; 4.14 calls
    /// `ieee80211_prepare_and_rx_handle` directly).
    func ieee80211_rx_for_interface(_ kernel: Kernel, _ skb: inout SKBuff) -> (taken: Bool, listed: Bool) {
        kernel.traced(rx.ieee80211_rx_for_interface) { ieee80211_prepare_and_rx_handle(kernel, &skb, fromStation: false) }
    }

    /// Finds the station and interface of a received frame and processes it; frees it when no
    /// interface takes it. Returns whether an 802.3 frame is on the list for the stack.
    func __ieee80211_rx_handle_packet(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool {
        kernel.traced(rx.__ieee80211_rx_handle_packet) {
            let result: (taken: Bool, listed: Bool)
            if let header = skb.ieee80211_rx_status?.frame.header, !knowsStation(header) {
                kernel.tracer.note("transmitter \(header.address2.map(\.description) ?? "none") is no station this interface knows")
                result = kernel.has(rx.ieee80211_rx_for_interface)
                    ? ieee80211_rx_for_interface(kernel, &skb) : ieee80211_prepare_and_rx_handle(kernel, &skb, fromStation: false)
            } else {
                result = ieee80211_prepare_and_rx_handle(kernel, &skb, fromStation: true)
            }
            if !result.taken { kernel.dev_kfree_skb_undelivered(&skb) }
            return result.listed
        }
    }

    /// Whether the frame's transmitter is a station mac80211 (and the driver) has an entry for: the AP,
    /// from the start of authentication until the station leaves.
    public func knowsStation(_ header: IEEE80211Header) -> Bool {
        guard let bss = u_mgd else { return false }
        return header.address2 == bss.ap && bss.hasStation
    }

    /// Receives one frame into a list of frames for the stack, after offering it to monitor interfaces.
    /// Returns whether the list has a frame.
    func ieee80211_rx_list(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool {
        kernel.traced(rx.ieee80211_rx_list) {
            if let status = skb.ieee80211_rx_status, !ieee80211_rx_monitor(kernel, &skb, status) { return false }
            return __ieee80211_rx_handle_packet(kernel, &skb)
        }
    }

    /// mac80211's receive entry for drivers: processes the frame, then gives the resulting frames to
    /// GRO (`napi_gro_receive`) since the driver passed its NAPI context. (4.14 has no list: it offers
    /// the frame to monitor interfaces itself, and fast RX hands each frame to GRO.) Returns whether a
    /// frame went up to GRO.
    public func ieee80211_rx_napi(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool {
        kernel.traced(rx.ieee80211_rx_napi) {
            guard kernel.has(rx.ieee80211_rx_list) else {
                if let status = skb.ieee80211_rx_status, !ieee80211_rx_monitor(kernel, &skb, status) { return false }
                return __ieee80211_rx_handle_packet(kernel, &skb)
            }
            guard ieee80211_rx_list(kernel, &skb) else { return false }
            guard napi else {
                kernel.netif_receive_skb_list(&skb)
                return false
            }
            kernel.napi_gro_receive(&skb)
            return true
        }
    }
}
