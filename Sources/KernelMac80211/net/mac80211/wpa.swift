// Mirrors net/mac80211/wpa.c (Linux 6.1; 4.14 and 6.12 alike but for 6.12's drop reasons): the receive
// side of TKIP, CCMP and GCMP on frames the device decrypted (`RX_FLAG_DECRYPTED`): the length checks,
// the replay checks on the IV or packet number, the removal of the cipher's header and MIC; the TKIP
// Michael MIC among the TX handlers.
// Not modeled: computing the Michael MIC (no key; a MIC failure is never modeled), WEP, software
// decryption (the model's device holds every key mac80211 does, so it decrypts every frame mac80211 has
// a key for), protected management frames.
import KernelNet
import Trace
import Wire

/// Functions modeled from `net/mac80211/wpa.c`, in the file's order.
public enum wpa: String, KernelSourceFile {
    public static let path = "net/mac80211/wpa.c"
    case ieee80211_tx_h_michael_mic_add, ieee80211_rx_h_michael_mic_verify, ieee80211_crypto_tkip_decrypt,
        ieee80211_crypto_ccmp_decrypt, ieee80211_crypto_gcmp_decrypt
}

/// The length of the CCMP and GCMP header (`IEEE80211_CCMP_HDR_LEN`, `IEEE80211_GCMP_HDR_LEN`).
let IEEE80211_CCMP_HDR_LEN = 8
/// The length of the TKIP IV (`IEEE80211_TKIP_IV_LEN`) and of its Michael MIC (`MICHAEL_MIC_LEN`).
let IEEE80211_TKIP_IV_LEN = 8
let MICHAEL_MIC_LEN = 8

/// The 48-bit packet number of a CCMP or GCMP header at `offset` (`ccmp_hdr2pn`): bytes 0-1 and 4-7,
/// least significant first; 0 when the bytes are not there.
public func ccmp_hdr2pn(_ bytes: [UInt8], at offset: Int) -> UInt64 {
    guard offset >= 0, offset + IEEE80211_CCMP_HDR_LEN <= bytes.count else { return 0 }
    return [0, 1, 4, 5, 6, 7].enumerated().reduce(0) { pn, byte in pn | UInt64(bytes[offset + byte.element]) << (8 * byte.offset) }
}

extension Mac80211Device {
    /// Adds the Michael MIC to TKIP-protected data; frames under other ciphers (or none) pass.
    func ieee80211_tx_h_michael_mic_add(_ kernel: Kernel) {
        kernel.traced(wpa.ieee80211_tx_h_michael_mic_add) {}
    }

    /// Verifies the Michael MIC of TKIP data the device decrypted and removes it, then keeps the
    /// frame's TKIP sequence counter as the last accepted; frames under other ciphers (or none) pass.
    /// The model cannot compute the MIC (it has no key): it takes the MIC of a frame the device
    /// decrypted as right, so a Michael MIC failure (`cfg80211_michael_mic_failure`) is never modeled.
    func ieee80211_rx_h_michael_mic_verify(_ kernel: Kernel, _ skb: inout SKBuff, _ data: ieee80211_rx_data) -> ieee80211_rx_result {
        kernel.traced(wpa.ieee80211_rx_h_michael_mic_verify) {
            guard let status = skb.ieee80211_rx_status, let h = status.frame.header, h.frameControl.type == .data,
                  !h.frameControl.isNullData, let slot = data.key, cipher(of: slot) == .TKIP,
                  status.flag.contains(.RX_FLAG_DECRYPTED) else { return .RX_CONTINUE }
            guard skb.len >= status.frame.bodyOffset - skb.data + MICHAEL_MIC_LEN else {
                kernel.tracer.note("too short for the Michael MIC")
                return .RX_DROP_UNUSABLE(.RX_DROP_U_SHORT_MMIC)
            }
            kernel.tracer.note("the Michael MIC is taken as right (the model has no key to compute it)")
            skb.len -= MICHAEL_MIC_LEN
            status.frame.end -= MICHAEL_MIC_LEN
            updateKey(slot) { $0.tkip_rx[data.security_idx] = tkip_ctx_rx(iv32: data.tkip_iv32, iv16: data.tkip_iv16, initialized: true) }
            return .RX_CONTINUE
        }
    }

    /// Checks the IV of TKIP data the device decrypted (`ieee80211_tkip_decrypt_data`, which skips the
    /// decryption itself) and removes it; the device removed the ICV. Only data frames are handled.
    func ieee80211_crypto_tkip_decrypt(_ kernel: Kernel, _ skb: inout SKBuff, _ data: inout ieee80211_rx_data) -> ieee80211_rx_result {
        kernel.traced(wpa.ieee80211_crypto_tkip_decrypt) {
            guard let status = skb.ieee80211_rx_status, let h = status.frame.header, h.frameControl.type == .data,
                  let slot = data.key else { return .RX_CONTINUE }
            let hdrlen = status.frame.bodyOffset - skb.data
            guard data.sta, skb.len - hdrlen >= 12 else {
                kernel.tracer.note(data.sta ? "too short for the TKIP IV and ICV" : "from no known station")
                return .RX_DROP_UNUSABLE(.RX_DROP_U_SHORT_TKIP)
            }
            let result = ieee80211_tkip_decrypt_data(kernel, skb.bytes, at: status.frame.bodyOffset, payload_len: skb.len - hdrlen,
                                                     slot: slot, queue: data.security_idx, &data)
            guard result == .TKIP_DECRYPT_OK else { return .RX_DROP_UNUSABLE(.RX_DROP_U_TKIP_FAIL) }
            skb.len -= IEEE80211_TKIP_IV_LEN
            removeCipherHeader(status, IEEE80211_TKIP_IV_LEN, fragment: h.fragmentNumber != 0, bytes: skb.bytes)
            return .RX_CONTINUE
        }
    }

    /// Finishes a CCMP frame (`mic_len` 8, or 16 for CCMP-256) the device decrypted.
    func ieee80211_crypto_ccmp_decrypt(_ kernel: Kernel, _ skb: inout SKBuff, _ rx: inout ieee80211_rx_data,
                                       mic_len: Int) -> ieee80211_rx_result {
        kernel.traced(wpa.ieee80211_crypto_ccmp_decrypt) {
            decryptedAEAD(kernel, &skb, &rx, mic_len: mic_len, short: .RX_DROP_U_SHORT_CCMP)
        }
    }

    /// Finishes a GCMP frame (a 16-byte MIC) the device decrypted.
    func ieee80211_crypto_gcmp_decrypt(_ kernel: Kernel, _ skb: inout SKBuff, _ rx: inout ieee80211_rx_data) -> ieee80211_rx_result {
        kernel.traced(wpa.ieee80211_crypto_gcmp_decrypt) {
            decryptedAEAD(kernel, &skb, &rx, mic_len: 16, short: .RX_DROP_U_SHORT_GCMP)
        }
    }

    /// What CCMP and GCMP share on receive: only data frames are handled (protected management frames
    /// pass untouched); the frame must hold the cipher's header (and MIC, unless the device removed it)
    /// and come from a known station (else dropped as short); its packet number must be above the last one accepted for its
    /// security index unless the driver checked it (`RX_FLAG_PN_VALIDATED`), else the key counts a
    /// replay and the frame is dropped; then the counter moves on, a fragment keeps its packet number
    /// for reassembly, and the cipher's header and MIC go. `short` is 6.12's reason for a short frame.
    private func decryptedAEAD(_ kernel: Kernel, _ skb: inout SKBuff, _ rx: inout ieee80211_rx_data, mic_len: Int,
                               short: SKBDropReason) -> ieee80211_rx_result {
        guard let status = skb.ieee80211_rx_status, let h = status.frame.header, let slot = rx.key else { return .RX_CONTINUE }
        guard h.frameControl.type == .data else {
            kernel.tracer.note("not a data frame: protected management frames are not modeled")
            return .RX_CONTINUE
        }
        let hdrlen = status.frame.bodyOffset - skb.data
        let mic = status.flag.contains(.RX_FLAG_MIC_STRIPPED) ? 0 : mic_len
        guard rx.sta, skb.len - hdrlen - IEEE80211_CCMP_HDR_LEN - mic >= 0 else {
            kernel.tracer.note(rx.sta ? "too short for the cipher's header\(mic > 0 ? " and MIC" : "")" : "from no known station")
            return .RX_DROP_UNUSABLE(short)
        }
        if !status.flag.contains(.RX_FLAG_PN_VALIDATED) {
            let pn = ccmp_hdr2pn(skb.bytes, at: status.frame.bodyOffset)
            let queue = rx.security_idx
            let last = key(slot)?.rx_pn[queue] ?? 0
            guard pn > last else {
                updateKey(slot) { $0.replays += 1 }
                kernel.tracer.note("packet number \(pn) is not above \(last), the last accepted on counter \(queue): "
                    + "a replay (the key's replays counter is \(key(slot)?.replays ?? 0))")
                return .RX_DROP_UNUSABLE(.RX_DROP_U_REPLAY)
            }
            updateKey(slot) { $0.rx_pn[queue] = pn }
            if h.frameControl.moreFragments || h.fragmentNumber != 0 { rx.ccm_gcm_pn = pn }
        }
        skb.len -= mic + IEEE80211_CCMP_HDR_LEN
        status.frame.end -= mic
        removeCipherHeader(status, IEEE80211_CCMP_HDR_LEN, fragment: h.fragmentNumber != 0, bytes: skb.bytes)
        return .RX_CONTINUE
    }

    /// Moves the frame body past a cipher's header of `length` bytes; where the capture holds the
    /// plaintext, the body of a frame (or first fragment) now starts with its LLC/SNAP header.
    func removeCipherHeader(_ status: IEEE80211RxStatus, _ length: Int, fragment: Bool, bytes: [UInt8]) {
        status.frame.bodyOffset += length
        guard !status.ciphertext, !fragment, let type = LLCSNAP.etherType(bytes, at: status.frame.bodyOffset) else { return }
        status.frame.etherType = type
        status.frame.networkOffset = status.frame.bodyOffset + LLCSNAP.headerLength
    }

}
