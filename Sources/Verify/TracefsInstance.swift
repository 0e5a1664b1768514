import Foundation

/// A tracefs instance of its own (`instances/NAME`): its own ring buffer and event switches, so that
/// `pktpath verify` neither sees nor disturbs what other tracers on the machine enable.
public final class TracefsInstance {
    /// Where the instance's files are.
    public let path: String
    private var pipe: Int32 = -1
    private var marker: Int32 = -1
    /// The part of a line `drain` read without its end.
    private var partial: [UInt8] = []

    /// The events enabled, as `SYSTEM/EVENT`; those the kernel lacks are left out (`icmp:icmp_send`
    /// arrived in 5.17).
    public static let events = ["skb/kfree_skb", "skb/consume_skb", "net/netif_receive_skb", "net/net_dev_start_xmit",
                                "icmp/icmp_send"]

    /// Where tracefs is mounted, if it is: `/sys/kernel/tracing`, or under debugfs on older systems.
    public static func mountPoint() -> String? {
        ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"].first {
            FileManager.default.fileExists(atPath: $0 + "/instances")
        }
    }

    /// The tracers this kernel offers (`available_tracers`).
    public static func tracers(at root: String) -> [String] {
        ((try? String(contentsOfFile: root + "/available_tracers", encoding: .utf8)) ?? "")
            .split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// Creates instance `name` under `root` with the events on: `net:*` filtered to `devices` (`lo`'s to
    /// thread `thread`'s), the skb
    /// frees to those made by thread `thread` (the one sending the frames: the kernel processes a frame
    /// sent on a veth in the sender's context, before `send` returns). Without that filter a busy machine's
    /// frees of its own packets flood the ring buffer; a free made in a timer (an expired reassembly) is
    /// not seen, nor is one made in `ksoftirqd` when the machine is too busy to process frames in the
    /// sender's context.
    ///
    /// With `graphFunctions`, the instance also runs the `function_graph` tracer on those functions
    /// (`set_ftrace_filter`, names this kernel lacks left out) for thread `thread` (`set_ftrace_pid`),
    /// hard interrupts left out, each line with its time and task; the instance must offer the tracer
    /// (its own `available_tracers`), else the error says so.
    public init(root: String, name: String, devices: [String], thread: Int32,
                graphFunctions: [String]? = nil) throws(VerifyError) {
        path = root + "/instances/" + name
        guard mkdir(path, 0o755) == 0 else {
            throw VerifyError("cannot create the tracefs instance \(path): \(String(cString: strerror(errno)))")
        }
        do throws(VerifyError) {
            // Every namespace has an `lo`: its events are the sending thread's only.
            let filter = devices.map { $0 == "lo" ? "(name == \"lo\" && common_pid == \(thread))" : "name == \"\($0)\"" }
                .joined(separator: " || ")
            for event in Self.events where FileManager.default.fileExists(atPath: "\(path)/events/\(event)") {
                if event.hasPrefix("net/") { try write(filter, to: "events/\(event)/filter") }
                if event.hasPrefix("skb/") { try write("common_pid == \(thread)", to: "events/\(event)/filter") }
                try write("1", to: "events/\(event)/enable")
            }
            if let graphFunctions { try startFunctionGraph(graphFunctions, thread: thread) }
            pipe = open(path + "/trace_pipe", O_RDONLY | O_NONBLOCK)
            marker = open(path + "/trace_marker", O_WRONLY)
            guard pipe >= 0, marker >= 0 else { throw VerifyError("cannot open \(path)/trace_pipe or trace_marker") }
        } catch {
            remove()
            throw error
        }
    }

    /// Starts the `function_graph` tracer on `functions` for `thread`.
    private func startFunctionGraph(_ functions: [String], thread: Int32) throws(VerifyError) {
        guard Self.tracers(at: path).contains(Self.graphTracer) else {
            throw VerifyError("this kernel offers no function_graph tracer in a tracefs instance")
        }
        // One name a write: a name this kernel lacks refuses only its own write.
        let traced = functions.filter { (try? write($0, to: "set_ftrace_filter", append: true)) != nil }
        guard !traced.isEmpty else { throw VerifyError("the kernel accepted none of the model's functions in set_ftrace_filter") }
        try write("\(thread)", to: "set_ftrace_pid")
        for (option, value) in [("funcgraph-proc", "1"), ("funcgraph-abstime", "1"), ("funcgraph-irqs", "0")] {
            try? write(value, to: "options/\(option)")
        }
        try write(Self.graphTracer, to: "current_tracer")
        tracing = true
    }

    /// The tracer of function paths.
    static let graphTracer = "function_graph"
    /// Whether this instance runs ``graphTracer``.
    public private(set) var tracing = false

    private func write(_ text: String, to file: String, append: Bool = false) throws(VerifyError) {
        let fd = open("\(path)/\(file)", O_WRONLY | (append ? O_APPEND : O_TRUNC))
        defer { if fd >= 0 { close(fd) } }
        let bytes = Array(text.utf8)
        guard fd >= 0, Glibc.write(fd, bytes, bytes.count) == bytes.count else {
            throw VerifyError("cannot write \(path)/\(file): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes a marker line into the ring buffer, in order with the events.
    public func mark(_ text: String) {
        let bytes = Array(text.utf8)
        _ = Glibc.write(marker, bytes, bytes.count)
    }

    /// Hands `line` each line the ring buffer holds now (consumed: each is read once), reading at most
    /// ``drainLimit`` bytes: the rest waits for the next call.
    public func drain(_ line: (Substring) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var total = 0
        while total < Self.drainLimit {
            let n = read(pipe, &buffer, buffer.count)
            guard n > 0 else { break }
            total += n
            var bytes = partial + buffer[..<n]
            let end = bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            partial = Array(bytes[end...])
            bytes.removeSubrange(end...)
            for l in String(decoding: bytes, as: UTF8.self).split(separator: "\n") { line(l) }
        }
    }

    /// The most bytes one ``drain(_:)`` reads.
    static let drainLimit = 4 << 20

    /// Events the ring buffer lost because it was full (`per_cpu/cpuN/stats`, `overrun`).
    public var overruns: Int {
        let cpus = (try? FileManager.default.contentsOfDirectory(atPath: path + "/per_cpu")) ?? []
        return cpus.reduce(0) { sum, cpu in
            let stats = (try? String(contentsOfFile: "\(path)/per_cpu/\(cpu)/stats", encoding: .utf8)) ?? ""
            let line = stats.split(separator: "\n").first { $0.hasPrefix("overrun:") }
            return sum + (line.flatMap { Int($0.dropFirst("overrun:".count).trimmingCharacters(in: .whitespaces)) } ?? 0)
        }
    }

    /// Turns the events off and removes the instance; safe to call twice.
    public func remove() {
        if pipe >= 0 { close(pipe); pipe = -1 }
        if marker >= 0 { close(marker); marker = -1 }
        guard FileManager.default.fileExists(atPath: path) else { return }
        if tracing {
            try? write("nop", to: "current_tracer")
            try? write("", to: "set_ftrace_filter")
            try? write("", to: "set_ftrace_pid")
            tracing = false
        }
        for event in Self.events { try? write("0", to: "events/\(event)/enable") }
        rmdir(path)
    }
}

/// Why `pktpath verify` cannot run, or stopped: one message.
public struct VerifyError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
