/// The fields of one tracepoint's text as tracefs prints it after the event name (the event's
/// `format` file's print format): `skbaddr=… protocol=2048 location=ip_rcv_core+0x22c/0x350 reason: OTHERHOST`.
///
/// The one reader of that text: `pktpath import ftrace` reads it from recorded traces and
/// `pktpath verify` from its tracefs instance's `trace_pipe`.
public struct TracepointText: Sendable {
    /// The `key=value` words, and the word after `reason:` (`skb:kfree_skb`) as `reason`.
    public let fields: [Substring: Substring]

    /// Reads the text after `EVENT: `.
    public init(_ text: Substring) {
        var out: [Substring: Substring] = [:]
        let words = text.split(separator: " ")
        for (i, word) in words.enumerated() {
            if let eq = word.firstIndex(of: "=") {
                out[word[..<eq]] = word[word.index(after: eq)...]
            } else if word == "reason:", i + 1 < words.count {
                out["reason"] = words[i + 1]
            }
        }
        fields = out
    }

    /// The value of field `key`.
    public subscript(_ key: Substring) -> Substring? { fields[key] }

    /// The value of field `key` read as a decimal number.
    public func number(_ key: Substring) -> Int? { fields[key].flatMap { Int($0) } }

    /// The function named by field `key` when it holds a `%pS` location (`icmp_rcv+0x259/0x3a0`,
    /// `nft_do_chain+0x1/0x2 [nf_tables]` → the bare symbol); nil when absent or printed as an
    /// address (`%p`, kernels before 6.3).
    public func function(_ key: Substring) -> String? {
        guard let location = fields[key], let first = location.first, first.isLetter || first == "_",
            !location.allSatisfy(\.isHexDigit)
        else { return nil }
        return TracedPacket.symbol(location)
    }
}
