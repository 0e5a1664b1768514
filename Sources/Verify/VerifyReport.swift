#if os(Linux)
import Trace

/// `pktpath verify`'s output: text for people, JSON Lines (`pktpath-verify/1`) for programs.
public enum VerifyReport {
    /// The model's outcome in words (`✗ SKB_DROP_REASON_NO_SOCKET in __udp4_lib_rcv, sent 1`).
    static func describe(_ m: ModelOutcome) -> String {
        let what: String
        switch m.verdict {
        case .drop: what = "✗ " + (m.dropReason ?? "drop") + (m.dropFunction.map { " in \($0)" } ?? "")
        case .deliver: what = "✓ deliver" + (m.proto.map { " \($0)" } ?? "")
        default: what = "✓ \(m.verdict.rawValue)"
        }
        return what + ", sent \(m.transmissions)"
    }

    /// The kernel's outcome in words, reason names as the model spells them.
    static func describe(_ k: KernelOutcome) -> String {
        let what: String
        switch k.fate {
        case .notReceived: what = "? never reached the device"
        case .dropped(let reason, let function): what = "✗ \(FrameVerification.reasonPrefix)\(reason) in \(function)"
        case .consumed(let function): what = "✓ consumed in \(function)"
        case .forwarded(let dev): what = "✓ forwarded on \(dev)"
        case .held: what = "✓ held (queued on a socket, for reassembly or for a neighbour)"
        }
        let icmp = k.icmpErrors.isEmpty ? "" : " (icmp_send " + k.icmpErrors.joined(separator: ", ") + ")"
        return what + ", sent \(k.transmissions)" + icmp
    }

    /// The aspects of a frame where model and kernel part.
    static func parting(_ f: FrameVerification) -> [String] {
        var out: [String] = []
        if f.verdictAgrees == false { out.append("verdict") }
        if f.dropReasonAgrees == false { out.append("drop_reason") }
        if f.dropFunctionAgrees == false { out.append("drop_function") }
        if !f.transmissionsAgree { out.append("transmissions") }
        if f.pathAgrees == false { out.append("path") }
        return out
    }

    /// The path comparison in words (`differs at step 4: model ip_rcv_finish, kernel ip_sublist_rcv`).
    static func describe(_ p: PathComparison) -> String {
        switch p {
        case .agrees: return "agrees"
        case .notRecorded: return "not recorded (no tracepoint named the frame's skb)"
        case let .differs(step, model, kernel):
            return "differs at step \(step + 1): model \(model ?? "(path ended)"), kernel \(kernel ?? "(path ended)")"
        }
    }

    /// The path figure of the summary line.
    static func pathFigure(_ r: Verifier.Result) -> String {
        guard r.pathsNotCompared == nil else { return "paths not compared" }
        return "paths: \(r.figures.path.agreeing) of \(r.figures.path.compared) frames agree"
    }

    /// The text report.
    public static func text(_ r: Verifier.Result, capture: String, host: String?) -> String {
        var lines = ["pktpath verify: \(capture) on Linux \(r.release), model kernel \(r.modelKernel), "
                     + (host.map { "host \($0)" } ?? "inferred host")]
        lines.append("  scratch host: namespaces \(r.namespaces.joined(separator: ", ")), tracefs instance "
                     + "\(r.tracefsInstance) (all removed)")
        for n in r.notReproduced { lines.append("  not reproduced: \(n)") }
        if let why = r.pathsNotCompared { lines.append("  paths: not compared (\(why))") }
        if let graph = r.graphInstance { lines.append("  paths: recorded by function_graph in \(graph) (removed)") }
        for f in r.frames {
            let parts = parting(f)
            lines.append("#\(f.frame) rx \(f.summary) : " + (parts.isEmpty ? "agree" : "PART (\(parts.joined(separator: ", ")))"))
            lines.append("    model:  " + describe(f.model))
            lines.append("    kernel: " + describe(f.kernel))
            if let path = f.path { lines.append("    path:   " + describe(path)) }
        }
        if !r.notReplayed.isEmpty {
            let reasons = Dictionary(grouping: r.notReplayed, by: \.why).sorted { $0.key < $1.key }
                .map { "\($0.key): " + $0.value.map { "#\($0.frame)" }.joined(separator: " ") }
            lines.append("not replayed: " + reasons.joined(separator: "; "))
        }
        let g = r.figures
        func c(_ x: VerificationFigures.Count) -> String { "\(x.agreeing)/\(x.compared)" }
        lines.append("agreement: \(g.frames.agreeing) of \(g.frames.compared) frames agree; verdict \(c(g.verdict)), "
                     + "drop reason \(c(g.dropReason)), dropping function \(c(g.dropFunction)), "
                     + "transmissions \(c(g.transmissions)); " + pathFigure(r))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JSON Lines report: a header, one line per replayed frame, a summary with the agreement figures.
    public static func json(_ r: Verifier.Result, capture: String, host: String?) -> String {
        var out = ""
        let header = JSONWriter()
        header.object {
            header.key("type"); header.string("header")
            header.key("schema"); header.string("pktpath-verify/1")
            header.key("capture"); header.string(capture)
            header.key("host"); header.optionalString(host)
            header.key("release"); header.string(r.release)
            header.key("kernel"); header.string(r.modelKernel)
            header.key("namespaces"); header.array(r.namespaces) { header.string($0) }
            header.key("tracefs_instance"); header.string(r.tracefsInstance)
            header.key("function_graph"); header.bool(r.functionGraph)
            header.key("function_graph_instance"); header.optionalString(r.graphInstance)
            header.key("paths_not_compared"); header.optionalString(r.pathsNotCompared)
            header.key("not_reproduced"); header.array(r.notReproduced) { header.string($0) }
        }
        out += header.text + "\n"
        for f in r.frames {
            let w = JSONWriter()
            w.object {
                w.key("type"); w.string("frame")
                w.key("frame"); w.int(f.frame)
                w.key("dev"); w.string(f.device)
                w.key("summary"); w.string(f.summary)
                w.key("agrees"); w.bool(f.agrees)
                w.key("parting"); w.array(parting(f)) { w.string($0) }
                w.key("model")
                w.object {
                    w.key("verdict"); w.string(f.model.verdict.rawValue)
                    w.key("proto"); w.optionalString(f.model.proto)
                    w.key("drop_reason"); w.optionalString(f.model.dropReason)
                    w.key("drop_function"); w.optionalString(f.model.dropFunction)
                    w.key("transmissions"); w.int(f.model.transmissions)
                }
                w.key("kernel")
                w.object {
                    var fate = "", reason: String?, function: String?, dev: String?
                    switch f.kernel.fate {
                    case .notReceived: fate = "not_received"
                    case .dropped(let r, let fn): (fate, reason, function) = ("dropped", FrameVerification.reasonPrefix + r, fn)
                    case .consumed(let fn): (fate, function) = ("consumed", fn)
                    case .forwarded(let d): (fate, dev) = ("forwarded", d)
                    case .held: fate = "held"
                    }
                    w.key("fate"); w.string(fate)
                    w.key("drop_reason"); w.optionalString(reason)
                    w.key("function"); w.optionalString(function)
                    w.key("dev"); w.optionalString(dev)
                    w.key("transmissions"); w.int(f.kernel.transmissions)
                    w.key("icmp_errors"); w.array(f.kernel.icmpErrors) { w.string($0) }
                }
                w.key("path")
                if let path = f.path {
                    w.object {
                        var result = "agrees", step: Int?, model: String?, kernel: String?
                        switch path {
                        case .agrees: break
                        case .notRecorded: result = "not_recorded"
                        case let .differs(s, m, k): (result, step, model, kernel) = ("differs", s + 1, m, k)
                        }
                        w.key("result"); w.string(result)
                        w.key("step"); if let step { w.int(step) } else { w.null() }
                        w.key("model"); w.optionalString(model)
                        w.key("kernel"); w.optionalString(kernel)
                    }
                } else {
                    w.null()
                }
            }
            out += w.text + "\n"
        }
        let w = JSONWriter()
        let g = r.figures
        func count(_ name: String, _ c: VerificationFigures.Count) {
            w.key(name)
            w.object { w.key("agreeing"); w.int(c.agreeing); w.key("compared"); w.int(c.compared) }
        }
        w.object {
            w.key("type"); w.string("summary")
            w.key("replayed"); w.int(r.frames.count)
            w.key("not_replayed"); w.int(g.notReplayed)
            w.key("agreement")
            w.object {
                count("frames", g.frames)
                count("verdict", g.verdict)
                count("drop_reason", g.dropReason)
                count("drop_function", g.dropFunction)
                count("transmissions", g.transmissions)
                if r.pathsNotCompared == nil { count("path", g.path) } else { w.key("path"); w.null() }
            }
        }
        return out + w.text + "\n"
    }
}
#endif
