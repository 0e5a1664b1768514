import Capture
import KernelNet
import Trace

/// What `pktpath explain` says about one modeled function.
public struct FunctionExplanation: Sendable {
    public var symbol: KernelSymbol
    /// The model's description of the function (its doc comment).
    public var summary: String
    /// Whether the profile's version has the function on its paths.
    public var present: Bool
    /// Whether the profile's build inlines it.
    public var inline: Bool
    public var callers: [String]
    public var callees: [String]
    /// Branches the function decides, as the model's notes name them.
    public var branches: [String]
    /// Drop reasons the function raises.
    public var dropReasons: [String]
    /// SNMP counters the function moves in this version (seen on the model's tour), in nstat's order.
    public var counters: [String]
    /// How other profiles differ for this function.
    public var otherProfiles: [String]
    /// The function's definition in Bootlin's Elixir for the profile's version.
    public var elixir: String
}

/// Explanations, function lists and call graphs for the teaching commands.
public enum Teaching {
    /// Every function the model records under kernel `version`, grouped by the file that defines it
    /// in that version, in path order.
    public static func functions(kernel version: String) -> [(file: String, functions: [String])] {
        let profile = KernelProfile.all[version] ?? .default
        var byFile: [String: [String]] = [:]
        for file in KernelModel.files {
            for symbol in file.symbols where !profile.absent.contains(symbol.function) {
                let name = symbol.function + (profile.inlined.contains(symbol.function) ? " (inline)" : "")
                byFile[profile.file(of: symbol.function, modelFile: symbol.file), default: []].append(name)
            }
        }
        return byFile.keys.sorted().map { ($0, byFile[$0]!) }
    }

    /// The call graph of the model under `version` (its built-in tour), or of the paths a capture took.
    public static func graph(kernel version: String, traces: [PacketTrace]? = nil) throws -> CallGraph {
        var graph = CallGraph()
        for t in try traces ?? ModelTour.traces(kernel: version) { graph.add(t) }
        return graph
    }

    /// Explains `name` under kernel `version`, from `graph` (the model's graph for that version when
    /// nil) and `counterSites` (the counters each function moved on the model's tour, run when nil);
    /// nil when the model has no such function.
    public static func explain(_ name: String, kernel version: String, graph: CallGraph? = nil,
                               counterSites: [String: Set<String>]? = nil) throws -> FunctionExplanation?
    {
        guard let modelSymbol = KernelModel.symbol(named: name) else { return nil }
        let profile = KernelProfile.all[version] ?? .default
        let symbol = KernelSymbol(function: name, file: profile.file(of: name, modelFile: modelSymbol.file))
        let tour = graph == nil || counterSites == nil ? try ModelTour.run(kernel: version) : nil
        var tourGraph = CallGraph()
        if graph == nil { for t in tour?.traces ?? [] { tourGraph.add(t) } }
        let graph = graph ?? tourGraph
        let sites = counterSites ?? tour?.counterSites ?? [:]
        let counters = proc_c.nstatOrder(sites[name] ?? [], in: profile.version)
        let (callers, callees) = graph.neighbours(of: name)
        var others: [String] = []
        for p in KernelVersion.allCases.compactMap({ KernelProfile.all[$0.rawValue] }) where p != profile {
            others += differences(of: name, modelFile: modelSymbol.file, from: profile, to: p)
        }
        return FunctionExplanation(
            symbol: symbol, summary: Explanations.summaries[name] ?? "", present: !profile.absent.contains(name),
            inline: profile.inlined.contains(name), callers: callers, callees: callees,
            branches: (graph.notes[name] ?? []).sorted(), dropReasons: (graph.drops[name] ?? []).sorted(),
            counters: counters,
            otherProfiles: others,
            elixir: "https://elixir.bootlin.com/linux/v\(profile.version.rawValue)/C/ident/\(name)")
    }

    /// How `other` differs from `profile` for function `name`, one line per difference.
    static func differences(of name: String, modelFile: String, from profile: KernelProfile, to other: KernelProfile)
        -> [String]
    {
        let v = other.version.rawValue
        if profile.absent.contains(name) != other.absent.contains(name) {
            return [other.absent.contains(name) ? "\(v): not on its paths (the caller does this work, or the function does not exist)"
                                                : "\(v): on its paths"]
        }
        guard !other.absent.contains(name) else { return [] }
        var lines: [String] = []
        if profile.inlined.contains(name) != other.inlined.contains(name) {
            lines.append("\(v): \(other.inlined.contains(name) ? "inlined" : "a function of its own")")
        }
        let file = other.file(of: name, modelFile: modelFile)
        if file != profile.file(of: name, modelFile: modelFile) { lines.append("\(v): defined in \(file)") }
        return lines
    }
}

/// The kernel versions the model has profiles for, oldest first.
public let knownKernels: [String] = KernelVersion.allCases.map(\.rawValue)

/// The kernel version replays and the teaching commands use unless told otherwise.
public let defaultKernel: String = KernelProfile.default.version.rawValue

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
