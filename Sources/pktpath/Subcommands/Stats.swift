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

    @Option(name: .long, help: "A host profile (JSON); without it the host is inferred.")
    var host: String?

    @Option(name: .long, help: "Kernel version to model.")
    var kernel: String?

    @Option(name: .long, help: "How many of the most common paths to list.")
    var top: Int = 10

    func validate() throws {
        if let kernel { try KernelVersion.check(kernel) }
        guard top >= 0 else { throw ValidationError("--top must be 0 or more") }
    }

    func run() throws {
        do {
            var buffered: [CapturedFrame] = []
            var opened: PcapFile?
            let profile: HostProfile
            if let host {
                profile = try HostProfile.load(path: host)
            } else {
                let inferred = try HostInference.infer(path: capture, driver: "iwlwifi")
                (profile, buffered, opened) = (inferred.profile, inferred.frames, inferred.capture)
            }
            let session = try ReplaySession(capture: try opened ?? PcapFile(path: capture), captureName: capture,
                                            host: profile, kernelVersion: kernel)
            var paths: [String: Int] = [:]
            let summary = try session.run(buffered: buffered) { trace in
                var chain = ""
                for case let .call(sym, _, inline) in trace.events where !inline {
                    chain += chain.isEmpty ? sym.function : " → " + sym.function
                }
                paths["\(trace.direction.rawValue) \(chain)", default: 0] += 1
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
        } catch let e as CaptureError {
            throw InputError(e.description)
        } catch let e as HostProfileError {
            throw InputError(e.description)
        } catch let e as ReplayError {
            throw InputError(e.description)
        }
    }
}
