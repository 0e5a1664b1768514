import ArgumentParser
import Capture
import Foundation
import Replay
import Trace
import TraceRender

/// `pktpath trace`: replays a capture and writes every frame's kernel path.
struct Trace: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Trace every frame of a capture through the kernel model.",
        discussion: """
            CAPTURE is a pcap or pcapng file, or - for standard input. Words after it form a pcap-filter
            expression, compiled by libpcap as tcpdump does (pktpath trace x.pcap tcp port 80).
            Without --host, the capturing host is inferred from the capture and one line says what was assumed.
            """)

    @Argument(help: "The capture file (pcap or pcapng), or - for standard input.")
    var capture: String

    @Argument(help: "A pcap-filter expression selecting the frames to trace.")
    var filter: [String] = []

    @Option(name: .long, help: "A host profile (JSON, DESIGN.md format) describing the capturing host.")
    var host: String?

    @Option(name: .long, help: "Kernel version to model (6.1).")
    var kernel: String?

    @Option(name: .long, help: "Driver of the captured interface: veth or iwlwifi (default: the profile's, else iwlwifi).")
    var device: String?

    @Option(name: .long, help: "Output format: text, chain or json.")
    var format: String = "text"

    @Option(name: .shortAndLong, help: "Write the trace to this file instead of standard output.")
    var output: String?

    @Option(name: .long, help: "Trace only frames in this range of capture positions, e.g. 10-20 or 7.")
    var frames: String?

    @Option(name: .long, help: "Write only these frames: rx, tx or drops.")
    var only: String?

    func validate() throws {
        guard TraceFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be one of: \(TraceFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let only, FrameSelection(rawValue: only) == nil || only == "all" {
            throw ValidationError("--only must be one of: rx, tx, drops")
        }
        if let device, !HostProfile.drivers.contains(device) {
            throw ValidationError("--device must be one of: \(HostProfile.drivers.joined(separator: ", "))")
        }
        if let frames, Self.parseRange(frames) == nil {
            throw ValidationError("--frames takes N or N-M with 1 <= N <= M, got '\(frames)'")
        }
    }

    /// Parses `N` or `N-M`.
    static func parseRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let a = Int(parts[0]), a >= 1 else { return nil }
        let b = parts.count == 2 ? Int(parts[1]) : a
        guard let b, b >= a else { return nil }
        return a...b
    }

    func run() throws {
        let filterExpression = filter.joined(separator: " ")
        var buffered: [CapturedFrame] = []
        var opened: PcapFile?
        let profile: HostProfile
        var assumptions: [String] = []
        do {
            if let host {
                var p = try HostProfile.load(path: host)
                if let device {
                    for i in p.interfaces.indices where p.interfaces[i].captured { p.interfaces[i].driver = device }
                }
                profile = p
            } else {
                if capture == "-", !filterExpression.isEmpty {
                    throw InputError("a filter expression on standard input needs --host (the input is read only once)")
                }
                let inferred = try HostInference.infer(path: capture, driver: device ?? "iwlwifi")
                (profile, assumptions, buffered, opened) = (inferred.profile, inferred.assumptions, inferred.frames, inferred.capture)
                let summary = "pktpath: no --host given; assumed " + assumptions.joined(separator: "; ") + "\n"
                FileHandle.standardError.write(Data(summary.utf8))
            }
            let file = try opened ?? PcapFile(path: capture)
            if !filterExpression.isEmpty { try file.setFilter(filterExpression) }
            let session = try ReplaySession(capture: file, captureName: capture, host: profile, assumptions: assumptions,
                                            kernelVersion: kernel)
            try write(session, buffered: buffered)
        } catch let e as HostProfileError {
            throw InputError(e.description)
        } catch let e as CaptureError {
            throw InputError(e.description)
        } catch let e as ReplayError {
            throw InputError(e.description)
        }
    }

    /// Streams the traces to the output, a complete line at a time.
    private func write(_ session: ReplaySession, buffered: [CapturedFrame]) throws {
        let renderer = TraceFormat(rawValue: format)!.renderer
        let selection = only.flatMap(FrameSelection.init(rawValue:)) ?? .all
        let out: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil), let h = FileHandle(forWritingAtPath: output) else {
                throw InputError("cannot write \(output)")
            }
            out = h
        } else {
            out = FileHandle.standardOutput
        }
        var pending = renderer.header(session.header)
        func flush() {
            if !pending.isEmpty { out.write(Data(pending.utf8)) }
            pending = ""
        }
        do {
            let summary = try session.run(frames: frames.flatMap(Self.parseRange), buffered: buffered) { trace in
                guard selection.includes(trace) else { return }
                pending += renderer.frame(trace)
                if pending.utf8.count > 1 << 16 { flush() }
            }
            pending += renderer.summary(summary)
            flush()
        } catch let error as CaptureError {
            flush()
            FileHandle.standardError.write(Data(("pktpath: " + error.description + "\n").utf8))
            throw ExitStatus(code: 2)
        }
    }
}
