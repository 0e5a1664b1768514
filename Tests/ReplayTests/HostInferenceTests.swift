import Foundation
import Replay
import Testing
import TestSupport
import Wire

/// Without a host profile, the capturing host is inferred from the capture; on every fixture that
/// must be the host its profile describes.
@Suite("HostInference")
struct HostInferenceTests {
    static let fixtures: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Repository.path("Fixtures"))) ?? []
        // The s_* captures are made of crafted frames from one side, where a capture cannot tell which
        // end recorded it (Fixtures/README.md); they are traced with their host profiles instead. So is
        // offload_tso_tx: the sender's capture of offload_tso_rx's traffic, the same frames byte for byte.
        return names.filter { $0.hasSuffix(".host.json") && !$0.hasPrefix("s_") && $0 != "offload_tso_tx.host.json" }
            .map { String($0.dropLast(".host.json".count)) }.sorted()
    }()

    @Test("the inferred host is the capturing host", arguments: fixtures)
    func infersTheCapturingHost(_ name: String) throws {
        let truth = try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json"))
        let inferred = try HostInference.infer(path: Repository.path("Fixtures/\(name).pcap"), driver: "veth")
        let expected = try #require(truth.capturedInterface)
        let got = try #require(inferred.profile.capturedInterface)
        #expect(got.mac == expected.mac)
        #expect(got.addresses.map(\.address) == expected.addresses.map(\.address))
        #expect(got.driver == "veth")
        #expect(inferred.frames.isEmpty, "frames are kept only for standard input")
        let listeners = Set(truth.sockets.filter { $0.proto == .tcp }.map(\.port))
        let inferredListeners = Set(inferred.profile.sockets.filter { $0.proto == .tcp }.map(\.port))
        // A listener the capture shows answering a SYN must be found.
        #expect(inferredListeners.isSubset(of: listeners))
        #expect(inferred.assumptions.contains { $0.contains(expected.mac.description) })
    }
}
