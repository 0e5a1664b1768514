/// A kernel function as a trace names it: its exact symbol and the source file that defines it.
public struct KernelSymbol: Hashable, Sendable, CustomStringConvertible {
    /// The kernel's spelling, leading underscores included (`__netif_receive_skb_core`).
    public let function: String
    /// The defining file, relative to the kernel tree (`net/core/dev.c`).
    public let file: String

    public init(function: String, file: String) {
        self.function = function
        self.file = file
    }

    public var description: String { function }
}
