import Capture
import Foundation
import TestSupport
import Trace
@testable import TraceImport

/// The frames of the capture at `path` (relative to the repository) as the import matches them, with
/// the directions `pktpath trace` gives them on the fixture's host (summaries are not needed here).
func captureFrames(_ path: String, directions: [Direction]) throws -> [CaptureFrame] {
    let file = try PcapFile(path: Repository.path(path))
    var frame = CapturedFrame()
    var out: [CaptureFrame] = []
    while try file.read(into: &frame) {
        let trace = PacketTrace(frame: frame.index, timeNanoseconds: frame.timestampNanoseconds,
                                length: frame.originalLength, capturedLength: frame.capturedLength,
                                direction: directions[out.count], device: "dut", summary: "")
        out.append(CaptureFrame(trace, captured: frame, encapsulation: .ethernet))
    }
    return out
}

/// The contents of a fixture file.
func fixture(_ path: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: Repository.path(path)) else {
        throw ImportError(path: path, line: nil, message: "missing fixture")
    }
    return data
}

/// The functions of a trace's path, in order.
func functions(_ trace: PacketTrace) -> [String] { trace.functions }
