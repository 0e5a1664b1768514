// Mirrors net/mac80211/ieee80211_i.h (Linux 6.1): the state mac80211 keeps for a station interface.
// Not modeled: multi-link (MLO) stations, 4-address mode, power save, the key itself.
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

    /// Whether mac80211 has a station entry for the AP: from the start of authentication until it is left.
    public var hasStation: Bool { associated || authenticated || auth_data || assoc_data }

    public init(bssid: MACAddress, ap: MACAddress, associated: Bool, authorized: Bool, cipher: String?) {
        self.bssid = bssid
        self.ap = ap
        self.associated = associated
        self.authorized = authorized
        self.cipher = cipher
        authenticated = associated
    }
}
