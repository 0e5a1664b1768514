/// What a trace file says before its first frame: the schema, kernel profile, capture and host.
public struct TraceHeader: Sendable, Equatable {
    /// The schema name written on line 1.
    public static let schema = "pktpath-trace/1"

    /// Kernel profile (`6.1`).
    public var kernel: String
    /// The capture's name as given on the command line.
    public var capture: String
    /// The host the model ran as.
    public var host: JSONValue
    /// What pktpath assumed about the host (empty when a host profile was given).
    public var assumptions: [String]
    /// The what-if changes made to the host profile (`--set KEY=VALUE`), in order; `host` shows the
    /// result.
    public var overrides: [String]
    /// For a trace recorded by a real tracer (`pktpath import`), the tool (`ftrace`, `pwru`, `retis`):
    /// its paths hold only the functions the tool saw. Nil for the model's traces.
    public var recordedBy: String?

    public init(kernel: String, capture: String, host: JSONValue, assumptions: [String] = [], overrides: [String] = [],
                recordedBy: String? = nil) {
        self.kernel = kernel
        self.capture = capture
        self.host = host
        self.assumptions = assumptions
        self.overrides = overrides
        self.recordedBy = recordedBy
    }
}

/// What a trace file says after its last frame: totals over the frames traced.
public struct TraceSummary: Sendable, Equatable {
    public var frames = 0
    /// Frames by verdict (verdicts no frame had are absent).
    public var verdicts: [Verdict: Int] {
        var out: [Verdict: Int] = [:]
        for (v, n) in zip(Verdict.allCases, verdictCounts) where n > 0 { out[v] = n }
        return out
    }
    /// Frames by verdict, in `Verdict.allCases` order: counted per frame without hashing.
    private var verdictCounts = [Int](repeating: 0, count: Verdict.allCases.count)
    public var dropReasons: [String: Int] = [:]
    /// SNMP counters by `nstat` name (`IpInReceives`, `TcpExtListenDrops`), as they stood when the
    /// capture ended (before ``timersAfterCapture`` ran).
    public var counters: [String: Int] = [:]
    /// Each device of the host by name, with the counters `ip -s -s link` shows for it as they stood
    /// when the capture ended: the captured devices and those the model used without the capture
    /// seeing them (the way out of a forward).
    public var devices: [String: DeviceCounters] = [:]
    /// How well the capture's transmissions agree with the model's.
    public var agreement = Agreement()
    /// Kernel timers still pending when the capture ended, run to their end as the kernel would have
    /// (a reassembly that never completed expires), each with its path.
    public var timersAfterCapture: [TimerRun] = []
    /// The capture's last frame position, when the replay read it to its end (`nil` when a frame range
    /// stopped it earlier).
    public var lastFrameOfCapture: Int?

    public init() {}

    /// Counts one frame.
    public mutating func add(_ trace: PacketTrace) {
        frames += 1
        verdictCounts[trace.verdict.index] += 1
        if trace.verdict == .drop {
            // Kernels before 5.17 name no reason: such drops are counted by dropping function.
            let key = trace.dropReason ?? "(no reason) in \(trace.dropFunction ?? "?")"
            dropReasons[key, default: 0] += 1
        }
    }
}

/// How well a capture's transmissions agree with the model, per kind of answer (`tcp reset`,
/// `syn-ack`, `echo reply`, `icmp error`, `arp reply`): the answers the model sent while processing
/// earlier frames, those the capture showed leaving, and answers the capture showed that the model
/// had not sent. Plain acknowledgments are left out: the kernel delays and merges them.
public struct Agreement: Sendable, Equatable {
    /// Answers the model sent, by kind.
    public var predicted: [String: Int] = [:]
    /// Of those, the ones the capture showed, by kind.
    public var matched: [String: Int] = [:]
    /// Answers in the capture the model did not send, by kind.
    public var unpredicted: [String: Int] = [:]

    public init() {}

    /// Answers the model sent that the capture lacks, by kind.
    public var missing: [String: Int] {
        predicted.reduce(into: [:]) { out, p in
            let n = p.value - (matched[p.key] ?? 0)
            if n > 0 { out[p.key] = n }
        }
    }

    /// Answers both agree on, and the answers either has without the other.
    public var agreeing: Int { matched.values.reduce(0, +) }
    public var disagreeing: Int { missing.values.reduce(0, +) + unpredicted.values.reduce(0, +) }

    /// The share of answers both agree on, or `nil` with fewer than ``minimumEvidence`` answers.
    public var ratio: Double? {
        let total = agreeing + disagreeing
        return total < Self.minimumEvidence ? nil : Double(agreeing) / Double(total)
    }

    /// Fewer answers than this say nothing either way.
    public static let minimumEvidence = 3
    /// Below this share the host description is probably wrong.
    public static let threshold = 0.8

    /// One line for people: the figure, and what to try when it is low.
    public var verdict: String? {
        guard let ratio else { return nil }
        let figure = "the capture agrees with the model on \(agreeing) of \(agreeing + disagreeing) answers (\(Int((ratio * 100).rounded()))%)"
        var parts: [String] = []
        for (kind, n) in missing.sorted(by: { $0.key < $1.key }) { parts.append("\(n) \(kind) sent by the model but not captured") }
        for (kind, n) in unpredicted.sorted(by: { $0.key < $1.key }) { parts.append("\(n) \(kind) captured but not sent by the model") }
        let detail = parts.isEmpty ? "" : ": " + parts.joined(separator: ", ")
        guard ratio < Self.threshold else { return figure + detail }
        return figure + detail + ". The host description is probably wrong: check the assumed host and its sockets, "
            + "or describe the host with --host (docs/host-profile.md) or change it with --set"
    }
}

/// One device's counters as `ip -s -s link` shows them (the kernel's `struct rtnl_link_stats64`):
/// packets and bytes received and sent, and the drops the driver and the core count on the device.
public struct DeviceCounters: Sendable, Equatable {
    public var rxPackets = 0
    public var rxBytes = 0
    public var txPackets = 0
    public var txBytes = 0
    public var rxDropped = 0
    public var txDropped = 0
    /// Packets no protocol handler took where only exact delivery was allowed (`rx_nohandler`).
    public var rxNoHandler = 0
    /// Packets for another host's link-layer address, dropped by IP (`rx_otherhost_dropped`; 6.1 on).
    public var rxOtherHost = 0

    public init() {}

    /// The counters under the names the JSON formats give them, in `ip -s -s link`'s order.
    public var fields: [(name: String, value: Int)] {
        [("rx_packets", rxPackets), ("rx_bytes", rxBytes), ("tx_packets", txPackets), ("tx_bytes", txBytes),
         ("rx_dropped", rxDropped), ("tx_dropped", txDropped), ("rx_nohandler", rxNoHandler),
         ("rx_otherhost", rxOtherHost)]
    }
}
