import Trace

/// Output formats of `pktpath graph`.
public enum GraphFormat: String, Sendable, CaseIterable {
    case dot, mermaid, json
}

/// Renders a call graph as Graphviz dot, Mermaid, or JSON (nodes with files, edges with counts).
public enum GraphRenderer {
    public static func render(_ graph: CallGraph, as format: GraphFormat, title: String) -> String {
        let edges = graph.edges.sorted { $0.key < $1.key }
        let nodes = graph.files.keys.sorted()
        switch format {
        case .dot:
            var s = "digraph \"\(title)\" {\n  rankdir=LR;\n  node [shape=box, fontname=monospace];\n"
            for n in nodes {
                let style = graph.inlined.contains(n) ? ", style=dashed" : ""
                s += "  \"\(n)\" [tooltip=\"\(graph.files[n] ?? "")\"\(style)];\n"
            }
            for (e, count) in edges { s += "  \"\(e.caller)\" -> \"\(e.callee)\" [label=\"\(count)\"];\n" }
            return s + "}\n"
        case .mermaid:
            var ids: [String: String] = [:]
            for (i, n) in nodes.enumerated() { ids[n] = "n\(i)" }
            var s = "flowchart LR\n"
            for n in nodes { s += "  \(ids[n, default: n])[\"\(n)\"]\n" }
            for (e, count) in edges { s += "  \(ids[e.caller, default: e.caller]) -->|\(count)| \(ids[e.callee, default: e.callee])\n" }
            return s
        case .json:
            let w = JSONWriter()
            w.object {
                w.key("graph"); w.string(title)
                w.key("nodes")
                w.array(nodes) { n in
                    w.object {
                        w.key("func"); w.string(n)
                        w.key("file"); w.string(graph.files[n] ?? "")
                        if graph.inlined.contains(n) { w.key("inline"); w.bool(true) }
                        if let r = graph.roots[n] { w.key("root_count"); w.int(r) }
                    }
                }
                w.key("edges")
                w.array(edges) { pair in
                    w.object {
                        w.key("caller"); w.string(pair.key.caller)
                        w.key("callee"); w.string(pair.key.callee)
                        w.key("frames"); w.int(pair.value)
                    }
                }
            }
            return w.text + "\n"
        }
    }
}
