import ArgumentParser
import Capture
import Foundation
import Replay
import Trace
import TraceRender

/// `pktpath graph`: the modeled call graph, or the paths a capture took with frame counts.
struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the modeled call graph, or the graph of the paths a capture took (edges counted in frames).")

    @Argument(help: "A capture; without it, the whole modeled graph (from pktpath's built-in tour of every path).")
    var capture: String?

    @OptionGroup var hostOptions: HostOptions

    @Option(name: .long, help: "Kernel version.")
    var kernel: String = KernelOption.defaultVersion

    @Option(name: .long, help: "Output format: dot, mermaid or json.")
    var format: String = "dot"

    func validate() throws {
        try KernelOption.check(kernel)
        guard GraphFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be one of: \(GraphFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        var traces: [PacketTrace]?
        if let capture {
            let input = try hostOptions.open(capture: capture, kernel: kernel)
            var collected: [PacketTrace] = []
            do {
                _ = try input.session.run(buffered: input.buffered) { collected.append($0) }
            } catch let e as CaptureError {
                throw InputError(e.description)
            }
            traces = collected
        }
        let graph = try Teaching.graph(kernel: kernel, traces: traces)
        print(GraphRenderer.render(graph, as: GraphFormat(rawValue: format) ?? .dot,
                                   title: capture ?? "pktpath model, Linux \(kernel)"), terminator: "")
    }
}
