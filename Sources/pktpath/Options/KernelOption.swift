import ArgumentParser
import Replay

/// The `--kernel` option's default and checks, shared by the subcommands.
enum KernelOption {
    /// The version used when neither `--kernel` nor the host profile names one.
    static let defaultVersion = Replay.defaultKernel

    static func check(_ version: String) throws {
        guard Replay.knownKernels.contains(version) else {
            throw ValidationError("--kernel must be one of: \(Replay.knownKernels.joined(separator: ", "))")
        }
    }
}
