// Mirrors net/mac80211/ieee80211_i.h (Linux 6.1): the state mac80211 keeps for a station interface.
// Not modeled: multi-link (MLO) stations, 4-address mode, power save, the key itself.
import KernelNet
import Wire

/// Models the parts of `struct ieee80211_if_managed` (a station interface's association) and of the
/// AP's `struct sta_info` that decide where a received frame goes: which BSS the station is in, whether
/// it is associated, whether its 802.1X port is open, and whether a pairwise key is installed.
public struct IEEE80211IfManaged: Sendable, Equatable {
    /// The BSSID of the BSS the station is in.
    public var bssid: MACAddress
    /// The access point's address (its station entry in mac80211; the BSSID unless the AP uses several).
    public var ap: MACAddress
    /// Whether the station is associated (`WLAN_STA_ASSOC` on the AP's entry).
    public var associated: Bool
    /// Whether the 802.1X controlled port is open (`WLAN_STA_AUTHORIZED`): data other than EAPOL
    /// passes only then, and fast RX is set up only then.
    public var authorized: Bool
    /// The pairwise cipher (`CCMP`, `GCMP`, …), or `nil` on an open network.
    public var cipher: String?
    /// Whether the station has authenticated with the AP (`WLAN_STA_AUTH`).
    public var authenticated: Bool
    /// Whether an authentication request is waiting for its answer (`ifmgd->auth_data`).
    public var auth_data = false
    /// Whether an association request is waiting for its answer (`ifmgd->assoc_data`).
    public var assoc_data = false

    /// The keys the supplicant installed, with mac80211's receive counters for them.
    public var keys = IEEE80211Keys()

    /// Whether management frame protection (802.11w) was agreed with the AP (`WLAN_STA_MFP` on its
    /// entry): from the host profile's `pmf`.
    public var mfp = false

    /// Whether mac80211 has a station entry for the AP: from the start of authentication until it is left.
    public var hasStation: Bool { associated || authenticated || auth_data || assoc_data }

    public init(bssid: MACAddress, ap: MACAddress, associated: Bool, authorized: Bool, cipher: String?) {
        self.bssid = bssid
        self.ap = ap
        self.associated = associated
        self.authorized = authorized
        self.cipher = cipher
        authenticated = associated
        if authorized, cipher != nil { installKeys() }
    }

    /// The cipher mac80211 decrypts with: the one named, CCMP when the capture did not say (the cipher
    /// of WPA2, which takes the same path as GCMP through its own function); `nil` on an open network.
    public var suite: WLANCipherSuite? { cipher.map { WLANCipherSuite(rawValue: $0) ?? .CCMP } }

    /// Installs the pairwise and group keys of the cipher (the supplicant's work after message 4 of the
    /// 4-way handshake); nothing on an open network.
    public mutating func installKeys() {
        keys = suite.map { IEEE80211Keys(cipher: $0) } ?? IEEE80211Keys()
    }
}

/// Models the parts of `struct ieee80211_rx_data` the RX handlers hand on to each other: the key
/// `ieee80211_rx_h_decrypt` chose, the counter indexes `ieee80211_parse_qos` set, and a protected
/// fragment's packet number for `ieee80211_rx_h_defragment`.
struct ieee80211_rx_data {
    /// The key chosen for the frame (`rx->key`), by where it sits among the station's keys.
    var key: IEEE80211KeySlot?
    /// The packet-number counter the frame is checked against (`rx->security_idx`): the TID of QoS
    /// data, 0 for other data, `IEEE80211_NUM_TIDS` for management frames.
    var security_idx: Int
    /// The sequence counters and fragment entries the frame belongs to (`rx->seqno_idx`): the TID of
    /// QoS data, `IEEE80211_NUM_TIDS` for other frames.
    var seqno_idx: Int
    /// The packet number of a protected fragment, once decrypted (`rx->ccm_gcm.pn`).
    var ccm_gcm_pn: UInt64?
    /// Whether the frame comes from a station mac80211 knows (`rx->sta`): the AP.
    var sta: Bool
    /// The TKIP sequence counter of the frame, once its IV is checked (`rx->tkip.iv32`, `rx->tkip.iv16`).
    var tkip_iv32: UInt32 = 0
    var tkip_iv16: UInt16 = 0

    /// The indexes of `h` (`ieee80211_parse_qos`), no key yet.
    init(_ h: IEEE80211Header, sta: Bool) {
        self.sta = sta
        let tid = h.frameControl.isQoSData ? Int(h.tid ?? 0) : nil
        security_idx = tid ?? (h.frameControl.type == .management ? IEEE80211_NUM_TIDS : 0)
        seqno_idx = tid ?? IEEE80211_NUM_TIDS
    }
}

/// `IEEE80211_FRAGMENT_MAX`: the entries of a fragment cache.
let IEEE80211_FRAGMENT_MAX = 4

/// Models `struct ieee80211_fragment_entry`: one frame being reassembled from its fragments.
struct ieee80211_fragment_entry {
    /// The first fragment as it arrived (header and body), then the bodies of the others (`skb_list`).
    var first: SKBuff
    var bodies: [[UInt8]] = []
    /// When the first fragment arrived (`first_frag_time`), capture nanoseconds.
    var first_frag_time: Int64
    var seq: UInt16
    /// The sequence counters' index of the frame (`rx_queue`).
    var rx_queue: Int
    var last_frag: UInt8
    /// Whether the fragments' CCMP or GCMP packet numbers must follow one another (`check_sequential_pn`),
    /// and the last one (`last_pn`).
    var check_sequential_pn = false
    var last_pn: UInt64 = 0
    /// Whether the first fragment was protected (`is_protected`, 6.1 on).
    var is_protected = false
    /// The bytes of the bodies after the first (`extra_len`).
    var extra_len = 0
}

/// Models `struct ieee80211_fragment_cache`: the last `IEEE80211_FRAGMENT_MAX` frames being reassembled,
/// reused in turn (`next`).
struct ieee80211_fragment_cache {
    var entries: [ieee80211_fragment_entry?] = Array(repeating: nil, count: IEEE80211_FRAGMENT_MAX)
    var next = 0
}
