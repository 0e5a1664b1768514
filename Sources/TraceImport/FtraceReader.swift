/// Reads ftrace's text output into packets: the `function_graph` tracer (as `trace` prints it, with or
/// without the `funcgraph-abstime`/`-proc` columns, and as `trace-cmd report` prints it) and the
/// `function` tracer, each with the `skb:*` and `net:*` tracepoints enabled.
///
/// ftrace does not say which skb a function was called for; the tracepoints do. A tracepoint naming
/// an skb makes it the CPU's current packet, and the functions that CPU enters are the current
/// packet's until its `kfree_skb` or `consume_skb` (the packet before it is current again). Without
/// any tracepoint no function can be given to a packet, and the file is refused.
public struct FtraceReader {
    /// The packets, in the order they were first seen.
    public private(set) var packets: [TracedPacket] = []
    /// Function entries seen while no packet was current on their CPU (not part of any packet).
    public private(set) var unattributedCalls = 0

    /// Per CPU: the packets open on it (the current one last), the functions open by call depth
    /// (function_graph), and the caller of the freeing function last entered (function tracer).
    private struct CPUState {
        var open: [Int] = []
        var calls: [String] = []
        var freeCaller: String?
    }

    private var cpus: [Int: CPUState] = [:]
    /// The open packet of each skb address.
    private var bySKB: [String: Int] = [:]
    private var sawTracepoint = false
    private var sawTraceLine = false

    /// Reads the whole text; `path` names the file in errors.
    public static func read(_ text: String, path: String) throws(ImportError) -> FtraceReader {
        var reader = FtraceReader()
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            reader.take(line, number: number)
        }
        guard reader.sawTraceLine else {
            throw ImportError(path: path, line: nil, message: "no ftrace lines: not the text of a function or function_graph trace (nor trace-cmd report)")
        }
        guard reader.sawTracepoint else {
            throw ImportError(path: path, line: nil, message: "no skb tracepoints (skb:kfree_skb, skb:consume_skb, net:netif_receive_skb, net:net_dev_queue, …): functions cannot be given to packets without them; record with those events enabled")
        }
        return reader
    }

    /// One line of the trace.
    private mutating func take(_ line: Substring, number: Int) {
        if line.first == "#" || line.isEmpty { return }
        if let graph = Self.graphLine(line) {
            sawTraceLine = true
            graphBody(graph.body, cpu: graph.cpu, time: graph.time, line: number)
        } else if let event = Self.eventLine(line) {
            sawTraceLine = true
            if event.body.hasPrefix("funcgraph_entry:") || event.body.hasPrefix("funcgraph_exit:") {
                // trace-cmd report's function_graph: the graph body follows the last '|'.
                if let bar = event.body.lastIndex(of: "|") {
                    graphBody(event.body[event.body.index(after: bar)...], cpu: event.cpu, time: event.time, line: number)
                }
            } else if event.body.hasPrefix("function:") {
                functionCall(event.body.dropFirst("function:".count), cpu: event.cpu, time: event.time, line: number)
            } else if let colon = event.body.firstIndex(of: ":"), !event.body[..<colon].contains(" "),
                event.body[event.body.index(after: colon)...].first == " "
            {
                tracepoint(event.body[..<colon], event.body[event.body.index(colon, offsetBy: 2)...], cpu: event.cpu,
                           time: event.time, graphDepth: nil, line: number)
            } else {
                functionCall(event.body, cpu: event.cpu, time: event.time, line: number)
            }
        }
    }

    /// A `function_graph` line as `trace` prints it: `[TIME |] CPU) [TASK |] [DURATION] | BODY`.
    static func graphLine(_ line: Substring) -> (cpu: Int, time: Int64?, body: Substring)? {
        let fields = line.split(separator: "|", omittingEmptySubsequences: false)
        guard fields.count >= 2 else { return nil }
        var cpu: Int?
        var time: Int64?
        for field in fields.dropLast() {
            let t = field.drop { $0 == " " }
            if cpu == nil, let paren = t.firstIndex(of: ")"), let n = Int(t[..<paren]) {
                cpu = n
            } else if cpu == nil, time == nil, let s = seconds(t.prefix { $0 != " " }) {
                time = s
            }
        }
        guard let cpu else { return nil }
        return (cpu, time, fields.last!)
    }

    /// A line of the `function` tracer or of `trace-cmd report`: `TASK-PID [CPU] [FLAGS] TIME: BODY`.
    static func eventLine(_ line: Substring) -> (cpu: Int, time: Int64?, body: Substring)? {
        guard let open = line.firstIndex(of: "["), let close = line[open...].firstIndex(of: "]"),
            let cpu = Int(line[line.index(after: open)..<close])
        else { return nil }
        // The timestamp is the first word after the CPU that ends in ':' and reads as seconds.
        var rest = line[line.index(after: close)...]
        while let word = rest.split(separator: " ", maxSplits: 1).first {
            rest = rest[word.endIndex...].drop { $0 == " " }
            if word.last == ":", let time = seconds(word.dropLast()) { return (cpu, time, rest) }
        }
        return nil
    }

    /// `SECONDS.FRACTION` as nanoseconds.
    static func seconds(_ text: Substring) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let s = Int64(parts[0]), parts[1].count <= 9, !parts[1].isEmpty,
            parts[1].allSatisfy(\.isNumber), let f = Int64(parts[1]), s < 9_000_000_000
        else { return nil }
        var scale: Int64 = 1
        for _ in parts[1].count..<9 { scale *= 10 }
        return s * 1_000_000_000 + f * scale
    }

    /// The body of a graph line: `func() {`, `func();`, `}` or `/* tracepoint: fields */`, indented
    /// two spaces a level.
    private mutating func graphBody(_ body: Substring, cpu: Int, time: Int64?, line: Int) {
        let spaces = body.prefix { $0 == " " }.count
        let depth = max(0, (spaces - 1) / 2)
        let text = body.dropFirst(spaces)
        if text.hasPrefix("/*") {
            let inner = text.dropFirst(2).prefix { $0 != "*" }.drop { $0 == " " }
            if let colon = inner.firstIndex(of: ":"), !inner[..<colon].contains(" "),
                inner[inner.index(after: colon)...].first == " "
            {
                tracepoint(inner[..<colon], inner[inner.index(colon, offsetBy: 2)...],
                           cpu: cpu, time: time, graphDepth: depth, line: line)
            }
            return
        }
        guard let paren = text.firstIndex(of: "("), text.hasSuffix("{") || text.hasSuffix(";") else { return }
        let name = TracedPacket.symbol(text[..<paren])
        var state = cpus[cpu, default: CPUState()]
        if state.calls.count > depth { state.calls.removeSubrange(depth...) }
        while state.calls.count < depth { state.calls.append("") }
        state.calls.append(name)
        cpus[cpu] = state
        call(name, depth: depth, cpu: cpu)
    }

    /// A `function` tracer body: `func <-parent` (trace), `func <-- parent` (trace-cmd).
    private mutating func functionCall(_ body: Substring, cpu: Int, time: Int64?, line: Int) {
        let words = body.split(separator: " ")
        guard let first = words.first, let arrow = words.dropFirst().first, arrow.hasPrefix("<-") else { return }
        let name = TracedPacket.symbol(first)
        let parent = arrow.count > 3 ? arrow.dropFirst(2) : words.dropFirst(2).first ?? ""
        if TracedPacket.freeingFunctions.contains(name), name.hasPrefix("kfree_skb") || name == "sk_skb_reason_drop" {
            cpus[cpu, default: CPUState()].freeCaller = TracedPacket.symbol(parent)
        }
        call(name, depth: nil, cpu: cpu)
    }

    /// Gives a function entry to the CPU's current packet.
    private mutating func call(_ name: String, depth: Int?, cpu: Int) {
        guard let current = cpus[cpu]?.open.last else {
            unattributedCalls += 1
            return
        }
        packets[current].records.append(.call(name, depth: depth))
    }

    /// A tracepoint: the skb it names becomes the CPU's current packet; receives, transmits and frees
    /// are recorded on it.
    private mutating func tracepoint(_ name: Substring, _ fields: Substring, cpu: Int, time: Int64?, graphDepth: Int?,
                                     line: Int) {
        let values = TracepointText(fields)
        guard let skb = values["skbaddr"] else { return }
        sawTracepoint = true
        let device = values["dev"].map(String.init)
        let index = current(skb: String(skb), cpu: cpu, time: time, line: line)
        packets[index].seen(on: device)
        let length = values.number("len")
        switch name {
        case "netif_receive_skb", "netif_receive_skb_entry", "napi_gro_receive_entry", "netif_rx", "netif_rx_entry",
            "napi_gro_frags_entry", "netif_receive_skb_list_entry":
            if let length { packets[index].networkLengths.insert(length) }
            if name == "netif_receive_skb" { packets[index].records.append(.receive(device: device)) }
        case "net_dev_queue", "net_dev_start_xmit", "net_dev_xmit":
            if let length { packets[index].frameLengths.insert(length) }
            if name != "net_dev_queue" { packets[index].records.append(.transmit(device: device)) }
        case "kfree_skb":
            let reason = values["reason"].map { TracedPacket.dropReason($0) }
            packets[index].records.append(.drop(reason: reason, function: freeingCaller(values.function("location"), cpu: cpu,
                                                                                        depth: graphDepth)))
            close(index, cpu: cpu)
        case "consume_skb":
            packets[index].records.append(.consume(function: values.function("location")))
            close(index, cpu: cpu)
        default:
            break
        }
    }

    /// The function that freed the packet: `location`, the tracepoint's location when it is a symbol
    /// (`%pS`, kernels from 6.3 on), else the caller of the freeing function entered last on the CPU.
    private func freeingCaller(_ location: String?, cpu: Int, depth: Int?) -> String? {
        if let location { return location }
        guard let state = cpus[cpu] else { return nil }
        if let depth {
            // The tracepoint sits inside the freeing function; its caller is one level out.
            var level = min(depth, state.calls.count) - 1
            while level >= 0, TracedPacket.freeingFunctions.contains(state.calls[level]) || state.calls[level].isEmpty {
                level -= 1
            }
            return level >= 0 ? state.calls[level] : nil
        }
        return state.freeCaller
    }

    /// The packet of `skb` made current on `cpu`, opened when the skb is not open yet.
    private mutating func current(skb: String, cpu: Int, time: Int64?, line: Int) -> Int {
        var state = cpus[cpu, default: CPUState()]
        let index: Int
        if let open = bySKB[skb] {
            index = open
            state.open.removeAll { $0 == open }
        } else {
            index = packets.count
            var packet = TracedPacket(skb: skb, line: line)
            packet.time = time
            packets.append(packet)
            bySKB[skb] = index
        }
        state.open.append(index)
        cpus[cpu] = state
        return index
    }

    /// Closes a freed packet: its address may be reused for another.
    private mutating func close(_ index: Int, cpu: Int) {
        bySKB[packets[index].skb] = nil
        for key in cpus.keys { cpus[key]?.open.removeAll { $0 == index } }
    }
}
