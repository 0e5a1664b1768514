import Capture
import KernelMac80211
import Wire

/// Which station of a Wi-Fi monitor-mode capture is the capturing host, and its association, from the
/// frames themselves: the station an access point answered an association request from, else the
/// station most data frames go to and come from through an access point.
struct StationInference {
    /// Data frames exchanged with an access point, by station, with the BSSID and AP last seen.
    private var traffic: [MACAddress: (frames: Int, bssid: MACAddress, ap: MACAddress)] = [:]
    /// The station of the last successful association response, and its BSSID and AP.
    private var associated: (station: MACAddress, bssid: MACAddress, ap: MACAddress)?
    /// Stations whose data frames (other than EAPOL) passed unprotected or protected: their port is open.
    private var authorized: Set<MACAddress> = []
    /// Stations with protected data frames: a pairwise key is in use.
    private var protected: Set<MACAddress> = []

    /// The encapsulation of an 802.11 link type, `nil` for others.
    static func encapsulation(of type: LinkType) -> RadioEncapsulation? {
        switch type {
        case .DLT_IEEE802_11: RadioEncapsulation.none
        case .DLT_IEEE802_11_RADIO: .radiotap
        case .DLT_PPI: .ppi
        default: nil
        }
    }

    /// Takes one 802.11 frame into account.
    mutating func add(_ frame: CapturedFrame, _ encapsulation: RadioEncapsulation) {
        let w = WirelessFrame(frame.bytes, encapsulation: encapsulation)
        guard let h = w.header, let a2 = h.address2, let bssid = h.bssid else { return }
        let fc = h.frameControl
        // An association (or reassociation) response with status 0 (success), from the AP to the station.
        if fc.type == .management, fc.subtype == 1 || fc.subtype == 3, frame.bytes.u16le(at: w.bodyOffset + 2) == 0 {
            associated = (h.address1, bssid, a2)
        }
        guard fc.type == .data, fc.toDS != fc.fromDS else { return }
        let station = fc.toDS ? a2 : h.address1
        let ap = fc.toDS ? h.address1 : a2
        guard !station.isMulticast else { return }
        traffic[station, default: (0, bssid, ap)].frames += 1
        traffic[station]?.bssid = bssid
        traffic[station]?.ap = ap
        if fc.isProtected { protected.insert(station) }
        if fc.isProtected || (w.etherType != nil && w.etherType != EtherType(rawValue: 0x888e)) { authorized.insert(station) }
    }

    /// The station taken to be the host, its association, and the sentence that says why; `nil`
    /// when the capture shows no station.
    var station: (mac: MACAddress, bss: IEEE80211IfManaged, reason: String)? {
        let picked: (MACAddress, MACAddress, MACAddress, String)
        if let a = associated {
            picked = (a.station, a.bssid, a.ap, "the access point \(a.ap) accepted its association")
        } else if let (mac, t) = traffic.max(by: { ($0.value.frames, $1.key) < ($1.value.frames, $0.key) }) {
            picked = (mac, t.bssid, t.ap, "\(t.frames) data frame\(t.frames == 1 ? "" : "s") go to or come from it through \(t.ap)")
        } else {
            return nil
        }
        let (mac, bssid, ap, why) = picked
        // A capture that shows the association starts before it: the station is not yet associated,
        // and the replay follows authentication, association and the 4-way handshake.
        guard associated == nil else {
            let bss = IEEE80211IfManaged(bssid: bssid, ap: ap, associated: false, authorized: false, cipher: nil)
            return (mac, bss, "Wi-Fi station \(mac) of BSS \(bssid), not yet associated at the start (the capture shows "
                + "its association): \(why)")
        }
        let bss = IEEE80211IfManaged(bssid: bssid, ap: ap, associated: true, authorized: authorized.contains(mac),
                                     cipher: protected.contains(mac) ? "unknown" : nil)
        let state = [bss.authorized ? "authorized" : "not yet authorized (802.1X port closed)",
                     bss.cipher == nil ? "open (no pairwise key)" : "with a pairwise key (cipher not in the capture)"]
        return (mac, bss, "Wi-Fi station \(mac) in BSS \(bssid), associated, \(state.joined(separator: ", ")): \(why)")
    }
}
