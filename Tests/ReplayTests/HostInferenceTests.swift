import Foundation
import KernelNet
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
        // end recorded it (Fixtures/README.md); they are traced with their host profiles instead.
        return names.filter { $0.hasSuffix(".host.json") && !$0.hasPrefix("s_") }
            .map { String($0.dropLast(".host.json".count)) }.sorted()
    }()

    @Test("the inferred host is the capturing host", arguments: fixtures)
    func infersTheCapturingHost(_ name: String) throws {
        let truth = try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json"))
        let inferred = try HostInference.infer(path: Repository.path("Fixtures/\(name).pcap"), driver: "veth")
        let expected = try #require(truth.capturedInterface)
        let got = try #require(inferred.profile.capturedInterface)
        if truth.interfaces.contains(where: { $0.ifindex != nil }) {
            // A capture of several interfaces: each by its index, with the addresses the capture shows it use.
            for t in truth.interfaces {
                let i = try #require(inferred.profile.interfaces.first { $0.ifindex == t.ifindex }, "no interface \(t.ifindex ?? 0)")
                #expect(i.mac == t.mac)
                #expect(Set(i.addresses.map(\.address)).isSubset(of: Set(t.addresses.map(\.address))))
            }
            #expect(inferred.profile.interfaces.flatMap(\.addresses).isEmpty == false)
        } else {
            #expect(got.mac == expected.mac)
            #expect(got.addresses.map(\.address) == expected.addresses.map(\.address))
        }
        #expect(got.driver == (expected.driver == "loopback" ? "loopback" : "veth"))
        #expect(inferred.frames.isEmpty, "frames are kept only for standard input")
        let listeners = Set(truth.sockets.filter { $0.proto == .tcp && $0.state == .TCP_LISTEN }.map(\.port))
        let inferredListeners = Set(inferred.profile.sockets.filter { $0.proto == .tcp && $0.state == .TCP_LISTEN }.map(\.port))
        // A listener the capture shows answering a SYN must be found.
        #expect(inferredListeners.isSubset(of: listeners))
        #expect(inferred.assumptions.contains { $0.contains(expected.mac.description) })
    }
}
