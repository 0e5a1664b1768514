import Foundation

/// Where the repository's files are, for tests that read fixtures and goldens.
public enum Repository {
    /// The repository root, found from this file's path.
    public static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// A path inside the repository.
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

/// The `shared/` folder beside the repository (tcpdump's regression captures, public captures, the
/// oracle). A user's clone has none: suites that need it are skipped, saying why; under CI
/// (`CI=true`) they run and fail on its absence, so CI never passes without them.
public enum SharedFolder {
    /// A path inside `../shared`.
    public static func path(_ relative: String) -> String { Repository.path("../shared/" + relative) }

    /// Whether `../shared/relative` exists.
    public static func has(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    /// Whether the suites that need `relative` run: when it is there, and always under CI.
    public static func runs(_ relative: String) -> Bool {
        has(relative) || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// Why such a suite was skipped.
    public static func skipReason(_ relative: String) -> String {
        "skipped: ../shared/\(relative) is not beside this clone (it holds captures from other projects, never committed here)"
    }
}
