/// A minimal streaming JSON writer: members and elements are separated automatically. Keys come out
/// in the order written, so output is byte-stable.
public final class JSONWriter {
    public private(set) var text = ""
    private var needsComma = [false]

    private func separate() {
        if needsComma[needsComma.count - 1] { text += "," }
        needsComma[needsComma.count - 1] = true
    }

    public func object(_ body: () -> Void) {
        separate()
        text += "{"
        needsComma.append(false)
        body()
        needsComma.removeLast()
        text += "}"
    }

    public func array<T>(_ items: [T], _ element: (T) -> Void) {
        separate()
        text += "["
        needsComma.append(false)
        for i in items { element(i) }
        needsComma.removeLast()
        text += "]"
    }

    /// Writes a member name; the value that follows is not separated again.
    public func key(_ k: String) {
        separate()
        appendQuoted(k)
        text += ":"
        needsComma[needsComma.count - 1] = false
    }

    public func string(_ s: String) {
        separate()
        appendQuoted(s)
    }

    public func optionalString(_ s: String?) { if let s { string(s) } else { null() } }
    public func int(_ v: Int) { separate(); text += String(v) }
    public func bool(_ v: Bool) { separate(); text += v ? "true" : "false" }
    public func null() { separate(); text += "null" }

    public func value(_ v: JSONValue) {
        switch v {
        case .string(let s): string(s)
        case .int(let i): int(i)
        case .bool(let b): bool(b)
        case .null: null()
        case .array(let a): array(a) { value($0) }
        case .object(let members):
            object { for (k, m) in members { key(k); value(m) } }
        }
    }

    public init() {}

    private func appendQuoted(_ s: String) {
        text += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where u.value < 0x20: text += "\\u00" + (u.value < 16 ? "0" : "") + String(u.value, radix: 16)
            default: text.unicodeScalars.append(u)
            }
        }
        text += "\""
    }
}
