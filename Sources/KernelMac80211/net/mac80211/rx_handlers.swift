// Mirrors net/mac80211/rx.c (Linux 6.1; 4.14 and 6.12 where they differ): the RX handler chain a frame
// goes through when fast RX does not take it, for a station interface.
// Not modeled: A-MPDU reordering (`ieee80211_rx_reorder_ampdu`), software decryption (the device decrypts
// every frame mac80211 has a key for), the split of a protected A-MSDU, user space's registrations for
// action frames (none are assumed), power save (PS-Poll, U-APSD), TDLS, mesh, cooked monitor
// interfaces. Unprotected A-MSDUs never reach the handlers: the iwlwifi device de-aggregates them.
// What the action frames start is in agg-rx.swift, agg-tx.swift, ht.swift and spectmgmt.swift.
import KernelNet
import Trace
import Wire

/// Models `ieee80211_rx_result`: what an RX handler did with the frame. 6.12 gives each drop a reason
/// (`RX_DROP_U_*` in net/mac80211/drop.h); `notModeled` is the model's own: the handler's work is not
/// modeled and the trace says so.
enum ieee80211_rx_result: Equatable {
    case RX_CONTINUE, RX_QUEUED, notModeled
    /// Dropped; the frame would still go to cooked monitor interfaces. The reason is 6.12's name.
    case RX_DROP_MONITOR(SKBDropReason)
    /// Dropped as unusable. The reason is 6.12's name.
    case RX_DROP_UNUSABLE(SKBDropReason)
}

extension Mac80211Device {
    /// Frees a frame the handlers dropped with `RX_DROP_MONITOR` (or that none queued): there are no
    /// cooked monitor interfaces. 6.12 frees it with the handler's reason; before, with `dev_kfree_skb`,
    /// which is not a drop to the `kfree_skb` tracepoint.
    func ieee80211_rx_cooked_monitor(_ kernel: Kernel, _ skb: inout SKBuff, _ reason: SKBDropReason) {
        kernel.traced(rx.ieee80211_rx_cooked_monitor) { freeDropped(kernel, &skb, reason) }
    }

    /// Frees a dropped frame: 6.12's `kfree_skb_reason` with the mac80211 reason, `dev_kfree_skb` before.
    func freeDropped(_ kernel: Kernel, _ skb: inout SKBuff, _ reason: SKBDropReason) {
        if kernel.profile.version >= .v6_12 {
            kernel.kfree_skb_reason(&skb, reason)
        } else {
            kernel.dev_kfree_skb_undelivered(&skb)
        }
    }

    /// Drops a retransmission already received, unless the driver did that check: iwlwifi checks frames
    /// from the stations it knows (`iwl_mvm_is_dup`, `RX_FLAG_DUP_VALIDATED`), and without a station
    /// mac80211 has no sequence numbers to compare, so the frame always passes here.
    func ieee80211_rx_h_check_dup(_ kernel: Kernel, sta: Bool) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_rx_h_check_dup) {
            kernel.tracer.note(sta ? "the driver checked for duplicates (RX_FLAG_DUP_VALIDATED)" : "no station: no duplicate check")
            return .RX_CONTINUE
        }
    }

    /// Drops data (and PS-Poll) from a transmitter the station is not associated with; an EAPOL frame
    /// from the AP's entry passes, as the AP may send it before mac80211 has marked the station associated.
    func ieee80211_rx_h_check(_ kernel: Kernel, _ skb: SKBuff, _ frame: WirelessFrame, _ h: IEEE80211Header, sta: Bool)
        -> ieee80211_rx_result
    {
        kernel.traced(rx.ieee80211_rx_h_check) {
            let fc = h.frameControl
            guard fc.type == .data || (fc.type == .control && fc.subtype == 10), !(sta && u_mgd?.associated == true)
            else { return .RX_CONTINUE }
            if sta, fc.type == .data, !fc.isNullData {
                if frame.bodyOffset + 8 > frame.end { return .RX_DROP_MONITOR(.RX_DROP_MONITOR) }
                if frame.etherType == .eapol { return .RX_CONTINUE }
            }
            kernel.tracer.note(sta ? "data from the AP before the association completed (not WLAN_STA_ASSOC)"
                : "data from \(h.address2.map(\.description) ?? "no transmitter"), which the station is not associated with")
            return .RX_DROP_MONITOR(.RX_DROP_MONITOR)
        }
    }

    /// Notes the More Data bit for power save (a station interface only looks at it); passes the frame on.
    func ieee80211_rx_h_check_more_data(_ kernel: Kernel) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_rx_h_check_more_data) { .RX_CONTINUE }
    }

    /// Handles PS-Poll and U-APSD triggers, which only an access point interface acts on.
    func ieee80211_rx_h_uapsd_and_pspoll(_ kernel: Kernel) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_rx_h_uapsd_and_pspoll) { .RX_CONTINUE }
    }

    /// Updates the transmitting station's statistics; frees null data (used only for power save) and
    /// reports the frame as queued.
    func ieee80211_rx_h_sta_process(_ kernel: Kernel, _ skb: inout SKBuff, _ h: IEEE80211Header, sta: Bool)
        -> ieee80211_rx_result
    {
        kernel.traced(rx.ieee80211_rx_h_sta_process) {
            guard sta, h.frameControl.isNullData else { return .RX_CONTINUE }
            kernel.tracer.note("null data carries only power-save state: freed here")
            kernel.consume_skb(&skb)
            return .RX_QUEUED
        }
    }

    /// Chooses the key of a protected frame and finishes its decryption with the cipher's function:
    /// the pairwise key for a frame to the station's own address from the AP, else the group key the
    /// frame's key index names, or for WEP the static key it names on unicast frames too (6.1 on read
    /// that index for the pairwise key too). Without a key the frame
    /// is dropped for monitor interfaces; a frame too short to hold the key index is unusable. Every
    /// frame that leaves here protected counts as decrypted (`RX_FLAG_DECRYPTED`). Unprotected frames
    /// pass (the key found for them only serves `ieee80211_drop_unencrypted`).
    func ieee80211_rx_h_decrypt(_ kernel: Kernel, _ skb: inout SKBuff, _ data: inout ieee80211_rx_data) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_rx_h_decrypt) {
            guard let status = skb.ieee80211_rx_status, let h = status.frame.header, h.frameControl.isProtected,
                  h.frameControl.type != .extensionFrame else { return .RX_CONTINUE }
            let hdrlen = status.frame.bodyOffset - skb.data
            let group = h.address1.isMulticast
            let pairwise = data.sta && !group && key(.ptk) != nil
            // ieee80211_get_keyid: the key index is the top two bits of the IV's fourth byte. 4.14 reads it
            // only when it has no pairwise key to use, and wants room for a whole CCMP header first.
            let keyidNeeds = kernel.profile.version >= .v6_1 ? 4 : (pairwise ? 0 : IEEE80211_CCMP_HDR_LEN)
            guard skb.len >= hdrlen + keyidNeeds else {
                kernel.tracer.note("too short for the key index")
                return .RX_DROP_UNUSABLE(.RX_DROP_U_NO_KEY_ID)
            }
            let keyidx = Int(skb.bytes.u8(at: status.frame.bodyOffset + 3) >> 6)
            if pairwise {
                data.key = .ptk
            } else if let slot = keySlot(groupAddressed: group, keyidx: keyidx), slot == .gtk {
                if key(.gtk)?.keyidx == nil {
                    updateKey(.gtk) { $0.keyidx = keyidx }
                    if cipher(of: .gtk)?.isWEP == true {
                        kernel.tracer.state("the WEP key's index is \(keyidx): the host profile does not give it; this is "
                            + "the first frame to name it")
                    } else {
                        kernel.tracer.state("the group key's index is \(keyidx): message 3 gave it encrypted; this is the "
                            + "first group frame to name it")
                    }
                }
                data.key = slot
            }
            guard let slot = data.key, let cipher = cipher(of: slot) else {
                kernel.tracer.note(group ? "no group key with index \(keyidx)" : "no pairwise key for the transmitter")
                return .RX_DROP_MONITOR(.RX_DROP_MONITOR)
            }
            if u_mgd?.cipher.flatMap({ WLANCipherSuite(rawValue: $0) }) == nil {
                kernel.tracer.note("the capture does not name the cipher: taken as \(cipher.rawValue)")
            }
            let result: ieee80211_rx_result
            switch cipher {
            case .TKIP: result = ieee80211_crypto_tkip_decrypt(kernel, &skb, &data)
            case .CCMP, .CCMP_256: result = ieee80211_crypto_ccmp_decrypt(kernel, &skb, &data, mic_len: cipher.micLength)
            case .GCMP, .GCMP_256: result = ieee80211_crypto_gcmp_decrypt(kernel, &skb, &data)
            case .WEP40, .WEP104: result = ieee80211_crypto_wep_decrypt(kernel, &skb, &data)
            }
            status.flag.insert(.RX_FLAG_DECRYPTED)
            return result
        }
    }

    /// Starts a fragment entry for the first fragment of a frame, in the cache's next slot (dropping what
    /// was there).
    func ieee80211_reassemble_add(_ kernel: Kernel, _ cache: inout ieee80211_fragment_cache, _ skb: SKBuff, seq: UInt16,
                                  rx_queue: Int) -> Int {
        kernel.traced(rx.ieee80211_reassemble_add) {
            let index = cache.next
            cache.next = (cache.next + 1) % IEEE80211_FRAGMENT_MAX
            if cache.entries[index] != nil { kernel.tracer.note("the oldest entry of the fragment cache is dropped for it") }
            cache.entries[index] = ieee80211_fragment_entry(first: skb, first_frag_time: kernel.now, seq: seq, rx_queue: rx_queue,
                                                            last_frag: 0)
            return index
        }
    }

    /// Finds the entry a later fragment continues: the same sequence number and counter index, the
    /// fragment number after the last one, the same frame type, receiver and transmitter, started at
    /// most 2 seconds ago (an older one is emptied). Newest first.
    func ieee80211_reassemble_find(_ kernel: Kernel, _ cache: inout ieee80211_fragment_cache, _ h: IEEE80211Header,
                                   frag: UInt8, seq: UInt16, rx_queue: Int) -> Int? {
        kernel.traced(rx.ieee80211_reassemble_find) {
            for back in 1...IEEE80211_FRAGMENT_MAX {
                let index = (cache.next - back + IEEE80211_FRAGMENT_MAX) % IEEE80211_FRAGMENT_MAX
                guard let entry = cache.entries[index], entry.seq == seq, entry.rx_queue == rx_queue,
                      Int(entry.last_frag) + 1 == Int(frag), let first = entry.first.ieee80211_rx_status?.frame.header,
                      first.frameControl.type == h.frameControl.type, first.address1 == h.address1,
                      first.address2 == h.address2 else { continue }
                if kernel.now - entry.first_frag_time > 2_000_000_000 {
                    kernel.tracer.note("the entry of sequence \(seq) is older than 2 seconds: emptied")
                    cache.entries[index] = nil
                    continue
                }
                return index
            }
            return nil
        }
    }

    /// Reassembles fragments in the fragment cache of the transmitting station (6.1 on; of the
    /// interface in 4.14, and for unknown transmitters). A first fragment starts an entry and is held;
    /// later ones join the entry of their sequence number if it expects their fragment number (else
    /// they are dropped for monitor interfaces), the last completes the frame, which goes on. CCMP and
    /// GCMP fragments must carry consecutive packet numbers; since 6.1 a protected entry takes no
    /// unprotected fragment, and group-addressed fragments are dropped (4.14 passes them on unjoined).
    func ieee80211_rx_h_defragment(_ kernel: Kernel, _ skb: inout SKBuff, _ data: inout ieee80211_rx_data) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_rx_h_defragment) {
            guard let status = skb.ieee80211_rx_status, let h = status.frame.header,
                  h.frameControl.type != .control, h.frameControl.type != .extensionFrame else { return .RX_CONTINUE }
            let frag = h.fragmentNumber ?? 0, seq = h.sequenceNumber ?? 0, since6 = kernel.profile.version >= .v6_1
            if !since6, h.address1.isMulticast { return .RX_CONTINUE }
            guard h.frameControl.moreFragments || frag != 0 else { return .RX_CONTINUE }
            if h.address1.isMulticast {
                kernel.tracer.note("a group-addressed fragment")
                return .RX_DROP_MONITOR(.RX_DROP_MONITOR)
            }
            let perStation = since6 && data.sta
            var cache = perStation ? sta_frags : frags
            defer { if perStation { sta_frags = cache } else { frags = cache } }
            let key = data.key.flatMap { self.key($0) }
            let sequentialPN = h.frameControl.isProtected && [.CCMP, .CCMP_256, .GCMP, .GCMP_256].contains(key?.cipher)
            if frag == 0 {
                let index = ieee80211_reassemble_add(kernel, &cache, skb, seq: seq, rx_queue: data.seqno_idx)
                if sequentialPN {
                    cache.entries[index]?.check_sequential_pn = true
                    cache.entries[index]?.last_pn = key?.rx_pn[data.security_idx] ?? 0
                }
                cache.entries[index]?.is_protected = since6 && key != nil
                    && (h.frameControl.isProtected || status.flag.contains(.RX_FLAG_DECRYPTED))
                kernel.tracer.note("fragment 0 of sequence \(seq): held for the others")
                kernel.heldForReassembly()
                return .RX_QUEUED
            }
            guard let index = ieee80211_reassemble_find(kernel, &cache, h, frag: frag, seq: seq, rx_queue: data.seqno_idx),
                  var entry = cache.entries[index] else {
                kernel.tracer.note("fragment \(frag) of sequence \(seq) continues no frame being reassembled")
                return .RX_DROP_MONITOR(.RX_DROP_MONITOR)
            }
            if entry.check_sequential_pn {
                guard sequentialPN else {
                    kernel.tracer.note("the frame's first fragment was CCMP or GCMP protected, this one is not")
                    return .RX_DROP_UNUSABLE(.RX_DROP_U_NONSEQ_PN)
                }
                // 4.14 compares with the key's counter, which decryption has just set to the same number.
                let pn = (entry.last_pn + 1) & 0xffff_ffff_ffff
                guard data.ccm_gcm_pn == pn else {
                    kernel.tracer.note("packet number \(data.ccm_gcm_pn ?? 0) does not follow the last fragment's (\(entry.last_pn))")
                    return .RX_DROP_UNUSABLE(.RX_DROP_U_REPLAY)
                }
                entry.last_pn = pn
            } else if entry.is_protected, !h.frameControl.isProtected, !status.flag.contains(.RX_FLAG_DECRYPTED) {
                kernel.tracer.note("an unprotected fragment of a frame whose first fragment was protected")
                return .RX_DROP_UNUSABLE(.RX_DROP_U_EXPECT_DEFRAG_PROT)
            }
            let end = min(status.frame.end, skb.bytes.count)
            let body = Array(skb.bytes[min(status.frame.bodyOffset, end)..<end])
            entry.bodies.append(body)
            entry.last_frag = frag
            entry.extra_len += body.count
            cache.entries[index] = entry
            guard !h.frameControl.moreFragments else {
                kernel.tracer.note("fragment \(frag) of sequence \(seq): held for the others")
                kernel.heldForReassembly()
                return .RX_QUEUED
            }
            cache.entries[index] = nil
            joinFragments(kernel, &skb, entry)
            return .RX_CONTINUE
        }
    }

    /// Makes the frame a completed entry holds: the first fragment with the other bodies after it.
    private func joinFragments(_ kernel: Kernel, _ skb: inout SKBuff, _ entry: ieee80211_fragment_entry) {
        guard let status = skb.ieee80211_rx_status, let first = entry.first.ieee80211_rx_status else { return }
        var frame = first.frame
        skb.bytes = Array(entry.first.bytes[..<min(frame.end, entry.first.bytes.count)]) + entry.bodies.joined()
        skb.data = entry.first.data
        skb.len = skb.bytes.count - skb.data
        frame.end = skb.bytes.count
        status.frame = frame
        status.ciphertext = first.ciphertext
        kernel.tracer.note("reassembled \(skb.len) bytes from \(entry.bodies.count + 1) fragments")
        kernel.completedReassembly()
    }

    /// Whether the 802.1X controlled port lets the frame through: open once the station is authorized,
    /// and for the control port protocol (EAPOL) before.
    func ieee80211_802_1x_port_control(_ kernel: Kernel, eapol: Bool) -> Bool {
        kernel.traced(rx.ieee80211_802_1x_port_control) {
            if u_mgd?.authorized ?? true || eapol { return true }
            kernel.tracer.note("the 802.1X port is closed (not WLAN_STA_AUTHORIZED) and this is not EAPOL")
            return false
        }
    }

    /// Whether an unprotected frame must be dropped: on a link with a key, everything but EAPOL must be
    /// protected.
    func ieee80211_drop_unencrypted(_ kernel: Kernel, protected: Bool, eapol: Bool) -> Bool {
        kernel.traced(rx.ieee80211_drop_unencrypted) {
            guard u_mgd?.cipher != nil, !protected, !eapol else { return false }
            kernel.tracer.note("unprotected on a link with a pairwise key")
            return true
        }
    }

    /// Checks port control and protection of a converted data frame.
    func ieee80211_frame_allowed(_ kernel: Kernel, _ skb: SKBuff, protected: Bool) -> Bool {
        kernel.traced(rx.ieee80211_frame_allowed) {
            let eapol = EthernetPacket(skb.bytes, at: skb.data)?.etherType == .eapol
            return ieee80211_802_1x_port_control(kernel, eapol: eapol)
                && !ieee80211_drop_unencrypted(kernel, protected: protected, eapol: eapol)
        }
    }

    /// Passes a converted frame up: counts it in the interface's receive counters with the 802.3 frame's
    /// length (4.14 `ieee80211_rx_stats`, from 6.1 `dev_sw_netstats_rx_add`, first thing in all three, EAPOL
    /// included), classifies it (`eth_type_trans`), then to the stack. 6.1 and 6.12 send EAPOL to the
    /// supplicant over nl80211 (`cfg80211_rx_control_port`) and add other frames to the receive list; 4.14
    /// hands every frame to GRO, EAPOL included (the supplicant's packet socket), or, given no NAPI
    /// context, to `netif_receive_skb`. Returns whether a frame is on the list for the stack.
    func ieee80211_deliver_skb(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool {
        kernel.traced(rx.ieee80211_deliver_skb) {
            countReceive(kernel, skb)
            kernel.eth_type_trans(&skb)
            guard kernel.has(rx.ieee80211_deliver_skb_to_local_stack) else {
                if napi { kernel.napi_gro_receive(&skb) } else { kernel.netif_receive_skb(&skb) }
                return false
            }
            return ieee80211_deliver_skb_to_local_stack(kernel, &skb)
        }
    }

    /// De-aggregates an A-MSDU (`__ieee80211_rx_h_amsdu`, `ieee80211_amsdu_to_8023s`) for drivers whose
    /// device does not. The model's iwlwifi device splits unprotected A-MSDUs into MPDUs itself and the
    /// driver clears the A-MSDU bit (`deaggregate` beside `iwl_mvm_rx_mpdu_mq`), so those pass; a protected
    /// one, which the real device splits after decrypting it, is not modeled.
    func ieee80211_rx_h_amsdu(_ kernel: Kernel, _ h: IEEE80211Header) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_rx_h_amsdu) {
            guard h.frameControl.type == .data, h.isAMSDU else { return .RX_CONTINUE }
            kernel.tracer.notModeled("the device's split of a protected A-MSDU")
            return .notModeled
        }
    }

    /// Converts an 802.11 data frame to 802.3 (`ieee80211_data_to_8023`): needs an LLC/SNAP header.
    func __ieee80211_data_to_8023(_ kernel: Kernel, _ skb: inout SKBuff, _ frame: WirelessFrame) -> ieee80211_rx_result {
        kernel.traced(rx.__ieee80211_data_to_8023) {
            switch ieee80211_data_to_8023_exthdr(kernel, &skb, frame) {
            case true?: return .RX_CONTINUE
            case nil: return .notModeled
            case false?: return .RX_DROP_UNUSABLE(.RX_DROP_U_INVALID_8023)
            }
        }
    }

    /// Takes data frames: drops null data, converts the frame to 802.3, checks the port and protection,
    /// and delivers it.
    func ieee80211_rx_h_data(_ kernel: Kernel, _ skb: inout SKBuff, _ frame: WirelessFrame, _ h: IEEE80211Header,
                             listed: inout Bool) -> ieee80211_rx_result
    {
        kernel.traced(rx.ieee80211_rx_h_data) {
            let fc = h.frameControl
            guard fc.type == .data else { return .RX_CONTINUE }
            guard !fc.isNullData else { return .RX_DROP_MONITOR(.RX_DROP_MONITOR) }
            let converted = __ieee80211_data_to_8023(kernel, &skb, frame)
            guard converted == .RX_CONTINUE else { return converted }
            guard ieee80211_frame_allowed(kernel, skb, protected: fc.isProtected) else { return .RX_DROP_MONITOR(.RX_DROP_MONITOR) }
            listed = ieee80211_deliver_skb(kernel, &skb)
            return .RX_QUEUED
        }
    }

    /// Handles the control frames that reach the handlers. A block-ack request from the AP on a TID
    /// without a session gets a DELBA (once per TID, `unexpected_agg`); with a session mac80211 has no
    /// reorder buffer to release (the iwlwifi driver reorders, `SUPPORTS_REORDERING_BUFFER`). Either way,
    /// and for every other control frame (PS-Poll), the frame goes to cooked monitor interfaces only.
    func ieee80211_rx_h_ctrl(_ kernel: Kernel, _ skb: SKBuff, _ h: IEEE80211Header, sta: Bool) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_rx_h_ctrl) {
            let fc = h.frameControl
            guard fc.type == .control else { return .RX_CONTINUE }
            guard fc.subtype == 8, sta, skb.len >= 20 else {
                kernel.tracer.note(fc.subtype != 8 ? "\(fc.name) is of no use to a station"
                    : sta ? "too short for a block-ack request's control fields" : "a block-ack request from no station")
                return .RX_DROP_MONITOR(.RX_DROP_MONITOR)
            }
            let tid = Int(skb.bytes.u16le(at: skb.data + 16) >> 12)
            if !ampdu_mlme.agg_session_valid.contains(tid), !ampdu_mlme.unexpected_agg.contains(tid) {
                ampdu_mlme.unexpected_agg.insert(tid)
                kernel.tracer.note("a block-ack request on TID \(tid), which has no session")
                noteDelBA(kernel, tid: tid, reason: 38)
            }
            kernel.tracer.note("mac80211 keeps no reorder buffer for TID \(tid) (tid_rx): the iwlwifi driver reorders")
            return .RX_DROP_MONITOR(.RX_DROP_MONITOR)
        }
    }

    /// Answers an SA Query request from the AP of the associated BSS, to this station, with the response
    /// it builds and sends (`ieee80211_tx_skb`); others are ignored.
    func ieee80211_process_sa_query_req(_ kernel: Kernel, _ skb: SKBuff, _ h: IEEE80211Header) {
        kernel.traced(rx.ieee80211_process_sa_query_req) {
            guard h.address1 == skb.dev.dev_addr, h.address2 == u_mgd?.bssid, u_mgd?.associated == true else {
                return kernel.tracer.note("not from the associated AP to this station: ignored")
            }
            kernel.tracer.note("answers with an SA Query response (a frame the station sends)")
        }
    }

    /// Builds the SA Query response and sends it, for the frame the capture shows the station sending.
    func ieee80211_process_sa_query_req(_ kernel: Kernel, response skb: inout SKBuff) {
        kernel.traced(rx.ieee80211_process_sa_query_req) { sendManagement(kernel, &skb) }
    }

    /// Checks a management frame before the handlers below: at least 24 bytes, a management frame, a
    /// beacon only when broadcast, and (6.12; earlier versions check it in `ieee80211_rx_h_action`) an
    /// action frame long enough for its category; last `ieee80211_drop_unencrypted_mgmt`.
    func ieee80211_rx_h_mgmt_check(_ kernel: Kernel, _ skb: SKBuff, _ h: IEEE80211Header, sta: Bool) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_rx_h_mgmt_check) {
            guard skb.len >= 24, h.frameControl.type == .management else { return .RX_DROP_MONITOR(.RX_DROP_MONITOR) }
            if h.frameControl.subtype == 8, !h.address1.isBroadcast {
                kernel.tracer.note("a beacon that is not broadcast")
                return .RX_DROP_MONITOR(.RX_DROP_MONITOR)
            }
            if kernel.profile.version >= .v6_12, let runt = runtAction(kernel, skb, h) { return runt }
            return ieee80211_drop_unencrypted_mgmt(kernel, skb, h, sta: sta)
        }
    }

    /// Whether a management frame is robust (`_ieee80211_is_robust_mgmt_frame`, include/linux/ieee80211.h):
    /// deauthentication, disassociation, and action frames that are protected or of a category other
    /// than public, HT, unprotected WNM, self-protected, unprotected DMG, VHT, S1G (6.1 on) and vendor-specific.
    func isRobustManagement(_ kernel: Kernel, _ skb: SKBuff, _ h: IEEE80211Header) -> Bool {
        let fc = h.frameControl
        guard fc.type == .management else { return false }
        if fc.subtype == 10 || fc.subtype == 12 { return true }
        guard fc.subtype == 13, skb.len >= 25 else { return false }
        if fc.isProtected { return true }
        var open: [UInt8] = [4, 7, 11, 15, 20, 21, 127]
        if kernel.profile.version >= .v6_1 { open.append(22) }
        return !open.contains(skb.bytes.u8(at: skb.data + 24))
    }

    /// The key index of a group-addressed robust management frame's (or beacon's) MMIE, the element
    /// BIP adds at its end (16 bytes of body for BIP-CMAC-128, 24 for the 256-bit and GMAC variants);
    /// -1 when the frame has none.
    func ieee80211_get_mmie_keyidx(_ kernel: Kernel, _ skb: SKBuff, _ h: IEEE80211Header) -> Int {
        kernel.traced(rx.ieee80211_get_mmie_keyidx) {
            guard skb.len >= 24 + 18, h.address1.isMulticast,
                  isRobustManagement(kernel, skb, h) || h.frameControl.subtype == 8 else { return -1 }
            let end = skb.data + skb.len
            for length in [16, 24] where skb.len >= 24 + length + 2 {
                let mmie = end - length - 2
                if skb.bytes.u8(at: mmie) == 76, Int(skb.bytes.u8(at: mmie + 1)) == length {
                    return Int(skb.bytes.u8(at: mmie + 2)) | Int(skb.bytes.u8(at: mmie + 3)) << 8
                }
            }
            return -1
        }
    }

    /// Drops management frames that should have been protected. With management frame protection agreed
    /// (`WLAN_STA_MFP`): an unprotected unicast robust frame once the pairwise key is in (6.12 lets an
    /// unprotected deauthentication or disassociation through while there is no key, but drops other
    /// robust frames even then), a group robust frame without an MMIE (user space hears of a refused
    /// deauthentication or disassociation: `cfg80211_rx_unprot_mlme_mgmt`), a robust action frame before
    /// the keys. 6.12 also drops an unprotected dual of a protected action frame, and a robust action frame
    /// before the association whatever was agreed. A frame the device decrypted passes. The beacon check
    /// (6.1 on) needs a beacon protection key, which the model never installs.
    func ieee80211_drop_unencrypted_mgmt(_ kernel: Kernel, _ skb: SKBuff, _ h: IEEE80211Header, sta: Bool) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_drop_unencrypted_mgmt) {
            guard let status = skb.ieee80211_rx_status, !status.flag.contains(.RX_FLAG_DECRYPTED) else { return .RX_CONTINUE }
            let fc = h.frameControl, v612 = kernel.profile.version >= .v6_12
            let action = fc.subtype == 13, category = action && skb.len >= 25 ? Int(skb.bytes.u8(at: skb.data + 24)) : -1
            let deauth = fc.subtype == 12, leaving = deauth || fc.subtype == 10
            if v612, category == 9 {
                kernel.tracer.note("an unprotected frame of the protected-dual category")
                return .RX_DROP_UNUSABLE(.RX_DROP_U_UNPROT_DUAL)
            }
            let robust = isRobustManagement(kernel, skb, h), group = h.address1.isMulticast
            // The key ieee80211_rx_h_decrypt chose: the pairwise key for a unicast frame, none for group ones.
            let key = !group && key(.ptk) != nil
            if sta, u_mgd?.mfp == true {
                if !fc.isProtected, !group, robust, key || v612 {
                    if v612, leaving, !key {
                        kernel.tracer.note("unprotected, but no key is installed yet (the 4-way handshake): allowed")
                        return .RX_CONTINUE
                    }
                    kernel.tracer.note("an unprotected unicast robust management frame under management frame protection")
                    if leaving { cfg80211_rx_unprot_mlme_mgmt(kernel, deauth: deauth) }
                    return .RX_DROP_UNUSABLE(.RX_DROP_U_UNPROT_UCAST_MGMT)
                }
                if group, robust {
                    if ieee80211_get_mmie_keyidx(kernel, skb, h) < 0 {
                        kernel.tracer.note("a group robust management frame without an MMIE under management frame protection")
                        if leaving { cfg80211_rx_unprot_mlme_mgmt(kernel, deauth: deauth) }
                        return .RX_DROP_UNUSABLE(.RX_DROP_U_UNPROT_MCAST_MGMT)
                    }
                    kernel.tracer.notModeled("BIP: the group management key's check of the MMIE (ieee80211_crypto_aes_cmac_decrypt)")
                }
                if action, !key, robust {
                    kernel.tracer.note("a robust action frame before the keys are installed")
                    return .RX_DROP_UNUSABLE(.RX_DROP_U_UNPROT_ACTION)
                }
                if v612, action, category == 4, !group {
                    kernel.tracer.notModeled("whether a unicast public action frame is the dual of a protected one "
                        + "(ieee80211_is_protected_dual_of_public_action)")
                }
            }
            if v612, action, robust, !(sta && u_mgd?.associated == true) {
                kernel.tracer.note("a robust action frame before the association")
                return .RX_DROP_UNUSABLE(.RX_DROP_U_UNPROT_ROBUST_ACTION)
            }
            return .RX_CONTINUE
        }
    }

    /// Drops an action frame too short for its category (`IEEE80211_MIN_ACTION_SIZE`, 25 bytes).
    func runtAction(_ kernel: Kernel, _ skb: SKBuff, _ h: IEEE80211Header) -> ieee80211_rx_result? {
        guard h.frameControl.subtype == 13, skb.len < 25 else { return nil }
        kernel.tracer.note("an action frame of \(skb.len) bytes: too short for its category")
        return .RX_DROP_UNUSABLE(.RX_DROP_U_RUNT_ACTION)
    }

    /// Handles the action frames mac80211 takes itself: block-ack frames (queued for the interface's work),
    /// SA Query requests (4.14; later `ieee80211_rx_h_action_post_userspace`), spectrum measurement
    /// requests on 5 GHz (refused), HT SM power save and channel width frames; queues channel switch
    /// announcements and VHT notifications for the MLME. Marks a frame too short for its action as
    /// malformed (it is returned to the sender below). Other frames pass on; frames from no station
    /// only of the public, self-protected and spectrum categories.
    func ieee80211_rx_h_action(_ kernel: Kernel, _ skb: inout SKBuff, _ h: IEEE80211Header, sta: Bool,
                               malformed: inout Bool) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_rx_h_action) {
            guard h.frameControl.type == .management, h.frameControl.subtype == 13 else { return .RX_CONTINUE }
            if kernel.profile.version < .v6_12, let runt = runtAction(kernel, skb, h) { return runt }
            let len = skb.len, body = skb.data + 24
            let category = skb.bytes.u8(at: body), action = len > 25 ? Int(skb.bytes.u8(at: body + 1)) : -1
            guard sta || [4, 15, 0].contains(category) else {
                kernel.tracer.note("an action frame (category \(category)) from no station")
                return .RX_DROP_UNUSABLE(.RX_DROP_U_ACTION_UNKNOWN_SRC)
            }
            let fromBSS = h.address3 == u_mgd?.bssid
            switch ActionCategory(rawValue: category) {
            case .blockAck?:
                guard len >= 26 else { break }
                guard let need = [0: 33, 1: 33, 2: 30][action] else { return invalidAction(kernel, &malformed, "block-ack action \(action)") }
                guard len >= need else { return invalidAction(kernel, &malformed, "a block-ack frame shorter than \(need) bytes") }
                return queueToInterface(kernel, skb)
            case .ht?:
                // The AP's entry is taken to support HT (it sends HT action frames only then).
                guard len >= 27, action == 0 || action == 1 else { return invalidAction(kernel, &malformed, "HT action \(action)") }
                kernel.tracer.note(action == 0 ? "SM power save: only an access point acts on it"
                    : "the AP's channel width: rate control follows it (rate_control_rate_update)")
                return handledAction(kernel, &skb)
            case .public?:
                guard len >= 26 else { return invalidAction(kernel, &malformed, "a public action frame without an action") }
                guard sta, fromBSS, action == 4 else { break }
                guard len >= 30 else { return invalidAction(kernel, &malformed, "an extended channel switch without its element") }
                return queueToInterface(kernel, skb)
            case .vht?:
                guard len >= 26 else { return invalidAction(kernel, &malformed, "a VHT action frame without an action") }
                guard let need = [2: 27, 1: 50][action] else { break }
                guard len >= need else { return invalidAction(kernel, &malformed, "a VHT frame shorter than \(need) bytes") }
                return queueToInterface(kernel, skb)
            case .spectrumManagement?:
                guard len >= 26 else { break }
                if action == 0, (skb.ieee80211_rx_status?.frame.radio?.frequency ?? 0) >= 5000, len >= 32 {
                    ieee80211_process_measurement_req(kernel)
                    return handledAction(kernel, &skb)
                }
                if action == 4, len >= 31, fromBSS { return queueToInterface(kernel, skb) }
            case .saQuery? where !kernel.has(rx.ieee80211_rx_h_action_post_userspace):
                if let handled = saQuery(kernel, &skb, h) { return handled }
            case .selfProtected?:
                guard len >= 26 else { break }
                if (1...5).contains(action) { return invalidAction(kernel, &malformed, "mesh peering or group key frames on a station") }
            default: break
            }
            return .RX_CONTINUE
        }
    }

    /// Marks the frame as a malformed action frame (`IEEE80211_RX_MALFORMED_ACTION_FRM`):
    /// `ieee80211_rx_h_action_return` returns it.
    func invalidAction(_ kernel: Kernel, _ malformed: inout Bool, _ why: String) -> ieee80211_rx_result {
        kernel.tracer.note("\(why): malformed (IEEE80211_RX_MALFORMED_ACTION_FRM)")
        malformed = true
        return .RX_CONTINUE
    }

    /// Queues a management frame for the interface's work (`ieee80211_queue_skb_to_iface`).
    func queueToInterface(_ kernel: Kernel, _ skb: SKBuff) -> ieee80211_rx_result {
        if kernel.has(rx.ieee80211_queue_skb_to_iface) { ieee80211_queue_skb_to_iface(kernel, skb) } else { skb_queue.append(skb) }
        kernel.tracer.note("queued to the interface's work (sdata->skb_queue)")
        return .RX_QUEUED
    }

    /// Frees an action frame mac80211 has handled (`dev_kfree_skb`): it was used.
    func handledAction(_ kernel: Kernel, _ skb: inout SKBuff) -> ieee80211_rx_result {
        kernel.consume_skb(&skb)
        kernel.delivered(to: "802.11 action")
        return .RX_QUEUED
    }

    /// Answers an SA Query request (`ieee80211_process_sa_query_req`) and frees it; `nil` for other SA
    /// Query frames and ones too short, which pass on.
    func saQuery(_ kernel: Kernel, _ skb: inout SKBuff, _ h: IEEE80211Header) -> ieee80211_rx_result? {
        guard skb.len >= 28, skb.bytes.u8(at: skb.data + 25) == 0 else { return nil }
        ieee80211_process_sa_query_req(kernel, skb, h)
        return handledAction(kernel, &skb)
    }

    /// Offers the frame to user space if it registered for its kind (the supplicant registers for action
    /// frames only, which stop at the handler above).
    func ieee80211_rx_h_userspace_mgmt(_ kernel: Kernel) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_rx_h_userspace_mgmt) { .RX_CONTINUE }
    }

    /// Handles action frames user space did not take (6.1 on): answers SA Query requests.
    func ieee80211_rx_h_action_post_userspace(_ kernel: Kernel, _ skb: inout SKBuff, _ h: IEEE80211Header) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_rx_h_action_post_userspace) {
            guard h.frameControl.type == .management, h.frameControl.subtype == 13,
                  skb.bytes.u8(at: skb.data + 24) == ActionCategory.saQuery.rawValue else { return .RX_CONTINUE }
            return saQuery(kernel, &skb, h) ?? .RX_CONTINUE
        }
    }

    /// Returns an action frame nobody handled to its sender with the category's top bit set (IEEE Std
    /// 802.11-2020 §11.19.4): not one to a group address (cooked monitor only) or one that was itself
    /// returned (`RX_DROP_U_REJECTED_ACTION_RESPONSE`). The copy leaves as a frame of the station's; the
    /// original is freed (6.12 counts it as `RX_DROP_U_UNKNOWN_ACTION_REJECTED`).
    func ieee80211_rx_h_action_return(_ kernel: Kernel, _ skb: inout SKBuff, _ h: IEEE80211Header) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_rx_h_action_return) {
            guard h.frameControl.type == .management, h.frameControl.subtype == 13 else { return .RX_CONTINUE }
            let category = skb.bytes.u8(at: skb.data + 24)
            if h.address1.isMulticast { return .RX_DROP_MONITOR(.RX_DROP_MONITOR) }
            if category & 0x80 != 0 {
                kernel.tracer.note("a returned action frame (category \(category)): not returned again")
                return .RX_DROP_UNUSABLE(.RX_DROP_U_REJECTED_ACTION_RESPONSE)
            }
            kernel.tracer.note("no handler for action category \(category): a copy with category \(category | 0x80) goes back to "
                + "\(h.address2.map(\.description) ?? "the sender") (__ieee80211_tx_skb_tid_band: a frame the station sends)")
            guard kernel.profile.version >= .v6_12 else {
                kernel.dev_kfree_skb_undelivered(&skb)
                return .RX_QUEUED
            }
            return .RX_DROP_UNUSABLE(.RX_DROP_U_UNKNOWN_ACTION_REJECTED)
        }
    }

    /// Sends the copy of an unhandled action frame back to its sender (the frame the capture shows the
    /// station sending).
    func ieee80211_rx_h_action_return(_ kernel: Kernel, returned skb: inout SKBuff) {
        kernel.traced(rx.ieee80211_rx_h_action_return) {
            __ieee80211_tx_skb_tid_band(kernel, &skb, data: ieee80211_tx_data(isManagement: true, isControlPort: false))
        }
    }

    /// Handles extension frames (S1G beacons, 6.1 on): the model's frames are not extension frames.
    func ieee80211_rx_h_ext(_ kernel: Kernel) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_rx_h_ext) { .RX_CONTINUE }
    }

    /// Queues the management frames a station processes (authentication, beacon, probe response,
    /// deauthentication, (re)association response, disassociation) to the interface's work; drops the
    /// others (and deauthentication or disassociation to a group address other than broadcast).
    func ieee80211_rx_h_mgmt(_ kernel: Kernel, _ skb: inout SKBuff, _ h: IEEE80211Header) -> ieee80211_rx_result {
        kernel.traced(rx.ieee80211_rx_h_mgmt) {
            switch h.frameControl.subtype {
            case 11, 8, 5: break
            case 12, 1, 3, 10:
                if h.address1.isMulticast, !h.address1.isBroadcast { return .RX_DROP_MONITOR(.RX_DROP_MONITOR) }
            default:
                kernel.tracer.note("a station does not process \(h.frameControl.name) frames")
                return .RX_DROP_MONITOR(.RX_DROP_MONITOR)
            }
            return queueToInterface(kernel, skb)
        }
    }

    /// Adds a frame to the interface's queue and schedules its work (6.1 on; 4.14 does both inline).
    func ieee80211_queue_skb_to_iface(_ kernel: Kernel, _ skb: SKBuff) {
        kernel.traced(rx.ieee80211_queue_skb_to_iface) { skb_queue.append(skb) }
    }

    /// Finishes the chain: counts and frees a dropped frame (through the cooked monitor path for
    /// `RX_DROP_MONITOR` and for a frame no handler took); nothing for a queued one.
    func ieee80211_rx_handlers_result(_ kernel: Kernel, _ skb: inout SKBuff, _ result: ieee80211_rx_result) {
        kernel.traced(rx.ieee80211_rx_handlers_result) {
            switch result {
            case .RX_QUEUED, .notModeled: break
            case .RX_CONTINUE: ieee80211_rx_cooked_monitor(kernel, &skb, .RX_DROP_MONITOR)
            case let .RX_DROP_MONITOR(reason): ieee80211_rx_cooked_monitor(kernel, &skb, reason)
            case let .RX_DROP_UNUSABLE(reason): freeDropped(kernel, &skb, reason)
            }
        }
    }

    /// Runs the handlers in the kernel's order until one does not return `RX_CONTINUE`. Returns whether
    /// a frame is on the list for the stack.
    func ieee80211_rx_handlers(_ kernel: Kernel, _ skb: inout SKBuff, sta: Bool) -> Bool {
        kernel.traced(rx.ieee80211_rx_handlers) {
            guard let status = skb.ieee80211_rx_status, let h = status.frame.header else { return false }
            /// The frame as the handlers before left it (decryption and reassembly change it).
            var frame: WirelessFrame { status.frame }
            var data = ieee80211_rx_data(h, sta: sta)
            var listed = false
            var result = ieee80211_rx_result.RX_CONTINUE
            /// Runs the next handler while the ones before passed the frame on (`CALL_RXH`).
            func call(_ handler: () -> ieee80211_rx_result) { if result == .RX_CONTINUE { result = handler() } }
            call { ieee80211_rx_h_check_more_data(kernel) }
            call { ieee80211_rx_h_uapsd_and_pspoll(kernel) }
            call { ieee80211_rx_h_sta_process(kernel, &skb, h, sta: sta) }
            call { ieee80211_rx_h_decrypt(kernel, &skb, &data) }
            call { ieee80211_rx_h_defragment(kernel, &skb, &data) }
            call { ieee80211_rx_h_michael_mic_verify(kernel, &skb, data) }
            call { ieee80211_rx_h_amsdu(kernel, h) }
            call { ieee80211_rx_h_data(kernel, &skb, frame, h, listed: &listed) }
            call { ieee80211_rx_h_ctrl(kernel, skb, h, sta: sta) }
            call { ieee80211_rx_h_mgmt_check(kernel, skb, h, sta: sta) }
            var malformed = false
            call { ieee80211_rx_h_action(kernel, &skb, h, sta: sta, malformed: &malformed) }
            call { ieee80211_rx_h_userspace_mgmt(kernel) }
            if kernel.has(rx.ieee80211_rx_h_action_post_userspace) { call { ieee80211_rx_h_action_post_userspace(kernel, &skb, h) } }
            call { ieee80211_rx_h_action_return(kernel, &skb, h) }
            if kernel.has(rx.ieee80211_rx_h_ext) { call { ieee80211_rx_h_ext(kernel) } }
            call { ieee80211_rx_h_mgmt(kernel, &skb, h) }
            ieee80211_rx_handlers_result(kernel, &skb, result)
            return listed
        }
    }
}
