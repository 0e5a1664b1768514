import Trace

/// ANSI colours for the text formats on a terminal: verdicts, drops, notes and what the model does
/// not cover. Off, it writes nothing, so the output is the plain text.
public struct TerminalStyle: Sendable {
    /// The role of a piece of text, which decides its colour.
    enum Role {
        /// A frame's first line (its number, direction, device and summary): bold.
        case frame
        /// A `deliver` verdict: green.
        case deliver
        /// A drop, as an event or a verdict: red.
        case drop
        /// A frame sent or routed on (`transmit`, `forward`): blue.
        case sent
        /// A fragment held (`queue`): yellow.
        case held
        /// A note saying why a branch was taken, a state change or a hook's verdict: cyan.
        case note
        /// What the model does not cover, and a frame it could not follow to the end: magenta.
        case notModeled

        /// The SGR parameters of the role.
        var code: StaticString {
            switch self {
            case .frame: "\u{1B}[1m"
            case .deliver: "\u{1B}[32m"
            case .drop: "\u{1B}[1;31m"
            case .sent: "\u{1B}[34m"
            case .held: "\u{1B}[33m"
            case .note: "\u{1B}[36m"
            case .notModeled: "\u{1B}[35m"
            }
        }
    }

    /// Whether colours are written.
    public let enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    /// No colours.
    public static let plain = TerminalStyle(enabled: false)

    /// Whether to colour, given `--color` (`always`, `never` or `auto`), whether the output is a
    /// terminal, and the `NO_COLOR` environment variable (no-color.org: set and not empty means no
    /// colour unless asked for on the command line).
    public static func enabled(choice: ColorChoice, outputIsTerminal: Bool, noColor: String?) -> Bool {
        switch choice {
        case .always: true
        case .never: false
        case .auto: outputIsTerminal && (noColor ?? "").isEmpty
        }
    }

    /// Starts text of `role`.
    func begin(_ role: Role, in out: OutputBuffer) {
        if enabled { out.append(role.code) }
    }

    /// Ends coloured text.
    func end(in out: OutputBuffer) {
        if enabled { out.append("\u{1B}[0m") }
    }

    /// The role of a frame's verdict.
    static func role(of verdict: Verdict) -> Role {
        switch verdict {
        case .deliver: .deliver
        case .drop: .drop
        case .transmit, .forward: .sent
        case .queue: .held
        case .unknown: .notModeled
        }
    }
}

/// `--color`: when the text formats use colour.
public enum ColorChoice: String, Sendable, CaseIterable {
    /// On a terminal, unless `NO_COLOR` is set.
    case auto
    case always
    case never
}
