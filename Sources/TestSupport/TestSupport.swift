import Foundation

/// Where the repository's files are, for tests that read fixtures and goldens.
public enum Repository {
    /// The repository root, found from this file's path.
    public static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// A path inside the repository.
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}
