import Capture
import Trace
import TraceRender

/// `trace --format pcapng`: the capture written again as pcapng, each frame with comments giving its
/// verdict and path (``FrameComments``) and its direction in `epb_flags`, the section header naming
/// the modeled kernel and holding the host the replay ran as.
struct PcapngOutput {
    private var writer = PcapngWriter()
    private let comments = FrameComments()
    private var scratch: [UInt8] = []

    /// The section header: `shb_os` names the modeled kernel, `shb_userappl` pktpath; one comment says
    /// in words what was replayed and assumed, another is the JSON trace's header line (the host profile,
    /// which `--host` reads back).
    static func header(_ header: TraceHeader) -> [UInt8] {
        var words = "pktpath \(PktpathCommand.version): capture \(header.capture) replayed through a model of Linux \(header.kernel)"
        for a in header.assumptions { words += "; assumed \(a)" }
        if !header.overrides.isEmpty { words += "; what-if: " + header.overrides.joined(separator: ", ") }
        var json = JSONRenderer().header(header)
        if json.hasSuffix("\n") { json.removeLast() }
        return PcapngWriter.sectionHeader(PcapngWriter.Section(
            os: "Linux \(header.kernel) (modeled by pktpath)", application: "pktpath \(PktpathCommand.version)",
            comments: [words, json]))
    }

    /// Appends `frame` with the verdict and path of `trace`.
    mutating func write(_ trace: PacketTrace, frame: CapturedFrame, into out: OutputBuffer) {
        scratch.removeAll(keepingCapacity: true)
        writer.appendPacket(frame, device: trace.device, direction: trace.direction == .rx ? .inbound : .outbound,
                            comments: comments.comments(for: trace), to: &scratch)
        out.append(contentsOf: scratch)
    }
}
