import Trace

/// The functions a model file mirrors from one kernel source file.
///
/// Every model file begins with an enum conforming to this protocol whose case names are the kernel
/// symbols it models, so the names recorded in traces come from the compiler, not retyped strings,
/// and the set of modeled functions can be listed (`pktpath functions`).
public protocol KernelSourceFile: RawRepresentable<String>, CaseIterable, Sendable {
    /// The kernel source file, relative to the tree (`net/ipv4/ip_input.c`).
    static var path: String { get }
}

extension KernelSourceFile {
    /// The trace symbol of this function.
    @inline(__always)
    public var symbol: KernelSymbol { KernelSymbol(function: rawValue, file: Self.path) }

    /// Every function of the file as trace symbols.
    public static var symbols: [KernelSymbol] { allCases.map(\.symbol) }
}
