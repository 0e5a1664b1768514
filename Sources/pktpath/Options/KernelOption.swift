import ArgumentParser
import Replay

/// The `--kernel` option's default and checks, shared by the subcommands.
enum KernelOption {
    /// The version used when neither `--kernel` nor the host profile names one.
    static let defaultVersion = Replay.defaultKernel

    /// The option's help: the versions there are and the default.
    static let help = "Kernel version to model: \(Replay.knownKernels.joined(separator: ", ")) (default: the host profile's, else \(defaultVersion))."

    /// Checks the version given to `option` (`--kernel`, or diff's `--vs-kernel`).
    static func check(_ version: String, option: String = "--kernel") throws {
        guard Replay.knownKernels.contains(version) else {
            throw ValidationError("\(option) \(version): not modeled; it must be one of: \(Replay.knownKernels.joined(separator: ", "))")
        }
    }
}
