import Foundation

/// Reads `pwru --output-json` output: one object per function an skb entered, keyed by the skb's
/// address (`skb`), with `func`, and with `--output-meta` the device (`iface`) and `len`, with
/// `--output-tuple` the flow (`tuple`), with `--output-caller` the caller (`caller_func`), and with
/// `--timestamp current` the kernel's monotonic time (`time`, nanoseconds) or with `--timestamp
/// absolute` the local time of day.
///
/// A packet is one skb address from its first record to the record that frees it (`kfree_skbmem`,
/// `kfree_skb_reason`, `sk_skb_reason_drop`, `consume_skb`, `__kfree_skb`); the address may then be
/// used again for another. pwru names a drop `kfree_skb_reason(SKB_DROP_REASON_…)`; the freeing
/// function is the `caller_func` of that record.
public enum PwruReader {
    public static func read(_ data: Data, path: String) throws(ImportError) -> [TracedPacket] {
        var packets: [TracedPacket] = []
        var open: [String: Int] = [:]
        for (line, o) in try JSONLines.objects(data, path: path, tool: "pwru --output-json") {
            guard let skb = o["skb"] as? String, let function = o["func"] as? String else {
                throw ImportError(path: path, line: line, message: "not a pwru record (no \"skb\" and \"func\"): is this pwru --output-json output?")
            }
            let index: Int
            if let i = open[skb] {
                index = i
            } else {
                index = packets.count
                var p = TracedPacket(skb: skb, line: line)
                p.time = time(o["time"])
                packets.append(p)
                open[skb] = index
            }
            var p = packets[index]
            let device = (o["iface"] as? String).map(deviceName)
            p.seen(on: device)
            if let len = jsonInt(o["len"]), len > 0 {
                p.frameLengths.insert(Int(len))
                p.networkLengths.insert(Int(len))
            }
            if let t = o["tuple"] as? [String: Any], let s = t["saddr"] as? String, let d = t["daddr"] as? String {
                p.tuple = PacketTuple(source: s.trimmingCharacters(in: CharacterSet(charactersIn: "[]")),
                                      destination: d.trimmingCharacters(in: CharacterSet(charactersIn: "[]")),
                                      sourcePort: Int(jsonInt(t["sport"]) ?? 0), destinationPort: Int(jsonInt(t["dport"]) ?? 0),
                                      proto: Int(jsonInt(t["proto"]) ?? 0))
            }
            let name = TracedPacket.symbol(Substring(function))
            // A receive is marked once per device (before the first receive function since the last
            // transmit), a transmit after the call that hands the packet to the driver.
            if ["__netif_receive_skb_core", "__netif_receive_skb", "netif_receive_skb"].contains(name),
                !p.records.reversed().prefix(while: { if case .transmit = $0 { false } else { true } })
                    .contains(where: { if case .receive = $0 { true } else { false } })
            {
                p.records.append(.receive(device: device))
            }
            p.enter(Substring(function))
            switch name {
            case "dev_hard_start_xmit": p.records.append(.transmit(device: device))
            case "kfree_skb_reason", "sk_skb_reason_drop":
                let reason = function.firstIndex(of: "(").map { function[function.index(after: $0)...].prefix { $0 != ")" } }
                    .flatMap { $0.hasPrefix("SKB_DROP_REASON_") ? String($0) : nil }
                let caller = (o["caller_func"] as? String).map { TracedPacket.symbol(Substring($0)) }
                p.records.append(.drop(reason: reason, function: caller))
            case "consume_skb": p.records.append(.consume(function: (o["caller_func"] as? String).map { TracedPacket.symbol(Substring($0)) }))
            default: break
            }
            packets[index] = p
            if p.isFreed || name == "kfree_skbmem" || name == "__kfree_skb" { open[skb] = nil }
        }
        return packets
    }

    /// The device name in pwru's `iface`, which is `NAME`, `INDEX(NAME)` or `NAME:INDEX` by version.
    static func deviceName(_ iface: String) -> String {
        if let open = iface.firstIndex(of: "("), iface.hasSuffix(")") {
            return String(iface[iface.index(after: open)..<iface.index(before: iface.endIndex)])
        }
        if let colon = iface.lastIndex(of: ":"), Int(iface[iface.index(after: colon)...]) != nil {
            return String(iface[..<colon])
        }
        return iface
    }

    /// `time`: nanoseconds (`--timestamp current`), or `YYYY-MM-DDTHH:MM:SS.mmm` (`absolute`, local
    /// time of day; read as UTC, the matcher finds the offset).
    static func time(_ value: Any?) -> Int64? {
        if let n = jsonInt(value) { return n }
        guard let text = value as? String else { return nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS"
        return f.date(from: text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) * 1_000_000 }
    }
}
