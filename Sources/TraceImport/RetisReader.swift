import Foundation

/// Reads a retis events file as `retis collect -o` writes it (JSON, one event a line; `retis sort -o`
/// series, one array of events a line, read the same). Each event has sections: `common` (`timestamp`,
/// monotonic nanoseconds), `kernel` (`symbol`: a probed function, or `group:name` for a tracepoint),
/// `skb-tracking` (`orig_head` and `timestamp` name one packet through clones and copies; `skb` the
/// address), `packet` (`len`, base64 `data` from the link-layer header), `dev` (`name`), `skb-drop`
/// (`drop_reason`). The `startup` event gives the offset from the monotonic clock to the wall clock
/// and the machine's kernel release.
///
/// A packet is one tracking id (`orig_head`, `timestamp`). Tracepoints are not functions: they mark a
/// receive (`net:netif_receive_skb`), a transmit (`net:net_dev_start_xmit`) or a free (`skb:kfree_skb`
/// with its `skb-drop` section, `skb:consume_skb`); the function that freed a dropped packet is the
/// first entry of the event's `kernel.stack` that is not a freeing function, where retis recorded one.
public struct RetisReader {
    public private(set) var packets: [TracedPacket] = []
    /// The kernel release of the machine the events were collected on (the `startup` event).
    public private(set) var kernelRelease: String?
    /// Events with no `skb-tracking` section (no packet to give them to).
    public private(set) var untracked = 0

    public static func read(_ data: Data, path: String) throws(ImportError) -> RetisReader {
        var reader = RetisReader()
        var offset: Int64 = 0
        var index: [String: Int] = [:]
        for (line, o) in try JSONLines.objects(data, path: path, tool: "a retis events file") {
            if let startup = o["startup"] as? [String: Any] {
                if let clock = startup["clock_monotonic_offset"] as? [String: Any] {
                    offset = (jsonInt(clock["sec"]) ?? 0) * 1_000_000_000 + (jsonInt(clock["nsec"]) ?? 0)
                }
                reader.kernelRelease = (startup["machine"] as? [String: Any])?["kernel_release"] as? String
                continue
            }
            guard let kernel = o["kernel"] as? [String: Any], let symbol = kernel["symbol"] as? String else {
                guard o["common"] != nil || o["userspace"] != nil else {
                    throw ImportError(path: path, line: line, message: "not a retis event (no \"kernel\", \"common\" or \"startup\" section): is this a retis events file?")
                }
                continue  // an event of another kind (userspace probes, …)
            }
            guard let tracking = o["skb-tracking"] as? [String: Any], let head = jsonInt(tracking["orig_head"]) else {
                reader.untracked += 1
                continue
            }
            let id = "\(head)-\(jsonInt(tracking["timestamp"]) ?? 0)"
            let i: Int
            if let known = index[id] {
                i = known
            } else {
                i = reader.packets.count
                var p = TracedPacket(skb: jsonInt(tracking["skb"]).map { String(UInt64(bitPattern: $0), radix: 16) } ?? id, line: line)
                if let t = jsonInt((o["common"] as? [String: Any])?["timestamp"]) { p.time = t + offset }
                reader.packets.append(p)
                index[id] = i
            }
            var p = reader.packets[i]
            let skb = o["skb"] as? [String: Any]
            let device = ((o["dev"] ?? skb?["dev"]) as? [String: Any])?["name"] as? String
            p.seen(on: device)
            if let packet = (o["packet"] ?? skb?["packet"]) as? [String: Any] {
                if let len = jsonInt(packet["len"]) { p.frameLengths.insert(Int(len)) }
                if p.bytes == nil, let text = (packet["data"] ?? packet["packet"]) as? String,
                    let bytes = Data(base64Encoded: text)
                {
                    p.bytes = [UInt8](bytes)
                }
            }
            switch symbol {
            case "net:netif_receive_skb": p.records.append(.receive(device: device))
            case "net:net_dev_start_xmit", "net:net_dev_xmit": p.records.append(.transmit(device: device))
            case "skb:kfree_skb":
                let reason = ((o["skb-drop"] as? [String: Any])?["drop_reason"] as? String).map { TracedPacket.dropReason(Substring($0)) }
                let stack = (kernel["stack"] as? [String])?.map { TracedPacket.symbol(Substring($0)) } ?? []
                let caller = stack.first { !$0.isEmpty && !TracedPacket.freeingFunctions.contains($0) }
                p.records.append(.drop(reason: reason, function: caller))
            case "skb:consume_skb": p.records.append(.consume(function: nil))
            default:
                if !symbol.contains(":") { p.enter(Substring(symbol)) }
            }
            reader.packets[i] = p
        }
        return reader
    }
}
