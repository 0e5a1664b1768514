import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace
import TraceImport
@testable import Verify

/// Verify's path comparison after the recorder: a `function_graph` recording cut at its frame markers,
/// each piece paired with its frame, each path compared with the model's. Fed with the real recordings
/// of the 6.1 oracle (Fixtures/import/, Fixtures/README.md), whose markers are `/* oracle pkt N begin */`
/// where verify writes `/* pktpath-verify frame N */`: the N-th received frame in both fixtures here.
@Suite("verify: function paths from function_graph recordings")
struct FunctionPathTests {
    /// The model's traces of the capture's received frames on `host` (a path) under 6.1, the frames as the
    /// recording is matched to them, and the recording's pieces.
    static func inputs(_ fixture: String, recording: String, host: String)
        throws -> (model: [PacketTrace], frames: [CaptureFrame], pieces: [Int: String])
    {
        let file = try PcapFile(path: Repository.path("Fixtures/\(fixture).pcap"))
        let profile = try HostProfile.load(path: host)
        let session = try ReplaySession(framesOf: file, captureName: fixture, host: Verifier.asBuilt(profile),
                                        kernelVersion: "6.1")
        var model: [PacketTrace] = []
        var frames: [CaptureFrame] = []
        var frame = CapturedFrame()
        while try file.read(into: &frame) {
            let trace = session.trace(frame)
            guard trace.direction == .rx else { continue }
            model.append(trace)
            frames.append(CaptureFrame(trace, captured: frame, encapsulation: .ethernet))
        }
        let text = try String(contentsOfFile: Repository.path("Fixtures/import/\(recording)"), encoding: .utf8)
        let pieces = FunctionPaths.pieces(text.split(separator: "\n")) { FunctionPaths.graphMarker($0, prefix: "oracle pkt ") }
        return (model, frames, pieces)
    }

    static func paths(_ fixture: String, recording: String, host: String) throws -> [Int: PathComparison] {
        let (model, frames, pieces) = try inputs(fixture, recording: recording, host: host)
        let kernel = FunctionPaths.recorded(pieces, frames: frames)
        #expect(Set(kernel.keys) == Set(frames.map(\.frame)), "every received frame's path is in the recording")
        return FunctionPaths.compare(model: model, kernel: kernel, kernelVersion: "6.1")
    }

    @Test("the markers cut the recording into one piece per frame, none before the first marker")
    func pieces() {
        let lines = ["  0)  a-1  |  |  before();", " 0) | /* pktpath-verify frame 2 */", " 0) | f();",
                     " 0) | /* pktpath-verify frame 5 */", " 0) | g();", " 0) | h();"]
        let pieces = FunctionPaths.pieces(lines) { FunctionPaths.graphMarker($0, prefix: TracefsEvent.markerPrefix) }
        #expect(pieces == [2: " 0) | f();\n", 5: " 0) | g();\n 0) | h();\n"])
        #expect(FunctionPaths.graphMarker(" 0) | /* pktpath-verify frame x */", prefix: TracefsEvent.markerPrefix) == nil)
    }

    /// udp_ports and tcp_syn_closed on their own hosts (6.1 oracle against the 6.1 model). The datagram
    /// to the open port takes the model's path on the functions both name. The two frames the host
    /// answers part where the answer is routed: 6.1 looks the route up (`fib_table_lookup`) before
    /// `icmpv4_xrlim_allow` for the port unreachable, and after `tcp_v4_send_reset` for the reset
    /// (`ip_send_unicast_reply` routes it); the model's answers take no route lookup there (`pktpath diff` on the imported
    /// traces shows the same, docs/import.md).
    @Test("the oracle's recorded paths against the model on the right host")
    func rightHost() throws {
        let udp = try Self.paths("udp_ports", recording: "oracle_udp_ports.function_graph.txt",
                                 host: Repository.path("Fixtures/udp_ports.host.json"))
        #expect(udp[1] == .agrees)
        #expect(udp[2] == .differs(step: 29, model: "icmpv4_xrlim_allow", kernel: "fib_table_lookup"))
        let syn = try Self.paths("tcp_syn_closed", recording: "oracle_tcp_syn_closed.function_graph.txt",
                                 host: Repository.path("Fixtures/tcp_syn_closed.host.json"))
        #expect(syn == [1: .differs(step: 31, model: nil, kernel: "fib_table_lookup")])
    }

    /// A wrong host: udp_ports with no socket on port 7000. The model drops the first datagram in
    /// `__udp4_lib_rcv` and answers it; the kernel, which had the socket, queued it; the
    /// second datagram (closed port on both) parts as on the right host.
    @Test("a wrong host profile parts the path where the model drops")
    func wrongHost() throws {
        let right = try String(contentsOfFile: Repository.path("Fixtures/udp_ports.host.json"), encoding: .utf8)
        let socket = #""sockets": [ { "proto": "udp", "addr": "0.0.0.0", "port": 7000 } ]"#
        #expect(right.contains(socket))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pvp-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let host = dir.appendingPathComponent("no_socket.host.json").path
        try right.replacingOccurrences(of: socket, with: #""sockets": []"#).write(toFile: host, atomically: true, encoding: .utf8)
        let paths = try Self.paths("udp_ports", recording: "oracle_udp_ports.function_graph.txt", host: host)
        // The model answers with a port unreachable (`__icmp_send`) where the kernel's path, on the
        // functions both name, has ended: it queued the datagram on its socket.
        #expect(paths[1] == .differs(step: 28, model: "__icmp_send", kernel: nil))
        // The closed port's datagram is as on the right host.
        #expect(paths[2] == .differs(step: 29, model: "icmpv4_xrlim_allow", kernel: "fib_table_lookup"))
    }

    /// What verify reports: the per-frame path line and the summary's figure.
    @Test("the report gives each frame's path and the paths figure")
    func report() throws {
        let kernel = KernelOutcome()
        let frames = [
            FrameVerification(frame: 1, summary: "a", device: "d", model: ModelOutcome(verdict: .deliver), kernel: kernel,
                              path: .agrees),
            FrameVerification(frame: 2, summary: "b", device: "d", model: ModelOutcome(verdict: .deliver), kernel: kernel,
                              path: .differs(step: 3, model: "udp_queue_rcv_skb", kernel: "kfree_skb_reason")),
        ]
        let figures = VerificationFigures(frames, notReplayed: 0)
        #expect(figures.path == .init(agreeing: 1, compared: 2))
        #expect(frames[1].agrees == false && VerifyReport.parting(frames[1]).contains("path"))
        let result = Verifier.Result(release: "6.1.0", modelKernel: "6.1", namespaces: [], tracefsInstance: "t",
                                     functionGraph: true, graphInstance: "t-graph", pathsNotCompared: nil, notReproduced: [],
                                     frames: frames, notReplayed: [], figures: figures)
        let text = VerifyReport.text(result, capture: "c", host: nil)
        #expect(text.contains("    path:   differs at step 4: model udp_queue_rcv_skb, kernel kfree_skb_reason"))
        #expect(text.contains("paths: 1 of 2 frames agree"))
        let json = VerifyReport.json(result, capture: "c", host: nil)
        #expect(json.contains(#""path":{"agreeing":1,"compared":2}"#))
        #expect(json.contains(#""path":{"result":"differs","step":4,"model":"udp_queue_rcv_skb","kernel":"kfree_skb_reason"}"#))
    }
}
