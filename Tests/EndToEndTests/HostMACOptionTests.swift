import Foundation
import Testing
import TestSupport

/// `--host-mac` on `diff` and `verify`, as on trace, stats and graph: the end of a link that took a
/// capture the frames cannot place, so that every command models the same host.
@Suite("--host-mac on diff and verify")
struct HostMACOptionTests {
    static let client = "02:00:00:00:71:01"
    static let capture = Repository.path("Fixtures/ends_client.pcap")

    @Test("diff infers the named end, and without it says it cannot tell")
    func diffChoosesEnd() throws {
        let chosen = try CLITests.pktpath(["diff", Self.capture, "--host-mac", Self.client, "--format", "json"])
        #expect(chosen.status == 0, "\(chosen)")
        #expect(chosen.stderr.contains("taken to be the capturing host because --host-mac names it"), "\(chosen.stderr)")
        #expect(!chosen.stderr.contains("cannot tell which end"))
        let unchosen = try CLITests.pktpath(["diff", Self.capture, "--format", "json"])
        #expect(unchosen.stderr.contains("cannot tell which end of the link took it"), "\(unchosen.stderr)")
    }

    @Test("diff refuses --host-mac with --host, on trace files, and when it is not a MAC")
    func diffRefuses() throws {
        let withHost = try CLITests.pktpath(["diff", Self.capture, "--host-mac", Self.client,
                                             "--host", Repository.path("Fixtures/udp_ports.host.json")])
        #expect(withHost.status == 2)
        #expect(withHost.stderr.contains("give it without --host"), "\(withHost.stderr)")
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("pktpath-hostmac-\(getpid()).jsonl")
        defer { try? FileManager.default.removeItem(at: trace) }
        let traced = try CLITests.pktpath(["trace", Repository.path("Fixtures/udp_ports.pcap"), "--host",
                                           Repository.path("Fixtures/udp_ports.host.json"), "--format", "json"])
        try traced.stdout.write(to: trace)
        let files = try CLITests.pktpath(["diff", trace.path, trace.path, "--host-mac", Self.client])
        #expect(files.status == 2)
        #expect(files.stderr.contains("--host-mac applies to a capture replayed"), "\(files.stderr)")
        let bad = try CLITests.pktpath(["diff", Self.capture, "--host-mac", "02:00:00"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("is not a MAC address"))
    }

    @Test("verify checks --host-mac before anything else")
    func verifyRefuses() throws {
        let bad = try CLITests.pktpath(["verify", Self.capture, "--host-mac", "zz"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("is not a MAC address"), "\(bad.stderr)")
        let withHost = try CLITests.pktpath(["verify", Self.capture, "--host-mac", Self.client,
                                             "--host", Repository.path("Fixtures/udp_ports.host.json")])
        #expect(withHost.status == 2)
        #expect(withHost.stderr.contains("give it without --host"))
    }
}
