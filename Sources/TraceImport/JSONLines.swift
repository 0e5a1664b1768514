import Foundation
import Trace

/// The JSON objects of a JSON Lines file, each with its line number; an error names the first line
/// that is not JSON, or not what the tool writes.
enum JSONLines {
    /// Each non-blank line parsed; a line holding an array gives each of its objects.
    static func objects(_ data: Data, path: String, tool: String) throws(ImportError) -> [(line: Int, object: [String: Any])] {
        var out: [(Int, [String: Any])] = []
        var number = 0
        for raw in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            if raw.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) { continue }
            let value: Any
            do {
                value = try JSONSerialization.jsonObject(with: Data(raw))
            } catch {
                let message = out.isEmpty ? "not JSON: not \(tool) output" : "not JSON (the file is cut short or damaged)"
                throw ImportError(path: path, line: number, message: message)
            }
            if let object = value as? [String: Any] {
                out.append((number, object))
            } else if let list = value as? [Any], list.allSatisfy({ $0 is [String: Any] }) {
                for case let object as [String: Any] in list { out.append((number, object)) }
            } else {
                throw ImportError(path: path, line: number, message: "not a JSON object: not \(tool) output")
            }
        }
        guard !out.isEmpty else { throw ImportError(path: path, line: nil, message: "empty: no \(tool) records") }
        return out
    }
}

/// A JSON integer as 64 bits: ``jsonInteger``'s integers, and above `Int64.max` (retis's kernel
/// addresses) the unsigned value's bits.
func jsonInt(_ value: Any?) -> Int64? {
    if let n = jsonInteger(value) { return Int64(n) }
    guard let number = value as? NSNumber, String(cString: number.objCType) != "c", let u = value as? UInt64 else { return nil }
    return Int64(bitPattern: u)
}
