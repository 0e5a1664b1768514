import ArgumentParser
import Capture
import Foundation
import Replay
import TraceDiff
import TraceRender
import Wire

/// `pktpath diff`: compares two traces frame by frame, from two trace files or from two replays of one
/// capture under different kernels, hosts or what-if changes.
struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare the kernel paths of two traces, or of one capture under two kernels or hosts.",
        discussion: """
            pktpath diff A.jsonl B.jsonl
                two traces written by pktpath trace --format json. Frames are paired by frame number when
                both name the same capture and hold the same frames, else by flow and packet (--align).
            pktpath diff CAPTURE [FILTER…] [--kernel K --vs-kernel K2] [--host A.json --vs-host B.json]
                                 [--set KEY=VALUE]… [--set-a KEY=VALUE]…
                replays the capture twice: side A with --host, --kernel and --set-a; side B with --vs-host
                and --vs-kernel (each defaulting to side A's) and --set. Without --host, the host is inferred
                once (--host-mac MAC: the end of a link that took the capture) and both sides start from it.
            --set keys: \(HostOverride.keysHelp).
            For each frame that differs: the verdicts and where the paths part, with --context steps
            around; then a summary. Exit status: 0 no differences, 1 differences, 2 usage or input error.
            """)

    @Argument(help: "Two trace files (JSON Lines), or a capture file followed by an optional pcap-filter expression.")
    var inputs: [String] = []

    @Option(name: .long, help: "Side A's host profile (JSON); without it the host is inferred from the capture.")
    var host: String?

    @Option(name: .customLong("vs-host"), help: "Side B's host profile (default: side A's).")
    var vsHost: String?

    @Option(name: .customLong("host-mac"), help: HostOptions.hostMACHelp)
    var hostMAC: String?

    @Option(name: .long, help: "Side A's kernel version (default: the host profile's, else \(KernelOption.defaultVersion)).")
    var kernel: String?

    @Option(name: .customLong("vs-kernel"), help: "Side B's kernel version (default: side A's).")
    var vsKernel: String?

    @Option(name: .long, help: "Driver of the captured interface on both sides: veth or iwlwifi.")
    var device: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("A what-if change to side B's host (repeatable).", valueName: "KEY=VALUE"))
    var overridesB: [String] = []

    @Option(name: .customLong("set-a"), help: ArgumentHelp("A what-if change to side A's host (repeatable).", valueName: "KEY=VALUE"))
    var overridesA: [String] = []

    @Option(name: .long, help: "Steps of context shown around the first divergence of a frame.")
    var context: Int = 3

    @Option(name: .long, help: "How trace files' frames are paired: auto, frame or flow.")
    var align: String = "auto"

    @Option(name: .long, help: "Output format: text or json.")
    var format: String = "text"

    @Option(name: .shortAndLong, help: "Write the diff to this file instead of standard output.")
    var output: String?

    @OptionGroup var colorOption: ColorOption

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("diff needs two trace files, or a capture") }
        guard DiffFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be one of: \(DiffFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard context >= 0 else { throw ValidationError("--context must be 0 or more") }
        try HostOptions.checkHostMAC(hostMAC, host: host)
        guard align == "auto" || Alignment(rawValue: align) != nil else {
            throw ValidationError("--align must be one of: auto, frame, flow")
        }
        for (option, version) in [("--kernel", kernel), ("--vs-kernel", vsKernel)] {
            if let version { try KernelOption.check(version, option: option) }
        }
        if let device, !HostProfile.ethernetDrivers.contains(device) {
            throw ValidationError("--device must be one of: \(HostProfile.ethernetDrivers.joined(separator: ", "))")
        }
    }

    func run() throws {
        let first = inputs[0]
        if first == "-" {
            throw InputError("diff reads files, not standard input (a capture is replayed twice)")
        }
        guard let handle = FileHandle(forReadingAtPath: first) else { throw InputError("cannot read \(first)") }
        let head = (try? handle.read(upToCount: 64)) ?? Data()
        try? handle.close()
        if TraceFile.looksLikeTrace(head) {
            try diffTraceFiles()
        } else {
            try diffReplays()
        }
    }

    /// `pktpath diff A.jsonl B.jsonl`.
    private func diffTraceFiles() throws {
        guard inputs.count == 2 else {
            throw InputError("diff of trace files takes exactly two (got \(inputs.count))")
        }
        let replayOptions: [(String, Bool)] = [
            ("--host", host != nil), ("--vs-host", vsHost != nil), ("--kernel", kernel != nil),
            ("--vs-kernel", vsKernel != nil), ("--device", device != nil), ("--set", !overridesB.isEmpty),
            ("--set-a", !overridesA.isEmpty), ("--host-mac", hostMAC != nil),
        ]
        if let (name, _) = replayOptions.first(where: { $0.1 }) {
            throw InputError("\(name) applies to a capture replayed, not to trace files (trace them with it)")
        }
        let a: TraceFile
        let b: TraceFile
        do {
            a = try TraceFile.read(path: inputs[0])
            b = try TraceFile.read(path: inputs[1])
        } catch {
            throw InputError(error.description)
        }
        let alignment = Alignment(rawValue: align) ?? Alignment.choose(a, b)
        let out = try DiffOutput(path: output, format: format, style: colorOption.style(file: output))
        defer { out.close() }
        let recorded = RecordedComparison(a, b)
        func side(_ f: TraceFile) -> DiffSide {
            // A recorded side says so, and how its paths are compared.
            let kernel = f.recordedBy.map { "\(f.kernel), recorded by \($0) (paths compared on the \(recorded?.common.count ?? 0) functions both traces name)" }
            return DiffSide(source: f.path, kernel: kernel ?? f.kernel, capture: f.capture, overrides: f.overrides)
        }
        try out.write(out.renderer.header(a: side(a), b: side(b), alignment: alignment, context: context))
        var differ = TraceDiffer(context: context)
        for (fa, fb) in alignment.pairs(a.frames, b.frames) {
            let (pa, pb) = recorded?.prepare(fa, fb) ?? (fa, fb)
            try out.buffer(out.renderer.frame(differ.compare(pa, pb), alignment: alignment))
        }
        try out.finish(differ.summary)
    }

    /// `pktpath diff CAPTURE …`: the capture replayed as side A and side B in step, one frame at a time.
    private func diffReplays() throws {
        let capture = inputs[0]
        let filter = inputs.dropFirst().joined(separator: " ")
        if align == Alignment.flow.rawValue {
            throw InputError("--align flow applies to trace files (the replays of one capture pair frame by frame)")
        }
        let baseA = try BaseProfile.load(capture: capture, host: host, device: device, hostMAC: hostMAC.flatMap(MACAddress.init))
        let baseB = try vsHost.map { try BaseProfile.load(capture: capture, host: $0, device: device) } ?? baseA
        let profileA = try baseA.profile.applying(overrides: overridesA, option: "--set-a")
        let profileB = try baseB.profile.applying(overrides: overridesB, option: "--set")
        let file: PcapFile
        let sessionA: ReplaySession
        let sessionB: ReplaySession
        do {
            file = try PcapFile(path: capture)
            if !filter.isEmpty { try file.setFilter(filter) }
            sessionA = try ReplaySession(framesOf: file, captureName: capture, host: profileA,
                                         assumptions: baseA.assumptions, kernelVersion: kernel)
            sessionB = try ReplaySession(framesOf: file, captureName: capture, host: profileB,
                                         assumptions: baseB.assumptions, kernelVersion: vsKernel ?? kernel)
        } catch let e as CaptureError {
            throw InputError(e.description)
        } catch let e as ReplayError {
            throw InputError(e.description)
        }
        let out = try DiffOutput(path: output, format: format, style: colorOption.style(file: output))
        defer { out.close() }
        func side(_ s: ReplaySession, host: String?) -> DiffSide {
            DiffSide(source: capture, kernel: s.header.kernel, capture: capture, host: host, overrides: s.header.overrides)
        }
        try out.write(out.renderer.header(a: side(sessionA, host: host), b: side(sessionB, host: vsHost ?? host),
                                          alignment: .frame, context: context))
        var differ = TraceDiffer(context: context)
        var frame = CapturedFrame()
        do {
            while try file.read(into: &frame) {
                let a = DiffFrame(sessionA.trace(frame))
                let b = DiffFrame(sessionB.trace(frame))
                try out.buffer(out.renderer.frame(differ.compare(a, b), alignment: .frame))
            }
        } catch let error as CaptureError {
            try out.flush()
            FileHandle.standardError.write(Data(("pktpath: " + error.description + "\n").utf8))
            throw ExitStatus(code: 2)
        }
        try out.finish(differ.summary)
    }
}

/// Where a diff goes: standard output or `-o FILE`, written in whole frames.
private final class DiffOutput {
    let renderer: any DiffRenderer
    private let file: OutputFile
    private let name: String
    private var pending = ""

    init(path: String?, format: String, style: TerminalStyle) throws {
        renderer = (DiffFormat(rawValue: format) ?? .text).renderer(style: style)
        name = path ?? "standard output"
        if let path {
            guard let f = OutputFile(creating: path) else { throw InputError("cannot write \(path)") }
            file = f
        } else {
            file = .standardOutput
        }
    }

    func write(_ text: String) throws {
        pending += text
        try flush()
    }

    /// Adds `text`, writing once 64 KiB are pending.
    func buffer(_ text: String) throws {
        pending += text
        if pending.utf8.count > 1 << 16 { try flush() }
    }

    func flush() throws {
        guard !pending.isEmpty else { return }
        defer { pending = "" }
        guard file.write(pending) else { throw InputError("cannot write \(name): \(String(cString: strerror(errno)))") }
    }

    /// Writes the summary; exit status 1 when the sides differ (as diff(1)).
    func finish(_ summary: DiffSummary) throws {
        try write(renderer.summary(summary))
        if summary.hasDifferences { throw ExitStatus(code: 1) }
    }

    func close() { file.close() }
}
