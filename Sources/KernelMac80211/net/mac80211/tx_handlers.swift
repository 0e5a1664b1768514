// Mirrors net/mac80211/tx.c (Linux 6.1; 4.14 and 6.12 where they differ): the slow transmit path a
// frame takes when fast xmit does not (management frames, EAPOL before the port opens), through the
// TX handlers, split since 4.x into an early part (before the TXQ) and a late part (at dequeue).
// Not modeled: power save (dynamic PS, buffering for sleeping stations), fragmentation (the threshold
// is off unless set), software encryption (iwlwifi encrypts in the device), TKIP's Michael MIC.
import KernelNet
import Trace
import Wire

/// Models the parts of `struct ieee80211_tx_data` the handlers read: what kind of frame it is, and
/// the key `ieee80211_tx_h_select_key` chose.
struct ieee80211_tx_data: Equatable {
    /// A management frame (`ieee80211_is_mgmt`), else data.
    var isManagement: Bool
    /// A frame of the control port protocol (EAPOL), handed down with `IEEE80211_TX_CTRL_PORT_CTRL_PROTO`.
    var isControlPort: Bool
    /// The cipher of the key chosen for the frame (`tx->key`), `nil` when it goes out unencrypted.
    var key: String?
}

/// The TX handlers (each `ieee80211_tx_result` in the kernel): the model's never drop or queue a frame,
/// as every frame it sends through them is one the capture shows leaving.
extension Mac80211Device {
    /// Wakes the device from dynamic power save before a frame goes out (power save is not modeled: the
    /// interface is awake).
    func ieee80211_tx_h_dynamic_ps(_ kernel: Kernel) {
        kernel.traced(tx.ieee80211_tx_h_dynamic_ps) {}
    }

    /// Drops data to a station the interface is not associated with; the frames the capture shows leaving
    /// passed it (management frames and the association's own EAPOL are allowed before association).
    func ieee80211_tx_h_check_assoc(_ kernel: Kernel) {
        kernel.traced(tx.ieee80211_tx_h_check_assoc) {}
    }

    /// Buffers frames for stations in power save: a station interface's only peer is its AP, which never
    /// sleeps, so the frame goes on.
    func ieee80211_tx_h_ps_buf(_ kernel: Kernel) {
        kernel.traced(tx.ieee80211_tx_h_ps_buf) {}
    }

    /// Marks control port frames (EAPOL) to go out unfragmented at the lowest rate.
    func ieee80211_tx_h_check_control_port_protocol(_ kernel: Kernel, _ data: ieee80211_tx_data) {
        kernel.traced(tx.ieee80211_tx_h_check_control_port_protocol) {
            if data.isControlPort { kernel.tracer.note("a control port frame: sent unfragmented at the lowest basic rate") }
        }
    }

    /// Chooses the key that protects the frame: the pairwise key once the supplicant has installed it,
    /// none for management frames without management frame protection and for frames before the key.
    func ieee80211_tx_h_select_key(_ kernel: Kernel, _ data: inout ieee80211_tx_data) {
        kernel.traced(tx.ieee80211_tx_h_select_key) {
            let pairwise = u_mgd.flatMap { $0.authorized ? $0.cipher : nil }
            data.key = data.isManagement ? nil : pairwise
            kernel.tracer.note(data.key.map { "the pairwise key (\($0)): the device encrypts the frame" }
                ?? "no key: the frame goes out unprotected")
        }
    }

    /// Runs mac80211's rate control for the frame (iwlwifi's own algorithm, `iwl-mvm-rs`, registered with
    /// mac80211): only on devices without rate control in the firmware.
    func ieee80211_tx_h_rate_ctrl(_ kernel: Kernel) {
        kernel.traced(tx.ieee80211_tx_h_rate_ctrl) {}
    }

    /// Gives the frame its sequence number: QoS data the per-TID counter of the station, others the
    /// interface's counter.
    func ieee80211_tx_h_sequence(_ kernel: Kernel) {
        kernel.traced(tx.ieee80211_tx_h_sequence) {}
    }

    /// Splits the frame at the fragmentation threshold (off unless set: the frame stays whole).
    func ieee80211_tx_h_fragment(_ kernel: Kernel) {
        kernel.traced(tx.ieee80211_tx_h_fragment) {}
    }

    /// Counts the frame in the AP's station statistics (`sta->deflink.tx_stats`, not modeled).
    func ieee80211_tx_h_stats(_ kernel: Kernel) {
        kernel.traced(tx.ieee80211_tx_h_stats) {}
    }

    /// Encrypts with the chosen key, or leaves room for the device to (iwlwifi has the key: only the IV
    /// space is made); a frame without a key passes as it is.
    func ieee80211_tx_h_encrypt(_ kernel: Kernel) {
        kernel.traced(tx.ieee80211_tx_h_encrypt) {}
    }

    /// Sets the frame's Duration field from its rate (devices that do rate control set it themselves).
    func ieee80211_tx_h_calculate_duration(_ kernel: Kernel) {
        kernel.traced(tx.ieee80211_tx_h_calculate_duration) {}
    }

    /// Whether mac80211 leaves rate control (and the Duration field) to the device
    /// (`IEEE80211_HW_HAS_RATE_CONTROL`): iwlwifi sets it with firmware rate control (TLC offload), which
    /// the model assumes from 6.1; 4.14's iwlmvm has no TLC offload.
    func hasRateControl(in kernel: Kernel) -> Bool { kernel.profile.version >= .v6_1 }

    /// The handlers that run before the frame is queued: power save, association, buffering, control
    /// port, key selection and, without the device's rate control, rate control (4.14; 6.1 moved it to
    /// the late handlers, where the model's 6.x device skips it).
    func invoke_tx_handlers_early(_ kernel: Kernel, _ data: inout ieee80211_tx_data) {
        kernel.traced(tx.invoke_tx_handlers_early) {
            ieee80211_tx_h_dynamic_ps(kernel)
            ieee80211_tx_h_check_assoc(kernel)
            ieee80211_tx_h_ps_buf(kernel)
            ieee80211_tx_h_check_control_port_protocol(kernel, data)
            ieee80211_tx_h_select_key(kernel, &data)
            if !hasRateControl(in: kernel) { ieee80211_tx_h_rate_ctrl(kernel) }
        }
    }

    /// The handlers that run when the frame leaves the TXQ (or right away without TXQs): Michael MIC,
    /// sequence number, fragmentation, statistics, encryption and, without the device's rate control,
    /// the Duration field.
    func invoke_tx_handlers_late(_ kernel: Kernel) {
        kernel.traced(tx.invoke_tx_handlers_late) {
            ieee80211_tx_h_michael_mic_add(kernel)
            ieee80211_tx_h_sequence(kernel)
            ieee80211_tx_h_fragment(kernel)
            ieee80211_tx_h_stats(kernel)
            ieee80211_tx_h_encrypt(kernel)
            if !hasRateControl(in: kernel) { ieee80211_tx_h_calculate_duration(kernel) }
        }
    }
}
