import Capture
import KernelNet
import Replay
import Trace
import TraceDiff
import TraceImport

/// How the function path the kernel took for a replayed frame compares with the model's.
public enum PathComparison: Equatable, Sendable {
    /// The two paths name the same functions in the same order (on the functions both name).
    case agrees
    /// The paths part at step `step` (0-based, on the functions both name): the model's function
    /// there and the kernel's (nil where that side's path ended).
    case differs(step: Int, model: String?, kernel: String?)
    /// The recording holds no path for the frame (no tracepoint named its skb after its marker).
    case notRecorded
}

/// The function paths of a replay recorded by ftrace's `function_graph` tracer, read and compared as
/// `pktpath import ftrace` and `pktpath diff` read and compare them: the recording is cut at the
/// replay's marker lines, each piece read by ``FtraceReader`` and paired with its frame by
/// ``Importer``, and each pair compared by ``RecordedComparison`` and ``TraceDiffer``.
public enum FunctionPaths {
    /// The functions the recorder traces under kernel profile `version`: every function the model
    /// names that the profile neither lacks nor inlines (an inlined function has no symbol to trace),
    /// and the replay's entry point, the packet socket's `packet_sendmsg`.
    public static func traced(kernel version: String) -> [String] {
        let profile = KernelProfile.all[version] ?? .default
        var names = Set(KernelModel.symbols.map(\.function)).subtracting(profile.absent).subtracting(profile.inlined)
        names.insert(entryPoint)
        return names.sorted()
    }

    /// Where the replay's frames enter the kernel: the peer's packet socket sends them.
    public static let entryPoint = "packet_sendmsg"

    /// The recording's lines cut at its markers: the lines after the marker of frame N, up to the next
    /// marker, under N. `marker` reads a line's frame number, nil for a line that is no marker.
    public static func pieces<S: Sequence>(_ lines: S, marker: (Substring) -> Int?) -> [Int: String]
    where S.Element: StringProtocol {
        var out: [Int: String] = [:]
        var current: Int?
        for line in lines {
            let text = Substring(line)
            if let frame = marker(text) {
                current = frame
            } else if let current {
                out[current, default: ""] += text + "\n"
            }
        }
        return out
    }

    /// The frame number of a `function_graph` marker line: `/* TEXT */` where TEXT starts with
    /// `prefix` and goes on with the number.
    public static func graphMarker(_ line: Substring, prefix: String) -> Int? {
        guard let open = line.range(of: "/* " + prefix) else { return nil }
        return Int(line[open.upperBound...].prefix { $0.isNumber })
    }

    /// The kernel's trace of each frame of `frames` whose piece of the recording holds its packet.
    public static func recorded(_ pieces: [Int: String], frames: [CaptureFrame]) -> [Int: PacketTrace] {
        var out: [Int: PacketTrace] = [:]
        for frame in frames {
            guard let text = pieces[frame.frame], let reader = try? FtraceReader.read(text, path: "function_graph")
            else { continue }
            let result = Importer.run(packets: reader.packets, frames: [frame])
            if result.unmatchedFrames.isEmpty, let trace = result.traces.first { out[frame.frame] = trace }
        }
        return out
    }

    /// Each model trace's path compared with the kernel's trace of the same frame, as `pktpath diff`
    /// compares a model trace with an imported one.
    public static func compare(model: [PacketTrace], kernel: [Int: PacketTrace], kernelVersion: String)
        -> [Int: PathComparison]
    {
        let modelFile = TraceFile(path: "model", kernel: kernelVersion, capture: "", overrides: [],
                                  frames: model.map(DiffFrame.init))
        var kernelFile = TraceFile(path: "kernel", kernel: kernelVersion, capture: "", overrides: [],
                                   frames: kernel.values.sorted { $0.frame < $1.frame }.map(DiffFrame.init))
        kernelFile.recordedBy = "function_graph"
        guard let comparison = RecordedComparison(modelFile, kernelFile) else { return [:] }
        var differ = TraceDiffer(context: 1)
        var out: [Int: PathComparison] = [:]
        for m in model {
            guard let k = kernel[m.frame] else {
                out[m.frame] = .notRecorded
                continue
            }
            let (a, b) = comparison.prepare(DiffFrame(m), DiffFrame(k))
            if let d = differ.compare(a, b).divergence {
                out[m.frame] = .differs(step: d.index, model: d.a.first?.function, kernel: d.b.first?.function)
            } else {
                out[m.frame] = .agrees
            }
        }
        return out
    }
}
