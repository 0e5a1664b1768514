import Foundation
import Testing
import TestSupport

/// Small things a user meets on the command line: the version, a frame range past the end, the host
/// options on every command that replays a capture.
@Suite("command-line details")
struct CommandLineGapsTests {
    @Test("--version prints the version and exits 0")
    func version() throws {
        let run = try CLITests.pktpath(["--version"])
        #expect(run.status == 0)
        #expect(run.lines.count == 1)
        #expect(run.out.split(separator: ".").count == 3, "\(run)")
    }

    @Test("--frames past the capture's end says how many frames it has, and traces what there is",
          arguments: [("5-20", 2, "it ends at frame 6"), ("10-20", 0, "none of them is in it")])
    func framesPastTheEnd(_ range: String, _ traced: Int, _ says: String) throws {
        let run = try CLITests.pktpath(["trace", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json", "--frames", range,
                                        "--format", "chain"])
        #expect(run.status == 0)
        #expect(run.lines.filter { $0.hasPrefix("#") }.count == traced)
        #expect(run.messages.contains("pktpath: --frames \(range): the capture has 6 frames; \(says)"), "\(run)")
    }

    @Test("stats and graph take --device, --set and --assume as trace does", arguments: ["stats", "graph"])
    func hostOptions(_ command: String) throws {
        let run = try CLITests.pktpath([command, "Fixtures/ping.pcap", "--device", "veth", "--set", "mtu=1400", "--assume", "none"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("no state assumed"), "\(run)")
        let bad = try CLITests.pktpath([command, "Fixtures/ping.pcap", "--set", "nonsense=1"])
        #expect(bad.status == 2)
        #expect(bad.messages.contains { $0.contains("--set nonsense: unknown key") }, "\(bad)")
    }
}
