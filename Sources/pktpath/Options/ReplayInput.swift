import Capture
import Foundation
import Replay

/// A capture opened for replay on its host: the profile given with `--host`, or one inferred from the
/// capture (then one line on stderr says what was assumed). Shared by the subcommands that replay.
struct ReplayInput {
    let session: ReplaySession
    /// Frames inference read from standard input, to be replayed first.
    let buffered: [CapturedFrame]

    /// Opens `capture` (with the pcap-filter `filter`, if any) and sets up the model; every input
    /// problem becomes one `InputError` message.
    static func open(capture: String, host: String?, device: String?, kernel: String?, filter: String = "") throws
        -> ReplayInput
    {
        do {
            var profile: HostProfile
            var assumptions: [String] = []
            var buffered: [CapturedFrame] = []
            var opened: PcapFile?
            if let host {
                profile = try HostProfile.load(path: host)
                if let device {
                    for i in profile.interfaces.indices where profile.interfaces[i].captured {
                        profile.interfaces[i].driver = device
                    }
                }
            } else {
                if capture == "-", !filter.isEmpty {
                    throw InputError("a filter expression on standard input needs --host (the input is read only once)")
                }
                let inferred = try HostInference.infer(path: capture, driver: device ?? "iwlwifi")
                (profile, assumptions, buffered, opened) = (inferred.profile, inferred.assumptions, inferred.frames, inferred.capture)
                let line = "pktpath: no --host given; assumed " + assumptions.joined(separator: "; ") + "\n"
                FileHandle.standardError.write(Data(line.utf8))
            }
            let file = try opened ?? PcapFile(path: capture)
            if !filter.isEmpty { try file.setFilter(filter) }
            let session = try ReplaySession(capture: file, captureName: capture, host: profile, assumptions: assumptions,
                                            kernelVersion: kernel)
            return ReplayInput(session: session, buffered: buffered)
        } catch let e as HostProfileError {
            throw InputError(e.description)
        } catch let e as CaptureError {
            throw InputError(e.description)
        } catch let e as ReplayError {
            throw InputError(e.description)
        }
    }
}
