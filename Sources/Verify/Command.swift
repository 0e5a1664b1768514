import Foundation

/// The system tools `pktpath verify` builds with (`ip`, `sysctl`, `ethtool`, `nft`), run and checked.
public enum Command {
    /// The folders searched for a tool: `PATH`, then the system folders root's `PATH` has.
    static var folders: [String] {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
    }

    /// Where tool `name` is, if installed.
    public static func find(_ name: String) -> String? {
        folders.lazy.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `words` (a tool and its arguments) with `input` on standard input; a failure is an error
    /// naming the command and quoting what it said on standard error. `quiet`: a failure is ignored.
    public static func run(_ words: [String], input: String? = nil, quiet: Bool = false) throws(VerifyError) {
        guard let tool = words.first, let path = find(tool) else {
            if quiet { return }
            throw VerifyError("\(words.first ?? "") is not installed")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(words.dropFirst())
        let errors = Pipe()
        let stdin = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        do {
            try process.run()
        } catch {
            if quiet { return }
            throw VerifyError("cannot run \(words.joined(separator: " ")): \(error.localizedDescription)")
        }
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 || quiet else {
            let why = said.split(separator: "\n").first.map { ": " + $0 } ?? ""
            throw VerifyError("\(words.joined(separator: " ")) failed (exit \(process.terminationStatus))\(why)")
        }
    }
}
