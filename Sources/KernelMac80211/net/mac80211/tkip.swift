// Mirrors net/mac80211/tkip.c (Linux 6.1; 4.14 and 6.12 alike): the receive check of a TKIP frame's IV.
// Not modeled: the RC4 decryption and its key mixing (the device decrypts; mac80211 only checks the IV,
// `only_iv`), the phase-1 key handed to the driver (`drv_update_tkip_key`).
import KernelNet
import Trace

/// Functions modeled from `net/mac80211/tkip.c`.
public enum tkip: String, KernelSourceFile {
    public static let path = "net/mac80211/tkip.c"
    case ieee80211_tkip_decrypt_data
}

/// Models `TKIP_DECRYPT_*`: the result of checking a TKIP frame.
enum tkip_decrypt_result: Equatable {
    case TKIP_DECRYPT_OK, TKIP_DECRYPT_NO_EXT_IV, TKIP_DECRYPT_INVALID_KEYIDX, TKIP_DECRYPT_REPLAY, TKIP_DECRYPT_INVALID
}

extension Mac80211Device {
    /// Checks the TKIP IV at `offset` (the frame body, `payload_len` bytes) of a frame the device
    /// decrypted: at least 12 bytes, the Extended IV bit set, the key's index, and a sequence counter
    /// (IV32, IV16) above the last one accepted on counter `queue` (equal to it only while none was).
    /// Hands the counter back in `data` for `ieee80211_rx_h_michael_mic_verify` to keep.
    /// (`slot` names the key.)
    func ieee80211_tkip_decrypt_data(_ kernel: Kernel, _ bytes: [UInt8], at offset: Int, payload_len: Int,
                                     slot: IEEE80211KeySlot, queue: Int, _ data: inout ieee80211_rx_data) -> tkip_decrypt_result {
        kernel.traced(tkip.ieee80211_tkip_decrypt_data) {
            guard payload_len >= 12, let key = key(slot) else { return .TKIP_DECRYPT_INVALID }
            let iv16 = UInt16(bytes.u8(at: offset)) << 8 | UInt16(bytes.u8(at: offset + 2))
            let keyid = bytes.u8(at: offset + 3)
            let iv32 = UInt32(bytes.u8(at: offset + 4)) | UInt32(bytes.u8(at: offset + 5)) << 8
                | UInt32(bytes.u8(at: offset + 6)) << 16 | UInt32(bytes.u8(at: offset + 7)) << 24
            guard keyid & 0x20 != 0 else {
                kernel.tracer.note("no Extended IV bit: not a TKIP IV")
                return .TKIP_DECRYPT_NO_EXT_IV
            }
            guard Int(keyid >> 6) == key.keyidx ?? Int(keyid >> 6) else { return .TKIP_DECRYPT_INVALID_KEYIDX }
            let last = key.tkip_rx[queue]
            let counter = UInt64(iv32) << 16 | UInt64(iv16), lastCounter = UInt64(last.iv32) << 16 | UInt64(last.iv16)
            if counter < lastCounter || (counter == lastCounter && (lastCounter != 0 || last.initialized)) {
                kernel.tracer.note("TKIP sequence counter \(counter) is not above \(lastCounter), the last accepted on counter \(queue): a replay")
                return .TKIP_DECRYPT_REPLAY
            }
            updateKey(slot) { $0.tkip_rx[queue].initialized = true }
            data.tkip_iv32 = iv32
            data.tkip_iv16 = iv16
            return .TKIP_DECRYPT_OK
        }
    }
}
