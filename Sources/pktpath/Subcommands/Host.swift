import ArgumentParser
import Foundation
import Replay
import Trace

/// `pktpath host`: host profiles.
struct Host: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Host profiles: describe the machine pktpath runs on.",
        subcommands: [Snapshot.self])

    /// `pktpath host snapshot`: the profile of this machine (or of the network namespace it runs in).
    struct Snapshot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the host profile of this machine (its network namespace) to standard output.",
            discussion: """
                Reads ip -j -d addr, ip -j route, ip -j neigh, ss -Htuan, sysctl -a, uname -r and, where it \
                runs (nftables installed, root), nft -j list ruleset. What the \
                profile format cannot hold is said on standard error. The profile is docs/host-profile.md's format.
                """)

        func run() throws {
            func output(_ arguments: [String]) throws -> Data {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = arguments
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    throw InputError("host snapshot: cannot run \(arguments.joined(separator: " ")): \(error.localizedDescription)")
                }
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                guard process.terminationStatus == 0 || arguments.first == "sysctl" else {
                    throw InputError("host snapshot: \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus))")
                }
                return data
            }
            let snapshot: HostSnapshot
            do {
                snapshot = try HostSnapshot(
                    addresses: try output(["ip", "-j", "-d", "addr"]), routes: try output(["ip", "-j", "route"]),
                    // Without IPv6 (ipv6.disable=1) there are no IPv6 routes to read.
                    routes6: (try? output(["ip", "-6", "-j", "route"])) ?? Data("[]".utf8),
                    neighbours: try output(["ip", "-j", "neigh"]),
                    sockets: String(decoding: try output(["ss", "-Htuan"]), as: UTF8.self),
                    sysctl: String(decoding: try output(["sysctl", "-a"]), as: UTF8.self),
                    release: String(decoding: try output(["uname", "-r"]), as: UTF8.self),
                    // A module loaded, or built in with parameters, has a folder there.
                    modules: HostProfile.knownModules.filter { FileManager.default.fileExists(atPath: "/sys/module/\($0)") },
                    // nft needs root (and nftables): without it the profile has no rules.
                    ruleset: try? output(["nft", "-j", "list", "ruleset"]))
            } catch let e as InputError {
                throw e
            } catch {
                throw InputError("host snapshot: unreadable tool output (\(error.localizedDescription))")
            }
            let profile: HostProfile
            do {
                profile = try snapshot.profile()
            } catch {
                throw InputError(error.description)
            }
            for line in snapshot.omitted { FileHandle.standardError.write(Data("pktpath: left out: \(line)\n".utf8)) }
            var members: [(String, JSONValue)] = profile.kernel.map { [("kernel", .string($0))] } ?? []
            if case .object(let fields) = profile.json { members += fields }
            let w = JSONWriter()
            w.value(.object(members))
            print(w.text)
        }
    }
}
