#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A kernel function as a trace names it: its exact symbol and the source file that defines it.
///
/// A symbol is a small number into the process's symbol table (``KernelSymbolTable``), so recording
/// one in a trace copies four bytes and no strings; its names are looked up when something reads them
/// (a renderer, a test). The same function and file always get the same number, so symbols compare
/// and hash as their names do.
public struct KernelSymbol: Hashable, Sendable, CustomStringConvertible {
    /// The symbol's number in ``KernelSymbolTable/shared``: dense, from 0, stable for the process.
    public let id: UInt32

    /// The symbol numbered `id` in ``KernelSymbolTable/shared``.
    public init(id: UInt32) { self.id = id }

    /// The symbol of `function` defined in `file`.
    public init(function: String, file: String) {
        self = KernelSymbolTable.shared.intern(function: function, file: file)
    }

    /// The kernel's spelling, leading underscores included (`__netif_receive_skb_core`).
    public var function: String { KernelSymbolTable.shared.names(of: self).function }
    /// The defining file, relative to the kernel tree (`net/core/dev.c`).
    public var file: String { KernelSymbolTable.shared.names(of: self).file }

    public var description: String { function }
}

/// Every kernel symbol the process has named, numbered in the order they were first seen.
///
/// Append-only and shared by all models and renderers of the process, so a symbol's number means the
/// same everywhere. Thread-safe; the lock is taken when a symbol is first named and when its names are
/// read, never while a model records a call.
public final class KernelSymbolTable: @unchecked Sendable {
    /// The process's table.
    public static let shared = KernelSymbolTable()

    private struct Key: Hashable {
        var function: String
        var file: String
    }

    private var ids: [Key: UInt32] = [:]
    private var entries: [(function: String, file: String)] = []
    private let lock: UnsafeMutablePointer<pthread_mutex_t>

    private init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_mutex_t())
        pthread_mutex_init(lock, nil)
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body()
    }

    /// The symbol of `function` in `file`, numbered on first sight.
    public func intern(function: String, file: String) -> KernelSymbol {
        locked {
            let key = Key(function: function, file: file)
            if let id = ids[key] { return KernelSymbol(id: id) }
            let id = UInt32(entries.count)
            entries.append((function, file))
            ids[key] = id
            return KernelSymbol(id: id)
        }
    }

    /// The names of `symbol` (empty for a number the table never handed out).
    public func names(of symbol: KernelSymbol) -> (function: String, file: String) {
        locked { Int(symbol.id) < entries.count ? entries[Int(symbol.id)] : ("", "") }
    }

    /// How many symbols have been numbered.
    public var count: Int { locked { entries.count } }
}
