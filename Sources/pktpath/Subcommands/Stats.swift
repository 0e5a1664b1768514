import ArgumentParser
import Capture
import Foundation
import Replay
import Trace

/// `pktpath stats CAPTURE`: verdict and drop-reason counts, the most common paths, and the SNMP
/// counters the model moved, as `nstat` names them.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarize a capture: verdicts, drop reasons, the most common paths and SNMP counters.")

    @Argument(help: "The capture file (pcap or pcapng), or - for standard input.")
    var capture: String

    @OptionGroup var hostOptions: HostOptions

    @Option(name: .long, help: "Kernel version to model.")
    var kernel: String?

    @Option(name: .long, help: "How many of the most common paths to list.")
    var top: Int = 10

    func validate() throws {
        if let kernel { try KernelOption.check(kernel) }
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
        var paths: [String: Int] = [:]
        for (key, n) in pathCounts {
            paths["\(key.direction.rawValue) " + key.symbols.map(\.function).joined(separator: " → "), default: 0] += n
        }
        print("frames: \(summary.frames)")
        print("verdicts:")
        for v in Verdict.allCases { if let n = summary.verdicts[v] { print("  \(v.rawValue): \(n)") } }
        if !summary.dropReasons.isEmpty {
            print("drop reasons:")
            for (r, n) in summary.dropReasons.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) { print("  \(r): \(n)") }
        }
        print("most common paths:")
        for (p, n) in paths.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }).prefix(top) {
            print(String(format: "  %7d  ", n) + p)
        }
        print("counters (nstat names):")
        for c in summary.counters.keys.sorted() { print("  \(c) \(summary.counters[c] ?? 0)") }
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

/// A path as `stats` counts it: the direction and the functions a real trace would see.
private struct PathKey: Hashable {
    var direction: Direction
    var symbols: [KernelSymbol]
}
