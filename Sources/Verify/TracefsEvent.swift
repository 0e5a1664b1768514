import TraceImport

/// One line of a tracefs instance's `trace_pipe`, reduced to what `pktpath verify` reads from it.
///
/// The lines are the text tracefs prints for each event (`TASK-PID [CPU] FLAGS SECONDS: EVENT: FIELDS`),
/// as the event's `format` file lays out its fields. Skb addresses are compared as printed (tracefs
/// hashes `%p` pointers, consistently within one boot), never interpreted.
public enum TracefsEvent: Equatable, Sendable {
    /// A line written to the instance's `trace_marker` before frame `frame` was sent.
    case marker(frame: Int)
    /// `net:netif_receive_skb`: the device `dev` received skb `skb` (`__netif_receive_skb_core`).
    case receive(dev: String, skb: String, length: Int)
    /// `net:net_dev_start_xmit`: skb `skb` was handed to device `dev`'s driver; `protocol` is the
    /// skb's EtherType.
    case transmit(dev: String, skb: String, protocol: Int, length: Int)
    /// `skb:kfree_skb`: skb `skb` was freed as a drop, for `reason` (the kernel's name without
    /// `SKB_DROP_REASON_`), by `function` (the symbol of the tracepoint's `location`).
    case drop(skb: String, reason: String, function: String)
    /// `skb:consume_skb`: skb `skb` was freed after use, by `function`.
    case consume(skb: String, function: String)
    /// `icmp:icmp_send`: the kernel is sending an ICMP error of `type` and `code` about skb `skb`.
    case icmpSend(skb: String, type: Int, code: Int)

    /// The prefix of the `trace_marker` lines that `pktpath verify` writes.
    public static let markerPrefix = "pktpath-verify frame "

    /// Parses one `trace_pipe` line; `nil` for a line of another event or one that does not parse.
    public init?(line: Substring) {
        // The event name follows the timestamp's colon: "… 24960.982478: netif_receive_skb: dev=…".
        guard let range = line.range(of: ": ") else { return nil }
        let rest = line[range.upperBound...]
        guard let colon = rest.range(of: ": ") else { return nil }
        let event = rest[..<colon.lowerBound]
        let body = rest[colon.upperBound...]
        let fields = TracepointText(body)
        switch event {
        case "tracing_mark_write":
            guard body.hasPrefix(Self.markerPrefix),
                  let n = Int(body.dropFirst(Self.markerPrefix.count).prefix { $0.isNumber }) else { return nil }
            self = .marker(frame: n)
        case "netif_receive_skb":
            guard let dev = fields["dev"], let skb = fields["skbaddr"], let len = fields.number("len") else { return nil }
            self = .receive(dev: String(dev), skb: String(skb), length: len)
        case "net_dev_start_xmit":
            guard let dev = fields["dev"], let skb = fields["skbaddr"], let len = fields.number("len"),
                  let proto = fields["protocol"].flatMap({ Int($0.dropFirst(2), radix: 16) }) else { return nil }
            self = .transmit(dev: String(dev), skb: String(skb), protocol: proto, length: len)
        case "kfree_skb":
            // "… location=ip_rcv_core+0x22c/0x350 reason: OTHERHOST"
            guard let skb = fields["skbaddr"], let reason = fields["reason"] else { return nil }
            self = .drop(skb: String(skb), reason: String(reason), function: fields.function("location") ?? "")
        case "consume_skb":
            guard let skb = fields["skbaddr"] else { return nil }
            self = .consume(skb: String(skb), function: fields.function("location") ?? "")
        case "icmp_send":
            // "icmp_send: type=3, code=3. From … skbaddr=…"
            guard let skb = fields["skbaddr"],
                  let type = fields["type"].flatMap({ Int($0.prefix { $0.isNumber }) }),
                  let code = fields["code"].flatMap({ Int($0.prefix { $0.isNumber }) }) else { return nil }
            self = .icmpSend(skb: String(skb), type: type, code: code)
        default:
            return nil
        }
    }
}
