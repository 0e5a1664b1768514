import Capture
import Foundation
import Replay
import Testing
import TestSupport
@testable import Trace
import Wire

/// 802.11 monitor-mode captures: read, the station inferred, and each frame taken through the
/// iwlwifi driver's receive into mac80211 as far as the model goes.
@Suite("802.11 captures")
struct WifiCaptureTests {
    /// The mac80211 part of a frame's path as the Wi-Fi oracle records it: the functions of
    /// net/mac80211 and net/wireless the model shows as frames of their own, and `eth_type_trans`.
    static func mac80211Path(_ t: PacketTrace) -> [String] {
        t.events.compactMap { e -> String? in
            guard case let .call(sym, _, inline) = e, !inline,
                  sym.file.hasPrefix("net/mac80211/") || sym.file.hasPrefix("net/wireless/") || sym.function == "eth_type_trans"
            else { return nil }
            return sym.function
        }
    }

    /// The model tour's Wi-Fi frames under `version`.
    static func tour(_ version: String) throws -> [PacketTrace] {
        let session = try ReplaySession(frames: ModelTour.wifiFrames, captureName: "tour", host: ModelTour.wifiHost,
                                        kernelVersion: version)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    static func notModeled(_ t: PacketTrace) -> [String] {
        t.events.compactMap { if case let .notModeled(text, _) = $0 { text } else { nil } }
    }

    static func calls(_ t: PacketTrace, _ function: String) -> Bool { t.events.contains { $0.symbol?.function == function } }

    static func states(_ t: PacketTrace) -> [String] {
        t.events.compactMap { if case let .state(text, _) = $0 { text } else { nil } }
    }

    // Expectations from net/mac80211/rx.c (ieee80211_rx_handlers, ieee80211_invoke_rx_handlers and each
    // ieee80211_rx_h_*), net/mac80211/mlme.c (ieee80211_sta_rx_queued_mgmt and ieee80211_rx_mgmt_*),
    // net/mac80211/iface.c (ieee80211_iface_work) and drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c
    // (iwl_mvm_is_dup) of each version.
    @Test("each frame takes mac80211's branch for it", arguments: ["4.14", "6.1", "6.12"])
    func tourPaths(_ version: String) throws {
        let t = try Self.tour(version)
        try #require(t.count == 27)
        let entry = version == "4.14" ? "ieee80211_rx_napi" : "ieee80211_rx_list"
        // Data from the AP to the station: fast RX converts it and the stack answers the ping.
        #expect(t[0].verdict == .deliver && t[0].proto == "icmp", "\(t[0].visibleFunctions)")
        #expect(Self.calls(t[0], "ieee80211_invoke_fast_rx") && !Self.calls(t[0], "ieee80211_rx_handlers"))
        #expect(t[0].visibleFunctions.contains("icmp_rcv"))
        // A bad FCS: only monitor interfaces would take it.
        #expect(t[1].verdict == .drop && t[1].dropFunction == entry && t[1].dropReason == nil)
        #expect(Self.calls(t[1], "ieee80211_rx_monitor"))
        // Data for another station of the BSS: fast RX refuses it, ieee80211_accept_frame too.
        #expect(t[2].verdict == .drop && t[2].dropFunction == entry)
        #expect(Self.calls(t[2], "ieee80211_accept_frame") && !Self.calls(t[2], "ieee80211_rx_handlers"))
        #expect(!t[2].visibleFunctions.contains("ip_rcv"))
        // A beacon of its BSS: ieee80211_rx_h_mgmt queues it, the interface work hands it to the MLME,
        // which frees it with kfree_skb (a drop to the tracepoint, reason NOT_SPECIFIED where named).
        #expect(Self.calls(t[3], "ieee80211_rx_h_mgmt") && Self.calls(t[3], "ieee80211_rx_mgmt_beacon"))
        #expect(Self.calls(t[3], "ieee80211_queue_skb_to_iface") == (version != "4.14"))
        #expect(Self.calls(t[3], "ieee80211_iface_process_skb") == (version != "4.14"))
        #expect(t[3].verdict == .drop && t[3].dropFunction == "ieee80211_iface_work")
        #expect(t[3].dropReason == (version == "4.14" ? nil : "SKB_DROP_REASON_NOT_SPECIFIED"))
        // Data from a transmitter the station does not know: 6.x hands it to the interface loop.
        #expect(t[4].verdict == .drop)
        #expect(Self.calls(t[4], "ieee80211_rx_for_interface") == (version != "4.14"))
        // An ACK is a control frame for monitor interfaces only.
        #expect(t[5].verdict == .drop && Self.calls(t[5], "ieee80211_rx_monitor"))
        // A broadcast ARP request from the AP: fast RX takes no group-addressed frame; ieee80211_rx_h_data
        // converts it and ieee80211_deliver_skb passes it up (to the receive list from 6.1, GRO in 4.14).
        #expect(t[6].verdict == .deliver && t[6].proto == "arp", "\(t[6].visibleFunctions)")
        #expect(Self.calls(t[6], "ieee80211_rx_h_data") && Self.calls(t[6], "ieee80211_deliver_skb"))
        #expect(Self.calls(t[6], "ieee80211_data_to_8023_exthdr") && Self.calls(t[6], "arp_rcv"))
        // The first frame again with Retry set: the driver drops the duplicate before mac80211.
        #expect(t[7].verdict == .drop && t[7].dropFunction == "iwl_mvm_rx_mpdu_mq", "\(t[7].visibleFunctions)")
        #expect(Self.calls(t[7], "iwl_mvm_is_dup") && !Self.calls(t[7], "ieee80211_rx_napi"))
        // A probe response to the station goes to the BSS information.
        #expect(Self.calls(t[8], "ieee80211_rx_mgmt_probe_resp") && Self.calls(t[8], "ieee80211_rx_bss_info"))
        // EAPOL from the AP: to the supplicant over nl80211 from 6.1; up the stack to its packet socket in 4.14.
        if version == "4.14" {
            #expect(t[9].verdict == .deliver && Self.calls(t[9], "napi_gro_receive"), "\(t[9].visibleFunctions)")
        } else {
            #expect(t[9].verdict == .deliver && t[9].proto == "eapol" && Self.calls(t[9], "cfg80211_rx_control_port"))
        }
        // Deauthentication by the AP: the station leaves the BSS.
        #expect(Self.calls(t[10], "ieee80211_rx_mgmt_deauth"))
        #expect(Self.states(t[10]).contains { $0.hasPrefix("deauthenticated") }, "\(Self.states(t[10]))")
        // Data after it: no station entry, so no fast RX; ieee80211_rx_h_check drops it (RX_DROP_MONITOR).
        #expect(t[11].verdict == .drop && !Self.calls(t[11], "ieee80211_invoke_fast_rx"))
        #expect(Self.calls(t[11], "ieee80211_rx_h_check") && !Self.calls(t[11], "ieee80211_rx_handlers"))
        #expect(t[11].dropReason == (version == "6.12" ? "RX_DROP_MONITOR" : nil))
        // The station authenticates (its request is a frame it sends: mac80211's own management frame,
        // on the AP's management TXQ from 6.1, to the driver's tx in 4.14) and the AP answers.
        #expect(t[12].direction == .tx && Self.states(t[12]).contains { $0.contains("auth_data") })
        #expect(t[12].verdict == .transmit && Self.calls(t[12], "ieee80211_send_auth") && Self.calls(t[12], "iwl_mvm_tx_mpdu"))
        #expect(Self.calls(t[12], "invoke_tx_handlers_early") && Self.calls(t[12], "invoke_tx_handlers_late"))
        #expect(Self.calls(t[12], version == "4.14" ? "iwl_mvm_mac_tx" : "iwl_mvm_mac_wake_tx_queue"), "\(t[12].visibleFunctions)")
        #expect(Self.calls(t[13], "ieee80211_rx_mgmt_auth") && Self.states(t[13]).contains { $0.hasPrefix("authenticated") })
        // It asks for association and the AP accepts: an open BSS, so the port is authorized at once.
        #expect(t[14].direction == .tx && Self.states(t[14]).contains { $0.contains("assoc_data") })
        #expect(t[14].verdict == .transmit && Self.calls(t[14], "ieee80211_send_assoc"))
        #expect(Self.calls(t[15], "ieee80211_rx_mgmt_assoc_resp"))
        #expect(Self.states(t[15]).contains { $0.contains("port is authorized") }, "\(Self.states(t[15]))")
        // A block-ack request passes the monitor check; ieee80211_rx_h_ctrl sends a DELBA (no session on
        // its TID) and leaves it to cooked monitor interfaces.
        #expect(t[16].verdict == .drop && Self.calls(t[16], "ieee80211_rx_h_ctrl"))
        #expect(t[16].dropReason == (version == "6.12" ? "RX_DROP_MONITOR" : nil))
        // A disassociation from the AP: the station leaves the BSS again.
        #expect(Self.calls(t[17], "ieee80211_rx_mgmt_disassoc"))
        #expect(Self.states(t[17]).contains { $0.hasPrefix("disassociated") }, "\(Self.states(t[17]))")
        // It joins again, a BSS with privacy now: the port stays closed until the 4-way handshake.
        #expect(Self.states(t[21]).contains { $0.contains("port stays closed") }, "\(Self.states(t[21]))")
        // Messages 2 and 4 leave before the port opens: no fast-xmit template, so the slow path
        // (ieee80211_build_hdr, ieee80211_xmit and the handlers); the supplicant hands them over nl80211 from
        // 6.1 (ieee80211_tx_control_port), through a packet socket and dev_queue_xmit in 4.14.
        for i in [22, 23] {
            #expect(t[i].direction == .tx && t[i].verdict == .transmit, "\(version) frame \(i + 1)")
            #expect(Self.calls(t[i], "ieee80211_build_hdr") && !Self.calls(t[i], "ieee80211_xmit_fast"), "\(t[i].visibleFunctions)")
            #expect(Self.calls(t[i], "ieee80211_tx_h_check_control_port_protocol") && Self.calls(t[i], "ieee80211_tx_h_encrypt"))
            #expect(Self.calls(t[i], version == "4.14" ? "dev_queue_xmit" : "ieee80211_tx_control_port"))
            // iwlwifi does rate control in the firmware on the model's 6.x devices; 4.14's mac80211 does it.
            #expect(Self.calls(t[i], "ieee80211_tx_h_rate_ctrl") == (version == "4.14"))
        }
        #expect(Self.states(t[23]).contains { $0.hasPrefix("4-way handshake complete") })
        // With the port open, the echo reply to frame 1's request takes fast xmit from the stack's icmp_reply.
        #expect(t[24].verdict == .transmit && t[24].causedBy == 1, "\(t[24].visibleFunctions)")
        #expect(Self.calls(t[24], "icmp_reply") && Self.calls(t[24], "ieee80211_subif_start_xmit"))
        #expect(Self.calls(t[24], "ieee80211_xmit_fast") && !Self.calls(t[24], "ieee80211_build_hdr"))
        // Null data and a deauthentication are mac80211's own frames.
        #expect(t[25].verdict == .transmit && Self.calls(t[25], "ieee80211_send_nullfunc") && Self.calls(t[25], "ieee80211_tx"))
        #expect(t[26].verdict == .transmit && Self.calls(t[26], "ieee80211_send_deauth_disassoc"))
    }

    /// The real 6.1 kernel's receive of a broadcast ARP request (Fixtures/oracle-wifi/broadcast_arp: the
    /// Wi-Fi oracle, an IBSS station over mac80211_hwsim) against the model's receive of the same frame as
    /// a station gets it from its AP. Group-addressed data takes no fast RX in either mode, so from
    /// ieee80211_rx_napi to ieee80211_deliver_skb_to_local_stack both run the same code of net/mac80211/rx.c
    /// (ieee80211_rx_handlers → ieee80211_rx_h_data → ieee80211_frame_allowed → ieee80211_deliver_skb).
    /// Compared: the functions of mac80211, cfg80211 and eth_type_trans the oracle could trace (symbols)
    /// and the model knows, in order.
    /// mac80211 counts a received data frame in the interface's counters where it hands the 802.3 frame up:
    /// fast RX (`ieee80211_rx_8023` from 6.1; 4.14 inside `ieee80211_invoke_fast_rx`) and the handlers'
    /// `ieee80211_deliver_skb` (net/mac80211/rx.c of 4.14, 6.1 and 6.12: `ieee80211_rx_stats` or
    /// `dev_sw_netstats_rx_add` first thing), EAPOL included; frames dropped before either are not counted.
    /// An 802.11 frame carrying IPv4 has its summary written on the output thread, from a copy of the
    /// frame's first bytes: it must read as the summary written from the whole frame at once, which the
    /// other frames still get.
    @Test("802.11 summaries written later read as those written from the whole frame")
    func deferredSummaries() throws {
        let frames = ModelTour.wifiFrames + ModelTour.wifiAggregationFrames
        let session = try ReplaySession(frames: frames, captureName: "tour", host: ModelTour.wifiHost, kernelVersion: "6.1")
        var traces: [PacketTrace] = []
        _ = try session.run { traces.append($0) }
        try #require(traces.count == frames.count)
        var deferred = 0
        for (t, f) in zip(traces, frames) {
            let encapsulation: RadioEncapsulation = switch f.linkType {
            case .DLT_IEEE802_11_RADIO: .radiotap
            case .DLT_PPI: .ppi
            default: .none
            }
            #expect(t.summary == WirelessFrame(f.bytes, encapsulation: encapsulation).describe(f.bytes), "frame \(t.frame)")
            if case .deferred = t.summaryStorage { deferred += 1 }
        }
        #expect(deferred > 0 && deferred < traces.count, "\(deferred) of \(traces.count) summaries deferred")
    }

    @Test("wlan0 counts what fast RX and the RX handlers deliver", arguments: ["6.1", "6.12"])
    func receiveCounters(_ version: String) throws {
        var traces: [PacketTrace] = []
        let session = try ReplaySession(frames: ModelTour.wifiFrames, captureName: "tour", host: ModelTour.wifiHost,
                                        kernelVersion: version)
        let run = try session.run { traces.append($0) }
        let delivered = traces.filter { Self.calls($0, "ieee80211_deliver_skb") }.count
        let fast = traces.filter { Self.calls($0, "ieee80211_rx_8023") }.count
        #expect(delivered > 0 && fast > 0)
        #expect(run.devices["wlan0"]?.rxPackets == delivered + fast)
    }

    @Test("the RX handler path of a group-addressed data frame matches the real 6.1 kernel's")
    func oracleBroadcast() throws {
        let folder = Repository.path("Fixtures/oracle-wifi/broadcast_arp")
        var captured = CapturedFrame(index: 0, timestampNanoseconds: 0, bytes: [])
        try #require(try PcapFile(path: folder + "/capture.pcap").read(into: &captured))
        let ethernet = captured.bytes
        let oracleText = try String(contentsOfFile: folder + "/oracle.jsonl", encoding: .utf8)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(oracleText.utf8)) as? [String: Any])
        let real = (record["rx"] as? [[String: Any]] ?? []).filter {
            ["mac80211", "cfg80211"].contains($0["module"] as? String) || ($0["func"] as? String) == "eth_type_trans"
        }.compactMap { $0["func"] as? String }
        #expect(real.contains("ieee80211_rx_handlers") && real.contains("ieee80211_deliver_skb"), "\(real)")
        // The same Ethernet frame as a station receives it: FromDS, from the AP, with the sender as source.
        let dut = try #require(MACAddress("02:00:00:00:00:01")), ap = try #require(MACAddress("02:0b:55:00:00:01"))
        func mac(_ m: MACAddress) -> [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: m.rawValue >> UInt64(40 - 8 * $0)) } }
        let frame: [UInt8] = [0, 0, 8, 0, 0, 0, 0, 0] + [0x08, 0x02, 0, 0] + Array(ethernet[0..<6]) + mac(ap)
            + Array(ethernet[6..<12]) + [0x10, 0x00] + LLCSNAP.rfc1042 + Array(ethernet[12...])
        let host = try HostProfile.parse(Data("""
            { "interfaces": [ { "name": "wlan0", "driver": "iwlwifi", "mac": "\(dut)", "addresses": ["192.0.2.2/24"],
                                "captured": true, "wifi": { "bssid": "\(ap)" } } ] }
            """.utf8))
        let session = try ReplaySession(frames: [CapturedFrame(index: 1, timestampNanoseconds: 1, bytes: frame,
                                                               linkType: .DLT_IEEE802_11_RADIO)],
                                        captureName: "broadcast_arp", host: host, kernelVersion: "6.1")
        var traces: [PacketTrace] = []
        _ = try session.run { traces.append($0) }
        let t = try #require(traces.first)
        let modeled = Set(t.functions)
        #expect(Self.mac80211Path(t) == real.filter { modeled.contains($0) }, "model vs real kernel (mac80211 part)")
        #expect(t.verdict == .deliver && t.proto == "arp")
        #expect(real.count > 8)
    }

    @Test("on an interface that is not Wi-Fi, an 802.11 frame is not replayed, and says why")
    func notOnVeth() throws {
        let host = ModelTour.host(driver: "veth")
        let session = try ReplaySession(frames: Array(ModelTour.wifiFrames.prefix(1)), captureName: "x", host: host)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        let t = try #require(out.first)
        #expect(t.verdict == .unknown)
        #expect(Self.notModeled(t).contains { $0.contains("Wi-Fi interface (driver iwlwifi), not on veth") }, "\(Self.notModeled(t))")
    }

    @Test("an Ethernet-framed unicast frame for another station stops in mac80211, not in ip_rcv_core")
    func ethernetOtherStation() throws {
        let host = ModelTour.wifiHost
        let other = try #require(MACAddress("02:00:00:00:0f:00"))
        let peer = try #require(MACAddress("02:00:00:00:0e:00"))
        let frame = FrameBuilder(source: peer, destination: other).ipv4(
            try #require(IPv4Address("10.77.0.2")), try #require(IPv4Address("10.77.0.1")), .icmp,
            FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0, 1, 0, 1]))
        for version in ["4.14", "6.1", "6.12"] {
            let session = try ReplaySession(frames: [CapturedFrame(index: 1, timestampNanoseconds: 1, bytes: frame)],
                                            captureName: "x", host: host, kernelVersion: version)
            var out: [PacketTrace] = []
            _ = try session.run { out.append($0) }
            let t = try #require(out.first)
            #expect(t.verdict == .drop, "\(version)")
            #expect(t.dropFunction?.contains("ieee80211") == true, "\(version): \(String(describing: t.dropFunction))")
            #expect(!t.visibleFunctions.contains("ip_rcv_core"), "\(version)")
        }
    }

    @Test("a WPA association capture: the station is inferred and every frame is traced",
          .enabled(if: SharedFolder.runs("captures/public"), Comment(rawValue: SharedFolder.skipReason("captures/public"))))
    func wpaAuthentication() throws {
        let path = SharedFolder.path("captures/public/3e80211_wpaauth.pcapng")
        let inferred = try HostInference.infer(path: path, driver: "iwlwifi")
        let wlan = try #require(inferred.profile.interfaces.first)
        #expect(wlan.mac == MACAddress("ac:cf:5c:78:6c:9c"))
        #expect(wlan.wifi?.bssid == MACAddress("28:c6:8e:ab:96:16"))
        // The capture shows the association, so the station starts before it.
        #expect(wlan.wifi?.associated == false && wlan.wifi?.authorized == false)
        #expect(inferred.assumptions.first?.hasPrefix("Wi-Fi station ac:cf:5c:78:6c:9c of BSS 28:c6:8e:ab:96:16, not yet "
            + "associated") == true, "\(inferred.assumptions)")
        for version in ["4.14", "6.1", "6.12"] {
            let session = try ReplaySession(capture: try PcapFile(path: path), captureName: "wpa", host: inferred.profile,
                                            kernelVersion: version)
            var traces: [PacketTrace] = []
            _ = try session.run { traces.append($0) }
            try #require(traces.count == 12)
            // What the station sent is TX; what it received starts in the iwlwifi driver.
            for t in traces where t.direction == .rx {
                #expect(t.visibleFunctions.first == "iwl_mvm_rx_mpdu_mq", "frame \(t.frame)")
            }
            #expect(traces.map { $0.direction == .tx } == [false, true, false, true, false, true, false, false, true, false, true, false])
            // 1 beacon, 3 probe response, 5 authentication, 7 association response: each goes through the
            // RX handlers to the station's MLME, which frees it (kfree_skb) in the interface work.
            let mlme = [0: "ieee80211_rx_mgmt_beacon", 2: "ieee80211_rx_mgmt_probe_resp", 4: "ieee80211_rx_mgmt_auth",
                        6: "ieee80211_rx_mgmt_assoc_resp"]
            for (i, function) in mlme {
                #expect(Self.calls(traces[i], function), "\(version) frame \(i + 1)")
                #expect(traces[i].verdict == .drop && traces[i].dropFunction == "ieee80211_iface_work", "\(version) frame \(i + 1)")
            }
            // The station's requests start authentication and association; the AP's answers complete them.
            #expect(Self.states(traces[3]).contains { $0.contains("auth_data") })
            #expect(Self.states(traces[4]).contains { $0.hasPrefix("authenticated with 28:c6:8e:ab:96:16") })
            #expect(Self.states(traces[6]).contains { $0.contains("port stays closed") }, "\(Self.states(traces[6]))")
            // Messages 1 and 3 of the 4-way handshake reach the supplicant although the port is closed.
            for i in [7, 9] {
                #expect(traces[i].verdict == .deliver, "\(version) frame \(i + 1)")
                #expect(Self.calls(traces[i], "ieee80211_802_1x_port_control"))
            }
            // Message 4 opens the port and installs the keys of the cipher the association request's WPA
            // element named (TKIP). The protected group frame after it is the AP's echo of the station's
            // own multicast: the device decrypts it with the group key, mac80211 checks its TKIP IV and
            // Michael MIC, and the 802.3 conversion refuses a group frame whose source is the station
            // (ieee80211_data_to_8023_exthdr in net/wireless/util.c): RX_DROP_UNUSABLE, named in 6.12.
            #expect(Self.states(traces[5]).contains { $0.contains("pairwise cipher TKIP") }, "\(Self.states(traces[5]))")
            #expect(Self.states(traces[10]).contains { $0.hasPrefix("4-way handshake complete") })
            #expect(traces[11].verdict == .drop && Self.notModeled(traces[11]).isEmpty, "\(version) \(Self.notModeled(traces[11]))")
            for function in ["iwl_mvm_rx_crypto", "ieee80211_crypto_tkip_decrypt", "ieee80211_tkip_decrypt_data",
                             "ieee80211_rx_h_michael_mic_verify", "ieee80211_data_to_8023_exthdr"] {
                #expect(Self.calls(traces[11], function), "\(version) \(function)")
            }
            #expect(traces[11].dropFunction == "ieee80211_rx_handlers_result", "\(version)")
            #expect(traces[11].dropReason == (version == "6.12" ? "RX_DROP_U_INVALID_8023" : nil), "\(version)")
            // What the station sent is traced from where its kernel made it: the probe request by the
            // firmware's scan, authentication and association by the MLME, messages 2 and 4 by the supplicant.
            #expect(traces[1].verdict == .transmit && traces[1].events.contains {
                if case let .note(text, _) = $0 { text.contains("iwl_mvm_mac_hw_scan") } else { false }
            })
            let origins = [3: "ieee80211_send_auth", 5: "ieee80211_send_assoc",
                           8: version == "4.14" ? "dev_queue_xmit" : "ieee80211_tx_control_port",
                           10: version == "4.14" ? "dev_queue_xmit" : "ieee80211_tx_control_port"]
            for (i, function) in origins {
                #expect(traces[i].verdict == .transmit && Self.calls(traces[i], function), "\(version) frame \(i + 1)")
                #expect(Self.calls(traces[i], "iwl_mvm_tx_mpdu"), "\(version) frame \(i + 1)")
            }
            // Message 4 leaves before the supplicant opens the port: the slow path, as message 2.
            #expect(Self.calls(traces[10], "ieee80211_build_hdr") && !Self.calls(traces[10], "ieee80211_xmit_fast"))
            // Before the RX handlers were modeled all 12 frames ended unknown, before the transmit path 6,
            // before decryption 1; now none does.
            #expect(traces.filter { $0.verdict == .unknown }.count == 0, "\(version)")
        }
    }

    @Test("tcpdump's radiotap captures are all replayed, frame by frame",
          .enabled(if: SharedFolder.runs("captures/tcpdump-tests"), Comment(rawValue: SharedFolder.skipReason("captures/tcpdump-tests"))))
    func tcpdumpRadiotap() throws {
        let folder = SharedFolder.path("captures/tcpdump-tests")
        var replayed = 0
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
            guard let file = try? PcapFile(path: folder + "/" + name), file.linkType == .DLT_IEEE802_11_RADIO else { continue }
            let inferred = try HostInference.infer(path: folder + "/" + name, driver: "iwlwifi")
            let session = try ReplaySession(capture: file, captureName: name, host: inferred.profile)
            var frames = 0
            do {
                _ = try session.run { t in
                    frames += 1
                    #expect(!t.events.isEmpty, "\(name) frame \(t.frame)")
                }
            } catch is CaptureError {
                // A capture cut short mid-record: the frames before the break were traced.
            }
            #expect(frames > 0, "\(name)")
            replayed += 1
        }
        #expect(replayed >= 170)
    }
}
