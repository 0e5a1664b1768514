import Capture
import Replay
import TestSupport
import Trace

/// A fixture traced as `pktpath trace Fixtures/NAME.pcap --host Fixtures/NAME.host.json --kernel KERNEL` would.
enum FixtureTraces {
    static func of(_ name: String, kernel: String) throws -> (traces: [PacketTrace], summary: TraceSummary) {
        let host = try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json"))
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/\(name).pcap")),
                                        captureName: name, host: host, kernelVersion: kernel)
        var traces: [PacketTrace] = []
        let summary = try session.run { traces.append($0) }
        return (traces, summary)
    }
}
