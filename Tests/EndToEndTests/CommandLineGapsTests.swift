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

    @Test("--host-mac takes the end a veth capture cannot place, on trace, stats and graph", arguments: ["trace", "stats", "graph"])
    func hostMAC(_ command: String) throws {
        let plain = try CLITests.pktpath([command, "Fixtures/ends_client.pcap", "--device", "veth"])
        #expect(plain.status == 0, "\(plain)")
        #expect(plain.stderr.contains("pass --host-mac 02:00:00:00:71:01"), "\(plain)")
        let run = try CLITests.pktpath([command, "Fixtures/ends_client.pcap", "--device", "veth", "--host-mac", "02:00:00:00:71:01"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("assumed host 02:00:00:00:71:01 with 10.91.0.1/24"), "\(run)")
        #expect(run.stderr.contains("taken to be the capturing host because --host-mac names it"), "\(run)")
    }

    @Test("--host-mac must be a MAC, and is refused with --host")
    func hostMACErrors() throws {
        let bad = try CLITests.pktpath(["trace", "Fixtures/ends_client.pcap", "--host-mac", "02:00:00"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--host-mac '02:00:00' is not a MAC address"), "\(bad)")
        let both = try CLITests.pktpath(["trace", "Fixtures/ping.pcap", "--host", "Fixtures/ping.host.json", "--host-mac", "02:00:00:00:0d:00"])
        #expect(both.status == 2)
        #expect(both.stderr.contains("--host-mac chooses the host of an inferred profile"), "\(both)")
    }
}
