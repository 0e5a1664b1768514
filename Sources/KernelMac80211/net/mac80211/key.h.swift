// Mirrors net/mac80211/key.h (Linux 6.1; 4.14 and 6.12 alike for what is modeled): the keys a station
// holds once the supplicant has installed them, and the receive state mac80211 keeps per key.
// Not modeled: the key material (a capture never holds it), key rotation (a new group key after the
// group key handshake keeps the first one's index and counters), management frame protection keys
// (IGTK, BIGTK), extended key IDs for the pairwise key, more than one static WEP key.
import Wire

/// Models `WLAN_CIPHER_SUITE_*` (include/linux/ieee80211.h): the ciphers mac80211 decrypts with, by the
/// name a host profile gives them (`"CCMP"`, `"GCMP-256"`, …).
public enum WLANCipherSuite: String, Sendable, CaseIterable {
    case WEP40 = "WEP40", WEP104 = "WEP104", TKIP = "TKIP", CCMP = "CCMP", CCMP_256 = "CCMP-256", GCMP = "GCMP",
        GCMP_256 = "GCMP-256"

    /// The suite of an RSN element's selector `00-0F-AC:type`, `nil` for one the model does not decrypt with.
    public init?(rsnSuiteType type: UInt8) {
        switch type {
        case 1: self = .WEP40
        case 2: self = .TKIP
        case 4: self = .CCMP
        case 5: self = .WEP104
        case 8: self = .GCMP
        case 9: self = .GCMP_256
        case 10: self = .CCMP_256
        default: return nil
        }
    }

    /// WEP40 or WEP104.
    public var isWEP: Bool { self == .WEP40 || self == .WEP104 }

    /// The length of the MIC after the payload (`IEEE80211_CCMP_MIC_LEN`, `IEEE80211_CCMP_256_MIC_LEN`,
    /// `IEEE80211_GCMP_MIC_LEN`); TKIP's Michael MIC is part of the payload, WEP has an ICV instead.
    public var micLength: Int {
        switch self {
        case .CCMP: 8
        case .CCMP_256, .GCMP, .GCMP_256: 16
        case .TKIP, .WEP40, .WEP104: 0
        }
    }
}

/// `IEEE80211_NUM_TIDS`: receive counters are kept per TID, and one more for management frames.
let IEEE80211_NUM_TIDS = 16

/// Models the receive side of `struct ieee80211_key` for CCMP and GCMP (`u.ccmp.rx_pn`, `u.ccmp.replays`,
/// and their `u.gcmp` twins): the last packet number accepted per security index (the TID of QoS data,
/// 0 for other data, `IEEE80211_NUM_TIDS` for management frames) and the replays counted, which
/// debugfs shows as `keys/N/replays`.
public struct IEEE80211Key: Sendable, Equatable {
    /// The cipher (`conf.cipher`).
    public var cipher: WLANCipherSuite
    /// The key index (`conf.keyidx`): 0 for the pairwise key; for the group key the index message 3
    /// of the 4-way handshake gave it, which only the encrypted key data holds: `nil` until a group
    /// frame names it.
    public var keyidx: Int?
    /// The last packet number accepted, per security index.
    var rx_pn = [UInt64](repeating: 0, count: IEEE80211_NUM_TIDS + 1)
    /// Frames dropped for a packet number not above the last one (`u.ccmp.replays`).
    public var replays = 0
    /// TKIP's receive counters per security index (`u.tkip.rx`): the last IV accepted, and whether
    /// any was.
    var tkip_rx = [tkip_ctx_rx](repeating: tkip_ctx_rx(), count: IEEE80211_NUM_TIDS + 1)
    /// The iwlwifi driver's own last packet number per TID for the pairwise key (`mvmsta->ptk_pn`, made
    /// when mac80211 gives the driver the key and gone with it).
    public var hw_pn = [UInt64](repeating: 0, count: IEEE80211_NUM_TIDS)
}

/// Models `struct tkip_ctx_rx` (include/net/mac80211.h): the TKIP sequence counter (IV32 and IV16) of
/// the last frame accepted on one security index, and whether one was (`ctx.state` past
/// `TKIP_STATE_NOT_INIT`).
struct tkip_ctx_rx: Sendable, Equatable {
    var iv32: UInt32 = 0
    var iv16: UInt16 = 0
    var initialized = false
}

/// The keys of a station interface with its AP: the pairwise key on the AP's station entry
/// (`sta->ptk[0]`) and the group key (`link->gtk[idx]` in 6.1 and 6.12, `sdata->keys[idx]` in 4.14). The
/// supplicant installs both after message 4 of the 4-way handshake; they go when the station leaves.
public struct IEEE80211Keys: Sendable, Equatable {
    /// The pairwise key, once installed.
    public var ptk: IEEE80211Key?
    /// The group key, once installed.
    public var gtk: IEEE80211Key?

    /// No keys (an open network, or before the 4-way handshake).
    public init() {}

    /// Both keys, as the supplicant installs them; `cipher` names the pairwise and the group cipher alike
    /// (the model does not tell them apart). A static WEP key is a default key (`sdata->keys[idx]`, the
    /// group slot here) with no pairwise key: it protects unicast and group frames alike.
    public init(cipher: WLANCipherSuite) {
        gtk = IEEE80211Key(cipher: cipher, keyidx: nil)
        if !cipher.isWEP { ptk = IEEE80211Key(cipher: cipher, keyidx: 0) }
    }
}

/// Where a key sits among the station's keys.
public enum IEEE80211KeySlot: Sendable {
    case ptk, gtk
}

extension Mac80211Device {
    /// The key that protects a received frame, as `ieee80211_rx_h_decrypt` chooses it and as the device
    /// has it (mac80211 gives the device every key it installs): the pairwise key for a frame to the
    /// station's own address, whatever index it names; the group key for a group-addressed frame
    /// whose index is the group key's (or any index 1 to 3 while the model does not know the group
    /// key's). A static WEP key, mac80211's default key with no pairwise key, serves unicast frames too
    /// (`ieee80211_rx_h_decrypt` allows a key index on unicast frames for WEP only), for any index 0 to 3
    /// until a frame names it. `nil` when no such key is installed.
    public func keySlot(groupAddressed: Bool, keyidx: Int) -> IEEE80211KeySlot? {
        guard let keys = u_mgd?.keys else { return nil }
        if !groupAddressed, keys.ptk != nil { return .ptk }
        guard let gtk = keys.gtk, groupAddressed || gtk.cipher.isWEP else { return nil }
        if let index = gtk.keyidx { return index == keyidx ? .gtk : nil }
        return ((gtk.cipher.isWEP ? 0 : 1)...3).contains(keyidx) ? .gtk : nil
    }

    /// What the key in `slot` is, for the trace: the pairwise key, the group key, or a static WEP key.
    public func keyName(_ slot: IEEE80211KeySlot) -> String {
        slot == .ptk ? "pairwise key" : cipher(of: slot)?.isWEP == true ? "WEP key" : "group key"
    }

    /// The cipher of the key in `slot`.
    public func cipher(of slot: IEEE80211KeySlot) -> WLANCipherSuite? { key(slot)?.cipher }

    /// The station's key in `slot`, if installed.
    public func key(_ slot: IEEE80211KeySlot) -> IEEE80211Key? { slot == .ptk ? u_mgd?.keys.ptk : u_mgd?.keys.gtk }

    /// Changes the station's key in `slot`, if installed.
    public func updateKey(_ slot: IEEE80211KeySlot, _ change: (inout IEEE80211Key) -> Void) {
        guard var keys = u_mgd?.keys else { return }
        switch slot {
        case .ptk: if var k = keys.ptk { change(&k); keys.ptk = k }
        case .gtk: if var k = keys.gtk { change(&k); keys.gtk = k }
        }
        u_mgd?.keys = keys
    }
}
