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

    /// Creates instance `name` under `root` with the events on, `net:*` filtered to `devices`.
    public init(root: String, name: String, devices: [String]) throws(VerifyError) {
        path = root + "/instances/" + name
        guard mkdir(path, 0o755) == 0 else {
            throw VerifyError("cannot create the tracefs instance \(path): \(String(cString: strerror(errno)))")
        }
        do throws(VerifyError) {
            let filter = devices.map { "name == \"\($0)\"" }.joined(separator: " || ")
            for event in Self.events where FileManager.default.fileExists(atPath: "\(path)/events/\(event)") {
                if event.hasPrefix("net/") { try write(filter, to: "events/\(event)/filter") }
                try write("1", to: "events/\(event)/enable")
            }
            pipe = open(path + "/trace_pipe", O_RDONLY | O_NONBLOCK)
            marker = open(path + "/trace_marker", O_WRONLY)
            guard pipe >= 0, marker >= 0 else { throw VerifyError("cannot open \(path)/trace_pipe or trace_marker") }
        } catch {
            remove()
            throw error
        }
    }

    private func write(_ text: String, to file: String) throws(VerifyError) {
        let fd = open("\(path)/\(file)", O_WRONLY | O_TRUNC)
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

    /// Reads what the ring buffer holds now, as lines (consumed: each is read once).
    public func drain() -> [Substring] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var bytes = partial
        while true {
            let n = read(pipe, &buffer, buffer.count)
            guard n > 0 else { break }
            bytes += buffer[..<n]
        }
        let end = bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        partial = Array(bytes[end...])
        return String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\n")
    }

    /// Turns the events off and removes the instance; safe to call twice.
    public func remove() {
        if pipe >= 0 { close(pipe); pipe = -1 }
        if marker >= 0 { close(marker); marker = -1 }
        guard FileManager.default.fileExists(atPath: path) else { return }
        for event in Self.events { try? write("0", to: "events/\(event)/enable") }
        rmdir(path)
    }
}

/// Why `pktpath verify` cannot run, or stopped: one message.
public struct VerifyError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
