import Foundation
import Trace

/// A `pktpath-trace/1` file (`pktpath trace --format json`) read for the diff: its header and frames.
public struct TraceFile: Sendable {
    /// The file's name as given.
    public var path: String
    public var kernel: String
    /// The capture the trace was made from, as its header names it.
    public var capture: String
    /// The what-if changes the trace was made with (`overrides` in the header).
    public var overrides: [String]
    /// The tool that recorded the trace (`recorded_by`: `pktpath import`), nil for the model's.
    public var recordedBy: String?
    public var frames: [DiffFrame]

    public init(path: String, kernel: String, capture: String, overrides: [String], frames: [DiffFrame]) {
        self.path = path
        self.kernel = kernel
        self.capture = capture
        self.overrides = overrides
        self.frames = frames
    }

    /// Whether `data` starts like a trace file (a JSON object) rather than a capture.
    public static func looksLikeTrace(_ data: Data) -> Bool {
        data.first { !(" \t\r\n" as String).utf8.contains($0) } == UInt8(ascii: "{")
    }

    /// Reads and checks the file at `path`; the error names the file, the line and what is wrong.
    public static func read(path: String) throws(TraceFileError) -> TraceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TraceFileError(path: path, line: nil, message: "cannot read the file")
        }
        return try parse(data, path: path)
    }

    /// Parses the contents of a trace file.
    public static func parse(_ data: Data, path: String) throws(TraceFileError) -> TraceFile {
        func fail(_ line: Int?, _ message: String) -> TraceFileError { TraceFileError(path: path, line: line, message: message) }
        var file = TraceFile(path: path, kernel: "", capture: "", overrides: [], frames: [])
        var lineNumber = 0
        var sawHeader = false
        for raw in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if raw.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) { continue }
            let object: [String: Any]
            do {
                guard let o = try JSONSerialization.jsonObject(with: Data(raw)) as? [String: Any] else {
                    throw fail(lineNumber, "not a JSON object")
                }
                object = o
            } catch let e as TraceFileError {
                throw e
            } catch {
                throw fail(lineNumber, sawHeader ? "not JSON" : "not a pktpath trace (pktpath trace --format json writes one)")
            }
            let type = object["type"] as? String
            if !sawHeader {
                guard type == "header", let schema = object["schema"] as? String else {
                    throw fail(lineNumber, "not a pktpath trace: line 1 is not a header (pktpath trace --format json writes one)")
                }
                guard schema == TraceHeader.schema else {
                    throw fail(lineNumber, "schema '\(schema)' is not \(TraceHeader.schema)")
                }
                file.kernel = object["kernel"] as? String ?? ""
                file.capture = object["capture"] as? String ?? ""
                file.overrides = object["overrides"] as? [String] ?? []
                file.recordedBy = object["recorded_by"] as? String
                sawHeader = true
                continue
            }
            switch type {
            case "packet": file.frames.append(try frame(object, line: lineNumber, fail))
            case "summary": break  // totals; the diff makes its own (a trace cut short has none)
            case "header": throw fail(lineNumber, "a second header (two traces joined?)")
            default: throw fail(lineNumber, "unknown line type \(type.map { "'\($0)'" } ?? "(none)")")
            }
        }
        guard sawHeader else { throw fail(nil, "empty: not a pktpath trace") }
        return file
    }

    /// The adapter from a `packet` line.
    static func frame(_ o: [String: Any], line: Int, _ fail: (Int?, String) -> TraceFileError) throws(TraceFileError)
        -> DiffFrame
    {
        func string(_ key: String) throws(TraceFileError) -> String {
            guard let s = o[key] as? String else { throw fail(line, "\(key): missing or not a string") }
            return s
        }
        func optional(_ key: String) throws(TraceFileError) -> String? {
            guard let v = o[key], !(v is NSNull) else { return nil }
            guard let s = v as? String else { throw fail(line, "\(key): not a string or null") }
            return s
        }
        guard let frame = jsonInteger(o["frame"]), frame >= 1 else { throw fail(line, "frame: missing or not a positive number") }
        let direction = try string("direction")
        guard direction == "rx" || direction == "tx" else { throw fail(line, "direction: '\(direction)' is not rx or tx") }
        guard let events = o["events"] as? [[String: Any]] else { throw fail(line, "events: missing or not a list of objects") }
        var steps: [DiffStep] = []
        for (i, e) in events.enumerated() {
            guard let function = e["func"] else { continue }
            guard let name = function as? String, let depth = jsonInteger(e["depth"]), depth >= 0 else {
                throw fail(line, "events[\(i)]: func without a name and depth")
            }
            guard depth <= DiffStep.deepest else {
                throw fail(line, "events[\(i)]: depth \(depth) is deeper than a call chain goes (at most \(DiffStep.deepest))")
            }
            steps.append(DiffStep(function: name, depth: depth, inline: e["inline"] as? Bool ?? false))
        }
        return DiffFrame(frame: frame, direction: direction, summary: try string("summary"), verdict: try string("verdict"),
                         proto: try optional("proto"), dropReason: try optional("drop_reason"),
                         dropFunction: try optional("drop_function"), steps: steps)
    }
}

/// A trace file that cannot be read: the file, the line and what is wrong.
public struct TraceFileError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String

    public var description: String {
        "\(path)" + (line.map { ": line \($0)" } ?? "") + ": " + message
    }
}
