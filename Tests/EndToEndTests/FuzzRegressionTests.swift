import Foundation
import Replay
@testable import PktpathFuzz
import Testing
import TestSupport

/// The fuzz regression corpus (`Tests/EndToEndTests/FuzzCorpus/`, see its README.md): inputs libFuzzer
/// found or grew (`Tools/fuzz/run.sh`), one folder per fuzz target, each replayed through its own
/// target, so that what once crashed or hung stays fixed.
///
/// Inputs under `known-crashes/TARGET/` still crash; each is replayed in a child process (an exit test)
/// inside `withKnownIssue`, so the suite stays green until the owner fixes it and moves the file to
/// `TARGET/`.
///
/// Serialized: the capture target writes each input to one scratch file per process (as libFuzzer calls
/// it, one input at a time), so two of these tests must not run it at once.
@Suite("fuzz regression corpus", .serialized)
struct FuzzRegressionTests {
    static let folder = Repository.path("Tests/EndToEndTests/FuzzCorpus")

    /// Every input file under `folder/subfolder` (recursively), sorted; documentation files skipped.
    static func inputs(_ subfolder: String) -> [String] {
        let root = folder + "/" + subfolder
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let name = (relative as NSString).lastPathComponent
            guard !name.hasPrefix("."), !name.hasSuffix(".md") else { continue }
            out.append(subfolder + "/" + relative)
        }
        return out.sorted()
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + relative)))
    }

    /// The known crashers, as `(target, file)`.
    static var knownCrashes: [(FuzzTarget, String)] {
        FuzzTarget.allCases.flatMap { t in inputs("known-crashes/\(t.rawValue)").map { (t, $0) } }
    }

    @Test("the frame target replays on every driver and kernel, and on a bridge port per kernel")
    func frameHosts() {
        let bridged = FuzzTargets.hosts.filter { $0.interfaces.contains { $0.driver == "bridge" } }
        #expect(FuzzTargets.hosts.count == (HostProfile.ethernetDrivers.count + 1) * knownKernels.count)
        #expect(bridged.count == knownKernels.count)
    }

    @Test("every target has a corpus folder", arguments: FuzzTarget.allCases)
    func present(_ target: FuzzTarget) {
        #expect(!Self.inputs(target.rawValue).isEmpty, "expected fuzz inputs in \(Self.folder)/\(target.rawValue)")
    }

    @Test("every input replays through its target without a crash", arguments: FuzzTarget.allCases)
    func replay(_ target: FuzzTarget) throws {
        for relative in Self.inputs(target.rawValue) { target.run(try Self.bytes(relative)) }
    }

    @Test("capture and frame inputs also replay as the other")
    func crossReplay() throws {
        for relative in Self.inputs("capture") + Self.inputs("frame") {
            let bytes = try Self.bytes(relative)
            FuzzTargets.capture(bytes)
            FuzzTargets.frame(bytes)
        }
    }

    /// Inputs that reach past the targets' first checks: captures that open, profiles, overrides and trace
    /// files that parse, filters that compile. A target whose inputs all bounce off its parser fuzzes
    /// nothing behind it.
    @Test("corpus inputs of each target get past its parser")
    func reachDeep() throws {
        func count(_ target: FuzzTarget, _ accepted: ([UInt8]) -> Bool) throws -> Int {
            try Self.inputs(target.rawValue).filter { accepted(try Self.bytes($0)) }.count
        }
        #expect(try count(.capture) { FuzzTargets.capture($0) != nil } > 0)
        #expect(try count(.host) { FuzzTargets.host($0) } > 0)
        #expect(try count(.set) { FuzzTargets.overrides($0) > 0 } > 0)
        #expect(try count(.diff) { FuzzTargets.diff($0) } > 0)
        #expect(try count(.filter) { FuzzTargets.filter($0) > 0 } > 0)
    }

    /// The generated pcapng seeds of the capture target (FuzzSeeds), made here rather than kept in git:
    /// two interfaces in each link type pktpath reads replay every frame the link type can carry, and so
    /// does a section whose interfaces differ in link type (libpcap refuses it; pktpath's own pcapng
    /// reader takes each frame with its interface's link type); a monitor-mode (radiotap) one is replayed
    /// too. The fixture has no IPv6, so the raw IPv6 seed carries no frame.
    @Test("generated pcapng seeds: every link type with two interfaces")
    func pcapngSeeds() throws {
        let fixture = try #require(FuzzFixtures.named("tcp_handshake"))
        let seeds = FuzzFixtures.pcapngCaptures(from: fixture)
        #expect(seeds.count == FuzzFixtures.Encapsulation.allCases.count + 2)
        func seed(_ suffix: String) throws -> [UInt8] {
            try #require(seeds.first { $0.name.hasSuffix("-\(suffix).pcapng") }).bytes
        }
        for e in FuzzFixtures.Encapsulation.allCases where e != .ipv6 {
            let carried = fixture.frames.filter { e.wrap($0.bytes, outgoing: false) != nil }.count
            #expect(carried > 0, "\(e)")
            #expect(FuzzTargets.capture(try seed(e.rawValue)) == carried, "\(e)")
        }
        #expect(fixture.frames.allSatisfy { FuzzFixtures.Encapsulation.ipv6.wrap($0.bytes, outgoing: false) == nil })
        #expect(FuzzTargets.capture(try seed("mixed")) == fixture.frames.count)
        // Ethernet frames behind radiotap headers are read as 802.11: every one is traced, as malformed input.
        #expect(FuzzTargets.capture(try seed("radiotap")) == fixture.frames.count)
    }

    /// Replays one known crasher in a child process (an exit test), which must exit cleanly to pass.
    @Test("known crashers still crash (move out of known-crashes/ once fixed)", arguments: Self.knownCrashes)
    func knownCrash(_ target: FuzzTarget, _ relative: String) async throws {
        let bytes = try Self.bytes(relative)
        await withKnownIssue("a crash the fuzzer found: \(relative)") {
            await #expect(processExitsWith: .success) { [bytes = bytes as [UInt8], target = target as FuzzTarget] in
                target.run(bytes)
            }
        }
    }
}
