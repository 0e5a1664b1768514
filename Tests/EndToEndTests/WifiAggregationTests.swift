import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace
import Wire

/// A-MSDUs, block-ack sessions and other action frames of a Wi-Fi station: the model tour's
/// aggregation frames, each through the iwlwifi driver and mac80211 as far as the kernel takes it.
@Suite("802.11 aggregation and action frames")
struct WifiAggregationTests {
    static func tour(_ version: String) throws -> [PacketTrace] {
        let session = try ReplaySession(frames: ModelTour.wifiAggregationFrames, captureName: "tour", host: ModelTour.wifiHost,
                                        kernelVersion: version)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    static func count(_ t: PacketTrace, _ function: String) -> Int { t.events.filter { $0.symbol?.function == function }.count }
    static func calls(_ t: PacketTrace, _ function: String) -> Bool { count(t, function) > 0 }
    static func notes(_ t: PacketTrace) -> [String] { t.events.compactMap { if case let .note(text, _) = $0 { text } else { nil } } }
    static func states(_ t: PacketTrace) -> [String] { t.events.compactMap { if case let .state(text, _) = $0 { text } else { nil } } }

    // Expectations from drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c (the device de-aggregates A-MSDUs,
    // iwl_mvm_rx_mpdu_mq clears the A-MSDU bit), net/mac80211/rx.c (ieee80211_rx_h_ctrl,
    // ieee80211_rx_h_action, ieee80211_rx_h_action_post_userspace, ieee80211_rx_h_action_return),
    // agg-rx.c, agg-tx.c, ht.c and spectmgmt.c of each version.
    @Test("each aggregation and action frame takes mac80211's branch for it", arguments: ["4.14", "6.1", "6.12"])
    func paths(_ version: String) throws {
        let t = try Self.tour(version)
        try #require(t.count == 26)
        let v612 = version == "6.12"
        // An A-MSDU of two echo requests: two MPDUs from the device, each through fast RX to icmp_rcv.
        #expect(Self.count(t[0], "iwl_mvm_rx_mpdu_mq") == 2 && Self.count(t[0], "icmp_rcv") == 2, "\(t[0].visibleFunctions)")
        #expect(t[0].verdict == .deliver && !Self.calls(t[0], "ieee80211_rx_handlers"))
        #expect(Self.count(t[0], "gro_normal_list") == (version == "4.14" ? 0 : 2))
        // A block-ack request without a session: a DELBA once, and cooked monitor only.
        #expect(t[1].verdict == .drop && Self.calls(t[1], "ieee80211_rx_h_ctrl"))
        #expect(t[1].dropReason == (v612 ? "RX_DROP_MONITOR" : nil))
        #expect(Self.notes(t[1]).contains { $0.hasPrefix("sends a DELBA for TID 0, reason 38") }, "\(Self.notes(t[1]))")
        // The AP's ADDBA request: queued, then in the interface work the session starts in the driver.
        #expect(Self.calls(t[2], "ieee80211_process_addba_request") && Self.calls(t[2], "iwl_mvm_sta_rx_agg"))
        #expect(Self.calls(t[2], "___ieee80211_start_rx_ba_session") == !v612)
        #expect(Self.calls(t[2], "ieee80211_iface_process_skb") == (version != "4.14"))
        #expect(Self.states(t[2]).contains { $0.hasPrefix("receive block-ack session on TID 0") }, "\(Self.states(t[2]))")
        #expect(Self.notes(t[2]).contains { $0.contains("ADDBA response, status 0") })
        // The station's ADDBA response, from agg-rx.c down to the driver.
        #expect(t[3].direction == .tx && t[3].verdict == .transmit && Self.calls(t[3], "ieee80211_send_addba_resp"))
        // Data on TID 0 in the session (rxmq.c's iwl_mvm_reorder, iwl_mvm_release_frames; the device's
        // window as the model keeps it): the frame at the head goes on at once; one past a gap is held.
        #expect(Self.calls(t[4], "iwl_mvm_reorder") && t[4].verdict == .deliver && Self.calls(t[4], "icmp_rcv"))
        #expect(t[5].verdict == .queue && !Self.calls(t[5], "ieee80211_rx_napi"), "\(t[5].visibleFunctions)")
        // A block-ack request within the session: no DELBA, mac80211 has no buffer; the device's window
        // moves to its starting sequence number and its frame release notification releases the held frame.
        #expect(t[6].verdict == .drop && !Self.notes(t[6]).contains { $0.hasPrefix("sends a DELBA") })
        #expect(Self.calls(t[6], "iwl_mvm_rx_frame_release") && Self.count(t[6], "icmp_rcv") == 1, "\(t[6].visibleFunctions)")
        #expect(Self.calls(t[6], "iwl_mvm_release_frames_from_notif") == (version != "4.14"))
        // A frame past a gap is held, the one that fills the gap goes on and releases it after itself.
        #expect(t[7].verdict == .queue && Self.count(t[7], "icmp_rcv") == 0)
        #expect(t[8].verdict == .deliver && Self.count(t[8], "icmp_rcv") == 2, "\(t[8].visibleFunctions)")
        #expect(Self.notes(t[8]).contains { $0.hasPrefix("frame 8, held for 1 ms, released") }, "\(Self.notes(t[8]))")
        // A frame held twice: the copy is dropped (the device's duplicate flag on 6.12, the driver before).
        #expect(t[9].verdict == .queue)
        #expect(t[10].verdict == .drop && Self.notes(t[10]).contains { $0.contains(v612 ? "IWL_RX_MPDU_STATUS_DUPLICATE" : "a retransmission") },
                "\(Self.notes(t[10]))")
        // Its wait ends before the next frame: the driver's timer (no NAPI context: mac80211 hands the frame
        // to the stack itself), on 6.12 the device's frame release notification (through GRO).
        let timer = try #require(t[11].timers.first)
        #expect(timer.function == (v612 ? "iwl_mvm_rx_frame_release" : "iwl_mvm_reorder_timer_expired") && timer.armedBy == 10)
        let released = timer.events.compactMap(\.symbol?.function)
        #expect(released.contains("icmp_rcv") && released.contains(v612 ? "gro_normal_list" : version == "6.1" ? "netif_receive_skb_list" : "netif_receive_skb"),
                "\(released)")
        // An old frame, before the window: dropped.
        #expect(t[11].verdict == .drop && Self.count(t[11], "icmp_rcv") == 0)
        // The AP's DELBA as originator ends the receive session, the driver told; the frame held then goes
        // up from the RX queue's notification, without a NAPI context.
        #expect(t[12].verdict == .queue)
        #expect(Self.calls(t[13], "ieee80211_process_delba") && Self.calls(t[13], "drv_ampdu_action"))
        #expect(Self.calls(t[13], "iwl_mvm_sync_rx_queues_internal"))
        #expect(Self.states(t[13]).contains { $0.contains("ended (by the AP") }, "\(Self.states(t[13]))")
        let notification = try #require(t[14].timers.first)
        #expect(notification.function == "iwl_mvm_rx_queue_notif" && notification.armedBy == 14)
        let up = notification.events.compactMap(\.symbol?.function)
        #expect(up.contains("icmp_rcv") && up.contains(version == "4.14" ? "netif_receive_skb" : "netif_receive_skb_list"), "\(up)")
        // A malformed ADDBA request is returned: 6.12 frees it with its own reason.
        #expect(t[14].verdict == .drop && Self.calls(t[14], "ieee80211_rx_h_action_return"))
        #expect(t[14].dropReason == (v612 ? "RX_DROP_U_UNKNOWN_ACTION_REJECTED" : nil))
        #expect(Self.notes(t[14]).contains { $0.contains("IEEE80211_RX_MALFORMED_ACTION_FRM") })
        #expect(t[15].verdict == .transmit && Self.calls(t[15], "ieee80211_rx_h_action_return") && Self.calls(t[15], "__ieee80211_tx_skb_tid_band"))
        // An SA Query request is answered (in ieee80211_rx_h_action in 4.14, after user space from 6.1).
        #expect(t[16].verdict == .deliver && Self.calls(t[16], "ieee80211_process_sa_query_req"))
        #expect(Self.calls(t[16], "ieee80211_rx_h_action_post_userspace") == (version != "4.14"))
        #expect(t[17].verdict == .transmit && Self.calls(t[17], "ieee80211_process_sa_query_req"))
        // A measurement request on 5 GHz is refused.
        #expect(t[18].verdict == .deliver && Self.calls(t[18], "ieee80211_process_measurement_req"))
        #expect(t[19].verdict == .transmit && Self.calls(t[19], "ieee80211_send_refuse_measurement_request"))
        // The station's own ADDBA request, and the AP's answer makes the session operational.
        #expect(t[20].verdict == .transmit && Self.calls(t[20], "ieee80211_send_addba_request"))
        #expect(Self.calls(t[21], "ieee80211_process_addba_resp"))
        #expect(Self.states(t[21]).contains { $0.contains("TID 6 operational") }, "\(Self.states(t[21]))")
        #expect(t[22].verdict == .transmit && Self.calls(t[22], "ieee80211_send_delba"))
        // An HT channel width notification is handled in place.
        #expect(t[23].verdict == .deliver && !Self.calls(t[23], "ieee80211_iface_work"))
        // A returned frame is not returned again; a stranger's block-ack frame is dropped at once: in
        // ieee80211_rx_h_action before 6.12; 6.12's ieee80211_rx_h_mgmt_check drops it first
        // (ieee80211_drop_unencrypted_mgmt: a robust action frame from no associated station).
        #expect(t[24].verdict == .drop && t[24].dropReason == (v612 ? "RX_DROP_U_REJECTED_ACTION_RESPONSE" : nil))
        #expect(t[25].verdict == .drop && t[25].dropReason == (v612 ? "RX_DROP_U_UNPROT_ROBUST_ACTION" : nil))
        #expect(v612 || t[25].events.contains { if case let .note(text, _) = $0 { text.contains("from no station") } else { false } })
        #expect(!Self.calls(t[25], "ieee80211_iface_work"))
    }

    /// The real 6.1 kernel's processing of an ADDBA request (Fixtures/oracle-wifi/addba_ht20: the Wi-Fi
    /// oracle in HT20, where minstrel_ht opens a block-ack session for the first QoS data frame) against
    /// the model's: the interface work hands it to ieee80211_process_addba_request, which asks the driver
    /// (drv_ampdu_action) and sends the response through ieee80211_tx_skb_tid. Compared: the mac80211
    /// functions the model shows as frames of their own, in order, up to the response's TXQ (the hwsim
    /// driver has none: the rest differs).
    @Test("the ADDBA request's path matches the real 6.1 kernel's")
    func oracleAddBA() throws {
        let text = try String(contentsOfFile: Repository.path("Fixtures/oracle-wifi/addba_ht20/addba_request.txt"), encoding: .utf8)
        let real = text.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("[mac80211]"), !line.contains("}") else { return nil }
            return line.trimmingCharacters(in: .whitespaces).components(separatedBy: " [").first
        }
        let symbols = Set(try String(contentsOfFile: Repository.path("Fixtures/oracle-wifi/addba_ht20/mac80211_symbols.txt"),
                                     encoding: .utf8).split(separator: "\n").map(String.init))
        let t = try Self.tour("6.1")
        func visible(_ trace: PacketTrace) -> [String] {
            trace.events.compactMap { e -> String? in
                guard case let .call(sym, _, inline) = e, !inline, sym.file.hasPrefix("net/mac80211/") else { return nil }
                return sym.function
            }
        }
        let model = visible(t[2]) + visible(t[3])
        let known = Set(model)
        let upToQueue = { (list: [String]) in Array(list.prefix { $0 != "ieee80211_queue_skb" }) }
        let mac80211Start = try #require(model.firstIndex(of: "ieee80211_iface_work"))
        #expect(upToQueue(Array(model[mac80211Start...])) == upToQueue(real.filter { known.contains($0) }), "model vs real kernel")
        #expect(real.starts(with: ["ieee80211_iface_work", "sta_info_get_bss", "ieee80211_process_addba_request", "drv_ampdu_action"]))
        // What the model shows inline has no symbol, or was folded in at this call site.
        for e in Array(t[2].events) + Array(t[3].events) {
            guard case let .call(sym, _, inline) = e, sym.file.hasPrefix("net/mac80211/") else { continue }
            let hasSymbol = symbols.contains(sym.function), inReal = real.contains(sym.function)
            #expect(inline || hasSymbol, "\(sym.function) is a frame in the model but has no symbol")
            #expect(!inline || !inReal, "\(sym.function) is a frame in the real trace")
        }
    }

    @Test("an A-MSDU cut short: the subframes that fit go up, the rest is said to be not modeled")
    func truncatedAMSDU() throws {
        var frame = try #require(ModelTour.wifiAggregationFrames.first)
        frame.bytes.removeLast(20)
        let session = try ReplaySession(frames: [frame], captureName: "x", host: ModelTour.wifiHost, kernelVersion: "6.1")
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        let t = try #require(out.first)
        #expect(Self.count(t, "iwl_mvm_rx_mpdu_mq") == 1 && Self.count(t, "icmp_rcv") == 1)
        #expect(t.events.contains { if case let .notModeled(text, _) = $0 { text.contains("after subframe 1") } else { false } })
    }
}
