import ArgumentParser
import Capture
import Foundation
import Replay
import Trace
import TraceImport
import TraceRender

/// `pktpath import TOOL FILE --capture CAPTURE`: a real tracer's output as a pktpath trace, frame by
/// frame, for `pktpath diff` against the model's.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn a real tracer's output (ftrace, pwru, retis) into a pktpath JSON trace of a capture's frames.",
        discussion: """
            TOOL is ftrace (function_graph or function tracer text with the skb:/net: tracepoints, or \
            trace-cmd report output), pwru (pwru --output-json) or retis (a retis collect events file). \
            Each packet the tool followed is paired with the capture frame it was, by content (bytes, \
            addresses and ports, lengths) and time, and written as that frame's trace: the functions the \
            tool saw, and the verdict, drop reason and dropping function where it recorded a kfree_skb. \
            Frames are described, and their direction decided, as pktpath trace does it (--host, or the \
            inferred host). Frames no packet fits and packets that fit no frame are listed on stderr and \
            in the trace's summary line. Then: pktpath diff model.jsonl real.jsonl (docs/import.md).
            """)

    @Argument(help: "The tool that wrote FILE: ftrace, pwru or retis.")
    var tool: String

    @Argument(help: "The tool's output.")
    var file: String

    @Option(name: .long, help: "The capture of the same traffic (pcap or pcapng).")
    var capture: String

    @OptionGroup var hostOptions: HostOptions

    @Option(name: .shortAndLong, help: "Write the trace to this file instead of standard output.")
    var output: String?

    func validate() throws {
        guard TracerKind(rawValue: tool) != nil else {
            throw ValidationError("TOOL must be one of: \(TracerKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard capture != "-" else { throw ValidationError("--capture must be a file (the tool's output may not be standard input either)") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw InputError("cannot read \(file)") }
        let packets: [TracedPacket]
        var release: String?
        do {
            switch TracerKind(rawValue: tool)! {
            case .ftrace:
                packets = try FtraceReader.read(String(decoding: data, as: UTF8.self), path: file).packets
            case .pwru:
                packets = try PwruReader.read(data, path: file)
            case .retis:
                let reader = try RetisReader.read(data, path: file)
                packets = reader.packets
                release = reader.kernelRelease
            }
        } catch {
            throw InputError(error.description)
        }
        let input = try hostOptions.open(capture: capture, kernel: nil)
        var frames: [CaptureFrame] = []
        let replay = ConcurrentReplay(session: input.session, frames: nil, buffered: input.buffered, keepsFrames: true)
        _ = try replay.run { trace, captured in
            guard let captured else { return }
            frames.append(CaptureFrame(trace, captured: captured,
                                       encapsulation: ReplaySession.encapsulation(of: captured.linkType)))
        }
        let result = Importer.run(packets: packets, frames: frames)
        let header = TraceHeader(kernel: release ?? "unknown", capture: capture, host: input.session.header.host,
                                 assumptions: input.session.header.assumptions, recordedBy: tool)
        let renderer = JSONRenderer()
        let out = OutputBuffer(capacity: 1 << 16)
        out.append(renderer.header(header))
        for trace in result.traces { renderer.write(trace, into: out) }
        out.append(Self.summary(result))
        let file: OutputFile
        if let output {
            guard let f = OutputFile(creating: output) else { throw InputError("cannot write \(output)") }
            file = f
        } else {
            file = .standardOutput
        }
        defer { file.close() }
        guard file.write(out) else { throw InputError("cannot write \(output ?? "standard output")") }
        report(result)
    }

    /// The summary line: frames and verdicts, and what was not paired.
    static func summary(_ r: ImportResult) -> String {
        let w = JSONWriter()
        w.object {
            w.key("type"); w.string("summary")
            w.key("frames"); w.int(r.traces.count)
            var verdicts: [Verdict: Int] = [:]
            var reasons: [String: Int] = [:]
            for t in r.traces {
                verdicts[t.verdict, default: 0] += 1
                if let reason = t.dropReason { reasons[reason, default: 0] += 1 }
            }
            w.key("verdicts")
            w.object { for v in Verdict.allCases { if let n = verdicts[v] { w.key(v.rawValue); w.int(n) } } }
            w.key("drop_reasons")
            w.object { for k in reasons.keys.sorted() { w.key(k); w.int(reasons[k] ?? 0) } }
            w.key("matched"); w.int(r.matched)
            w.key("unmatched_frames"); w.array(r.unmatchedFrames) { w.int($0) }
            w.key("unmatched_packets")
            w.array(r.unmatchedPackets) { p in
                w.object {
                    w.key("skb"); w.string(p.skb)
                    w.key("line"); w.int(p.line)
                    w.key("why"); w.string(p.why)
                }
            }
        }
        return w.text + "\n"
    }

    /// One line on stderr with the pairing, and one per packet not paired (at most 20).
    private func report(_ r: ImportResult) {
        var text = "pktpath: import: \(r.matched) of \(r.traces.count) frames paired with a packet \(tool) recorded"
        if !r.unmatchedFrames.isEmpty {
            text += "; frames without one: " + r.unmatchedFrames.prefix(20).map { "#\($0)" }.joined(separator: " ")
                + (r.unmatchedFrames.count > 20 ? " …" : "")
        }
        text += "\n"
        // Skbs the tool saw only being freed (no device, length or content) are counted, not listed.
        let listed = r.unmatchedPackets.filter { $0.why != Importer.unidentifiable }
        let unnamed = r.unmatchedPackets.count - listed.count
        if !listed.isEmpty { text += "pktpath: import: \(listed.count) packets paired with no frame:\n" }
        for p in listed.prefix(20) { text += "  skb \(p.skb) (\(file) line \(p.line)): \(p.why)\n" }
        if listed.count > 20 { text += "  …\n" }
        if unnamed > 0 {
            text += "pktpath: import: \(unnamed) more skbs \(Importer.unidentifiable) (in the summary line)\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
