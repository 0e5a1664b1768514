// Mirrors drivers/net/wireless/intel/iwlwifi/mvm/mvm.h (Linux 6.1; 4.14.177 and 6.12 where they differ):
// the reorder buffer of a receive block-ack session as the driver keeps it for one RX queue, and
// the 12-bit sequence number arithmetic of include/linux/ieee80211.h it uses.
import KernelNet

/// The driver's reorder buffer of one receive block-ack session (`struct iwl_mvm_reorder_buffer` with
/// its entries, `struct iwl_mvm_reorder_buf_entry`), for the one RX queue the model has.
struct iwl_mvm_reorder_buffer {
    /// The next sequence number the buffer passes on.
    var head_sn: UInt16
    /// The session's buffer size in frames (the ADDBA's).
    let buf_size: Int
    /// Whether a frame of the session arrived yet (`valid`).
    var valid = false
    /// The frames held, by index (`sn % buf_size`): an A-MSDU's subframes together, when the first was
    /// stored (`reorder_time`), and the capture frame that brought them.
    var entries: [Int: (frames: [SKBuff], reorder_time: Int64, frame: Int)] = [:]
    /// How many frames are held.
    var num_stored = 0
    /// The sequence number and subframe index of the last A-MSDU subframe stored.
    var last_amsdu: UInt16 = 0
    var last_sub_index = 0
    /// When the buffer's timer fires (`reorder_timer`, before 6.12; the firmware's frame release on
    /// 6.12), and the frame that stored the frame it waits for.
    var reorder_timer: (expires: Int64, armedBy: Int)?
    /// The device's own window over the session's sequence numbers (``FirmwareWindow``).
    var firmware: FirmwareWindow
    /// What the device's descriptor said of the last frame's sequence number (old, duplicate), which
    /// every subframe of an A-MSDU shares.
    var descriptor = (old: false, duplicate: false)

    init(head_sn: UInt16, buf_size: Int) {
        self.head_sn = head_sn
        self.buf_size = buf_size
        firmware = FirmwareWindow(start: head_sn, size: buf_size)
    }
}

/// The receive reordering window the device keeps for a block-ack session (IEEE Std 802.11-2020
/// §10.25.6: the window's start and the sequence numbers received beyond it). Not a kernel structure:
/// the device reports, in each frame's receive descriptor, the window's start after the frame (the NSSN),
/// whether the frame is older than the window (`IWL_RX_MPDU_REORDER_BA_OLD_SN`) and, on 6.12, whether it
/// had it already (`IWL_RX_MPDU_STATUS_DUPLICATE`). No capture holds the descriptor, so the model keeps
/// the window from the frames the capture shows the station receiving.
struct FirmwareWindow {
    /// The window's start: the lowest sequence number not yet received.
    private(set) var start: UInt16
    /// The sequence numbers received past the start.
    private var received: Set<UInt16> = []
    let size: Int

    init(start: UInt16, size: Int) {
        self.start = start
        self.size = size
    }

    /// Takes a frame's sequence number: whether it is older than the window, whether it was received
    /// before, and the NSSN after it. A frame beyond the window's end moves the window to end with it.
    mutating func receive(_ sn: UInt16) -> (old: Bool, duplicate: Bool, nssn: UInt16) {
        if ieee80211_sn_less(sn, start) { return (true, false, start) }
        if !ieee80211_sn_less(sn, ieee80211_sn_add(start, size)) { move(to: ieee80211_sn_sub(sn, size - 1)) }
        let duplicate = !received.insert(sn).inserted
        advance()
        return (false, duplicate, start)
    }

    /// Moves the window's start to `ssn` (a block-ack request's starting sequence number) unless it is
    /// past it already; returns the new start.
    @discardableResult
    mutating func move(to ssn: UInt16) -> UInt16 {
        guard ieee80211_sn_less(start, ssn) else { return start }
        received = received.filter { !ieee80211_sn_less($0, ssn) }
        start = ssn
        advance()
        return start
    }

    private mutating func advance() {
        while received.remove(start) != nil { start = ieee80211_sn_inc(start) }
    }
}

/// Whether sequence number `sn1` comes before `sn2`, modulo 4096 (`ieee80211_sn_less`).
func ieee80211_sn_less(_ sn1: UInt16, _ sn2: UInt16) -> Bool { (sn1 &- sn2) & 0xfff > 0x800 }
/// `sn1` plus `n`, modulo 4096 (`ieee80211_sn_add`).
func ieee80211_sn_add(_ sn1: UInt16, _ n: Int) -> UInt16 { UInt16(truncatingIfNeeded: Int(sn1) + n) & 0xfff }
/// `sn1` minus `n`, modulo 4096 (`ieee80211_sn_sub`).
func ieee80211_sn_sub(_ sn1: UInt16, _ n: Int) -> UInt16 { UInt16(truncatingIfNeeded: Int(sn1) - n) & 0xfff }
/// The sequence number after `sn` (`ieee80211_sn_inc`).
func ieee80211_sn_inc(_ sn: UInt16) -> UInt16 { ieee80211_sn_add(sn, 1) }
/// Whether `sn1` comes before `sn2` but not a whole buffer before (`iwl_mvm_is_sn_less`).
func iwl_mvm_is_sn_less(_ sn1: UInt16, _ sn2: UInt16, _ size: Int) -> Bool {
    ieee80211_sn_less(sn1, sn2) && !ieee80211_sn_less(sn1, ieee80211_sn_sub(sn2, size))
}
