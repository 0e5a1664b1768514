import Foundation
import Testing
import TestSupport

/// `--color` and `NO_COLOR`: colour on a terminal, none in a pipe or file, the plain text underneath.
@Suite("terminal colour")
struct ColorTests {
    static let capture = "Fixtures/oracle-examples/tcp_syn_closed/capture.pcap"
    static let escape = "\u{1B}["

    /// `text` without its SGR escape sequences.
    static func plain(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    }

    /// Runs `pktpath arguments` with its standard output on a pseudo-terminal (util-linux `script`),
    /// with `NO_COLOR` set to `noColor` when given; returns what the terminal showed.
    static func onTerminal(_ arguments: [String], noColor: String?) throws -> String {
        let exe = try #require(CLITests.executable)
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux script(1) is needed for a terminal")
        let command = ([exe.path] + arguments).map { "'" + $0 + "'" }.joined(separator: " ") + " 2>/dev/null"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = ["-qec", command, "/dev/null"]
        process.currentDirectoryURL = Repository.root
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = noColor
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    @Test("--color always colours the frame line, notes, the drop and the verdict; the text underneath is --color never's",
          arguments: ["text", "chain"])
    func always(_ format: String) throws {
        let coloured = try CLITests.pktpath(["trace", Self.capture, "--format", format, "--color", "always"])
        let never = try CLITests.pktpath(["trace", Self.capture, "--format", format, "--color", "never"])
        #expect(coloured.status == 0 && never.status == 0)
        #expect(!never.out.contains(Self.escape))
        #expect(Self.plain(coloured.out) == never.out)
        // The dropped SYN: its verdict in bold red, reset before the line ends.
        #expect(coloured.out.contains("\u{1B}[1;31m✗ SKB_DROP_REASON_NO_SOCKET in tcp_v4_rcv\u{1B}[0m"), "\(coloured)")
        if format == "text" {
            #expect(coloured.out.contains("\u{1B}[1m#1 rx "), "\(coloured)")
            #expect(coloured.out.contains("\u{1B}[36m· "), "\(coloured)")
        }
    }

    @Test("a delivered frame in green, the echo reply it caused in blue")
    func deliverAndTransmit() throws {
        let run = try CLITests.pktpath(["trace", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json", "--color", "always"])
        #expect(run.status == 0)
        #expect(run.out.contains("  = \u{1B}[32m✓ deliver icmp\u{1B}[0m\n"), "\(run)")
        #expect(run.out.contains("  = \u{1B}[34m→ transmit (caused by #1)\u{1B}[0m\n"), "\(run)")
    }

    @Test("auto, the default: none in a pipe or file")
    func noneWhenPiped() throws {
        let piped = try CLITests.pktpath(["trace", Self.capture])
        #expect(piped.status == 0)
        #expect(!piped.out.contains(Self.escape))
        let path = CLITests.temporaryPath(".txt")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try CLITests.pktpath(["trace", Self.capture, "-o", path, "--color", "auto"])
        #expect(run.status == 0)
        #expect(try !String(contentsOfFile: path, encoding: .utf8).contains(Self.escape))
    }

    @Test("auto on a terminal: colour, unless NO_COLOR is set (to anything but the empty string); --color always beats NO_COLOR")
    func terminal() throws {
        let arguments = ["trace", Self.capture, "--format", "chain"]
        #expect(try Self.onTerminal(arguments, noColor: nil).contains("\u{1B}[1;31m✗ SKB_DROP_REASON_NO_SOCKET"))
        #expect(try Self.onTerminal(arguments, noColor: "").contains(Self.escape))
        let noColor = try Self.onTerminal(arguments, noColor: "1")
        #expect(noColor.contains("SKB_DROP_REASON_NO_SOCKET") && !noColor.contains(Self.escape), "\(noColor)")
        #expect(try Self.onTerminal(arguments + ["--color", "always"], noColor: "1").contains(Self.escape))
        #expect(try !Self.onTerminal(arguments + ["--color", "never"], noColor: nil).contains(Self.escape))
    }

    @Test("stats --color always: each verdict count in its verdict's colour, drop reasons red; the text underneath is --color never's")
    func stats() throws {
        let arguments = ["stats", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json"]
        let coloured = try CLITests.pktpath(arguments + ["--color", "always"])
        let never = try CLITests.pktpath(arguments + ["--color", "never"])
        #expect(coloured.status == 0 && never.status == 0)
        #expect(!never.out.contains(Self.escape))
        #expect(Self.plain(coloured.out) == never.out)
        #expect(coloured.out.contains("  \u{1B}[32mdeliver: "), "\(coloured)")
        #expect(coloured.out.contains("  \u{1B}[34mtransmit: "), "\(coloured)")
        let closed = try CLITests.pktpath(["stats", Self.capture, "--color", "always"])
        #expect(closed.out.contains("  \u{1B}[1;31mSKB_DROP_REASON_NO_SOCKET: 1\u{1B}[0m\n"), "\(closed)")
        #expect(try !CLITests.pktpath(arguments).out.contains(Self.escape))
    }

    @Test("diff --color always: the changed frame bold, each verdict in its colour, A's steps red and B's green; the text underneath is --color never's")
    func diff() throws {
        // Strict reverse-path filtering against none: the echo request is dropped in A, delivered in B.
        let arguments = ["diff", "Fixtures/s_rp_filter.pcap", "--host", "Fixtures/s_rp_filter.host.json",
                         "--set", "net.ipv4.conf.all.rp_filter=0", "--set", "net.ipv4.conf.veth-dut.rp_filter=0"]
        let coloured = try CLITests.pktpath(arguments + ["--color", "always"])
        let never = try CLITests.pktpath(arguments + ["--color", "never"])
        #expect(coloured.status == 1 && never.status == 1, "\(coloured)")
        #expect(!never.out.contains(Self.escape))
        #expect(Self.plain(coloured.out) == never.out)
        #expect(coloured.out.contains("\u{1B}[1m#1 rx "), "\(coloured)")
        #expect(coloured.out.contains("  A: \u{1B}[1;31m✗ SKB_DROP_REASON_IP_RPFILTER in ip_rcv_finish_core\u{1B}[0m\n"), "\(coloured)")
        #expect(coloured.out.contains("  B: \u{1B}[32m✓ deliver icmp\u{1B}[0m\n"), "\(coloured)")
        #expect(coloured.out.contains("\u{1B}[31m    A "), "\(coloured)")
        #expect(coloured.out.contains("\u{1B}[32m    B "), "\(coloured)")
        #expect(try !CLITests.pktpath(arguments).out.contains(Self.escape))
    }

    @Test("a bad --color value is a usage error naming the option")
    func badValue() throws {
        let run = try CLITests.pktpath(["trace", Self.capture, "--color", "sometimes"])
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("--color"), "\(run)")
    }
}

/// What a package needs from the command: completion scripts swift-argument-parser writes for each shell
/// (`make install` installs them; `Tools/check-install.sh` loads them in each shell).
@Suite("shell completions")
struct CompletionTests {
    @Test("--generate-completion-script writes a script each shell parses, offering the subcommands and trace's options",
          arguments: ["bash", "zsh", "fish"])
    func script(_ shell: String) throws {
        let run = try CLITests.pktpath(["--generate-completion-script", shell])
        #expect(run.status == 0, "\(run)")
        // fish names long options without their dashes (`-l 'color'`).
        let options = shell == "fish" ? ["-l 'color'", "-l 'format'"] : ["--color", "--format"]
        for word in ["trace", "diff", "stats", "explain"] + options {
            #expect(run.out.contains(word), "\(shell) completion lacks \(word)")
        }
        let path = "/usr/bin/\(shell)"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            // CI installs every shell (.ci/run); a user's machine may lack zsh or fish.
            try #require(ProcessInfo.processInfo.environment["CI"] != "true", "\(shell) is not installed")
            return
        }
        let file = CLITests.temporaryPath(".\(shell)")
        defer { try? FileManager.default.removeItem(atPath: file) }
        try run.stdout.write(to: URL(fileURLWithPath: file))
        let check = Process()
        check.executableURL = URL(fileURLWithPath: path)
        check.arguments = ["-n", file]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "\(shell) -n rejects the script")
    }
}
