import ArgumentParser
import Capture
import Foundation
import Replay
import Trace
import TraceRender

/// `pktpath trace`: replays a capture and writes every frame's kernel path.
struct Trace: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Trace every frame of a capture through the kernel model.",
        discussion: """
            CAPTURE is a pcap or pcapng file, or - for standard input. Words after it form a pcap-filter
            expression, compiled by libpcap as tcpdump does (pktpath trace x.pcap tcp port 80).
            Without --host, the capturing host is inferred from the capture and one line says what was assumed.
            """)

    @Argument(help: "The capture file (pcap or pcapng), or - for standard input.")
    var capture: String

    @Argument(help: "A pcap-filter expression selecting the frames to trace.")
    var filter: [String] = []

    @OptionGroup var hostOptions: HostOptions

    @Option(name: .long, help: ArgumentHelp(KernelOption.help))
    var kernel: String?

    @Option(name: .long, help: "Output format: text, chain, json, pcapng (the capture again, each frame commented with its verdict and path) perfetto (trace-event JSON for ui.perfetto.dev) or html (one self-contained page to explore in a browser).")
    var format: String = "text"

    @Option(name: .shortAndLong, help: "Write the trace to this file instead of standard output.")
    var output: String?

    @Option(name: .long, help: "Trace only frames in this range of capture positions, e.g. 10-20 or 7.")
    var frames: String?

    @Option(name: .long, help: "Write only these frames: rx, tx or drops (and, of the timers that ran after the capture, with drops those that freed a packet).")
    var only: String?

    @Flag(name: .long, help: "Explain each function call in one line (text and json formats).")
    var explain = false

    @Option(name: .long, help: ArgumentHelp("With --format html: show this pktpath verify --format json report's agreement with this machine's kernel in the report.", valueName: "VERIFY.jsonl"))
    var verify: String?

    @OptionGroup var colorOption: ColorOption

    func validate() throws {
        guard TraceFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be one of: \(TraceFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let kernel { try KernelOption.check(kernel) }
        if let only, FrameSelection(rawValue: only) == nil || only == "all" {
            throw ValidationError("--only must be one of: rx, tx, drops")
        }
        if let frames, Self.parseRange(frames) == nil {
            throw ValidationError("--frames takes N or N-M with 1 <= N <= M, got '\(frames)'")
        }
        if explain, ![TraceFormat.text.rawValue, TraceFormat.json.rawValue, TraceFormat.html.rawValue].contains(format) {
            throw ValidationError("--explain works with --format text, json or html (a chain line, a frame comment or a slice has no room for it)")
        }
        if verify != nil, format != TraceFormat.html.rawValue {
            throw ValidationError("--verify goes with --format html (the report shows verify's figures)")
        }
        if format == TraceFormat.pcapng.rawValue, output == nil, isatty(STDOUT_FILENO) != 0 {
            throw ValidationError("--format pcapng is binary: give -o FILE, or send standard output to a file or pipe")
        }
    }

    /// Parses `N` or `N-M`.
    static func parseRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let a = Int(parts[0]), a >= 1 else { return nil }
        let b = parts.count == 2 ? Int(parts[1]) : a
        guard let b, b >= a else { return nil }
        return a...b
    }

    func run() throws {
        let input = try hostOptions.open(capture: capture, kernel: kernel, filter: filter.joined(separator: " "))
        try write(input.session, buffered: input.buffered)
    }

    /// Streams the traces to the output, a complete line at a time.
    ///
    /// Output is gathered in memory as UTF-8 bytes and written in whole frames, at least every 64 KiB. SIGINT stops the
    /// replay after the frame being traced: the output then holds every frame traced so far as complete
    /// lines (no summary), a message says where it stopped, and the exit status is 130 (128 + SIGINT, as
    /// a shell reports an interrupted command). A second SIGINT ends the process at once.
    private func write(_ session: ReplaySession, buffered: [CapturedFrame]) throws {
        let format = TraceFormat(rawValue: format)!
        let style = colorOption.style(file: output)
        // The HTML report always explains its functions: it has room beside each call.
        let explanations = explain || format == .html ? Teaching.oneLineSummaries : nil
        let renderer = format.renderer(explanations: explanations, style: style)
        if let verify { (renderer as? HTMLRenderer)?.verification = try VerifyFigures.condensed(path: verify, capture: capture) }
        var pcapng = format == .pcapng ? PcapngOutput() : nil
        // The chain shows only the functions: the model need not build notes and the like.
        if format == .chain { session.detail = .calls }
        let selection = only.flatMap(FrameSelection.init(rawValue:)) ?? .all
        let out: OutputFile
        if let output {
            guard let file = OutputFile(creating: output) else { throw InputError("cannot write \(output)") }
            out = file
        } else {
            out = OutputFile.standardOutput
        }
        defer { out.close() }
        Interrupt.install()
        defer { Interrupt.uninstall() }
        var progress = Progress(capture: capture, outputIsTerminal: output == nil && isatty(STDOUT_FILENO) != 0)
        defer { progress.clear() }
        let pending = OutputBuffer(capacity: 1 << 17)
        if let renderer { pending.append(renderer.header(session.header)) }
        if pcapng != nil { pending.append(contentsOf: PcapngOutput.header(session.header)) }
        var traced = 0
        func flush() throws {
            guard pending.count > 0 else { return }
            defer { pending.removeAll() }
            guard out.write(pending) else { throw InputError("cannot write \(output ?? "standard output"): \(String(cString: strerror(errno)))") }
        }
        do {
            let replay = ConcurrentReplay(session: session, frames: frames.flatMap(Self.parseRange), buffered: buffered,
                                          keepsFrames: pcapng != nil, isStopRequested: { Interrupt.requested })
            let summary = try replay.run { trace, frame in
                if selection.includes(trace) {
                    renderer?.write(trace, into: pending)
                    if let frame { pcapng?.write(trace, frame: frame, into: pending) }
                    if pending.count > 1 << 16 { try flush() }
                }
                traced = trace.frame
                progress.update(frame: trace.frame, bytes: trace.capturedLength)
            }
            // Timers that ran after the capture belong to no frame: --only keeps those it selects.
            var shown = summary
            shown.timersAfterCapture.removeAll { !selection.includes(afterCapture: $0) }
            try renderer?.writeSummary(shown, into: pending) { if pending.count > 1 << 16 { try flush() } }
            try flush()
            if let frames, let range = Self.parseRange(frames), let last = summary.lastFrameOfCapture, last < range.upperBound {
                let what = last < range.lowerBound ? "none of them is in it" : "it ends at frame \(last)"
                FileHandle.standardError.write(Data("pktpath: --frames \(frames): the capture has \(last) frames; \(what)\n".utf8))
            }
            warnIfDisagreeing(summary.agreement)
        } catch is ConcurrentReplay.Stopped {
            try flush()
            progress.clear()
            let place = output.map { "; \($0) holds every frame traced" } ?? ""
            FileHandle.standardError.write(Data("pktpath: interrupted after frame \(traced)\(place)\n".utf8))
            throw ExitStatus(code: Interrupt.exitStatus)
        } catch let error as CaptureError {
            try flush()
            progress.clear()
            if Interrupt.requested {
                // The signal cut a read of the capture short (reads are not restarted, so that SIGINT also
                // ends a replay waiting on standard input).
                let place = output.map { "; \($0) holds every frame traced" } ?? ""
                FileHandle.standardError.write(Data("pktpath: interrupted after frame \(traced)\(place)\n".utf8))
                throw ExitStatus(code: Interrupt.exitStatus)
            }
            FileHandle.standardError.write(Data(("pktpath: " + error.description + "\n").utf8))
            throw ExitStatus(code: 2)
        }
    }
}

/// SIGINT while tracing: the handler only records the request; the replay loop polls it between frames.
enum Interrupt {
    /// The exit status after an interrupt: 128 + SIGINT.
    static let exitStatus: Int32 = 128 + SIGINT

    /// Set by the signal handler. A plain 32-bit store is all the handler does (async-signal-safe). It is
    /// read on the thread the handler ran on (the replay thread; the consumer blocks SIGINT), or after a
    /// hand-over from it, never while it may be written.
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    /// Whether SIGINT has been received since ``install()``.
    static var requested: Bool { flag != 0 }

    /// Installs the handler, unless SIGINT is ignored (a background job of a script: the convention is
    /// to go on ignoring it). Reads are not restarted after the handler runs (no `SA_RESTART`), so a
    /// replay blocked reading standard input stops too. The default action is restored as the handler runs
    /// (`SA_RESETHAND`), so a second SIGINT ends the process at once.
    ///
    /// SIGINT is also unblocked: a process started from a thread that blocks signals inherits that mask
    /// (Foundation's `Process` launched from a Dispatch worker does this), and a blocked SIGINT would
    /// never arrive.
    static func install() {
        flag = 0
        if isIgnored { return }
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        var action = sigaction()
        #if os(Linux)
        action.__sigaction_handler.sa_handler = { _ in Interrupt.flag = 1 }
        #else
        action.__sigaction_u.__sa_handler = { _ in Interrupt.flag = 1 }
        #endif
        sigemptyset(&action.sa_mask)
        // The default action comes back as the handler starts (so the handler itself calls nothing, and
        // leaves errno as it was).
        action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)
        sigaction(SIGINT, &action, nil)
    }

    /// Whether SIGINT is set to be ignored.
    private static var isIgnored: Bool {
        var current = sigaction()
        sigaction(SIGINT, nil, &current)
        #if os(Linux)
        let handler = current.__sigaction_handler.sa_handler
        #else
        let handler = current.__sigaction_u.__sa_handler
        #endif
        guard let handler else { return false }
        return unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// Puts back the default action (unless SIGINT was left ignored).
    static func uninstall() {
        if isIgnored { return }
        signal(SIGINT, SIG_DFL)
    }
}

/// Where the trace goes: a file descriptor written with `write(2)` until every byte is out, retrying
/// after a signal, so that a buffer of complete lines is never left half-written.
struct OutputFile {
    let fd: Int32
    private let owned: Bool

    static let standardOutput = OutputFile(fd: STDOUT_FILENO, owned: false)

    private init(fd: Int32, owned: Bool) {
        self.fd = fd
        self.owned = owned
    }

    /// Creates or truncates the file at `path`.
    init?(creating path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        self.init(fd: fd, owned: true)
    }

    /// Writes all of `text`. Returns `false` (with `errno` set) when the system refuses.
    func write(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    /// Writes all of `bytes`. Returns `false` (with `errno` set) when the system refuses.
    func write(_ bytes: OutputBuffer) -> Bool { bytes.withUnsafeBytes { write($0) } }

    /// Writes all of `buffer`, retrying after a signal. Returns `false` (with `errno` set) when the
    /// system refuses.
    private func write(_ buffer: UnsafeRawBufferPointer) -> Bool {
        guard buffer.count > 0 else { return true }
        var done = 0
        while done < buffer.count {
            #if os(Linux)
            let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
            #else
            let n = Darwin.write(fd, buffer.baseAddress! + done, buffer.count - done)
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            done += n
        }
        return true
    }

    func close() {
        if owned {
            #if os(Linux)
            _ = Glibc.close(fd)
            #else
            _ = Darwin.close(fd)
            #endif
        }
    }
}

/// The progress line on standard error for long runs: frames, frames per second and how far into the
/// capture file the reader is. Shown only when standard error is a terminal and the trace is not being
/// written to that terminal too, from one second into the run, redrawn at most four times a second,
/// and cleared at the end.
struct Progress {
    private let enabled: Bool
    private let start: UInt64
    private var nextDraw: UInt64
    private var drawn = false
    /// The capture's size, when it is a regular file.
    private let fileSize: Int?
    /// The descriptor libpcap reads the capture through, found in /proc/self/fd, for its position.
    private let captureFD: Int32?
    /// Bytes of the records seen (16-byte record header + captured bytes), for an estimate of the
    /// position where /proc is not there.
    private var bytesSeen = 24
    private var framesSeen = 0
    private var countdown = 0

    private static let interval: UInt64 = 250_000_000
    private static let delay: UInt64 = 1_000_000_000

    init(capture: String, outputIsTerminal: Bool) {
        enabled = isatty(STDERR_FILENO) != 0 && !outputIsTerminal
        start = Self.now()
        nextDraw = start + Self.delay
        var info = stat()
        if capture != "-", stat(capture, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            fileSize = Int(info.st_size)
            captureFD = enabled ? Self.descriptor(of: capture, device: UInt64(info.st_dev), inode: UInt64(info.st_ino)) : nil
        } else {
            fileSize = nil
            captureFD = nil
        }
    }

    /// Notes one more frame (`frame` is its 1-based position in the capture) and redraws when due.
    mutating func update(frame: Int, bytes: Int) {
        guard enabled else { return }
        framesSeen += 1
        bytesSeen += 16 + bytes
        // Reading the clock every frame would cost more than the rest of this; every 64th frame is often enough.
        countdown -= 1
        guard countdown <= 0 else { return }
        countdown = 64
        let now = Self.now()
        guard now >= nextDraw else { return }
        nextDraw = now + Self.interval
        let seconds = Double(now - start) / 1e9
        var line = "pktpath: \(Self.grouped(frame)) frames, \(Self.grouped(Int(Double(frame) / seconds))) frames/s"
        if let fileSize, fileSize > 0 {
            // The reader's position, else an estimate from the bytes of the frames seen (frames a filter
            // skipped are counted at the average size).
            let position = captureFD.flatMap(Self.position(of:))
                ?? Int(Double(bytesSeen) * Double(frame) / Double(max(framesSeen, 1)))
            let percent = min(100, position * 100 / fileSize)
            line += ", \(percent)% of the file"
        }
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
        drawn = true
    }

    /// Erases the line, if it was drawn.
    mutating func clear() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }

    private static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// 1234567 as "1,234,567".
    private static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }

    /// The open descriptor of this process on the file (`device`, `inode`), if /proc lists one.
    private static func descriptor(of path: String, device: UInt64, inode: UInt64) -> Int32? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return nil }
        for entry in entries {
            guard let fd = Int32(entry), fd > 2 else { continue }
            var info = stat()
            if fstat(fd, &info) == 0, UInt64(info.st_dev) == device, UInt64(info.st_ino) == inode { return fd }
        }
        return nil
    }

    /// The file offset of `fd`, from /proc/self/fdinfo (`pos:`).
    private static func position(of fd: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/fdinfo/\(fd)", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("pos:") {
            return Int(line.dropFirst(4).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
