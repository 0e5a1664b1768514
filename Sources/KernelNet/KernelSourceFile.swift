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
    public var symbol: KernelSymbol { KernelSymbol(function: rawValue, file: Self.path) }

    /// Every function of the file as trace symbols.
    public static var symbols: [KernelSymbol] { allCases.map(\.symbol) }

    /// The case's position in `allCases`, read from the enum's tag: a case without payload is stored
    /// as its declaration index, which is also the order of the synthesized `allCases`
    /// (``SymbolResolver`` checks this for every file and falls back to a search where it fails).
    @inlinable @inline(__always)
    var caseIndex: Int {
        switch MemoryLayout<Self>.size {
        case 0: 0
        case 1: Int(unsafeBitCast(self, to: UInt8.self))
        case 2: Int(unsafeBitCast(self, to: UInt16.self))
        default: searchedCaseIndex
        }
    }

    /// The case's position in `allCases`, by comparing names.
    @usableFromInline var searchedCaseIndex: Int { Array(Self.allCases).firstIndex { $0.rawValue == rawValue } ?? 0 }
}

/// The kernel's table from modeled functions to trace symbols and the profile's flags for them
/// (inlined, absent, the file it is defined in), filled the first time a function of each file is
/// traced.
///
/// `traced` runs for every modeled function a frame passes through, so finding the symbol must not
/// hash or compare names: the file is found by its enum type (the address of its metadata, in an
/// open-addressing table) and the function by its case index. Inlinable, so that the model's other
/// modules (drivers, mac80211) look symbols up as directly as this one does.
@usableFromInline
final class SymbolResolver {
    /// Flag bit of an entry: the profile inlines the function.
    @usableFromInline static let inlineFlag: UInt64 = 1
    /// Flag bit of an entry: the version does not have the function (``KernelProfile/has(_:)``).
    @usableFromInline static let absentFlag: UInt64 = 2

    private let profile: KernelProfile
    /// Slots of the table: the type's metadata address (0 when free) and its entries by case index,
    /// each the symbol id shifted left by 32 bits, or-ed with the flags.
    @usableFromInline let keys: UnsafeMutablePointer<UInt>
    @usableFromInline let values: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    @usableFromInline static let capacity = 512
    /// Slots in use; beyond three quarters of the capacity, new files take the slow path.
    private var used = 0

    init(profile: KernelProfile) {
        self.profile = profile
        keys = .allocate(capacity: Self.capacity)
        keys.initialize(repeating: 0, count: Self.capacity)
        values = .allocate(capacity: Self.capacity)
        values.initialize(repeating: nil, count: Self.capacity)
    }

    deinit {
        for i in 0..<Self.capacity { values[i]?.deallocate() }
        keys.deallocate()
        values.deallocate()
    }

    /// The symbol of `fn` and its flags: `id << 32 | flags`.
    @inlinable @inline(__always)
    func entry<F: KernelSourceFile>(_ fn: F) -> UInt64 {
        let key = UInt(bitPattern: ObjectIdentifier(F.self))
        var i = Int(truncatingIfNeeded: (key >> 4) &* 0x9E37_79B9) & (Self.capacity - 1)
        while true {
            let k = keys[i]
            if k == key, let table = values[i] { return table[fn.caseIndex] }
            if k == key || k == 0 { return add(fn, slot: i, key: key) }
            i = (i + 1) & (Self.capacity - 1)
        }
    }

    /// Fills the slot for `F` (or, when the table is full or the enum's layout is not the expected one,
    /// answers for `fn` alone).
    @usableFromInline @inline(never)
    func add<F: KernelSourceFile>(_ fn: F, slot: Int, key: UInt) -> UInt64 {
        if keys[slot] == 0, used < Self.capacity * 3 / 4 {
            keys[slot] = key
            used += 1
            let cases = Array(F.allCases)
            let table = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, cases.count))
            var layoutHolds = true
            for (i, c) in cases.enumerated() {
                layoutHolds = layoutHolds && c.caseIndex == i
                table[i] = profileEntry(c)
            }
            if layoutHolds {
                values[slot] = table
            } else {
                table.deallocate()  // the key stays, with no table: the slow path below for this file
            }
        }
        return profileEntry(fn)
    }

    /// The entry of `fn` under the profile: its symbol (in the file this version defines it in) and flags.
    private func profileEntry<F: KernelSourceFile>(_ fn: F) -> UInt64 {
        let name = fn.rawValue
        let symbol = KernelSymbol(function: name, file: profile.file(of: name, modelFile: F.path))
        return UInt64(symbol.id) << 32 | (profile.isInlined(name) ? Self.inlineFlag : 0)
            | (profile.has(fn) ? 0 : Self.absentFlag)
    }
}
