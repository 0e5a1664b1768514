import Trace

/// A frame's verdict and path as comments, for a capture written back with them (`--format pcapng`):
/// text a capture viewer shows beside the frame and filters on (`frame.comment contains "NO_SOCKET"`).
public struct FrameComments {
    private let chain = ChainRenderer()

    public init() {}

    /// The comments of `trace`: its verdict (`pktpath verdict: ✗ SKB_DROP_REASON_NO_SOCKET in tcp_v4_rcv`),
    /// its path as the chain format writes it (`pktpath path: ip_rcv → …`), and one per timer that ran
    /// before it (`pktpath timer: ip_expire (armed by #3): …`).
    public func comments(for trace: PacketTrace) -> [String] {
        let out = OutputBuffer(capacity: 1024)
        out.append("pktpath verdict: ")
        out.appendVerdict(trace)
        var comments = [out.string]
        out.removeAll()
        out.append("pktpath path: ")
        chain.visible(trace.events, into: out)
        comments.append(out.string)
        for run in trace.timers {
            out.removeAll()
            out.append("pktpath timer: ")
            out.append(run.function)
            out.appendArmedBy(run.armedBy)
            out.append(": ")
            chain.visible(run.events, into: out)
            comments.append(out.string)
        }
        return comments
    }
}
