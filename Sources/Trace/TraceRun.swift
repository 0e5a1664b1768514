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

    public init(kernel: String, capture: String, host: JSONValue, assumptions: [String] = [], overrides: [String] = []) {
        self.kernel = kernel
        self.capture = capture
        self.host = host
        self.assumptions = assumptions
        self.overrides = overrides
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
    /// SNMP counters by `nstat` name (`IpInReceives`, `TcpExtListenDrops`).
    public var counters: [String: Int] = [:]

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
