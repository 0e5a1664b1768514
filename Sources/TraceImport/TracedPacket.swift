/// Which tool wrote a recorded trace.
public enum TracerKind: String, Sendable, CaseIterable {
    /// ftrace text: `function_graph` or `function` tracer output with tracepoint lines, as
    /// `/sys/kernel/tracing/trace` or `trace-cmd report` prints it.
    case ftrace
    /// `pwru --output-json`: one JSON object per function an skb went through.
    case pwru
    /// A `retis collect` events file: one JSON event per line (or `retis sort` series, one array a line).
    case retis
}

/// One packet as a tracer followed it: every record the tool made for one skb, from the first to its
/// free, in order.
public struct TracedPacket: Sendable, Equatable {
    /// One thing the tool recorded about the packet.
    public enum Record: Sendable, Equatable {
        /// The packet entered a kernel function (symbol without compiler suffix or module name), at a
        /// call depth where the tool records one (`function_graph`).
        case call(String, depth: Int?)
        /// A device received the packet (`netif_receive_skb`).
        case receive(device: String?)
        /// A device was handed the packet to send (`net_dev_start_xmit`, `net_dev_xmit`).
        case transmit(device: String?)
        /// Freed as a drop: the reason (`SKB_DROP_REASON_…`, nil where the tool gives none) and the
        /// function that freed it (nil where the tool does not say).
        case drop(reason: String?, function: String?)
        /// Freed as consumed (`consume_skb`), by the function named where the tool says (the tracepoint's
        /// `location` from 6.3 on).
        case consume(function: String?)
    }

    /// The skb's address as the tool printed it.
    public var skb: String
    /// The line of the input where the packet was first seen (1-based).
    public var line: Int
    /// When the packet was first seen, in nanoseconds of the tool's clock (nil where it prints none).
    public var time: Int64?
    /// The device the tool first saw the packet on.
    public var device: String?
    /// Lengths of the whole frame, link-layer header included, that the records allow.
    public var frameLengths: Set<Int> = []
    /// Lengths from the network header on that the records allow (`skb->len` after the Ethernet header
    /// was pulled).
    public var networkLengths: Set<Int> = []
    /// The packet's bytes from its link-layer header, where the tool recorded them (retis).
    public var bytes: [UInt8]?
    /// Addresses, ports and protocol, where the tool recorded them (pwru `--output-tuple`).
    public var tuple: PacketTuple?
    /// What the tool recorded, in order.
    public var records: [Record] = []

    public init(skb: String, line: Int) {
        self.skb = skb
        self.line = line
    }

    /// Whether the tool recorded anything to tell the packet by: a length, its bytes or its tuple.
    public var isIdentifiable: Bool { !frameLengths.isEmpty || !networkLengths.isEmpty || bytes != nil || tuple != nil }

    /// Whether the packet was freed (the last record the tool makes of an skb).
    public var isFreed: Bool {
        records.contains {
            switch $0 {
            case .drop, .consume: true
            default: false
            }
        }
    }

    /// Records the function `name` at `depth`.
    mutating func enter(_ name: Substring, depth: Int? = nil) {
        records.append(.call(Self.symbol(name), depth: depth))
    }

    /// Notes `device` as where the packet was seen, if none was yet.
    mutating func seen(on device: String?) {
        if self.device == nil, let device, !device.isEmpty { self.device = device }
    }

    /// The kernel symbol in a name as tools print it: without `+0x…` offsets, module names in
    /// brackets, compiler suffixes (`.constprop.0`, `.isra.0`, `.cold`) or a trailing `()`.
    static func symbol(_ name: Substring) -> String {
        var s = name.drop { $0 == " " }
        if let cut = s.firstIndex(where: { $0 == "+" || $0 == " " || $0 == "(" || $0 == "." || $0 == "[" }) { s = s[..<cut] }
        return String(s)
    }

    /// A drop reason as the kernel's enum spells it (`SKB_DROP_REASON_NO_SOCKET`), from either that
    /// spelling or the short one tracepoints print (`NO_SOCKET`).
    static func dropReason(_ text: Substring) -> String {
        text.hasPrefix("SKB_DROP_REASON_") ? String(text) : "SKB_DROP_REASON_" + text
    }

    /// The functions that free an skb: a drop or consume recorded inside one belongs to its caller.
    static let freeingFunctions: Set<String> = [
        "kfree_skb", "kfree_skb_reason", "sk_skb_reason_drop", "__kfree_skb", "kfree_skb_list_reason",
        "consume_skb", "__consume_stateless_skb", "kfree_skbmem", "skb_release_data", "skb_release_all",
        "skb_release_head_state",
    ]
}

/// A packet's flow as tracers record it.
public struct PacketTuple: Sendable, Hashable, CustomStringConvertible {
    public var source: String
    public var destination: String
    public var sourcePort: Int
    public var destinationPort: Int
    /// The IP protocol number.
    public var proto: Int

    public init(source: String, destination: String, sourcePort: Int, destinationPort: Int, proto: Int) {
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.proto = proto
    }

    public var description: String { "\(source):\(sourcePort) > \(destination):\(destinationPort) proto \(proto)" }
}

/// What a recorded trace could not be read as: the file, the line and what is wrong.
public struct ImportError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int?, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String { path + (line.map { ": line \($0)" } ?? "") + ": " + message }
}
