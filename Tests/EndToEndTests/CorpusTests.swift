import Capture
import Foundation
import Replay
import Testing
import TestSupport
import TraceRender

/// tcpdump's 830 regression captures, many malformed: every one must be traced or refused with a
/// capture error, never crash or trap, on both modeled drivers.
@Suite("tcpdump's regression captures",
       .enabled(if: SharedFolder.runs("captures/tcpdump-tests"), Comment(rawValue: SharedFolder.skipReason("captures/tcpdump-tests"))))
struct CorpusTests {
    static let folder = SharedFolder.path("captures/tcpdump-tests")

    static let files: [String] = {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }()

    @Test("the corpus is there")
    func present() {
        #expect(Self.files.count >= 800, "expected tcpdump's captures in \(Self.folder)")
    }

    @Test("every capture is traced or refused cleanly")
    func everyCapture() throws {
        var traced = 0
        var refused = 0
        for name in Self.files {
            let path = Self.folder + "/" + name
            for driver in HostProfile.ethernetDrivers {
                do {
                    let (host, assumptions, _, _) = try HostInference.infer(path: path, driver: driver)
                    let session = try ReplaySession(capture: try PcapFile(path: path), captureName: name, host: host,
                                                    assumptions: assumptions)
                    let renderer = JSONRenderer()
                    var bytes = renderer.header(session.header).utf8.count
                    let summary = try session.run { bytes += renderer.frame($0).utf8.count }
                    #expect(bytes > 0)
                    #expect(summary.frames >= 0)
                    traced += 1
                } catch is CaptureError {
                    refused += 1
                }
            }
        }
        #expect(traced > 0)
        #expect(traced + refused == 2 * Self.files.count)
    }
}
