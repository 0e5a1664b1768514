#if os(Linux)
import CNetns
import Capture
import Foundation
import Glibc
import KernelNet
import Replay
import TraceImport
import Trace
import Wire

/// `pktpath verify`: replays a capture's received frames into a scratch copy of its host on the running
/// kernel, records what that kernel did with each from its tracepoints, runs the model on the same
/// capture and host, and compares the two frame by frame.
public struct Verifier {
    /// The capture's path.
    public var capture: String
    /// The host the capture was taken on (`--host`, or inferred).
    public var profile: HostProfile
    /// The prefix of everything the run creates: namespaces `PREFIX-host` and `PREFIX-peer`, the tracefs
    /// instance `PREFIX`.
    public var prefix: String
    /// The least time between two replayed frames, so that each frame's events are over before the next
    /// is sent: the capture's own spacing is kept where it is longer.
    public var minimumGap: Duration = .milliseconds(10)
    /// Asked between frames and while waiting: true stops the replay (Ctrl-C); the run then cleans up
    /// and throws ``interrupted``.
    public var shouldStop: () -> Bool = { false }
    /// Called once when another verify run on this machine holds the lock (``MachineLock``) and this run
    /// waits for it.
    public var waitingForOtherRun: () -> Void = {}

    /// The most frames a capture may have: the replay runs in real time.
    public static let frameLimit = 10_000

    /// The error thrown after ``shouldStop`` said to stop (everything made has been removed).
    public static let interrupted = VerifyError("interrupted; everything verify made has been removed")

    public init(capture: String, profile: HostProfile, prefix: String) {
        self.capture = capture
        self.profile = profile
        self.prefix = prefix
    }

    /// What a run found.
    public struct Result {
        /// `uname -r` of the running kernel.
        public var release: String
        /// The kernel profile the model ran with: the one nearest the running kernel.
        public var modelKernel: String
        /// The namespaces and tracefs instance the run made (and removed).
        public var namespaces: [String]
        public var tracefsInstance: String
        /// Whether the kernel offers the function_graph tracer (the path of each frame).
        public var functionGraph: Bool
        /// The instance that recorded the function paths (and was removed), nil when none did.
        public var graphInstance: String?
        /// Why the function paths were not compared, nil when they were.
        public var pathsNotCompared: String?
        /// What of the profile the scratch host does not reproduce.
        public var notReproduced: [String]
        /// Every received frame replayed, with both outcomes.
        public var frames: [FrameVerification]
        /// Frames not replayed, each with why.
        public var notReplayed: [(frame: Int, why: String)]
        public var figures: VerificationFigures
    }

    /// The running kernel's release (`uname -r`).
    public static var release: String {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// Why verify cannot run on this machine, if it cannot.
    public static func machineRefusal() -> String? {
        if geteuid() != 0 { return "verify needs root (it builds network namespaces and reads tracefs)" }
        if TracefsInstance.mountPoint() == nil {
            return "tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)"
        }
        if Command.find("ip") == nil { return "verify needs iproute2's ip" }
        return nil
    }

    /// The profile as the scratch host builds it: every Ethernet interface a veth, so the model takes the
    /// driver path the running kernel takes.
    static func asBuilt(_ profile: HostProfile) -> HostProfile {
        var built = profile
        for k in built.interfaces.indices where HostProfile.ethernetDrivers.contains(built.interfaces[k].driver) {
            built.interfaces[k].driver = "veth"
        }
        return built
    }

    /// Runs the replay on the model and on the kernel, and compares them.
    public func run() throws(VerifyError) -> Result {
        if let refusal = Self.machineRefusal() { throw VerifyError(refusal) }
        guard let root = TracefsInstance.mountPoint() else { throw VerifyError("tracefs is not mounted") }
        if let refusal = ScratchHost.refusal(for: profile) { throw VerifyError("cannot build this host: " + refusal) }
        let release = Self.release
        guard let kernel = HostSnapshot.nearestKernel(toRelease: release) else {
            throw VerifyError("no modeled kernel for release \(release)")
        }
        let built = Self.asBuilt(profile)
        let (frames, traces, unmatched) = try modelRun(built, kernel: kernel)
        var model: [Int: ModelOutcome] = [:]
        for t in traces where t.direction == .rx {
            model[t.frame] = ModelOutcome(verdict: t.verdict, proto: t.proto, dropReason: t.dropReason,
                                          dropFunction: t.dropFunction)
        }
        for t in traces where t.direction == .tx { if let cause = t.causedBy { model[cause]?.transmissions += 1 } }
        for f in unmatched { model[f]?.transmissions += 1 }

        guard let lock = try MachineLock.acquire(waiting: waitingForOtherRun, shouldStop: shouldStop) else {
            throw Self.interrupted
        }
        defer { lock.release() }
        let scratch = try ScratchHost(profile: built, prefix: prefix)
        defer { scratch.remove() }
        let devices = Set(scratch.peerDevice.keys).union(scratch.peerDevice.values)
        guard !scratch.peerDevice.isEmpty else {
            throw VerifyError("the host has no interface verify can send frames into")
        }
        let instance = try TracefsInstance(root: root, name: prefix, devices: devices.sorted(), thread: cnetns_thread_id())
        defer { instance.remove() }
        let functionGraph = TracefsInstance.tracers(at: root).contains(TracefsInstance.graphTracer)
        var pathsNotCompared: String? = functionGraph ? nil : "this kernel has no function_graph tracer"
        var graph: TracefsInstance?
        if functionGraph {
            do {
                graph = try TracefsInstance(root: root, name: prefix + Self.graphSuffix, devices: devices.sorted(),
                                            thread: cnetns_thread_id(), graphFunctions: FunctionPaths.traced(kernel: kernel))
            } catch {
                pathsNotCompared = error.description
            }
        }
        defer { graph?.remove() }
        var recording = GraphRecording()
        var injectors: [String: FrameInjector] = [:]
        for (dev, end) in scratch.peerDevice {
            injectors[dev] = try FrameInjector(namespace: scratch.injectionNamespace(for: dev), device: end)
        }

        var collector = OutcomeCollector(hostDevices: Set(scratch.peerDevice.keys),
                                         injectingDevices: Set(scratch.peerDevice.values))
        func collect() {
            instance.drain { if let e = TracefsEvent(line: $0) { collector.add(e) } }
            graph?.drain { recording.add($0) }
        }
        var notReplayed: [(Int, String)] = []
        var replayed: [PacketTrace] = []
        var sent: [CaptureFrame] = []
        let clock = ContinuousClock()
        var start: ContinuousClock.Instant?
        var last: ContinuousClock.Instant?
        let firstTime = frames.first?.timestampNanoseconds ?? 0
        for (frame, trace) in zip(frames, traces) {
            guard trace.direction == .rx else {
                notReplayed.append((frame.index, "sent by the host"))
                continue
            }
            guard let injector = injectors[trace.device] else {
                notReplayed.append((frame.index, "received on \(trace.device), which verify does not send into"))
                continue
            }
            let mac = built.interfaces.first { $0.name == trace.device }?.mac ?? MACAddress(rawValue: 0)
            guard var bytes = CookedFrame.ethernet(frame.bytes, linkType: frame.linkType, device: mac) else {
                notReplayed.append((frame.index, "its cooked header does not give enough to rebuild the Ethernet frame"))
                continue
            }
            if trace.device == "lo" { bytes = LoopbackFrame.completingChecksum(bytes) }
            // At the capture's offset from the first frame, and at least minimumGap after the last one.
            let now = clock.now
            let origin = start ?? now
            start = origin
            var due = origin + .nanoseconds(max(0, frame.timestampNanoseconds - firstTime))
            if let last, due < last + minimumGap { due = last + minimumGap }
            try wait(until: due, collect)
            instance.mark(TracefsEvent.markerPrefix + "\(frame.index)")
            graph?.mark(TracefsEvent.markerPrefix + "\(frame.index)")
            if !injector.send(bytes) {
                notReplayed.append((frame.index, "the kernel refused to send it (\(String(cString: strerror(errno))))"))
            } else {
                replayed.append(trace)
                var asSent = frame
                asSent.originalLength += bytes.count - frame.bytes.count
                asSent.bytes = bytes
                sent.append(CaptureFrame(trace, captured: asSent, encapsulation: .ethernet))
            }
            last = clock.now
        }
        // Time for the last frame's answers to leave.
        try wait(until: clock.now + .milliseconds(200), collect)
        collect()

        let paths = graph == nil ? [:] : FunctionPaths.compare(
            model: replayed, kernel: FunctionPaths.recorded(recording.pieces, frames: sent), kernelVersion: kernel)
        let results = replayed.map { t in
            FrameVerification(frame: t.frame, summary: t.summary, device: t.device,
                              model: model[t.frame] ?? ModelOutcome(verdict: t.verdict),
                              kernel: collector.outcomes[t.frame] ?? KernelOutcome(), path: paths[t.frame])
        }
        var warnings = scratch.notReproduced
        let lost = instance.overruns + (graph?.overruns ?? 0)
        if lost > 0 { warnings.append("the ring buffer lost \(lost) events (the machine was busy): outcomes may be missing") }
        if recording.truncated {
            warnings.append("the function_graph recording passed \(GraphRecording.limit >> 20) MiB: later frames' paths not recorded")
        }
        return Result(release: release, modelKernel: kernel, namespaces: [scratch.hostNamespace, scratch.peerNamespace],
                      tracefsInstance: instance.path, functionGraph: functionGraph, graphInstance: graph?.path,
                      pathsNotCompared: pathsNotCompared, notReproduced: warnings, frames: results, notReplayed: notReplayed,
                      figures: VerificationFigures(results, notReplayed: notReplayed.count))
    }

    /// The suffix of the instance that records function paths: `PREFIX-graph`.
    public static let graphSuffix = "-graph"

    /// The `function_graph` lines read during a replay, cut at verify's frame markers as they come,
    /// up to ``limit`` bytes.
    struct GraphRecording {
        /// The most bytes kept: a long replay's recording is cut there.
        static let limit = 64 << 20
        private var lines: [String] = []
        private var size = 0
        private(set) var truncated = false

        mutating func add(_ line: Substring) {
            guard size + line.utf8.count <= Self.limit else {
                truncated = true
                return
            }
            size += line.utf8.count
            lines.append(String(line))
        }

        /// The recording per frame.
        var pieces: [Int: String] {
            FunctionPaths.pieces(lines) { FunctionPaths.graphMarker($0, prefix: TracefsEvent.markerPrefix) }
        }
    }

    /// Sleeps until `instant` in short steps, reading events meanwhile; throws ``interrupted`` when asked to stop.
    private func wait(until instant: ContinuousClock.Instant, _ collect: () -> Void) throws(VerifyError) {
        let clock = ContinuousClock()
        while clock.now < instant {
            if shouldStop() { throw Self.interrupted }
            let step = min(instant - clock.now, .milliseconds(5))
            usleep(UInt32(max(0, step.components.attoseconds / 1_000_000_000_000)))
            collect()
        }
        if shouldStop() { throw Self.interrupted }
    }

    /// The capture's frames and the model's trace of each, with the frames of the model's transmissions
    /// that the capture does not show.
    private func modelRun(_ host: HostProfile, kernel: String) throws(VerifyError) -> ([CapturedFrame], [PacketTrace], [Int]) {
        do {
            let file = try PcapFile(path: capture)
            let session = try ReplaySession(framesOf: file, captureName: capture, host: host, kernelVersion: kernel)
            var frames: [CapturedFrame] = []
            var traces: [PacketTrace] = []
            var frame = CapturedFrame()
            while try file.read(into: &frame) {
                guard frames.count < Self.frameLimit else {
                    throw VerifyError("the capture has more than \(Self.frameLimit) frames: verify replays in real time; cut it with tcpdump -c")
                }
                guard [.DLT_EN10MB, .DLT_LINUX_SLL, .DLT_LINUX_SLL2].contains(frame.linkType) else {
                    throw VerifyError("frame \(frame.index) is \(frame.linkType.name), neither Ethernet nor a cooked capture (-i any): verify sends Ethernet frames")
                }
                frames.append(frame)
                traces.append(session.trace(frame))
            }
            return (frames, traces, session.kernel.unmatchedTransmitFrames)
        } catch let e as VerifyError {
            throw e
        } catch let e as CaptureError {
            throw VerifyError(e.description)
        } catch let e as ReplayError {
            throw VerifyError(e.description)
        } catch {
            throw VerifyError("\(error)")
        }
    }
}
#endif
