import ArgumentParser
import Foundation
import Replay
import Verify
import Wire

/// `pktpath verify CAPTURE`: the model against this machine's own kernel, frame by frame.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Replay a capture into a scratch copy of its host on this machine's kernel and compare the kernel with the model.",
        discussion: """
            Needs root and tracefs (Linux). Builds the host profile in two network namespaces (PREFIX-host, \
            PREFIX-peer), sends the frames the host received into it with their timing, reads the kernel's \
            tracepoints (skb:kfree_skb, skb:consume_skb, net:netif_receive_skb, net:net_dev_start_xmit, \
            icmp:icmp_send) through a tracefs instance of its own, runs the model with the kernel profile \
            nearest to this kernel, and prints per frame and in total where the two agree. Everything it \
            creates is removed at the end, also after Ctrl-C or an error. Exit status: 0 all agree, 1 some \
            frame parts, 2 refusal or error (docs/verify.md).
            """)

    @Argument(help: "The capture file (pcap or pcapng, Ethernet).")
    var capture: String

    @Option(name: .long, help: "A host profile (JSON, docs/host-profile.md) describing the capturing host; inferred from the capture without it.")
    var host: String?

    @Option(name: .customLong("host-mac"), help: HostOptions.hostMACHelp)
    var hostMAC: String?

    @Option(name: .long, help: "Output format: text or json (JSON Lines, pktpath-verify/1).")
    var format: String = "text"

    @Option(name: .long, help: ArgumentHelp("Prefix of the namespaces and tracefs instance verify makes (default pv-PID).", valueName: "PREFIX"))
    var prefix: String?

    func validate() throws {
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be one of: text, json") }
        try HostOptions.checkHostMAC(hostMAC, host: host)
        if let prefix, prefix.isEmpty || prefix.utf8.count > 10 || !prefix.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
            throw ValidationError("--prefix must be 1 to 10 letters, digits or dashes")
        }
    }

    func run() throws {
        #if os(Linux)
        if let refusal = Verifier.machineRefusal() { throw InputError("verify: " + refusal) }
        let base = try BaseProfile.load(capture: capture, host: host, device: nil, hostMAC: hostMAC.flatMap(MACAddress.init))
        var verifier = Verifier(capture: capture, profile: base.profile, prefix: prefix ?? "pv-\(getpid())")
        StopRequest.install()
        verifier.shouldStop = { StopRequest.requested }
        verifier.waitingForOtherRun = {
            FileHandle.standardError.write(Data("pktpath: verify: waiting for another verify run on this machine to finish\n".utf8))
        }
        let result: Verifier.Result
        do {
            result = try verifier.run()
        } catch {
            if error == Verifier.interrupted {
                FileHandle.standardError.write(Data("pktpath: verify \(error.description)\n".utf8))
                throw ExitStatus(code: Interrupt.exitStatus)
            }
            throw InputError("verify: " + error.description)
        }
        print(format == "json" ? VerifyReport.json(result, capture: capture, host: host)
              : VerifyReport.text(result, capture: capture, host: host), terminator: "")
        if result.figures.frames.agreeing != result.figures.frames.compared { throw ExitStatus(code: 1) }
        #else
        throw InputError("verify: needs Linux (network namespaces and tracefs)")
        #endif
    }
}

/// SIGINT, SIGTERM and SIGHUP while verify runs: each only sets a flag, which the replay reads between
/// frames; it then removes what it made and stops. Unlike trace's handler the default action does not
/// come back, so a second Ctrl-C cannot cut the cleanup short.
enum StopRequest {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    /// Whether a stop was asked for.
    static var requested: Bool { flag != 0 }

    /// Installs the handler for the three signals.
    static func install() {
        var action = sigaction()
        #if os(Linux)
        action.__sigaction_handler.sa_handler = { _ in StopRequest.flag = 1 }
        #else
        action.__sigaction_u.__sa_handler = { _ in StopRequest.flag = 1 }
        #endif
        sigemptyset(&action.sa_mask)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaction(s, &action, nil) }
    }
}
