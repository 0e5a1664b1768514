import ArgumentParser
import Replay

/// `pktpath explain FUNCTION`: what a modeled kernel function does and where it sits.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a modeled kernel function: its role, file, callers and callees, branches, drop reasons and counters.")

    @Argument(help: "A kernel function name, e.g. ip_rcv_core.")
    var function: String

    @Option(name: .long, help: "Kernel version.")
    var kernel: String = KernelOption.defaultVersion

    func validate() throws { try KernelOption.check(kernel) }

    func run() throws {
        guard let e = try Teaching.explain(function, kernel: kernel) else {
            throw InputError("'\(function)' is not a modeled function (pktpath functions lists them)")
        }
        let presence = !e.present ? ", not on this version's paths" : e.inline ? ", inlined by the compiler" : ""
        print("\(e.symbol.function)  (\(e.symbol.file), Linux \(kernel)\(presence))")
        print("")
        print(e.summary.isEmpty ? "(no description)" : e.summary)
        print("")
        if e.present {
            print("called by:  " + (e.callers.isEmpty ? "(an entry point)" : e.callers.joined(separator: ", ")))
            print("calls:      " + (e.callees.isEmpty ? "(nothing modeled)" : e.callees.joined(separator: ", ")))
        } else {
            print("Linux \(kernel) does not take it: the function does not exist there (its caller does the")
            print("work) or is on no path the model follows for that version.")
        }
        if !e.branches.isEmpty {
            print("decides:")
            for b in e.branches { print("  · " + b) }
        }
        if !e.dropReasons.isEmpty { print("drops with: " + e.dropReasons.joined(separator: ", ")) }
        if !e.counters.isEmpty { print("counts:     " + e.counters.joined(separator: ", ")) }
        for o in e.otherProfiles { print("in " + o) }
        print("source:     " + e.elixir)
    }
}
