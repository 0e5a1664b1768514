import ArgumentParser
import Foundation
import TraceRender

/// `--color`, shared by the commands that write text (`trace`, `stats`, `diff`): whether their output is
/// coloured. `auto` colours a terminal unless `NO_COLOR` is set; a file (`-o`) never is, unless asked.
struct ColorOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Colour verdicts, drops and notes (text formats): auto (when standard output is a terminal and NO_COLOR is not set), always or never.",
        valueName: "auto|always|never"))
    var color: ColorChoice = .auto

    /// The style for output to `file` (`-o`), or to standard output when `nil`.
    func style(file: String?) -> TerminalStyle {
        TerminalStyle(enabled: TerminalStyle.enabled(
            choice: color, outputIsTerminal: file == nil && isatty(STDOUT_FILENO) != 0,
            noColor: ProcessInfo.processInfo.environment["NO_COLOR"]))
    }
}

/// `--color` takes the choice by name.
extension ColorChoice: ExpressibleByArgument {}
