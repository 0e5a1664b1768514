import Foundation
import PktpathFuzz
import Testing
import TestSupport

/// The fuzz regression corpus (`Tests/EndToEndTests/FuzzCorpus/`, see its README.md): inputs libFuzzer
/// found or grew (`Tools/fuzz/run.sh`), replayed through both fuzz entry points, as a capture file and as
/// a single Ethernet frame, so that what once crashed or hung stays fixed.
///
/// Inputs under `known-crashes/` still crash the model; each is replayed in a child process (an exit
/// test) inside `withKnownIssue`, so the suite stays green until the owner fixes it and moves the file
/// up a folder.
@Suite("fuzz regression corpus")
struct FuzzRegressionTests {
    static let folder = Repository.path("Tests/EndToEndTests/FuzzCorpus")

    /// Every input file under `folder/subfolder` (recursively), sorted; documentation files skipped.
    static func inputs(_ subfolder: String? = nil) -> [String] {
        let root = subfolder.map { folder + "/" + $0 } ?? folder
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let name = (relative as NSString).lastPathComponent
            guard !name.hasPrefix("."), !name.hasSuffix(".md") else { continue }
            if subfolder == nil, relative.hasPrefix("known-crashes/") { continue }
            out.append(relative)
        }
        return out.sorted()
    }

    static func bytes(_ relative: String, in subfolder: String? = nil) throws -> [UInt8] {
        let root = subfolder.map { folder + "/" + $0 } ?? folder
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative)))
    }

    @Test("the corpus is there")
    func present() {
        #expect(Self.inputs().count >= 10, "expected fuzz inputs in \(Self.folder)")
    }

    @Test("every input replays as a capture and as a frame without a crash")
    func replayAll() throws {
        var captures = 0
        for relative in Self.inputs() {
            let bytes = try Self.bytes(relative)
            if FuzzTargets.capture(bytes) != nil { captures += 1 }
            FuzzTargets.frame(bytes)
        }
        // The capture folder holds inputs libFuzzer grew from real captures; most still open as captures.
        #expect(captures > 0)
    }

    /// Replays one known crasher in a child process (an exit test), which must exit cleanly to pass.
    @Test("known crashers still crash (remove from known-crashes/ once fixed)",
          arguments: Self.inputs("known-crashes"))
    func knownCrash(_ relative: String) async throws {
        let bytes = try Self.bytes(relative, in: "known-crashes")
        await withKnownIssue("a model crash the fuzzer found: \(relative)") {
            await #expect(processExitsWith: .success) { [bytes = bytes as [UInt8]] in
                FuzzTargets.capture(bytes)
                FuzzTargets.frame(bytes)
            }
        }
    }
}
