// Mirrors drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c (Linux 6.1): multi-queue receive of MPDUs.
// The device de-aggregates A-MSDUs: each subframe arrives as an MPDU of its own (see `deaggregate`).
// Frames of a block-ack session are reordered in the driver by the NSSN the device reports, which the
// model infers from the frames the capture shows (``FirmwareWindow``).
// Not modeled: the PCIe transport below (`iwl_pcie_rx_handle`), radiotap, several RX queues (unicast CCMP or GCMP data that
// is not a fragment is taken to arrive on an RSS queue, where the driver checks packet numbers; the
// rest on the default queue 0), TKIP's phase-1 key, management frame protection.
import KernelMac80211
import KernelNet
import Trace
import Wire

/// Functions modeled from `drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c`.
public enum rxmq: String, KernelSourceFile {
    public static let path = "drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c"
    case iwl_mvm_check_pn, iwl_mvm_pass_packet_to_mac80211, iwl_mvm_rx_crypto, iwl_mvm_is_dup, iwl_mvm_release_frames,
        iwl_mvm_reorder_timer_expired, iwl_mvm_del_ba, iwl_mvm_rx_queue_notif, iwl_mvm_release_frames_from_notif,
        iwl_mvm_reorder, iwl_mvm_rx_mpdu_mq, iwl_mvm_rx_frame_release
}

extension IwlMvm {
    /// Whether unicast data the device decrypted replays an earlier frame: its packet number must be
    /// above the last one the driver accepted for the key and TID (`ptk_pn`, per RX queue). Frames on
    /// the default queue (fragments and other ciphers than CCMP and GCMP, in the model) are left to
    /// mac80211, as are group-addressed and non-data frames; a frame that passes is marked `RX_FLAG_PN_VALIDATED`, and mac80211 does not
    /// check it again.
    func iwl_mvm_check_pn(_ kernel: Kernel, _ skb: SKBuff, mac80211: Mac80211Device) -> Bool {
        kernel.traced(rxmq.iwl_mvm_check_pn) {
            guard let status = skb.ieee80211_rx_status, let h = status.frame.header, h.frameControl.type == .data,
                  !h.address1.isMulticast, status.flag.contains(.RX_FLAG_DECRYPTED) else { return false }
            if h.frameControl.moreFragments || h.fragmentNumber != 0 {
                kernel.tracer.note("a fragment, on the default RX queue: mac80211 checks its packet number")
                return false
            }
            guard let cipher = mac80211.cipher(of: .ptk), [.CCMP, .CCMP_256, .GCMP, .GCMP_256].contains(cipher) else {
                kernel.tracer.note("not CCMP or GCMP, on the default RX queue: mac80211 checks its IV")
                return false
            }
            let keyidx = skb.bytes.u8(at: status.frame.bodyOffset + 3) >> 6
            guard keyidx == 0 else {
                kernel.tracer.note("no packet number state for pairwise key index \(keyidx) (ptk_pn): dropped")
                return true
            }
            let tid = h.frameControl.isQoSData ? Int(h.tid ?? 0) : 0
            let pn = ccmp_hdr2pn(skb.bytes, at: status.frame.bodyOffset)
            guard let last = mac80211.key(.ptk)?.hw_pn[tid] else { return false }
            guard pn > last else {
                kernel.tracer.note("packet number \(pn) is not above \(last), the last the driver accepted for TID \(tid): a replay")
                return true
            }
            mac80211.updateKey(.ptk) { $0.hw_pn[tid] = pn }
            status.flag.insert(.RX_FLAG_PN_VALIDATED)
            return false
        }
    }

    /// Hands a received frame to mac80211 with the NAPI context, unless the driver's packet number check
    /// finds a replay (freed with `kfree_skb`). Returns whether a frame went up to GRO.
    func iwl_mvm_pass_packet_to_mac80211(_ kernel: Kernel, _ skb: inout SKBuff, mac80211: Mac80211Device) -> Bool {
        kernel.traced(rxmq.iwl_mvm_pass_packet_to_mac80211, &skb) { skb in
            if iwl_mvm_check_pn(kernel, skb, mac80211: mac80211) {
                kernel.kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return false
            }
            return mac80211.ieee80211_rx_napi(kernel, &skb)
        }
    }

    /// Reads the device's decryption of a protected frame into the flags mac80211 reads. The device
    /// holds every key mac80211 installed: with the frame's key it decrypts the frame and checks its MIC
    /// (`RX_FLAG_DECRYPTED`), and removes the MIC of CCMP and GCMP (`RX_FLAG_MIC_STRIPPED`) or the ICV of WEP
    /// and TKIP (`RX_FLAG_ICV_STRIPPED`); without
    /// one it passes the frame on as it came. Returns false when the MIC check fails: a frame too short
    /// for the cipher's header and MIC.
    func iwl_mvm_rx_crypto(_ kernel: Kernel, _ skb: inout SKBuff, mac80211: Mac80211Device) -> Bool {
        kernel.traced(rxmq.iwl_mvm_rx_crypto) {
            guard let status = skb.ieee80211_rx_status, let h = status.frame.header, h.frameControl.isProtected
            else { return true }
            let iv = status.frame.bodyOffset, end = status.frame.end
            guard iv + 4 <= end, let slot = mac80211.keySlot(groupAddressed: h.address1.isMulticast, keyidx: Int(skb.bytes.u8(at: iv + 3) >> 6)),
                  let cipher = mac80211.cipher(of: slot) else {
                kernel.tracer.note("the device has no key for it: passed on as it came")
                return true
            }
            let ivLength = cipher == .WEP40 || cipher == .WEP104 ? 4 : 8
            // WEP and TKIP end with a 4-byte ICV; CCMP and GCMP with their MIC.
            let trailer = cipher.micLength == 0 ? 4 : cipher.micLength
            // A monitor interface on the station itself records the frame as the device decrypted it: an
            // LLC/SNAP header after the cipher's. A later fragment has none; it is taken as the frames before.
            let plaintext: Bool
            if h.fragmentNumber == 0 {
                plaintext = iv + ivLength + LLCSNAP.headerLength <= end && LLCSNAP.etherType(skb.bytes, at: iv + ivLength) != nil
                capturedPlaintext = plaintext
            } else {
                plaintext = capturedPlaintext
            }
            guard plaintext || end - iv >= ivLength + trailer else {
                kernel.tracer.note("too short for the \(cipher.rawValue) header and MIC: the device's MIC check fails")
                return false
            }
            status.flag.insert(.RX_FLAG_DECRYPTED)
            if cipher.micLength > 0 { status.flag.insert(.RX_FLAG_MIC_STRIPPED) }
            // WEP and TKIP: the ICV goes when the RX DMA engine checked the frame (FH_RSCSR_RADA_EN, taken as set).
            if cipher.micLength == 0 { status.flag.insert(.RX_FLAG_ICV_STRIPPED) }
            if plaintext {
                kernel.tracer.note("decrypted by the device with the \(mac80211.keyName(slot)) (\(cipher.rawValue)); "
                    + "the capture holds the plaintext, as a monitor interface on this station records it")
            } else {
                status.ciphertext = true
                status.frame.end -= trailer
                skb.len -= trailer
                kernel.tracer.note("decrypted by the device with the \(mac80211.keyName(slot)) (\(cipher.rawValue)), "
                    + "which removed the \(trailer)-byte \(cipher.micLength > 0 ? "MIC" : "ICV"); the capture, taken by another radio, "
                    + "holds only the ciphertext")
            }
            return true
        }
    }

    /// Whether a frame from a station the firmware knows is a retransmission already received: the
    /// Retry bit and the same sequence control as the last frame of its TID, and (for the subframes of
    /// an A-MSDU, which share a sequence number) a subframe index no later than the last one's. Control
    /// frames, QoS null data and group-addressed frames are not checked. Either way mac80211 is told
    /// the check was done (`RX_FLAG_DUP_VALIDATED`), so its own (`ieee80211_rx_h_check_dup`) passes the frame.
    func iwl_mvm_is_dup(_ kernel: Kernel, _ h: IEEE80211Header, subframe: Int) -> Bool {
        kernel.traced(rxmq.iwl_mvm_is_dup) {
            let fc = h.frameControl
            guard fc.type != .control, !(fc.isQoSData && fc.isNullData), !h.address1.isMulticast,
                  let seq = h.sequenceControl else { return false }
            let tid = fc.isQoSData ? Int(h.tid ?? 0) : 8
            if fc.retry, last_seq[tid] == seq, last_sub_frame[tid, default: 0] >= subframe {
                kernel.tracer.note("a retransmission of sequence number \(seq >> 4) (Retry set, the same sequence control "
                    + "as the last frame of TID \(tid)\(subframe > 0 ? ", A-MSDU subframe \(subframe) already passed" : "")): a duplicate")
                return true
            }
            last_seq[tid] = seq
            last_sub_frame[tid] = subframe
            return false
        }
    }

    /// How long a held frame waits for those before it: `RX_REORDER_BUF_TIMEOUT_MQ` (HZ / 10) and the
    /// jiffy (at Debian's HZ 250) the driver adds when it arms its timer, in nanoseconds.
    static let reorderTimeout: Int64 = 104_000_000

    /// The driver's A-MPDU reorder buffer (devices with RSS queues reorder in the driver,
    /// `SUPPORTS_REORDERING_BUFFER`): QoS data from the AP on a TID with a receive block-ack session.
    /// The device's receive descriptor gives the frame's place in the session's window (the NSSN, the
    /// old-sequence flag and, on 6.12, the duplicate flag: ``FirmwareWindow``). A frame the window has
    /// passed is dropped; one that leaves no gap, with nothing held, goes on at once; any other is held
    /// and the frames up to the NSSN are released in order (`iwl_mvm_release_frames`), so a frame that
    /// fills a gap releases the ones held behind it. Before 6.12 a frame beyond the buffer's end first
    /// releases what it pushes out, and a frame held already is dropped as a retransmission. Returns
    /// whether the buffer took the frame; what it released of this frame goes on `listed`, what it
    /// released of earlier frames on the kernel's list of released frames.
    func iwl_mvm_reorder(_ kernel: Kernel, _ skb: inout SKBuff, _ h: IEEE80211Header, subframe: Int, amsdu: Bool, last: Bool,
                         mac80211: Mac80211Device, listed: inout [SKBuff]) -> Bool {
        kernel.traced(rxmq.iwl_mvm_reorder) {
            let fc = h.frameControl
            guard let tid = h.tid.map(Int.init), var buffer = reorder_buf[tid], mac80211.hasReceiveSession(h, tid: tid), fc.isQoSData,
                  !fc.isNullData, !h.address1.isMulticast, let sn = h.sequenceNumber else { return false }
            let before612 = kernel.has(rxmq.iwl_mvm_reorder_timer_expired)
            // The device reports the NSSN an A-MSDU's first subframe moved the window to with each subframe.
            let descriptor = subframe == 0 ? buffer.firmware.receive(sn)
                : (old: buffer.descriptor.old, duplicate: buffer.descriptor.duplicate, nssn: buffer.firmware.start)
            buffer.descriptor = (descriptor.old, descriptor.duplicate)
            let nssn = descriptor.nssn
            defer { if reorder_buf[tid] != nil { reorder_buf[tid] = buffer } }
            if !buffer.valid {
                if descriptor.old {
                    kernel.tracer.note("sequence \(sn) is older than the session's window, before any frame of it: passed on")
                    return false
                }
                buffer.valid = true
            }
            if !before612, descriptor.duplicate || descriptor.old {
                kernel.tracer.note(descriptor.old ? "sequence \(sn) is older than the device's window (IWL_RX_MPDU_REORDER_BA_OLD_SN): dropped"
                    : "the device had sequence \(sn) already (IWL_RX_MPDU_STATUS_DUPLICATE): dropped")
                kernel.kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return true
            }
            if before612 {
                let end = ieee80211_sn_add(buffer.head_sn, buffer.buf_size)
                if !iwl_mvm_is_sn_less(nssn, end, buffer.buf_size) || !ieee80211_sn_less(sn, end) {
                    let upTo = ieee80211_sn_less(sn, nssn) ? sn : nssn
                    kernel.tracer.note("sequence \(sn) or the NSSN \(nssn) lies past the buffer's end: the frames before \(upTo) go first")
                    iwl_mvm_release_frames(kernel, &buffer, nssn: upTo, mac80211: mac80211, current: skb.frame, listed: &listed)
                }
                if ieee80211_sn_less(sn, buffer.head_sn) {
                    kernel.tracer.note("sequence \(sn) is before the buffer's head \(buffer.head_sn): an old frame, dropped")
                    kernel.kfree_skb_reason(&skb, .NOT_SPECIFIED)
                    return true
                }
            }
            if buffer.num_stored == 0, ieee80211_sn_less(sn, nssn) {
                if last, !before612 || iwl_mvm_is_sn_less(buffer.head_sn, nssn, buffer.buf_size) { buffer.head_sn = nssn }
                kernel.tracer.note("nothing held and sequence \(sn) is before the NSSN \(nssn): passed on at once")
                return false
            }
            if kernel.has(rxmq.iwl_mvm_release_frames_from_notif), buffer.num_stored == 0, sn == buffer.head_sn {
                if last { buffer.head_sn = ieee80211_sn_inc(sn) }
                kernel.tracer.note("nothing held and sequence \(sn) is the buffer's head: passed on at once")
                return false
            }
            let index = Int(sn) % buffer.buf_size
            if before612, buffer.entries[index] != nil, !amsdu || sn != buffer.last_amsdu || buffer.last_sub_index >= subframe {
                kernel.tracer.note("a frame is held for sequence \(sn) already: a retransmission, dropped")
                kernel.kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return true
            }
            buffer.entries[index, default: ([], kernel.now, skb.frame)].frames.append(skb)
            buffer.num_stored += 1
            if amsdu {
                buffer.last_amsdu = sn
                buffer.last_sub_index = subframe
            }
            kernel.heldByDriver()
            kernel.tracer.note("held in the reorder buffer: sequence \(sn) is past the head \(buffer.head_sn), the NSSN is \(nssn)")
            if !amsdu || last {
                iwl_mvm_release_frames(kernel, &buffer, nssn: nssn, mac80211: mac80211, current: skb.frame, listed: &listed)
            } else if !before612, buffer.num_stored == 1 {
                buffer.head_sn = nssn
            }
            return true
        }
    }

    /// Passes the held frames before `nssn` to mac80211 in sequence order and moves the head to `nssn`:
    /// a gap passes nothing, the NSSN says the device has nothing more for it. Before 6.12 an NSSN behind
    /// the head (after a timeout) releases nothing, and the buffer's timer then waits for the first frame
    /// still held; on 6.12 the device's frame release notification does that work (the model gives it
    /// the same time). While a frame is received (`current`), what goes up of it joins `listed` and what
    /// goes up of other frames the kernel's list of released frames, each with its own outcome; outside
    /// a frame (a timer, a notification) all of it joins `listed`. Given no NAPI context, mac80211 hands
    /// the frames to the stack itself.
    func iwl_mvm_release_frames(_ kernel: Kernel, _ buffer: inout iwl_mvm_reorder_buffer, nssn: UInt16, mac80211: Mac80211Device,
                                current: Int?, listed: inout [SKBuff]) {
        kernel.traced(rxmq.iwl_mvm_release_frames) {
            let before612 = kernel.has(rxmq.iwl_mvm_reorder_timer_expired)
            defer { armReorderTimer(&buffer) }
            if before612, iwl_mvm_is_sn_less(nssn, buffer.head_sn, buffer.buf_size) {
                return kernel.tracer.note("the NSSN \(nssn) is behind the head \(buffer.head_sn): nothing to release")
            }
            var ssn = buffer.head_sn
            while before612 ? iwl_mvm_is_sn_less(ssn, nssn, buffer.buf_size) : ieee80211_sn_less(ssn, nssn) {
                let index = Int(ssn) % buffer.buf_size
                ssn = ieee80211_sn_inc(ssn)
                guard let entry = buffer.entries.removeValue(forKey: index) else { continue }
                for var held in entry.frames {
                    buffer.num_stored -= 1
                    guard held.frame != current else {
                        if iwl_mvm_pass_packet_to_mac80211(kernel, &held, mac80211: mac80211) { listed.append(held) }
                        continue
                    }
                    kernel.tracer.note("frame \(held.frame), held for \(Kernel.describeInterval(kernel.now - entry.reorder_time)), released")
                    kernel.keepingOutcome {
                        guard iwl_mvm_pass_packet_to_mac80211(kernel, &held, mac80211: mac80211) else { return }
                        if current == nil { listed.append(held) } else { kernel.rxListReleased.append(held) }
                    }
                }
            }
            buffer.head_sn = nssn
        }
    }

    /// Sets when the buffer's wait for its first held frame ends (when it was stored plus the timeout),
    /// none when nothing is held, and when the first of all the buffers' waits ends.
    private func armReorderTimer(_ buffer: inout iwl_mvm_reorder_buffer) {
        buffer.reorder_timer = nil
        var sn = buffer.head_sn
        for _ in 0..<buffer.buf_size where buffer.num_stored > 0 {
            if let entry = buffer.entries[Int(sn) % buffer.buf_size] {
                buffer.reorder_timer = (entry.reorder_time + Self.reorderTimeout, entry.frame)
                break
            }
            sn = ieee80211_sn_inc(sn)
        }
        reorderTimerHorizon = min(reorderTimerHorizon, buffer.reorder_timer?.expires ?? .max)
    }

    /// The buffer's timer (before 6.12): releases the held frames that waited their time out, with the
    /// gaps before them and the frames after them up to the next gap, without a NAPI context (mac80211
    /// hands them to `netif_receive_skb_list`); with none due it waits for the first that is not.
    func iwl_mvm_reorder_timer_expired(_ kernel: Kernel, tid: Int, mac80211: Mac80211Device) {
        kernel.traced(rxmq.iwl_mvm_reorder_timer_expired) {
            guard var buffer = reorder_buf[tid], buffer.num_stored > 0 else { return }
            defer { reorder_buf[tid] = buffer }
            guard let sn = expiredUpTo(kernel, buffer) else { return armReorderTimer(&buffer) }
            kernel.tracer.note("frames held 100 ms on TID \(tid): released up to sequence \(sn)")
            mac80211.napi = false
            defer { mac80211.napi = true }
            var listed: [SKBuff] = []
            iwl_mvm_release_frames(kernel, &buffer, nssn: sn, mac80211: mac80211, current: nil, listed: &listed)
        }
    }

    /// The sequence number after the last held frame that waited its time out, counting on to the next
    /// gap after it; `nil` when none has.
    private func expiredUpTo(_ kernel: Kernel, _ buffer: iwl_mvm_reorder_buffer) -> UInt16? {
        var upTo: UInt16?
        var run = false
        for i in 0..<buffer.buf_size {
            guard let entry = buffer.entries[(Int(buffer.head_sn) + i) % buffer.buf_size] else {
                run = false
                continue
            }
            if !run, kernel.now < entry.reorder_time + Self.reorderTimeout { break }
            run = true
            upTo = ieee80211_sn_add(buffer.head_sn, i + 1)
        }
        return upTo
    }

    /// The device's frame release notification (`FRAME_RELEASE`, on an RX queue, with its NAPI context):
    /// the device moved its window to `nssn` (a block-ack request's starting sequence number, or, on
    /// 6.12, a timeout of its own) and the driver releases the frames before it. Returns what went up
    /// to GRO.
    func iwl_mvm_rx_frame_release(_ kernel: Kernel, tid: Int, nssn: UInt16, mac80211: Mac80211Device) -> [SKBuff] {
        kernel.traced(rxmq.iwl_mvm_rx_frame_release) {
            var listed: [SKBuff] = []
            guard var buffer = reorder_buf[tid] else { return listed }
            defer { reorder_buf[tid] = buffer }
            kernel.tracer.note("the device's window on TID \(tid) moved to \(nssn): the frames before it are released")
            if kernel.has(rxmq.iwl_mvm_release_frames_from_notif) {
                iwl_mvm_release_frames_from_notif(kernel, &buffer, nssn: nssn, mac80211: mac80211, listed: &listed)
            } else {
                iwl_mvm_release_frames(kernel, &buffer, nssn: nssn, mac80211: mac80211, current: nil, listed: &listed)
            }
            return listed
        }
    }

    /// Finds the notification's session and releases its frames up to `nssn` (6.1 on).
    func iwl_mvm_release_frames_from_notif(_ kernel: Kernel, _ buffer: inout iwl_mvm_reorder_buffer, nssn: UInt16,
                                           mac80211: Mac80211Device, listed: inout [SKBuff]) {
        kernel.traced(rxmq.iwl_mvm_release_frames_from_notif) {
            iwl_mvm_release_frames(kernel, &buffer, nssn: nssn, mac80211: mac80211, current: nil, listed: &listed)
        }
    }

    /// An RX queue's internal notification from the driver: here, to release an ended session's frames.
    func iwl_mvm_rx_queue_notif(_ kernel: Kernel, _ ended: (tid: Int, buffer: iwl_mvm_reorder_buffer), mac80211: Mac80211Device) {
        kernel.traced(rxmq.iwl_mvm_rx_queue_notif) { iwl_mvm_del_ba(kernel, ended, mac80211: mac80211) }
    }

    /// Releases every frame an ended session's buffer holds to the stack, without a NAPI context.
    func iwl_mvm_del_ba(_ kernel: Kernel, _ ended: (tid: Int, buffer: iwl_mvm_reorder_buffer), mac80211: Mac80211Device) {
        kernel.traced(rxmq.iwl_mvm_del_ba) {
            var buffer = ended.buffer
            kernel.tracer.note("the session on TID \(ended.tid) ended: its \(buffer.num_stored) held frame\(buffer.num_stored == 1 ? "" : "s") go up")
            mac80211.napi = false
            defer { mac80211.napi = true }
            var listed: [SKBuff] = []
            iwl_mvm_release_frames(kernel, &buffer, nssn: ieee80211_sn_add(buffer.head_sn, buffer.buf_size), mac80211: mac80211,
                                   current: nil, listed: &listed)
        }
    }

    /// The reorder buffers' timers that expired by `time`: before 6.12 the driver's
    /// (`iwl_mvm_reorder_timer_expired`); on 6.12, where the driver has none, the device's frame release
    /// notification for the frames that waited too long, at the same time, its window moved past them.
    func expiredReorderTimers(_ kernel: Kernel, by time: Int64, mac80211: Mac80211Device)
        -> [(function: String, expires: Int64, armedBy: Int?, run: () -> Void)]
    {
        var out: [(function: String, expires: Int64, armedBy: Int?, run: () -> Void)] = pendingDelBA.map { ended in
            (rxmq.iwl_mvm_rx_queue_notif.rawValue, ended.at, ended.frame, { self.iwl_mvm_rx_queue_notif(kernel, (ended.tid, ended.buffer), mac80211: mac80211) })
        }
        pendingDelBA = []
        guard reorderTimerHorizon <= time else { return out }
        reorderTimerHorizon = .max
        for (tid, buffer) in reorder_buf.sorted(by: { $0.key < $1.key }) {
            guard let timer = buffer.reorder_timer else { continue }
            guard timer.expires <= time else {
                reorderTimerHorizon = min(reorderTimerHorizon, timer.expires)
                continue
            }
            reorder_buf[tid]?.reorder_timer = nil
            if kernel.has(rxmq.iwl_mvm_reorder_timer_expired) {
                out.append((rxmq.iwl_mvm_reorder_timer_expired.rawValue, timer.expires, timer.armedBy,
                            { self.iwl_mvm_reorder_timer_expired(kernel, tid: tid, mac80211: mac80211) }))
            } else {
                out.append((rxmq.iwl_mvm_rx_frame_release.rawValue, timer.expires, timer.armedBy, {
                    guard let held = self.reorder_buf[tid], let sn = self.expiredUpTo(kernel, held) else { return }
                    self.reorder_buf[tid]?.firmware.move(to: sn)
                    for var skb in self.iwl_mvm_rx_frame_release(kernel, tid: tid, nssn: sn, mac80211: mac80211) {
                        kernel.gro_normal_list(&skb)
                    }
                }))
            }
        }
        return out
    }

    /// Receives one MPDU from an RX queue: builds the skb and its status (checksum offload result
    /// included; a failed FCS check marks the status, and mac80211 lets only monitor interfaces have
    /// the frame), drops duplicates from a known station, reorders, and passes it up; what goes up to
    /// GRO joins `listed`. `subframe` is the index of an A-MSDU subframe the device split off (0 for
    /// other frames), `amsdu` whether it is one, `last` whether it is the last.
    func iwl_mvm_rx_mpdu_mq(_ kernel: Kernel, _ skb: inout SKBuff, mac80211: Mac80211Device, subframe: Int = 0, amsdu: Bool = false,
                            last: Bool = true, listed: inout [SKBuff]) {
        kernel.traced(rxmq.iwl_mvm_rx_mpdu_mq, &skb) { skb in
            let badFCS = skb.ieee80211_rx_status?.frame.radio?.flags.contains(.badFCS) ?? false
            if badFCS {
                kernel.tracer.note("the device reports a bad FCS: RX_FLAG_FAILED_FCS_CRC")
            } else if kernel.deviceVerifiesChecksum(&skb) {
                skb.ip_summed = .CHECKSUM_UNNECESSARY
                kernel.tracer.note("RX checksum offload: transport checksum verified (CHECKSUM_UNNECESSARY)")
            }
            guard iwl_mvm_rx_crypto(kernel, &skb, mac80211: mac80211) else {
                kernel.kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return
            }
            if let h = skb.ieee80211_rx_status?.frame.header, mac80211.knowsStation(h), iwl_mvm_is_dup(kernel, h, subframe: subframe) {
                kernel.kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return
            }
            // A frame that failed its FCS check has no place in the device's window.
            if !badFCS, let h = skb.ieee80211_rx_status?.frame.header,
               iwl_mvm_reorder(kernel, &skb, h, subframe: subframe, amsdu: amsdu, last: last, mac80211: mac80211, listed: &listed) {
                return
            }
            if iwl_mvm_pass_packet_to_mac80211(kernel, &skb, mac80211: mac80211) { listed.append(skb) }
        }
    }

    /// The device's A-MSDU de-aggregation (in hardware: no kernel function): each subframe of an
    /// unprotected A-MSDU with a good FCS becomes an MPDU of its own, with the A-MSDU's MAC header and
    /// the subframe's MSDU, which the driver receives in turn (`iwl_mvm_rx_mpdu_mq`). The driver clears
    /// the A-MSDU bit of the QoS control field the device copied (on the 9000 family it also turns the
    /// byte order of address 3 back), so mac80211 sees plain QoS data and never de-aggregates
    /// (`ieee80211_rx_h_amsdu`). The subframe's source is taken as address 3 of a frame from the AP:
    /// the source mac80211 converts it with. `nil` for a frame the device passes whole.
    func deaggregate(_ kernel: Kernel, _ skb: SKBuff) -> [SKBuff]? {
        guard let frame = skb.ieee80211_rx_status?.frame, let h = frame.header, h.frameControl.type == .data,
              h.isAMSDU, !h.frameControl.isProtected, !(frame.radio?.flags.contains(.badFCS) ?? false),
              let qos = h.qosControl else { return nil }
        let amsdu = AMSDU(skb.bytes, from: frame.bodyOffset, to: frame.end)
        let count = amsdu.subframes.count
        kernel.tracer.note("an A-MSDU of \(count) subframe\(count == 1 ? "" : "s"): the device splits it, each subframe "
            + "an MPDU of its own with the frame's MAC header, and the driver clears the A-MSDU bit")
        if let failure = amsdu.failure {
            kernel.tracer.notModeled("what the device does with the rest of the A-MSDU after subframe \(count) (\(failure))")
        }
        let qosOffset = frame.macOffset + (h.frameControl.hasAddress4 ? 30 : 24)
        let sourceInAddress3 = h.frameControl.fromDS && !h.frameControl.toDS
        return amsdu.subframes.map { sub in
            var bytes = Array(skb.bytes[0..<frame.bodyOffset]) + skb.bytes[sub.offset..<sub.offset + sub.length]
            var header = h
            header.qosControl = qos & ~0x80
            bytes[qosOffset] &= ~0x80
            if sourceInAddress3 {
                header.address3 = sub.source
                bytes.replaceSubrange(frame.macOffset + 16..<frame.macOffset + 22, with: FrameBuilder.mac(sub.source))
            }
            var mpdu = frame
            mpdu.header = header
            mpdu.end = bytes.count
            mpdu.failure = nil
            mpdu.etherType = sub.length >= LLCSNAP.headerLength ? LLCSNAP.etherType(bytes, at: frame.bodyOffset) : nil
            mpdu.networkOffset = frame.bodyOffset + LLCSNAP.headerLength
            var part = skb
            part.bytes = bytes
            part.len = bytes.count - skb.data
            part.ieee80211_rx_status = IEEE80211RxStatus(frame: mpdu)
            return part
        }
    }
}
