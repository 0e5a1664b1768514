import ArgumentParser
import Replay

/// `pktpath functions`: every modeled kernel function, by source file.
struct Functions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every modeled kernel function by source file.")

    @Option(name: .long, help: "Kernel version (marks the functions its build inlines).")
    var kernel: String = KernelOption.defaultVersion

    func validate() throws { try KernelOption.check(kernel) }

    func run() throws {
        for (file, functions) in Teaching.functions(kernel: kernel) {
            print(file)
            for f in functions { print("  " + f) }
        }
    }
}
