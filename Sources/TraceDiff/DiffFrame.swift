import Trace

/// One step of a frame's path as the diff compares it: a function entered, at a call depth, and
/// whether the profile's build inlines it.
public struct DiffStep: Hashable, Sendable, CustomStringConvertible {
    public var function: String
    public var depth: Int
    public var inline: Bool

    /// The deepest call a trace file may give: far beyond any kernel call chain, and small enough that
    /// indenting a step by its depth stays a line, not gigabytes.
    public static let deepest = 1024

    public init(function: String, depth: Int, inline: Bool = false) {
        self.function = function
        self.depth = depth
        self.inline = inline
    }

    public var description: String { function + (inline ? " (inline)" : "") }
}

/// A frame as the diff sees it: what it was, what became of it and the functions it went through.
///
/// Made by two adapters only: from a `PacketTrace` (a replay) and from a `packet` line of a
/// `pktpath-trace/1` file (``TraceFile``), so the diff does not depend on how traces are stored.
public struct DiffFrame: Sendable, Equatable {
    /// 1-based position in the capture.
    public var frame: Int
    /// `rx` or `tx`.
    public var direction: String
    /// The one-line description of the frame (the trace's `summary`).
    public var summary: String
    public var verdict: String
    public var proto: String?
    public var dropReason: String?
    public var dropFunction: String?
    /// The functions of the path in order, inlined ones included.
    public var steps: [DiffStep]

    public init(frame: Int, direction: String, summary: String, verdict: String, proto: String? = nil,
                dropReason: String? = nil, dropFunction: String? = nil, steps: [DiffStep]) {
        self.frame = frame
        self.direction = direction
        self.summary = summary
        self.verdict = verdict
        self.proto = proto
        self.dropReason = dropReason
        self.dropFunction = dropFunction
        self.steps = steps
    }

    /// The frame's flow and identity within it, read from its summary.
    public var key: PacketKey { PacketKey(summary: summary) }

    /// The frame's path class: its direction and the functions a real trace can see (the path
    /// without inlined functions), as `pktpath stats` groups paths.
    public var pathClass: String {
        direction + " " + steps.lazy.filter { !$0.inline }.map(\.function).joined(separator: " → ")
    }
}

extension DiffFrame {
    /// The adapter from a replay's trace: its verdict fields and its `call` events.
    public init(_ trace: PacketTrace) {
        var steps: [DiffStep] = []
        steps.reserveCapacity(trace.events.count)
        for event in trace.events {
            if case let .call(symbol, depth, inline) = event {
                steps.append(DiffStep(function: symbol.function, depth: depth, inline: inline))
            }
        }
        self.init(frame: trace.frame, direction: trace.direction.rawValue, summary: trace.summary,
                  verdict: trace.verdict.rawValue, proto: trace.proto, dropReason: trace.dropReason,
                  dropFunction: trace.dropFunction, steps: steps)
    }
}

/// Which packet a frame carries, as far as the trace's summary tells: its flow (protocol, source and
/// destination with ports) and its identity within the flow. Frames of two traces are the same packet
/// when their keys are equal (the n-th such frame of one trace with the n-th of the other).
///
/// The identity is the IP ID and offset for fragments, the flags, sequence number and length for TCP,
/// the type, identifier and sequence for ICMP echo, and otherwise the summary itself. Trace format /1
/// does not carry the IP ID of unfragmented datagrams, so repeats of one identity (a UDP flow, a
/// retransmission) pair in order.
public struct PacketKey: Hashable, Sendable, CustomStringConvertible {
    /// Protocol, source and destination (`TCP 10.77.0.2:40000 > 10.77.0.1:8080`); the summary when it
    /// names no addresses.
    public var flow: String
    /// The packet within its flow.
    public var identity: String

    public init(summary: String) {
        let words = summary.split(separator: " ").map(String.init)
        // "TCP a:p > b:q …", "ICMP a > b …", "IPv4 ICMP a > b frag …", "IPv6 next=ICMPv6 a > b frag …":
        // protocol, then source > destination.
        var proto = words.first ?? ""
        var at = 1
        if proto == "IPv4", words.count > 4, words[3] == ">" {
            proto = words[1]
            at = 2
        } else if proto == "IPv6", words.count > 4, words[1].hasPrefix("next="), words[3] == ">" {
            proto = String(words[1].dropFirst("next=".count))
            at = 2
        }
        guard words.count > at + 2, words[at + 1] == ">" else {
            flow = summary
            identity = ""
            return
        }
        flow = "\(proto) \(words[at]) > \(words[at + 2])"
        let rest = Array(words[(at + 3)...])
        func value(_ name: String) -> String? {
            rest.first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
        }
        if let frag = rest.firstIndex(of: "frag"), frag + 2 < rest.count, rest[frag + 1].hasPrefix("id="),
            rest[frag + 2].hasPrefix("off=")
        {
            // The fragment's IP ID and offset follow "frag" (an ICMP echo's own id comes before it).
            identity = "ip \(rest[frag + 1]) \(rest[frag + 2])"
        } else if proto == "TCP", let seq = value("seq") {
            identity = "\(rest.first ?? "") seq=\(seq) len=\(value("len") ?? "?")"
        } else if proto == "ICMP" || proto == "ICMPv6", let id = value("id"), let seq = value("seq") {
            identity = rest.prefix { !$0.hasPrefix("id=") }.joined(separator: " ") + " id=\(id) seq=\(seq)"
        } else {
            identity = rest.joined(separator: " ")
        }
    }

    public var description: String { identity.isEmpty ? flow : flow + " " + identity }
}
