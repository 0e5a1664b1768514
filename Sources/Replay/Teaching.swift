import Capture
import KernelNet
import Trace

/// What `pktpath explain` says about one modeled function.
public struct FunctionExplanation: Sendable {
    public var symbol: KernelSymbol
    /// The model's description of the function (its doc comment).
    public var summary: String
    /// Whether the profile's build inlines it.
    public var inline: Bool
    public var callers: [String]
    public var callees: [String]
    /// Branches the function decides, as the model's notes name them.
    public var branches: [String]
    /// Drop reasons the function raises.
    public var dropReasons: [String]
    /// How other profiles differ for this function.
    public var otherProfiles: [String]
    /// The function's definition in Bootlin's Elixir for the profile's version.
    public var elixir: String
}

/// Explanations, function lists and call graphs for the teaching commands.
public enum Teaching {
    /// Every modeled function of `profile`, grouped by kernel source file in path order.
    public static func functions(kernel version: String) -> [(file: String, functions: [String])] {
        let profile = KernelProfile.all[version] ?? .default
        return KernelModel.files.map { file in
            (file.path, file.symbols.map { profile.inlined.contains($0.function) ? $0.function + " (inline)" : $0.function })
        }
    }

    /// The call graph of the model under `version` (its built-in tour), or of the paths a capture took.
    public static func graph(kernel version: String, traces: [PacketTrace]? = nil) throws -> CallGraph {
        var graph = CallGraph()
        for t in try traces ?? ModelTour.traces(kernel: version) { graph.add(t) }
        return graph
    }

    /// Explains `name` under kernel `version`, from `graph` (the model's graph for that version when
    /// nil); nil when the model has no such function.
    public static func explain(_ name: String, kernel version: String, graph: CallGraph? = nil) throws
        -> FunctionExplanation?
    {
        guard let symbol = KernelModel.symbol(named: name) else { return nil }
        let profile = KernelProfile.all[version] ?? .default
        let graph = try graph ?? Self.graph(kernel: version)
        let (callers, callees) = graph.neighbours(of: name)
        var others: [String] = []
        for (v, p) in KernelProfile.all.sorted(by: { $0.key < $1.key }) where v != version {
            let a = profile.inlined.contains(name)
            let b = p.inlined.contains(name)
            if a != b { others.append("\(v): \(b ? "inlined" : "a function of its own")") }
        }
        return FunctionExplanation(
            symbol: symbol, summary: Explanations.summaries[name] ?? "",
            inline: profile.inlined.contains(name), callers: callers, callees: callees,
            branches: (graph.notes[name] ?? []).sorted(), dropReasons: (graph.drops[name] ?? []).sorted(),
            otherProfiles: others,
            elixir: "https://elixir.bootlin.com/linux/v\(profile.version)/C/ident/\(name)")
    }
}

/// The kernel versions the model has profiles for.
public let knownKernels: [String] = KernelProfile.all.keys.sorted()

extension Teaching {
    /// The first sentence of every modeled function's explanation, by function name: what
    /// `pktpath trace --explain` writes beside each call.
    public static let oneLineSummaries: [String: String] = Explanations.summaries.mapValues(firstSentence)

    /// `text` up to the end of its first sentence (a period followed by a space, or the end).
    static func firstSentence(_ text: String) -> String {
        var depth = 0
        var previous: Character = " "
        for i in text.indices {
            let c = text[i]
            if c == "(" { depth += 1 } else if c == ")" { depth = max(0, depth - 1) }
            if previous == ".", c == " ", depth == 0 { return String(text[..<text.index(before: i)]) + "." }
            previous = c
        }
        return text
    }
}
