import Trace

/// Writing output as UTF-8 bytes: the renderers append to one reusable `[UInt8]` instead of building a
/// `String` per line, and copy constant text and symbol names in bulk.
extension Array where Element == UInt8 {
    /// Appends ASCII or UTF-8 literal text.
    @inline(__always)
    mutating func append(_ s: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Appends the UTF-8 of `s`.
    @inline(__always)
    mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { append(contentsOf: $0) }
    }

    /// Appends `v` in decimal, as `"\(v)"` writes it.
    mutating func appendDecimal(_ v: Int) {
        if v < 0 { append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var n = v.magnitude
        var count = 0
        Swift.withUnsafeMutableBytes(of: &digits) { buf in
            repeat {
                count += 1
                buf[24 - count] = UInt8(truncatingIfNeeded: n % 10) &+ 0x30
                n /= 10
            } while n != 0
            append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[(24 - count)...]))
        }
    }

    /// Appends `v` in decimal, with zeros in front up to `width` characters (a minus sign counts as one).
    mutating func appendPadded(_ v: Int64, width: Int) {
        let length = (v < 0 ? 1 : 0) + Self.digitCount(v.magnitude)
        for _ in 0..<Swift.max(0, width - length) { append(UInt8(ascii: "0")) }
        appendDecimal(Int(v))
    }

    private static func digitCount(_ v: UInt64) -> Int {
        var n = v
        var count = 1
        while n >= 10 {
            n /= 10
            count += 1
        }
        return count
    }

    /// Appends `count` spaces.
    @inline(__always)
    mutating func appendSpaces(_ count: Int) {
        guard count > 0 else { return }
        append(contentsOf: repeatElement(UInt8(ascii: " "), count: count))
    }

    /// Appends `bytes` (UTF-8) as a JSON string, quotes included: as they are when nothing needs
    /// escaping, which is the usual case.
    mutating func appendJSONString(_ bytes: UnsafeBufferPointer<UInt8>) {
        append(UInt8(ascii: "\""))
        var from = 0
        for (i, b) in bytes.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
            append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<i]))
            switch b {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case UInt8(ascii: "\n"): append("\\n")
            case UInt8(ascii: "\r"): append("\\r")
            case UInt8(ascii: "\t"): append("\\t")
            default:
                append("\\u00")
                let hex: StaticString = "0123456789abcdef"
                append(hex.utf8Start[Int(b >> 4)])
                append(hex.utf8Start[Int(b & 0xf)])
            }
            from = i + 1
        }
        append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from...]))
        append(UInt8(ascii: "\""))
    }

    /// Appends `s` as a JSON string.
    mutating func appendJSONString(_ s: String) {
        var s = s
        s.withUTF8 { appendJSONString($0) }
    }

    /// Appends a JSON string or `null`.
    mutating func appendJSONString(_ s: String?) {
        if let s { appendJSONString(s) } else { append("null") }
    }

    /// Escapes for JSON, in place, the bytes written since `start` (a summary written straight into
    /// the output), quotes included.
    mutating func quoteJSON(from start: Int) {
        let needsEscape = self[start...].contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        if !needsEscape {
            insert(UInt8(ascii: "\""), at: start)
            append(UInt8(ascii: "\""))
            return
        }
        let raw = Array(self[start...])
        removeSubrange(start...)
        raw.withUnsafeBufferPointer { appendJSONString($0) }
    }

    /// Appends a frame's verdict as the text formats show it (`✓ deliver tcp`, `✗ SKB_DROP_REASON_NO_SOCKET in tcp_v4_rcv`).
    mutating func appendVerdict(_ t: PacketTrace) {
        switch t.verdict {
        case .drop:
            append("✗ ")
            append(t.dropReason ?? "drop")
            if let f = t.dropFunction {
                append(" in ")
                append(f)
            }
        case .deliver:
            append("✓ deliver")
            if let p = t.proto {
                append(UInt8(ascii: " "))
                append(p)
            }
        case .transmit:
            append("→ transmit")
            if let c = t.causedBy {
                append(" (caused by #")
                appendDecimal(c)
                append(UInt8(ascii: ")"))
            }
        case .queue: append("… queue")
        case .forward: append("→ forward")
        case .unknown: append("? not modeled further")
        }
    }

    /// Appends seconds and nanoseconds since the epoch as RFC 3339 UTC with nanoseconds.
    mutating func appendTimestamp(_ ns: Int64) {
        let seconds = ns >= 0 ? ns / 1_000_000_000 : (ns - 999_999_999) / 1_000_000_000
        let nanos = ns - seconds * 1_000_000_000
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secOfDay = seconds - days * 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        appendPadded(y, width: 4)
        append(UInt8(ascii: "-"))
        appendPadded(m, width: 2)
        append(UInt8(ascii: "-"))
        appendPadded(d, width: 2)
        append(UInt8(ascii: "T"))
        appendPadded(secOfDay / 3600, width: 2)
        append(UInt8(ascii: ":"))
        appendPadded(secOfDay / 60 % 60, width: 2)
        append(UInt8(ascii: ":"))
        appendPadded(secOfDay % 60, width: 2)
        append(UInt8(ascii: "."))
        appendPadded(nanos, width: 9)
        append(UInt8(ascii: "Z"))
    }
}

/// The names of kernel symbols as the renderers write them, looked up in ``KernelSymbolTable`` once
/// per symbol and kept as UTF-8 bytes (with the JSON members of a call, and the character count the
/// text format pads by).
final class SymbolText {
    /// Per symbol id: `function` bytes, then `file` bytes, then the JSON members
    /// `,"func":"…","file":"…"`, back to back in `storage`.
    private var storage: [UInt8] = []
    private var spans: [Span] = []

    struct Span {
        var start: Int
        var functionLength: Int
        var fileLength: Int
        var jsonLength: Int
        /// Characters of the function name (what `String.count` says), for padding.
        var functionCharacters: Int
    }

    /// The span of `symbol`, looked up on first use.
    @inline(__always)
    func span(_ symbol: KernelSymbol) -> Span {
        let id = Int(symbol.id)
        if id < spans.count, spans[id].start >= 0 { return spans[id] }
        return load(symbol)
    }

    @inline(never)
    private func load(_ symbol: KernelSymbol) -> Span {
        let id = Int(symbol.id)
        while spans.count <= id { spans.append(Span(start: -1, functionLength: 0, fileLength: 0, jsonLength: 0, functionCharacters: 0)) }
        let (function, file) = KernelSymbolTable.shared.names(of: symbol)
        let start = storage.count
        storage.append(function)
        let functionLength = storage.count - start
        storage.append(file)
        let fileLength = storage.count - start - functionLength
        storage.append(",\"func\":")
        storage.appendJSONString(function)
        storage.append(",\"file\":")
        storage.appendJSONString(file)
        let jsonLength = storage.count - start - functionLength - fileLength
        spans[id] = Span(start: start, functionLength: functionLength, fileLength: fileLength, jsonLength: jsonLength,
                         functionCharacters: function.count)
        return spans[id]
    }

    /// Appends the function name of `span`.
    @inline(__always)
    func appendFunction(_ span: Span, to out: inout [UInt8]) {
        storage.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[span.start..<span.start + span.functionLength])) }
    }

    /// Appends the file of `span`.
    @inline(__always)
    func appendFile(_ span: Span, to out: inout [UInt8]) {
        let s = span.start + span.functionLength
        storage.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[s..<s + span.fileLength])) }
    }

    /// Appends `,"func":"…","file":"…"` for `span`.
    @inline(__always)
    func appendJSONMembers(_ span: Span, to out: inout [UInt8]) {
        let s = span.start + span.functionLength + span.fileLength
        storage.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[s..<s + span.jsonLength])) }
    }
}
