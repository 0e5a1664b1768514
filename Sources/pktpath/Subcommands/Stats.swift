import ArgumentParser
import Capture
import Foundation
import Replay
import Trace
import TraceRender

/// `pktpath stats CAPTURE`: verdict and drop-reason counts, the most common paths, the SNMP counters
/// the model moved, as `nstat` names them, and each device's counters, as `ip -s -s link` shows them.
/// `--format nstat` prints the counters as `nstat -a` would; `--format json` everything as one object.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarize a capture: verdicts, drop reasons, the most common paths, SNMP and device counters.")

    @Argument(help: "The capture file (pcap or pcapng), or - for standard input.")
    var capture: String

    @OptionGroup var hostOptions: HostOptions

    @Option(name: .long, help: ArgumentHelp(KernelOption.help))
    var kernel: String?

    @Option(name: .long, help: "How many of the most common paths to list (text format).")
    var top: Int = 10

    @Option(name: .long, help: "Output format: text, nstat (the counters as 'nstat -a' prints them) or json.")
    var format: String = "text"

    @OptionGroup var colorOption: ColorOption

    /// The output formats of `stats`.
    enum Format: String, CaseIterable {
        case text, nstat, json
    }

    func validate() throws {
        if let kernel { try KernelOption.check(kernel) }
        guard Format(rawValue: format) != nil else {
            throw ValidationError("--format must be one of: \(Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard top >= 0 else { throw ValidationError("--top must be 0 or more") }
    }

    func run() throws {
        let input = try hostOptions.open(capture: capture, kernel: kernel)
        // Only the functions of each path are needed: no notes or frame summaries, and paths counted by
        // symbol (on this thread while the model runs on its own), named once.
        input.session.detail = .calls
        input.session.writesSummaries = false
        var pathCounts: [PathKey: Int] = [:]
        let summary: TraceSummary
        do {
            let replay = ConcurrentReplay(session: input.session, frames: nil, buffered: input.buffered)
            summary = try replay.run { trace in
                pathCounts[PathKey(direction: trace.direction, symbols: trace.visibleSymbols), default: 0] += 1
            }
        } catch let e as CaptureError {
            throw InputError(e.description)
        }
        var paths: [String: PathCount] = [:]
        for (key, n) in pathCounts {
            let functions = key.symbols.map(\.function)
            let label = "\(key.direction.rawValue) " + functions.joined(separator: " → ")
            paths[label, default: PathCount(direction: key.direction.rawValue, functions: functions)].count += n
        }
        let byCount = paths.sorted(by: { ($1.value.count, $0.key) < ($0.value.count, $1.key) })
        let kernelVersion = input.session.header.kernel
        switch Format(rawValue: format) ?? .text {
        case .nstat:
            print(NstatOutput.render(summary.counters, kernel: kernelVersion), terminator: "")
            warnIfDisagreeing(summary.agreement)
            return
        case .json:
            print(Self.json(summary, paths: byCount, kernel: kernelVersion))
            warnIfDisagreeing(summary.agreement)
            return
        case .text:
            break
        }
        let style = colorOption.style(file: nil)
        print("frames: \(summary.frames)")
        print("verdicts:")
        for v in Verdict.allCases {
            if let n = summary.verdicts[v] { print("  " + style.paint("\(v.rawValue): \(n)", TerminalStyle.role(of: v))) }
        }
        if !summary.dropReasons.isEmpty {
            print("drop reasons:")
            for (r, n) in summary.dropReasons.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
                print("  " + style.paint("\(r): \(n)", .drop))
            }
        }
        print("most common paths:")
        for (p, n) in byCount.prefix(top) {
            print(String(format: "  %7d  ", n.count) + p)
        }
        print("counters (nstat names, in nstat's order):")
        for c in NstatOutput.ordered(summary.counters, kernel: kernelVersion) { print("  \(c) \(summary.counters[c] ?? 0)") }
        print("devices (ip -s -s link):")
        for name in summary.devices.keys.sorted() {
            let fields = (summary.devices[name] ?? DeviceCounters()).fields.map { "\($0.name) \($0.value)" }
            print("  \(name): " + fields.joined(separator: ", "))
        }
        let a = summary.agreement
        print("agreement with the capture (answers the host sent):")
        print("  agreeing \(a.agreeing), disagreeing \(a.disagreeing)" + (a.verdict.map { ": \($0)" } ?? " (too few answers to judge)"))
        if !summary.timersAfterCapture.isEmpty {
            let names = Dictionary(grouping: summary.timersAfterCapture, by: \.function).map { "\($0.key) ×\($0.value.count)" }
            print("timers that ran after the capture ended: " + names.sorted().joined(separator: ", "))
        }
        warnIfDisagreeing(a)
    }
}

extension Stats {
    /// The statistics as one JSON object: `frames`, `verdicts`, `drop_reasons`, `paths` (every path,
    /// most common first, each `{"count", "direction", "functions"}`), `counters` (by nstat name) and
    /// `devices` (by device name, each counter by its `ip -s -s link` name), then `kernel`.
    static func json(_ summary: TraceSummary, paths: [(key: String, value: PathCount)], kernel: String) -> String {
        let w = JSONWriter()
        w.object {
            w.key("frames"); w.int(summary.frames)
            w.key("verdicts")
            w.object { for v in Verdict.allCases { if let n = summary.verdicts[v] { w.key(v.rawValue); w.int(n) } } }
            w.key("drop_reasons")
            w.object { for r in summary.dropReasons.keys.sorted() { w.key(r); w.int(summary.dropReasons[r] ?? 0) } }
            w.key("paths")
            w.array(paths) { p in
                w.object {
                    w.key("count"); w.int(p.value.count)
                    w.key("direction"); w.string(p.value.direction)
                    w.key("functions"); w.array(p.value.functions) { w.string($0) }
                }
            }
            w.key("counters")
            w.object { for c in summary.counters.keys.sorted() { w.key(c); w.int(summary.counters[c] ?? 0) } }
            w.key("devices")
            JSONRenderer.devices(summary.devices, into: w)
            w.key("kernel"); w.string(kernel)
        }
        return w.text
    }
}

/// A path as `stats` lists it: the direction, the functions, and how many frames took it.
struct PathCount {
    var direction: String
    var functions: [String]
    var count = 0
}

/// A path as `stats` counts it: the direction and the functions a real trace would see.
private struct PathKey: Hashable {
    var direction: Direction
    var symbols: [KernelSymbol]
}
