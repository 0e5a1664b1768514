// Mirrors drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c (Linux 6.1): multi-queue receive of MPDUs.
// The device de-aggregates A-MSDUs: each subframe arrives as an MPDU of its own (see `deaggregate`).
// Not modeled: the PCIe transport below (`iwl_pcie_rx_handle`), frames out of order in a block-ack
// session (the firmware's NSSN decides), radiotap, several RX queues (unicast CCMP or GCMP data that
// is not a fragment is taken to arrive on an RSS queue, where the driver checks packet numbers; the
// rest on the default queue 0), TKIP's phase-1 key, management frame protection.
import KernelMac80211
import KernelNet
import Trace
import Wire

/// Functions modeled from `drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c`.
public enum rxmq: String, KernelSourceFile {
    public static let path = "drivers/net/wireless/intel/iwlwifi/mvm/rxmq.c"
    case iwl_mvm_check_pn, iwl_mvm_pass_packet_to_mac80211, iwl_mvm_rx_crypto, iwl_mvm_is_dup, iwl_mvm_reorder, iwl_mvm_rx_mpdu_mq
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
        kernel.traced(rxmq.iwl_mvm_pass_packet_to_mac80211) {
            if iwl_mvm_check_pn(kernel, skb, mac80211: mac80211) {
                kernel.kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return false
            }
            return mac80211.ieee80211_rx_napi(kernel, &skb)
        }
    }

    /// Reads the device's decryption of a protected frame into the flags mac80211 reads. The device
    /// holds every key mac80211 installed: with the frame's key it decrypts the frame and checks its MIC
    /// (`RX_FLAG_DECRYPTED`), and removes the MIC of CCMP and GCMP (`RX_FLAG_MIC_STRIPPED`); without
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
            if plaintext {
                kernel.tracer.note("decrypted by the device with the \(slot == .ptk ? "pairwise" : "group") key (\(cipher.rawValue)); "
                    + "the capture holds the plaintext, as a monitor interface on this station records it")
            } else {
                status.ciphertext = true
                status.frame.end -= trailer
                skb.len -= trailer
                kernel.tracer.note("decrypted by the device with the \(slot == .ptk ? "pairwise" : "group") key (\(cipher.rawValue)), "
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

    /// The driver's A-MPDU reorder buffer (RSS devices reorder in the driver, `SUPPORTS_REORDERING_BUFFER`):
    /// QoS data from the AP on a TID with a receive block-ack session. A frame at the buffer's head, with
    /// nothing held, goes on at once and moves the head (after an A-MSDU's last subframe). What the
    /// driver does with any other (holds it, releases frames, drops it as old) follows the firmware's
    /// NSSN and old-sequence flag in the receive descriptor, which a capture does not show: the model
    /// stops there, and takes the firmware's window to have moved past the frame. Returns whether the
    /// buffer took the frame (it then does not go to mac80211 now). Every frame passes through here;
    /// a session ends with the AP's station entry (the firmware's with it).
    func iwl_mvm_reorder(_ kernel: Kernel, _ h: IEEE80211Header, last: Bool, mac80211: Mac80211Device) -> Bool {
        kernel.traced(rxmq.iwl_mvm_reorder) {
            guard let tid = h.tid.map(Int.init), let head = reorder_head[tid], mac80211.hasReceiveSession(h, tid: tid), h.frameControl.isQoSData,
                  !h.frameControl.isNullData, !h.address1.isMulticast, let sn = h.sequenceNumber else { return false }
            let next = (sn + 1) & 0xfff
            guard sn == head else {
                kernel.tracer.notModeled("a frame out of order in the block-ack session on TID \(tid) (sequence \(sn), the "
                    + "reorder buffer's head \(head)): held, released or dropped by the firmware's NSSN, which the capture does not show")
                reorder_head[tid] = next
                return true
            }
            if last { reorder_head[tid] = next }
            kernel.tracer.note("sequence \(sn) is the reorder buffer's head on TID \(tid): passed on at once")
            return false
        }
    }

    /// Receives one MPDU from an RX queue: builds the skb and its status (checksum offload result
    /// included; a failed FCS check marks the status, and mac80211 lets only monitor interfaces have
    /// the frame), drops duplicates from a known station, and passes it up. `subframe` is the index
    /// of an A-MSDU subframe the device split off (0 for other frames), `last` whether it is the last.
    func iwl_mvm_rx_mpdu_mq(_ kernel: Kernel, _ skb: inout SKBuff, mac80211: Mac80211Device, subframe: Int = 0,
                            last: Bool = true) -> Bool {
        kernel.traced(rxmq.iwl_mvm_rx_mpdu_mq) {
            if skb.ieee80211_rx_status?.frame.radio?.flags.contains(.badFCS) ?? false {
                kernel.tracer.note("the device reports a bad FCS: RX_FLAG_FAILED_FCS_CRC")
            } else if kernel.deviceVerifiesChecksum(&skb) {
                skb.ip_summed = .CHECKSUM_UNNECESSARY
                kernel.tracer.note("RX checksum offload: transport checksum verified (CHECKSUM_UNNECESSARY)")
            }
            guard iwl_mvm_rx_crypto(kernel, &skb, mac80211: mac80211) else {
                kernel.kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return false
            }
            if let h = skb.ieee80211_rx_status?.frame.header, mac80211.knowsStation(h), iwl_mvm_is_dup(kernel, h, subframe: subframe) {
                kernel.kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return false
            }
            if let h = skb.ieee80211_rx_status?.frame.header, iwl_mvm_reorder(kernel, h, last: last, mac80211: mac80211) {
                return false
            }
            return iwl_mvm_pass_packet_to_mac80211(kernel, &skb, mac80211: mac80211)
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
