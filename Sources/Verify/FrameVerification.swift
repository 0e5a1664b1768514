import Trace

/// What the model said about one frame, in the terms a real kernel's tracepoints can confirm.
public struct ModelOutcome: Equatable, Sendable {
    public var verdict: Verdict
    public var proto: String?
    /// The kernel's reason name (`SKB_DROP_REASON_NO_SOCKET`), for a drop under a profile that names reasons.
    public var dropReason: String?
    /// The function that freed the frame, as `skb:kfree_skb` reports it.
    public var dropFunction: String?
    /// Packets the model's host sent while processing the frame: the capture's frames it links to it
    /// (`caused_by`) and the answers it sent that the capture does not show.
    public var transmissions: Int

    public init(verdict: Verdict, proto: String? = nil, dropReason: String? = nil, dropFunction: String? = nil,
                transmissions: Int = 0) {
        self.verdict = verdict
        self.proto = proto
        self.dropReason = dropReason
        self.dropFunction = dropFunction
        self.transmissions = transmissions
    }
}

/// One received frame of the capture: the model's outcome beside the running kernel's, and where they
/// agree. A field is `nil` where it cannot be compared (the reason of a frame neither side dropped).
public struct FrameVerification: Equatable, Sendable {
    public var frame: Int
    public var summary: String
    public var device: String
    public var model: ModelOutcome
    public var kernel: KernelOutcome
    /// The function paths compared, nil where they were not (the kernel has no `function_graph`).
    public var path: PathComparison?

    public init(frame: Int, summary: String, device: String, model: ModelOutcome, kernel: KernelOutcome,
                path: PathComparison? = nil) {
        self.frame = frame
        self.summary = summary
        self.device = device
        self.model = model
        self.kernel = kernel
        self.path = path
    }

    /// Whether both dropped it, both forwarded it (the kernel possibly in fragments), or both kept it
    /// (delivered, queued or consumed);
    /// `nil` when the model could not follow the frame (`unknown`).
    public var verdictAgrees: Bool? {
        switch model.verdict {
        case .unknown, .transmit: return nil
        case .drop:
            if case .dropped = kernel.fate { return true }
            return false
        case .forward:
            switch kernel.fate {
            case .forwarded: return true
            // Split for a smaller MTU: the fragments leave, the received skb is consumed.
            case .consumed(let function): return function == Self.fragmentingFunction
            default: return false
            }
        case .deliver, .queue:
            switch kernel.fate {
            case .consumed, .held: return true
            case .notReceived, .dropped, .forwarded: return false
            }
        }
    }

    /// Whether both dropped it for the same reason; `nil` unless both dropped it and the model's
    /// profile names reasons.
    public var dropReasonAgrees: Bool? {
        guard case .dropped(let reason, _) = kernel.fate, model.verdict == .drop, let modelReason = model.dropReason
        else { return nil }
        return modelReason == Self.reasonPrefix + reason
    }

    /// Whether both dropped it in the same function; `nil` unless both dropped it.
    public var dropFunctionAgrees: Bool? {
        guard case .dropped(_, let function) = kernel.fate, model.verdict == .drop, let modelFunction = model.dropFunction
        else { return nil }
        return modelFunction == function
    }

    /// Whether the host sent as many packets while processing it in both.
    public var transmissionsAgree: Bool { model.transmissions == kernel.transmissions }

    /// Whether the kernel's recorded function path and the model's agree; `nil` unless paths were
    /// compared and the recording holds the frame's.
    public var pathAgrees: Bool? {
        switch path {
        case .agrees: return true
        case .differs: return false
        case .notRecorded, nil: return nil
        }
    }

    /// Whether every compared aspect agrees.
    public var agrees: Bool {
        verdictAgrees != false && dropReasonAgrees != false && dropFunctionAgrees != false && transmissionsAgree
            && pathAgrees != false
    }

    /// Where a received packet that is forwarded in fragments is consumed.
    static let fragmentingFunction = "ip_do_fragment"

    /// The prefix the model's reason names carry and the tracepoint's do not.
    public static let reasonPrefix = "SKB_DROP_REASON_"
}

/// How often the model and the kernel agreed over a replay, aspect by aspect.
public struct VerificationFigures: Equatable, Sendable {
    /// Agreeing and compared counts of one aspect.
    public struct Count: Equatable, Sendable {
        public var agreeing = 0
        public var compared = 0
        public init(agreeing: Int = 0, compared: Int = 0) {
            self.agreeing = agreeing
            self.compared = compared
        }

        mutating func add(_ agrees: Bool?) {
            guard let agrees else { return }
            compared += 1
            if agrees { agreeing += 1 }
        }
    }

    /// Frames compared, and those that agree in every aspect.
    public var frames = Count()
    public var verdict = Count()
    public var dropReason = Count()
    public var dropFunction = Count()
    public var transmissions = Count()
    /// Frames whose function paths were compared (`function_graph` recordings), and those that agree.
    public var path = Count()
    /// Frames of the capture not replayed (sent by the host, or on a device verify does not build).
    public var notReplayed = 0

    public init() {}

    /// The figures over `frames`.
    public init(_ frames: [FrameVerification], notReplayed: Int) {
        for f in frames {
            self.frames.add(f.agrees)
            verdict.add(f.verdictAgrees)
            dropReason.add(f.dropReasonAgrees)
            dropFunction.add(f.dropFunctionAgrees)
            transmissions.add(f.transmissionsAgree)
            path.add(f.pathAgrees)
        }
        self.notReplayed = notReplayed
    }
}
