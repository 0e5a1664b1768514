import ArgumentParser
import Capture
import Foundation
import Replay
import Trace
import Wire

/// A capture opened for replay on its host: the profile given with `--host`, or one inferred from the
/// capture (then one line on stderr says what was assumed), with the `--set` overrides applied. Shared
/// by the subcommands that replay.
struct ReplayInput {
    let session: ReplaySession
    /// Frames inference read from standard input, to be replayed first.
    let buffered: [CapturedFrame]

    /// Opens `capture` (with the pcap-filter `filter`, if any) and sets up the model; every input
    /// problem becomes one `InputError` message.
    static func open(capture: String, host: String?, device: String?, kernel: String?, filter: String = "",
                     overrides: [String] = [], assume: AssumedState = .all, hostMAC: MACAddress? = nil) throws -> ReplayInput
    {
        let base = try BaseProfile.load(capture: capture, host: host, device: device, filter: filter, assume: assume,
                                        hostMAC: hostMAC)
        let profile = try base.profile.applying(overrides: overrides, option: "--set")
        return try open(capture: capture, base: base, profile: profile, kernel: kernel, filter: filter)
    }

    /// Opens `capture` for replay as `profile` (`base` with overrides applied).
    static func open(capture: String, base: BaseProfile, profile: HostProfile, kernel: String?, filter: String)
        throws -> ReplayInput
    {
        do {
            let file = try base.opened ?? PcapFile(path: capture)
            if !filter.isEmpty { try file.setFilter(filter) }
            let session = try ReplaySession(capture: file, captureName: capture, host: profile,
                                            assumptions: base.assumptions, kernelVersion: kernel)
            return ReplayInput(session: session, buffered: base.buffered)
        } catch let e as CaptureError {
            throw InputError(e.description)
        } catch let e as ReplayError {
            throw InputError(e.description)
        }
    }
}

/// What an inferred host is taken to hold when the capture begins (`--assume`).
enum AssumedState: String, ExpressibleByArgument, CaseIterable {
    /// The sockets, connections, groups and neighbours the capture shows it had.
    case all
    /// Nothing: a cold host, as if it had just booted.
    case none
}

/// The host a capture is replayed on before any `--set`: a profile file, or inferred from the capture.
struct BaseProfile {
    var profile: HostProfile
    var assumptions: [String] = []
    /// Frames inference read from standard input.
    var buffered: [CapturedFrame] = []
    /// The capture, when inference left it open (standard input).
    var opened: PcapFile?

    /// Loads `host` (with the captured interface's driver set to `device`), or infers the host from
    /// `capture` (around `hostMAC`, if given) and says on stderr what was assumed.
    static func load(capture: String, host: String?, device: String?, filter: String = "",
                     assume: AssumedState = .all, hostMAC: MACAddress? = nil) throws -> BaseProfile {
        do {
            if let host {
                var profile = try HostProfile.load(path: host)
                if let device {
                    for i in profile.interfaces.indices where profile.interfaces[i].captured {
                        profile.interfaces[i].driver = device
                    }
                }
                return BaseProfile(profile: profile)
            }
            if capture == "-", !filter.isEmpty {
                throw InputError("a filter expression on standard input needs --host (the input is read only once)")
            }
            let inferred = try HostInference.infer(path: capture, driver: device ?? "iwlwifi", assumeState: assume == .all,
                                                    hostMAC: hostMAC)
            let line = "pktpath: no --host given; assumed " + inferred.assumptions.joined(separator: "; ") + "\n"
            FileHandle.standardError.write(Data(line.utf8))
            return BaseProfile(profile: inferred.profile, assumptions: inferred.assumptions, buffered: inferred.frames,
                               opened: inferred.capture)
        } catch let e as HostProfileError {
            throw InputError(e.description)
        } catch let e as CaptureError {
            throw InputError(e.description)
        }
    }
}

extension HostProfile {
    /// The profile with the `KEY=VALUE` overrides of `option` applied; a bad one is an input error
    /// naming the option and the key.
    func applying(overrides: [String], option: String) throws -> HostProfile {
        let parsed: [HostOverride]
        let profile: HostProfile
        do {
            parsed = try overrides.map { text throws(HostOverrideError) in try HostOverride(parsing: text) }
            profile = try applying(parsed)
        } catch {
            throw InputError("\(option) \(error.description)")
        }
        for o in parsed where !o.isModeled {
            let key = o.description.prefix { $0 != "=" }
            FileHandle.standardError.write(Data("pktpath: \(option) \(key): the model does not read this sysctl; it changes nothing\n".utf8))
        }
        return profile
    }
}

/// Says on stderr, after a replay, that the capture disagrees with the model on the host's answers
/// (below ``Agreement/threshold``): the host description is probably wrong.
func warnIfDisagreeing(_ agreement: Agreement) {
    guard let ratio = agreement.ratio, ratio < Agreement.threshold, let verdict = agreement.verdict else { return }
    FileHandle.standardError.write(Data("pktpath: \(verdict)\n".utf8))
}
