import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace
import Wire

/// Protected 802.11 frames and fragments: what the iwlwifi device decrypts, the key mac80211 chooses,
/// its replay checks, and reassembly, per version.
@Suite("802.11 decryption and defragmentation")
struct WifiCryptoTests {
    /// The tour's protected frames for a station with `cipher` keys under `version`.
    static func traces(_ frames: [CapturedFrame], cipher: String, pmf: Bool = false, authorized: Bool = true,
                       _ version: String) throws -> [PacketTrace] {
        let session = try ReplaySession(frames: frames, captureName: "crypto",
                                        host: ModelTour.wifiCryptoHost(cipher: cipher, pmf: pmf, authorized: authorized),
                                        kernelVersion: version)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    static func calls(_ t: PacketTrace, _ function: String) -> Bool { t.events.contains { $0.symbol?.function == function } }

    static func notModeled(_ t: PacketTrace) -> [String] {
        t.events.compactMap { if case let .notModeled(text, _) = $0 { text } else { nil } }
    }

    /// 6.12's reason for a mac80211 drop; `nil` before, where mac80211 frees with `dev_kfree_skb`.
    static func reason(_ name: String, _ version: String) -> String? { version == "6.12" ? name : nil }

    // Expectations from net/mac80211/rx.c (ieee80211_invoke_fast_rx, ieee80211_rx_h_decrypt,
    // ieee80211_reassemble_add/_find, ieee80211_rx_h_defragment), net/mac80211/wpa.c
    // (ieee80211_crypto_ccmp_decrypt, _gcmp_decrypt, _tkip_decrypt, ieee80211_rx_h_michael_mic_verify),
    // net/mac80211/tkip.c (ieee80211_tkip_decrypt_data), net/mac80211/drop.h (6.12's reasons) and
    // drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c (iwl_mvm_rx_crypto, iwl_mvm_check_pn) of each version.
    @Test("CCMP frames: the device decrypts, the driver or mac80211 checks the packet number, fragments are joined",
          arguments: ["4.14", "6.1", "6.12"])
    func ccmp(_ version: String) throws {
        let t = try Self.traces(ModelTour.wifiCryptoFrames, cipher: "CCMP", version)
        try #require(t.count == 13)
        // Unicast data the device decrypted: the driver checks its packet number (an RSS queue), so fast RX
        // takes it, past the CCMP header, and the stack answers the ping.
        #expect(t[0].verdict == .deliver && t[0].proto == "icmp", "\(t[0].visibleFunctions)")
        #expect(Self.calls(t[0], "iwl_mvm_rx_crypto") && Self.calls(t[0], "iwl_mvm_check_pn"))
        #expect(Self.calls(t[0], "ieee80211_invoke_fast_rx") && !Self.calls(t[0], "ieee80211_rx_handlers"))
        // The same packet number again: the driver's check drops it before mac80211.
        #expect(t[1].verdict == .drop && !Self.calls(t[1], "ieee80211_rx_napi"), "\(t[1].visibleFunctions)")
        // A group frame: no driver check, no fast RX; the handlers choose group key 1 and CCMP checks the
        // packet number against the key's counter; the ARP request goes up.
        #expect(t[2].verdict == .deliver && t[2].proto == "arp", "\(t[2].visibleFunctions)")
        #expect(Self.calls(t[2], "ieee80211_rx_h_decrypt") && Self.calls(t[2], "ieee80211_crypto_ccmp_decrypt"))
        #expect(t[2].events.contains { if case let .state(text, _) = $0 { text.contains("group key's index is 1") } else { false } })
        // Its packet number again: a replay, dropped as unusable.
        #expect(t[3].verdict == .drop && t[3].dropReason == Self.reason("RX_DROP_U_REPLAY", version), "\(version)")
        #expect(Self.calls(t[3], "ieee80211_crypto_ccmp_decrypt") && t[3].dropFunction == "ieee80211_rx_handlers_result")
        // Key index 2: no such group key; dropped for monitor interfaces, with no cipher function.
        #expect(t[4].verdict == .drop && t[4].dropReason == Self.reason("RX_DROP_MONITOR", version))
        #expect(!Self.calls(t[4], "ieee80211_crypto_ccmp_decrypt"))
        // Unprotected unicast data on a link with a key: fast RX refuses it, ieee80211_frame_allowed drops it.
        #expect(t[5].verdict == .drop && Self.calls(t[5], "ieee80211_drop_unencrypted"), "\(t[5].visibleFunctions)")
        // Two protected fragments: the first is held in the fragment cache, the second's packet number
        // follows and completes the frame, which is delivered.
        #expect(t[6].verdict == .queue && Self.calls(t[6], "ieee80211_reassemble_add"), "\(t[6].visibleFunctions)")
        #expect(!Self.calls(t[6], "ieee80211_invoke_fast_rx") || !Self.calls(t[6], "ieee80211_rx_8023"))
        #expect(t[7].verdict == .deliver && t[7].proto == "icmp" && t[7].reassembled, "\(t[7].visibleFunctions)")
        #expect(Self.calls(t[7], "ieee80211_reassemble_find"))
        // A second fragment whose first never came: no entry continues it.
        #expect(t[8].verdict == .drop && t[8].dropReason == Self.reason("RX_DROP_MONITOR", version))
        #expect(Self.calls(t[8], "ieee80211_reassemble_find"))
        // A group-addressed fragment: dropped since 6.1; 4.14 passes it on unjoined (here a whole ARP request).
        if version == "4.14" {
            #expect(t[9].verdict == .deliver && t[9].proto == "arp", "\(t[9].visibleFunctions)")
        } else {
            #expect(t[9].verdict == .drop && t[9].dropReason == Self.reason("RX_DROP_MONITOR", version))
        }
        #expect(!Self.calls(t[9], "ieee80211_reassemble_add"))
        // Fragments whose packet numbers skip one: the second is dropped as a replay.
        #expect(t[10].verdict == .queue)
        #expect(t[11].verdict == .drop && t[11].dropReason == Self.reason("RX_DROP_U_REPLAY", version))
        // Ciphertext, as another radio hears it: fast RX would decide on the decrypted payload.
        #expect(t[12].verdict == .unknown && Self.notModeled(t[12]).contains { $0.contains("decrypted payload") })
        #expect(Self.calls(t[12], "ieee80211_invoke_fast_rx"))
    }

    @Test("TKIP and GCMP group frames go through their cipher's receive", arguments: ["4.14", "6.1", "6.12"])
    func otherCiphers(_ version: String) throws {
        let tkip = try Self.traces(ModelTour.wifiOtherCipherFrames, cipher: "TKIP", version)
        try #require(tkip.count == 1)
        #expect(tkip[0].verdict == .deliver && tkip[0].proto == "arp", "\(tkip[0].visibleFunctions)")
        for function in ["ieee80211_crypto_tkip_decrypt", "ieee80211_tkip_decrypt_data", "ieee80211_rx_h_michael_mic_verify"] {
            #expect(Self.calls(tkip[0], function), "\(function)")
        }
        let gcmp = try Self.traces(ModelTour.wifiOtherCipherFrames, cipher: "GCMP", version)
        try #require(gcmp.count == 1)
        #expect(gcmp[0].verdict == .deliver && Self.calls(gcmp[0], "ieee80211_crypto_gcmp_decrypt"), "\(gcmp[0].visibleFunctions)")
    }

    // Expectations from net/mac80211/wep.c (ieee80211_crypto_wep_decrypt, ieee80211_wep_remove_iv),
    // net/mac80211/rx.c (ieee80211_rx_h_decrypt: a key index on unicast frames for WEP only;
    // ieee80211_check_fast_rx: no fast RX with a WEP key) and iwlwifi's rxmq.c (iwl_mvm_rx_crypto: the
    // device decrypts WEP and removes the ICV) of each version.
    @Test("WEP frames: the device decrypts, the static key serves unicast and group frames, the IV goes",
          arguments: ["4.14", "6.1", "6.12"])
    func wep(_ version: String) throws {
        let t = try Self.traces(ModelTour.wifiWEPFrames, cipher: "WEP104", version)
        try #require(t.count == 4)
        // Unicast under key index 0: no pairwise key, so the default WEP key; no fast RX with WEP; the IV
        // is removed and the device's ICV flag keeps the payload whole; the stack answers the ping.
        #expect(t[0].verdict == .deliver && t[0].proto == "icmp", "\(t[0].visibleFunctions)")
        for function in ["iwl_mvm_rx_crypto", "ieee80211_rx_h_decrypt", "ieee80211_crypto_wep_decrypt", "ieee80211_wep_remove_iv"] {
            #expect(Self.calls(t[0], function), "\(function)")
        }
        #expect(!Self.calls(t[0], "ieee80211_invoke_fast_rx") || !Self.calls(t[0], "ieee80211_rx_8023"))
        #expect(t[0].events.contains { if case let .state(text, _) = $0 { text.contains("WEP key's index is 0") } else { false } })
        #expect(Self.notModeled(t[0]).isEmpty, "\(Self.notModeled(t[0]))")
        // Broadcast under the same index: the same key, the ARP request goes up.
        #expect(t[1].verdict == .deliver && t[1].proto == "arp" && Self.calls(t[1], "ieee80211_crypto_wep_decrypt"),
                "\(t[1].visibleFunctions)")
        // Index 1: no such key, so neither the device nor mac80211 decrypts; dropped for monitor interfaces.
        #expect(t[2].verdict == .drop && t[2].dropReason == Self.reason("RX_DROP_MONITOR", version), "\(t[2].visibleFunctions)")
        #expect(Self.calls(t[2], "ieee80211_rx_h_decrypt") && !Self.calls(t[2], "ieee80211_crypto_wep_decrypt"))
        // Unprotected unicast data on a link with a WEP key: not allowed.
        #expect(t[3].verdict == .drop && Self.calls(t[3], "ieee80211_drop_unencrypted"), "\(t[3].visibleFunctions)")
    }

    // Expectations from net/mac80211/rx.c (ieee80211_rx_h_mgmt_check, ieee80211_drop_unencrypted_mgmt,
    // ieee80211_get_mmie_keyidx), include/linux/ieee80211.h (_ieee80211_is_robust_mgmt_frame),
    // net/wireless/nl80211.c (cfg80211_rx_unprot_mlme_mgmt) and net/mac80211/drop.h of each version.
    @Test("management frame protection: unprotected robust management frames are dropped", arguments: ["4.14", "6.1", "6.12"])
    func pmf(_ version: String) throws {
        let t = try Self.traces(ModelTour.wifiPMFFrames, cipher: "CCMP", pmf: true, version)
        try #require(t.count == 5)
        // Unicast SA Query request, unprotected, with the pairwise key in: dropped.
        #expect(t[0].verdict == .drop && t[0].dropReason == Self.reason("RX_DROP_U_UNPROT_UCAST_MGMT", version), "\(t[0].visibleFunctions)")
        #expect(t[0].events.contains { if case let .note(text, _) = $0 { text.contains("unprotected unicast robust") } else { false } })
        #expect(Self.calls(t[0], "ieee80211_rx_h_mgmt_check") && !Self.calls(t[0], "cfg80211_rx_unprot_mlme_mgmt"))
        // Unicast deauthentication, unprotected: dropped, user space told; the association stays.
        #expect(t[1].verdict == .drop && t[1].dropReason == Self.reason("RX_DROP_U_UNPROT_UCAST_MGMT", version), "\(t[1].visibleFunctions)")
        #expect(Self.calls(t[1], "cfg80211_rx_unprot_mlme_mgmt"))
        // Broadcast deauthentication without an MMIE: dropped, user space told.
        #expect(t[2].verdict == .drop && t[2].dropReason == Self.reason("RX_DROP_U_UNPROT_MCAST_MGMT", version), "\(t[2].visibleFunctions)")
        #expect(Self.calls(t[2], "ieee80211_get_mmie_keyidx") && Self.calls(t[2], "cfg80211_rx_unprot_mlme_mgmt"))
        // The protected-dual category unprotected: 6.12 drops it first as such; before, as any robust frame.
        #expect(t[3].verdict == .drop && t[3].dropReason == Self.reason(version == "6.12" ? "RX_DROP_U_UNPROT_DUAL" : "RX_DROP_U_UNPROT_UCAST_MGMT", version))
        // An HT action frame is not robust: it passes the check.
        #expect(t[4].dropReason?.hasPrefix("RX_DROP_U_UNPROT") != true && Self.calls(t[4], "ieee80211_rx_h_action"), "\(t[4].visibleFunctions)")

        // No keys yet: a robust action frame is dropped (before the keys; 6.12 as an unprotected unicast
        // robust frame), an unprotected deauthentication passes (the handshake may be under way).
        let early = try Self.traces(ModelTour.wifiPMFFrames, cipher: "CCMP", pmf: true, authorized: false, version)
        try #require(early.count == 5)
        #expect(early[0].verdict == .drop && early[0].dropReason == Self.reason("RX_DROP_U_UNPROT_UCAST_MGMT", version))
        #expect(early[0].events.contains { if case let .note(text, _) = $0 { text.contains(version == "6.12" ? "unicast robust" : "before the keys") } else { false } })
        #expect(!Self.calls(early[1], "cfg80211_rx_unprot_mlme_mgmt") && early[1].dropReason?.hasPrefix("RX_DROP_U_UNPROT") != true,
                "\(early[1].visibleFunctions)")

        // Without management frame protection the same unicast deauthentication is not refused.
        let open = try Self.traces(ModelTour.wifiPMFFrames, cipher: "CCMP", version)
        #expect(!Self.calls(open[1], "cfg80211_rx_unprot_mlme_mgmt") && open[1].dropReason?.hasPrefix("RX_DROP_U_UNPROT") != true)
    }

    // Expectations from net/mac80211/mlme.c (ieee80211_mgd_assoc: use_mfp; ieee80211_assoc_success sets
    // WLAN_STA_MFP) and rx.c (ieee80211_drop_unencrypted_mgmt) of each version.
    @Test("management frame protection from the association request's RSN capabilities", arguments: ["4.14", "6.1", "6.12"])
    func pmfFromAssociation(_ version: String) throws {
        let with = try Self.traces(ModelTour.wifiPMFAssociationFrames(mfpc: true), cipher: "CCMP", authorized: false, version)
        try #require(with.count == 2)
        #expect(with[0].events.contains { if case let .state(text, _) = $0 { text.contains("WLAN_STA_MFP") } else { false } },
                "\(with[0].events)")
        // No keys yet: the unprotected robust action frame is refused.
        #expect(with[1].verdict == .drop && with[1].dropReason == Self.reason("RX_DROP_U_UNPROT_UCAST_MGMT", version),
                "\(with[1].visibleFunctions)")
        let without = try Self.traces(ModelTour.wifiPMFAssociationFrames(mfpc: false), cipher: "CCMP", authorized: false, version)
        try #require(without.count == 2)
        #expect(!without[0].events.contains { if case let .state(text, _) = $0 { text.contains("WLAN_STA_MFP") } else { false } })
        #expect(without[1].dropReason?.hasPrefix("RX_DROP_U_UNPROT") != true, "\(without[1].visibleFunctions)")
    }

    @Test("the host profile's wifi.pmf sets management frame protection and must be true or false")
    func pmfProfile() throws {
        func parse(_ pmf: String) throws -> HostProfile {
            try HostProfile.parse(Data("""
                { "interfaces": [ { "name": "wlan0", "driver": "iwlwifi", "mac": "02:00:00:00:0d:00",
                                    "wifi": { "bssid": "02:00:00:00:0a:00", "cipher": "CCMP"\(pmf) } } ] }
                """.utf8))
        }
        #expect(try parse(", \"pmf\": true").interfaces.first?.wifi?.mfp == true)
        #expect(try parse("").interfaces.first?.wifi?.mfp == false)
        #expect(throws: (any Error).self) { try parse(", \"pmf\": \"yes\"") }
    }

    /// The real 6.1 kernel reassembling fragments (Fixtures/oracle-wifi/fragments: the Wi-Fi oracle's peer
    /// radio sends a 1042-byte echo request with a fragmentation threshold of 256, in 5 fragments) against
    /// the model receiving the same 5 fragments as a station gets them from its AP (unicast fragments take
    /// no fast RX in either mode). Compared per fragment: the functions of mac80211, cfg80211 and
    /// eth_type_trans the oracle could trace and the model knows, in order.
    @Test("the RX handler path of each fragment matches the real 6.1 kernel's")
    func oracleFragments() throws {
        let folder = Repository.path("Fixtures/oracle-wifi/fragments")
        var captured = CapturedFrame(index: 0, timestampNanoseconds: 0, bytes: [])
        try #require(try PcapFile(path: folder + "/capture.pcap").read(into: &captured))
        let ethernet = captured.bytes
        let line = try #require(try String(contentsOfFile: folder + "/oracle.jsonl", encoding: .utf8).split(separator: "\n").first)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        // The DUT's receive, one ieee80211_rx_napi root per fragment.
        var real: [[String]] = []
        for call in record["rx"] as? [[String: Any]] ?? [] {
            guard let function = call["func"] as? String else { continue }
            if function == "ieee80211_rx_napi", call["depth"] as? Int == 0 { real.append([]) }
            if ["mac80211", "cfg80211"].contains(call["module"] as? String) || function == "eth_type_trans" {
                real[real.count - 1].append(function)
            }
        }
        try #require(real.count == 5, "\(real.count) fragments")
        // The MSDU (RFC 1042 header, then the IP packet) in pieces of 228 bytes, as the peer's mac80211 cut it
        // (the threshold less a 24-byte header and the FCS), each behind a FromDS header from the AP.
        let dut = try #require(MACAddress("02:00:00:00:00:01")), ap = try #require(MACAddress("02:0b:55:00:00:01"))
        func mac(_ m: MACAddress) -> [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: m.rawValue >> UInt64(40 - 8 * $0)) } }
        let msdu = LLCSNAP.rfc1042 + Array(ethernet[12...])
        let pieces = stride(from: 0, to: msdu.count, by: 228).map { Array(msdu[$0..<min($0 + 228, msdu.count)]) }
        try #require(pieces.count == 5)
        let frames = pieces.enumerated().map { i, piece in
            let more: UInt8 = i < pieces.count - 1 ? 0x04 : 0
            let header: [UInt8] = [0x08, 0x02 | more, 0, 0] + mac(dut) + mac(ap) + Array(ethernet[6..<12]) + [UInt8(i), 0x10]
            return CapturedFrame(index: i + 1, timestampNanoseconds: Int64(i + 1) * 1000, bytes: [0, 0, 8, 0, 0, 0, 0, 0] + header + piece,
                                 linkType: .DLT_IEEE802_11_RADIO)
        }
        let host = try HostProfile.parse(Data("""
            { "interfaces": [ { "name": "wlan0", "driver": "iwlwifi", "mac": "\(dut)", "addresses": ["192.0.2.2/24"],
                                "captured": true, "wifi": { "bssid": "\(ap)" } } ] }
            """.utf8))
        let session = try ReplaySession(frames: frames, captureName: "fragments", host: host, kernelVersion: "6.1")
        var traces: [PacketTrace] = []
        _ = try session.run { traces.append($0) }
        try #require(traces.count == 5)
        for (t, path) in zip(traces, real) {
            let modeled = Set(t.functions)
            #expect(WifiCaptureTests.mac80211Path(t) == path.filter { modeled.contains($0) }, "fragment \(t.frame): model vs real kernel (mac80211 part)")
        }
        #expect(traces.dropLast().allSatisfy { $0.verdict == .queue })
        #expect(traces[4].verdict == .deliver && traces[4].proto == "icmp" && traces[4].reassembled, "\(traces[4].visibleFunctions)")
        #expect(real[4].contains("ieee80211_deliver_skb") && !real[0].contains("ieee80211_deliver_skb"))
    }
}
