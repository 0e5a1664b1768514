import Trace

/// ANSI colours for the text formats on a terminal: verdicts, drops, notes and what the model does
/// not cover (`trace`, `stats`), and the two sides of a `diff`. Off, it writes nothing, so the output is
/// the plain text.
public struct TerminalStyle: Sendable {
    /// The role of a piece of text, which decides its colour.
    public enum Role: Sendable {
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
        /// In a diff, what only side A has (as diff(1) colours removed lines): red.
        case sideA
        /// In a diff, what only side B has (added lines): green.
        case sideB

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
            case .sideA: "\u{1B}[31m"
            case .sideB: "\u{1B}[32m"
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

    /// `text` in the colour of `role` (followed by a reset), or `text` itself when off.
    public func paint(_ text: String, _ role: Role) -> String {
        enabled ? "\(role.code)\(text)\u{1B}[0m" : text
    }

    /// The role of a frame's verdict.
    public static func role(of verdict: Verdict) -> Role {
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
