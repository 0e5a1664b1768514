// Mirrors net/mac80211/mlme.c (Linux 6.1; 4.14 and 6.12 where they differ): the management frames a
// station interface processes in its work, the association state they change, and the frames the
// station makes itself (association requests, null data).
// Not modeled: the frames' elements (TIM, ERP, WMM, HT/VHT/HE operation, channel switch), SAE and
// shared-key authentication, multi-link, the BSS table (`ieee80211_rx_bss_info` is traced, cfg80211's
// BSS entries are not kept), timeouts and retries of authentication and association.
import KernelNet
import Trace
import Wire

/// Functions modeled from `net/mac80211/mlme.c`.
public enum mlme: String, KernelSourceFile {
    public static let path = "net/mac80211/mlme.c"
    case ieee80211_send_assoc, ieee80211_send_nullfunc, ieee80211_rx_mgmt_disassoc, ieee80211_rx_mgmt_deauth, ieee80211_rx_mgmt_auth, ieee80211_rx_mgmt_assoc_resp,
        ieee80211_rx_bss_info, ieee80211_rx_mgmt_probe_resp, ieee80211_rx_mgmt_beacon, ieee80211_sta_rx_queued_mgmt
}

extension Mac80211Device {
    /// The body of a management frame (after its 24-byte header) as 16-bit little-endian fields:
    /// `field(0)` is the first (capability, or the authentication algorithm, or the reason code).
    private func field(_ skb: SKBuff, _ index: Int) -> UInt16? {
        let at = skb.data + 24 + 2 * index
        return at + 2 <= skb.data + skb.len ? skb.bytes.u16le(at: at) : nil
    }

    /// Leaves the BSS on the AP's disassociation.
    func ieee80211_rx_mgmt_disassoc(_ kernel: Kernel, _ skb: SKBuff, _ h: IEEE80211Header) {
        kernel.traced(mlme.ieee80211_rx_mgmt_disassoc) { leave(kernel, skb, h, "disassociated", deauthenticated: false) }
    }

    /// Leaves the BSS on the AP's deauthentication.
    func ieee80211_rx_mgmt_deauth(_ kernel: Kernel, _ skb: SKBuff, _ h: IEEE80211Header) {
        kernel.traced(mlme.ieee80211_rx_mgmt_deauth) { leave(kernel, skb, h, "deauthenticated", deauthenticated: true) }
    }

    /// What deauthentication and disassociation share: from the AP of the associated BSS (BSSID = SA),
    /// the station is no longer associated and its port closes; otherwise the frame is ignored.
    private func leave(_ kernel: Kernel, _ skb: SKBuff, _ h: IEEE80211Header, _ what: String, deauthenticated: Bool) {
        guard let reason = field(skb, 0) else { return kernel.tracer.note("too short for a reason code: ignored") }
        guard var bss = u_mgd, bss.associated, h.address3 == bss.bssid, h.address2 == h.address3 else {
            return kernel.tracer.note("not from the AP of an associated BSS: ignored")
        }
        bss.associated = false
        bss.authorized = false
        bss.keys = IEEE80211Keys()
        if deauthenticated { bss.authenticated = false }
        u_mgd = bss
        ampdu_mlme = sta_ampdu_mlme()
        kernel.tracer.state("\(what) by \(bss.bssid) (reason \(reason)): the station leaves the BSS, its port closes")
    }

    /// Completes open-system authentication the station started: with status 0 it is authenticated
    /// (the supplicant then asks for association). A frame that answers no request is ignored.
    func ieee80211_rx_mgmt_auth(_ kernel: Kernel, _ skb: SKBuff, _ h: IEEE80211Header) {
        kernel.traced(mlme.ieee80211_rx_mgmt_auth) {
            guard let status = field(skb, 2) else { return kernel.tracer.note("too short for an authentication frame: ignored") }
            guard var bss = u_mgd, bss.auth_data, h.address3 == bss.bssid else {
                return kernel.tracer.note("no authentication with \(h.address3) in progress (no auth_data): ignored")
            }
            bss.auth_data = false
            bss.authenticated = status == 0
            u_mgd = bss
            kernel.tracer.state(status == 0 ? "authenticated with \(bss.bssid)" : "authentication refused (status \(status))")
        }
    }

    /// Completes the association the station asked for: with status 0 the AP's entry becomes associated;
    /// its port opens at once on a BSS without privacy, else after the supplicant's 4-way handshake.
    func ieee80211_rx_mgmt_assoc_resp(_ kernel: Kernel, _ skb: SKBuff, _ h: IEEE80211Header) {
        kernel.traced(mlme.ieee80211_rx_mgmt_assoc_resp) {
            guard let capability = field(skb, 0), let status = field(skb, 1) else {
                return kernel.tracer.note("too short for an association response: ignored")
            }
            guard var bss = u_mgd, bss.assoc_data, h.address3 == bss.bssid else {
                return kernel.tracer.note("no association with \(h.address3) in progress (no assoc_data): ignored")
            }
            bss.assoc_data = false
            guard status == 0 else {
                u_mgd = bss
                return kernel.tracer.state("association refused (status \(status))")
            }
            bss.associated = true
            bss.authorized = capability & 0x0010 == 0
            u_mgd = bss
            kernel.tracer.state(bss.authorized
                ? "associated with \(bss.bssid), open BSS: the port is authorized"
                : "associated with \(bss.bssid); the BSS uses privacy: the 802.1X port stays closed until the 4-way handshake")
        }
    }

    /// Passes a beacon's or probe response's contents to cfg80211's BSS table (not kept by the model).
    func ieee80211_rx_bss_info(_ kernel: Kernel) {
        kernel.traced(mlme.ieee80211_rx_bss_info) {}
    }

    /// Takes a probe response addressed to the station into the BSS table.
    func ieee80211_rx_mgmt_probe_resp(_ kernel: Kernel, _ h: IEEE80211Header, own: MACAddress) {
        kernel.traced(mlme.ieee80211_rx_mgmt_probe_resp) {
            guard h.address1 == own || h.address1.isBroadcast else {
                return kernel.tracer.note("a probe response for \(h.address1): ignored")
            }
            ieee80211_rx_bss_info(kernel)
        }
    }

    /// Follows the beacons of the associated BSS (TIM, ERP and operation elements, not modeled); ignores
    /// other beacons.
    func ieee80211_rx_mgmt_beacon(_ kernel: Kernel, _ h: IEEE80211Header) {
        kernel.traced(mlme.ieee80211_rx_mgmt_beacon) {
            guard let bss = u_mgd, bss.associated, h.address3 == bss.bssid else {
                return kernel.tracer.note("not the beacon of a BSS the station is associated with: ignored")
            }
            kernel.tracer.note("the beacon of its own BSS: its elements (TIM, ERP, operation) are not modeled")
        }
    }

    /// Processes one queued management frame of a station interface, by subtype.
    func ieee80211_sta_rx_queued_mgmt(_ kernel: Kernel, _ skb: SKBuff, own: MACAddress) {
        kernel.traced(mlme.ieee80211_sta_rx_queued_mgmt) {
            guard let h = skb.ieee80211_rx_status?.frame.header else { return }
            switch h.frameControl.subtype {
            case 8: ieee80211_rx_mgmt_beacon(kernel, h)
            case 5: ieee80211_rx_mgmt_probe_resp(kernel, h, own: own)
            case 11: ieee80211_rx_mgmt_auth(kernel, skb, h)
            case 12: ieee80211_rx_mgmt_deauth(kernel, skb, h)
            case 10: ieee80211_rx_mgmt_disassoc(kernel, skb, h)
            case 1, 3: ieee80211_rx_mgmt_assoc_resp(kernel, skb, h)
            case 13: kernel.tracer.notModeled("channel switch announcements (ieee80211_sta_process_chanswitch)")
            default: break
            }
        }
    }

    /// What a frame the capture shows the station sending tells of mac80211's state, as the request that
    /// made it set it: an authentication request starts authentication (`auth_data`), an association
    /// request association (`assoc_data`), and message 4 of the 4-way handshake means the supplicant installs the pairwise key and authorizes the port next.
    /// Returns the sentence saying what changed, `nil` when nothing did.
    public func stationSent(_ frame: WirelessFrame, _ bytes: [UInt8]) -> String? {
        guard var bss = u_mgd, let h = frame.header, h.address1 == bss.ap || h.address3 == bss.bssid else { return nil }
        let fc = h.frameControl
        var change: String?
        if fc.type == .management, fc.subtype == 11 {
            bss.auth_data = true
            change = "authentication with \(bss.bssid) in progress (auth_data)"
        } else if fc.type == .management, fc.subtype == 0 || fc.subtype == 2 {
            bss.assoc_data = true
            change = "association with \(bss.bssid) in progress (assoc_data)"
            if let suite = pairwiseCipher(frame, bytes, reassociation: fc.subtype == 2) {
                bss.cipher = suite.rawValue
                change? += ", pairwise cipher \(suite.rawValue) (its RSN element)"
            }
            if rsnCapableOfMFP(frame, bytes, reassociation: fc.subtype == 2) {
                bss.mfp = true
                change? += ", management frame protection (MFPC in its RSN capabilities: WLAN_STA_MFP)"
            }
        } else if fc.type == .data, frame.etherType == .eapol, bss.associated, !bss.authorized,
                  isFourthHandshakeMessage(bytes, at: frame.networkOffset, end: frame.end) {
            bss.authorized = true
            if bss.cipher == nil { bss.cipher = "unknown" }
            bss.installKeys()
            change = "4-way handshake complete: the supplicant installs the pairwise key and authorizes the port"
        }
        u_mgd = bss
        return change
    }

    /// Builds the association (or reassociation) request and sends it (`ieee80211_tx_skb`), for the
    /// MLME's association step (`ieee80211_do_assoc`, after nl80211's associate).
    func ieee80211_send_assoc(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(mlme.ieee80211_send_assoc) { sendManagement(kernel, &skb) }
    }

    /// Builds a null data frame to the AP (its power management bit tells the AP whether the station
    /// sleeps; also a probe of the connection) and sends it as mac80211's own frame.
    func ieee80211_send_nullfunc(_ kernel: Kernel, _ skb: inout SKBuff) {
        kernel.traced(mlme.ieee80211_send_nullfunc) {
            ieee80211_tx_skb_tid(kernel, &skb, data: ieee80211_tx_data(isManagement: false, isControlPort: false))
        }
    }

    /// Follows a frame the capture shows the station sending that the network stack did not make, from
    /// where the kernel made it down to the driver: mac80211's own management and null data frames, the
    /// supplicant's EAPOL (over nl80211 in 6.x, a packet socket in 4.14), and the probe requests of
    /// iwlwifi's firmware scan. `skb` holds the 802.11 frame. Returns false, with a not-modeled note,
    /// for a frame whose origin the model does not know.
    public func transmitSent(_ kernel: Kernel, _ skb: inout SKBuff, _ frame: WirelessFrame) -> Bool {
        guard let fc = frame.header?.frameControl else { return false }
        // The state changes once the frame is on its way: message 4 leaves before the key is installed.
        let bytes = skb.bytes
        defer { if let change = stationSent(frame, bytes) { kernel.tracer.state(change) } }
        switch (fc.type, fc.subtype) {
        case (.management, 4):
            kernel.tracer.note("made and sent by the device's firmware, from the template iwlwifi gave it with the scan "
                + "request (iwl_mvm_mac_hw_scan): no kernel path for this frame")
        case (.management, 11): ieee80211_send_auth(kernel, &skb)
        case (.management, 0), (.management, 2): ieee80211_send_assoc(kernel, &skb)
        case (.management, 10), (.management, 12): ieee80211_send_deauth_disassoc(kernel, &skb)
        case (.management, 13): return transmitAction(kernel, &skb)
        case (.data, _) where fc.isNullData: ieee80211_send_nullfunc(kernel, &skb)
        case (.data, _) where frame.etherType == .eapol && !fc.isProtected:
            convertTo8023(&skb, frame)
            skb.protocol = .eapol
            skb.network_header = skb.data + Self.ethernetHeaderLength
            guard kernel.has(tx.ieee80211_tx_control_port) else {
                kernel.tracer.note("the supplicant writes it to a packet socket (packet_snd), which hands it to dev_queue_xmit")
                _ = kernel.dev_queue_xmit(&skb)
                return true
            }
            ieee80211_tx_control_port(kernel, &skb)
        case (.data, _) where fc.isProtected:
            kernel.tracer.notModeled("where the stack made this frame: the device encrypted it, and the capture holds "
                + "only the ciphertext")
            return false
        default:
            kernel.tracer.notModeled("the origin of \(fc.name) frames the station sends")
            return false
        }
        return true
    }

    /// Follows an action frame the station sent from where mac80211 made it: block-ack frames (an ADDBA
    /// request as originator, an ADDBA response or DELBA as recipient), the answers to SA Query and
    /// measurement requests, and returned frames (category with its top bit set). Returns false, with a
    /// not-modeled note, for others (those of user space, sent through `ieee80211_mgmt_tx`).
    func transmitAction(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool {
        let category = skb.bytes.u8(at: skb.data + 24), action = skb.bytes.u8(at: skb.data + 25)
        switch (ActionCategory(rawValue: category), action) {
        case _ where category & 0x80 != 0: ieee80211_rx_h_action_return(kernel, returned: &skb)
        case (.blockAck?, 0): ieee80211_send_addba_request(kernel, &skb)
        case (.blockAck?, 1): ieee80211_send_addba_resp(kernel, &skb)
        case (.blockAck?, 2): ieee80211_send_delba(kernel, &skb)
        case (.saQuery?, 1): ieee80211_process_sa_query_req(kernel, response: &skb)
        case (.spectrumManagement?, 1): ieee80211_send_refuse_measurement_request(kernel, &skb)
        default:
            kernel.tracer.notModeled("the origin of action frames of category \(category) the station sends (user space's, "
                + "ieee80211_mgmt_tx)")
            return false
        }
        return true
    }

    /// The 802.3 frame the stack handed down for an unprotected data frame the station sent, for the
    /// replay to find its origin as on an Ethernet device; `nil` for frames the stack did not make this
    /// way (management, null data, EAPOL, protected frames).
    public func stackFrame(_ frame: WirelessFrame, _ bytes: [UInt8]) -> [UInt8]? {
        guard let fc = frame.header?.frameControl, fc.type == .data, !fc.isNullData, !fc.isProtected,
              let type = frame.etherType, type != .eapol else { return nil }
        return ethernetFrame(frame, bytes)
    }

    /// The pairwise cipher an association request asks for: the first pairwise suite of its RSN element,
    /// or of its WPA element (the vendor element of WPA before RSN) (after the capability, the listen
    /// interval and, in a reassociation request, the current AP); `nil` without one the model knows.
    private func pairwiseCipher(_ frame: WirelessFrame, _ bytes: [UInt8], reassociation: Bool) -> WLANCipherSuite? {
        let end = min(frame.end, bytes.count)
        var at = frame.bodyOffset + (reassociation ? 10 : 4)
        while at + 2 <= end {
            let id = bytes[at], length = Int(bytes[at + 1])
            guard at + 2 + length <= end else { return nil }
            // RSN: version (2), group suite (4), pairwise count (2), then the first pairwise suite.
            if id == 48, length >= 12, bytes[at + 10..<at + 13].elementsEqual([0x00, 0x0f, 0xac]) {
                return WLANCipherSuite(rsnSuiteType: bytes[at + 13])
            }
            // WPA: OUI 00-50-F2 type 1, version (2), group suite (4), pairwise count (2), first pairwise suite.
            if id == 221, length >= 16, bytes[at + 2..<at + 6].elementsEqual([0x00, 0x50, 0xf2, 0x01]),
               bytes[at + 14..<at + 17].elementsEqual([0x00, 0x50, 0xf2]) {
                return WLANCipherSuite(rsnSuiteType: bytes[at + 17])
            }
            at += 2 + length
        }
        return nil
    }

    /// Whether an association request's RSN element says the station protects management frames: the
    /// MFPC bit (bit 7) of the RSN capabilities after the pairwise and AKM suite lists. The supplicant
    /// sets it only when it and the AP agreed on management frame protection, and then asks mac80211 to use
    /// it (`use_mfp`, which sets `WLAN_STA_MFP` on the AP's entry when the association succeeds).
    private func rsnCapableOfMFP(_ frame: WirelessFrame, _ bytes: [UInt8], reassociation: Bool) -> Bool {
        let end = min(frame.end, bytes.count)
        var at = frame.bodyOffset + (reassociation ? 10 : 4)
        while at + 2 <= end {
            let id = bytes[at], length = Int(bytes[at + 1])
            guard at + 2 + length <= end else { return false }
            if id == 48 {
                // version (2), group suite (4), pairwise count and suites, AKM count and suites, capabilities (2).
                let body = at + 2, bodyEnd = body + length
                var p = body + 6
                for _ in 0..<2 {
                    guard p + 2 <= bodyEnd else { return false }
                    p += 2 + 4 * (Int(bytes[p]) | Int(bytes[p + 1]) << 8)
                }
                return p + 2 <= bodyEnd && bytes[p] & 0x80 != 0
            }
            at += 2 + length
        }
        return false
    }

    /// Whether the EAPOL frame at `offset` is message 4 of the 4-way handshake: an EAPOL-Key frame
    /// (type 3) with a MIC, without the Ack bit, and with an all-zero nonce (message 2, the other one the
    /// station sends, carries its nonce). Works for WPA (descriptor 254) and RSN (2) alike.
    private func isFourthHandshakeMessage(_ bytes: [UInt8], at offset: Int, end: Int) -> Bool {
        let nonce = offset + 17
        guard nonce + 32 <= min(end, bytes.count), bytes[offset + 1] == 3 else { return false }
        let info = bytes.u16be(at: offset + 5)
        return info & 0x0100 != 0 && info & 0x0080 == 0 && bytes[nonce..<nonce + 32].allSatisfy { $0 == 0 }
    }
}
