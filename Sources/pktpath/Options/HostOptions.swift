import ArgumentParser
import Replay
import Wire

/// How the capturing host is described, shared by the subcommands that replay one capture (trace,
/// stats, graph): a profile or inference, the captured interface's driver, what-if changes and the
/// state an inferred host is taken to hold.
struct HostOptions: ParsableArguments {
    @Option(name: .long, help: "A host profile (JSON, docs/host-profile.md; a JSON trace's header line works too) describing the capturing host.")
    var host: String?

    @Option(name: .long, help: "Driver of the captured interface: veth or iwlwifi (default: the profile's, else iwlwifi).")
    var device: String?

    @Option(name: .customLong("set"),
            help: ArgumentHelp("Change the host before replaying (repeatable): \(HostOverride.keysHelp).",
                               valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "What an inferred host held when the capture began: all (its sockets, connections, groups and neighbours, as the capture shows them) or none (a cold host).",
        valueName: "all|none"))
    var assume: AssumedState = .all

    @Option(name: .customLong("host-mac"), help: hostMACHelp)
    var hostMAC: String?

    /// The help of `--host-mac`, which `verify` and `diff` take too (the same host modeled everywhere).
    static let hostMACHelp = ArgumentHelp(
        "Without --host: the MAC of the capturing host, when the capture cannot tell which end of a link took it (the inference notes say so and name the other end's MAC).",
        valueName: "MAC")

    /// Checks a `--host-mac` value: a MAC address, given only where the host is inferred (no `--host`).
    static func checkHostMAC(_ hostMAC: String?, host: String?) throws {
        guard let hostMAC else { return }
        guard MACAddress(hostMAC) != nil else { throw ValidationError("--host-mac '\(hostMAC)' is not a MAC address (aa:bb:cc:dd:ee:ff)") }
        if host != nil { throw ValidationError("--host-mac chooses the host of an inferred profile: give it without --host") }
    }

    func validate() throws {
        try Self.checkHostMAC(hostMAC, host: host)
        if let device, !HostProfile.ethernetDrivers.contains(device) {
            throw ValidationError("--device must be one of: \(HostProfile.ethernetDrivers.joined(separator: ", "))")
        }
    }

    /// Opens `capture` for replay on the host these options describe.
    func open(capture: String, kernel: String?, filter: String = "") throws -> ReplayInput {
        try ReplayInput.open(capture: capture, host: host, device: device, kernel: kernel, filter: filter,
                             overrides: overrides, assume: assume, hostMAC: hostMAC.flatMap(MACAddress.init))
    }
}
