import ArgumentParser
import Foundation

/// The `pktpath` command: subcommands only.
@main
struct PktpathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pktpath",
        abstract: "Replay a packet capture through a model of the Linux network stack and show each frame's kernel path.",
        version: version,
        subcommands: [Trace.self, Diff.self, Stats.self, Functions.self, Explain.self, Graph.self, Host.self, VerifyCommand.self, Import.self],
        defaultSubcommand: Trace.self)

    /// pktpath's version, as `--version` prints it.
    static let version = "0.5.0"


    /// Runs the command; usage and input errors exit with status 2 (README.md), help with 0.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ExitStatus {
            Foundation.exit(error.code)
        } catch let error as InputError {
            FileHandle.standardError.write(Data(("pktpath: " + error.message + "\n").utf8))
            Foundation.exit(2)
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data(("pktpath: " + message(for: error) + "\n").utf8))
            if error is ValidationError || exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((usageString(for: PktpathCommand.self) + "\n").utf8))
            }
            Foundation.exit(2)
        }
    }

    /// The usage line of the subcommand named on the command line (trace, the default, otherwise),
    /// for usage errors.
    static func usageString(for _: PktpathCommand.Type) -> String {
        let named = CommandLine.arguments.dropFirst().first
        let command = configuration.subcommands.first { $0._commandName == named } ?? Trace.self
        return "usage: " + command.usageString()
    }
}

/// A problem with the input (capture, host profile, output file): one message, exit 2, no usage.
struct InputError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// An exit with a status after the message was already printed.
struct ExitStatus: Error {
    var code: Int32
}
