import Trace
import Wire

/// Writing output as UTF-8 bytes: the renderers append to one reusable `[UInt8]` instead of building a
/// `String` per line, and copy constant text and symbol names in bulk.
/// Output gathered as UTF-8 bytes for writing: the renderers append to one buffer that lives for the
/// whole run instead of building a `String` per line, and copy constant text and symbol names in bulk.
public final class OutputBuffer {
    /// Bytes written so far.
    public private(set) var count = 0
    private var capacity: Int
    private var base: UnsafeMutablePointer<UInt8>

    public init(capacity: Int = 1 << 16) {
        self.capacity = Swift.max(64, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `n` more bytes.
    @inline(__always)
    private func reserve(_ n: Int) {
        if count + n > capacity { grow(to: count + n) }
    }

    @inline(never)
    private func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = newCapacity
    }

    /// Forgets the bytes written, keeping the memory.
    public func removeAll() { count = 0 }

    /// Drops the bytes from `start` on.
    func truncate(to start: Int) { count = Swift.min(count, Swift.max(0, start)) }

    /// Calls `body` with the bytes written.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// The bytes from `start` to the end.
    func bytes(from start: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + start, count: count - start)
    }

    /// The bytes written, as a string.
    public var string: String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }

    /// Appends one byte.
    @inline(__always)
    public func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Appends `bytes`.
    @inline(__always)
    public func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let from = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).update(from: from, count: bytes.count)
        count += bytes.count
    }

    /// Appends `bytes`.
    public func append(contentsOf bytes: [UInt8]) { bytes.withUnsafeBufferPointer { append($0) } }

    /// Appends ASCII or UTF-8 literal text.
    @inline(__always)
    public func append(_ s: StaticString) {
        append(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Appends the UTF-8 of `s`.
    @inline(__always)
    public func append(_ s: String) {
        var s = s
        s.withUTF8 { append($0) }
    }

    /// Appends `v` in decimal, as `"\(v)"` writes it.
    func appendDecimal(_ v: Int) {
        // Depths and most counts: one or two digits, written without counting or dividing.
        if v >= 0, v < 100 {
            reserve(2)
            if v < 10 {
                base[count] = UInt8(truncatingIfNeeded: v) &+ 0x30
                count += 1
            } else {
                base[count] = UInt8(truncatingIfNeeded: v / 10) &+ 0x30
                base[count + 1] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
                count += 2
            }
            return
        }
        if v < 0 { append(UInt8(ascii: "-")) }
        let digits = DecimalDigits.digitCount(UInt64(v.magnitude))
        reserve(digits)
        DecimalDigits.write(UInt64(v.magnitude), at: base + count, digits: digits)
        count += digits
    }

    /// Appends `v` in decimal, with zeros in front up to `width` characters (a minus sign counts as one).
    func appendPadded(_ v: Int64, width: Int) {
        let length = (v < 0 ? 1 : 0) + DecimalDigits.digitCount(v.magnitude)
        for _ in 0..<Swift.max(0, width - length) { append(UInt8(ascii: "0")) }
        appendDecimal(Int(v))
    }

    /// Appends `n` spaces.
    @inline(__always)
    func appendSpaces(_ n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (base + count).update(repeating: UInt8(ascii: " "), count: n)
        count += n
    }

    /// Appends `bytes` (UTF-8) as a JSON string, quotes included: as they are when nothing needs
    /// escaping, which is the usual case.
    func appendJSONString(_ bytes: UnsafeBufferPointer<UInt8>) {
        append(UInt8(ascii: "\""))
        let raw = UnsafeRawBufferPointer(bytes)
        var from = 0
        var i = 0
        while i < bytes.count {
            // Eight bytes at a time while none of them needs escaping, which is nearly always.
            if i + 8 <= bytes.count, !Self.needsEscape(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
                continue
            }
            let b = bytes[i]
            i += 1
            guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            append(UnsafeBufferPointer(rebasing: bytes[from..<i - 1]))
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
            from = i
        }
        append(UnsafeBufferPointer(rebasing: bytes[from...]))
        append(UInt8(ascii: "\""))
    }

    /// Whether any of the eight bytes of `w` needs escaping in a JSON string: a control character, a
    /// quote or a backslash. (`(x - 0x01…) & ~x & 0x80…` is non-zero exactly when a byte of `x` is zero,
    /// and `(w - n·0x01…) & ~w & 0x80…` when a byte of `w` is below `n` ≤ 0x80.)
    @inline(__always)
    private static func needsEscape(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        let control = (w &- ones &* 0x20) & ~w
        return (control | (quote &- ones) & ~quote | (backslash &- ones) & ~backslash) & high != 0
    }

    /// Appends `s` as a JSON string.
    func appendJSONString(_ s: String) {
        var s = s
        s.withUTF8 { appendJSONString($0) }
    }

    /// Appends a JSON string or `null`.
    func appendJSONString(_ s: String?) {
        if let s { appendJSONString(s) } else { append("null") }
    }

    /// Appends `bytes` (UTF-8) as a JSON string.
    func appendJSONString(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { appendJSONString($0) }
    }

    /// Appends ` (armed by #N)` for a timer some frame armed, nothing otherwise (the text formats).
    func appendArmedBy(_ frame: Int?) {
        guard let frame else { return }
        append(" (armed by #")
        appendDecimal(frame)
        append(UInt8(ascii: ")"))
    }

    /// Appends a frame's verdict as the text formats show it (`✓ deliver tcp`, `✗ SKB_DROP_REASON_NO_SOCKET in tcp_v4_rcv`),
    /// coloured by `style`.
    func appendVerdict(_ t: PacketTrace, style: TerminalStyle = .plain) {
        style.begin(TerminalStyle.role(of: t.verdict), in: self)
        defer { style.end(in: self) }
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
                if let timer = t.causedByTimer {
                    append(" via ")
                    append(timer)
                }
                append(UInt8(ascii: ")"))
            }
        case .queue: append("… queue")
        case .forward: append("→ forward")
        case .unknown: append("? not modeled further")
        }
    }

    /// Appends seconds and nanoseconds since the epoch as RFC 3339 UTC with nanoseconds.
    func appendTimestamp(_ ns: Int64) {
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
/// text format pads by). Also holds the scratch buffer a renderer writes a frame summary into.
final class SymbolText {
    /// Per symbol id: `function` bytes, then `file` bytes, then the JSON members
    /// `,"func":"…","file":"…"`, back to back.
    private let storage = OutputBuffer(capacity: 1 << 14)
    private var spans: [Span] = []
    /// Where a frame's summary is written (``summary(of:)``).
    private var scratch: [UInt8] = []
    /// One-line explanations by function name (`--explain`), and those of the symbols seen, by id.
    private let explanations: [String: String]?
    private var explanationsByID: [String?] = []

    init(explanations: [String: String]?) { self.explanations = explanations }

    /// The summary of `t` as UTF-8, written into the scratch buffer (so it is read before the next call).
    func summary(of t: PacketTrace) -> [UInt8] {
        scratch.removeAll(keepingCapacity: true)
        t.writeSummary(into: &scratch)
        return scratch
    }

    /// The one-line explanation of `symbol`, when the renderer writes them.
    @inline(__always)
    func explanation(_ symbol: KernelSymbol) -> String? {
        guard explanations != nil else { return nil }
        let id = Int(symbol.id)
        if id >= explanationsByID.count || spans[id].start < 0 { _ = load(symbol) }
        return explanationsByID[id]
    }

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
        while spans.count <= id {
            spans.append(Span(start: -1, functionLength: 0, fileLength: 0, jsonLength: 0, functionCharacters: 0))
            explanationsByID.append(nil)
        }
        let (function, file) = KernelSymbolTable.shared.names(of: symbol)
        explanationsByID[id] = explanations?[function]
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

    @inline(__always)
    private func copy(from start: Int, count: Int, to out: OutputBuffer) {
        out.append(UnsafeBufferPointer(rebasing: storage.bytes(from: 0)[start..<start + count]))
    }

    /// Appends the function name of `span`.
    @inline(__always)
    func appendFunction(_ span: Span, to out: OutputBuffer) {
        copy(from: span.start, count: span.functionLength, to: out)
    }

    /// Appends the file of `span`.
    @inline(__always)
    func appendFile(_ span: Span, to out: OutputBuffer) {
        copy(from: span.start + span.functionLength, count: span.fileLength, to: out)
    }

    /// Appends `,"func":"…","file":"…"` for `span`.
    @inline(__always)
    func appendJSONMembers(_ span: Span, to out: OutputBuffer) {
        copy(from: span.start + span.functionLength + span.fileLength, count: span.jsonLength, to: out)
    }
}
