import Wire

/// A key of the model's ``HashTable``: addresses and four-tuples, mixed into one 64-bit hash.
public protocol HashTableKey: Equatable {
    /// The key mixed with `seed` into 64 well-spread bits.
    func hash(seed: UInt64) -> UInt64
}

/// The tables the model looks up on every frame (connections, neighbours, device counters), open-addressed
/// with linear probing: an array of keys, the values beside it in slots of their own.
///
/// A lookup mixes the key with a 64-bit mixer and probes a few slots, where `Dictionary` runs SipHash
/// (about a tenth of a frame's instructions went to hashing). The mixer is seeded per process, so that
/// a capture cannot be crafted to make keys collide. At most half the slots are full; a removal moves
/// the following entries of its run back, so no tombstones pile up. Iteration order is not kept: the
/// model never depends on it.
public struct HashTable<Key: HashTableKey, Value> {
    /// The key in each slot (nil: empty); probing reads only these.
    private var keys: [Key?]
    /// The value of each full slot, and one more slot past them that is always empty: a lookup that
    /// finds nothing hands out that one, so reading and changing entries need no copy and no
    /// temporary (see the subscript).
    private var values: ValueSlots<Value>
    private var mask: Int
    /// Entries held.
    public private(set) var count = 0
    private let seed = HashTableSeed.value
    /// The slot the last successful lookup found: the model looks one key up several times in a row
    /// (a frame's connection), and a key found there needs no hashing or probing.
    private let recent = RecentSlot()

    public init() {
        keys = Array(repeating: nil, count: 16)
        values = ValueSlots(count: 16)
        mask = 15
    }

    @inline(__always)
    private func home(_ key: Key) -> Int { Int(truncatingIfNeeded: key.hash(seed: seed)) & mask }

    /// The slot holding `key`, or -1.
    @inline(__always)
    private func find(_ key: Key) -> Int {
        // A hint only: the slot is taken when it holds the key, wherever the key has moved since.
        let last = recent.slot.pointee & mask
        if let k = keys[last], k == key { return last }
        var i = home(key)
        while let k = keys[i] {
            if k == key {
                recent.slot.pointee = i
                return i
            }
            i = (i + 1) & mask
        }
        return -1
    }

    /// The values' storage, copied first if another copy of the table shares it.
    @inline(__always)
    private mutating func uniqueValues() -> UnsafeMutablePointer<Value?> {
        if !isKnownUniquelyReferenced(&values) { values = values.copy() }
        return values.base
    }

    // Both accessors hand out the entry where it is stored. A getter returned a copy of the value (a
    // connection, read several times a frame), and a `_modify` coroutine that kept the key or a
    // temporary value across its `yield` outgrew the caller's buffer and allocated its frame on the
    // heap on every access: here the coroutine keeps only the slot's index.
    public subscript(key: Key) -> Value? {
        unsafeAddress {
            let i = find(key)
            return UnsafePointer(values.base + (i >= 0 ? i : values.count))
        }
        // Set to nil, an entry is removed; a missing key gets a slot (with nil) for the change, given
        // back if the change leaves it nil.
        _modify {
            let i = slotForChange(key)
            defer { removeIfVacant(i) }
            yield &(values.base + i).pointee
        }
    }

    public subscript(key: Key, default defaultValue: @autoclosure () -> Value) -> Value {
        get { self[key] ?? defaultValue() }
        _modify {
            let i = slotForChange(key, default: defaultValue)
            yield &(values.base + i).pointee!
        }
    }

    /// Runs `body` on `key`'s value where it is stored, and returns what it returns; nil when the table
    /// has no entry for `key`. Several changes to one entry then cost one lookup. `body` must not use
    /// the table.
    @inline(__always)
    public mutating func update<R>(_ key: Key, _ body: (inout Value) -> R) -> R? {
        let i = find(key)
        guard i >= 0 else { return nil }
        return body(&uniqueValues()[i]!)
    }

    /// Calls `body` with each entry, in no particular order.
    public func forEach(_ body: (Key, Value) -> Void) {
        for i in keys.indices {
            if let key = keys[i], let value = values.base[i] { body(key, value) }
        }
    }

    // The accessors' work is done out of line: anything of type `Value` the coroutine made (the nil
    // it stores, the test for nil) would be kept in its frame, too large for the caller's buffer.

    /// The slot of `key`'s entry, made (holding nil) if there is none, in storage of this table's own.
    @inline(never)
    private mutating func slotForChange(_ key: Key) -> Int {
        let i = find(key)
        if i >= 0 {
            _ = uniqueValues()
            return i
        }
        return insert(key, nil)
    }

    /// The slot of `key`'s entry, made with `defaultValue` if there is none.
    @inline(never)
    private mutating func slotForChange(_ key: Key, default defaultValue: () -> Value) -> Int {
        let i = find(key)
        if i >= 0 {
            _ = uniqueValues()
            return i
        }
        return insert(key, defaultValue())
    }

    /// Removes the entry of slot `i` if a change left it nil.
    @inline(never)
    private mutating func removeIfVacant(_ i: Int) {
        if values.base[i] == nil { remove(at: i) }
    }

    /// Removes `key`'s entry and returns its value.
    @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? {
        let i = find(key)
        guard i >= 0 else { return nil }
        let value = values.base[i]
        remove(at: i)
        return value
    }

    /// Adds an entry for `key`, which the table does not hold, and returns its slot.
    @discardableResult
    private mutating func insert(_ key: Key, _ value: Value?) -> Int {
        if (count + 1) * 2 > keys.count { grow() }
        var i = home(key)
        while keys[i] != nil { i = (i + 1) & mask }
        keys[i] = key
        uniqueValues()[i] = value
        count += 1
        return i
    }

    /// Empties slot `i` and moves back the entries after it that would no longer be found.
    private mutating func remove(at i: Int) {
        let slots = uniqueValues()
        var hole = i
        var j = i
        while true {
            j = (j + 1) & mask
            guard let key = keys[j] else { break }
            let h = home(key)
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            let stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j)
            if !stays {
                keys[hole] = key
                slots[hole] = slots[j]
                hole = j
            }
        }
        keys[hole] = nil
        slots[hole] = nil
        count -= 1
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = Array(repeating: nil, count: oldKeys.count * 2)
        values = ValueSlots(count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for (n, key) in oldKeys.enumerated() {
            if let key, let value = oldValues.base[n] { insert(key, value) }
        }
    }
}

/// A ``HashTable``'s values: `count` slots and one more, always nil, after them. Shared by copies of
/// the table until one of them changes (copy on write).
private final class ValueSlots<Value> {
    let base: UnsafeMutablePointer<Value?>
    let count: Int

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: count + 1)
        base.initialize(repeating: nil, count: count + 1)
    }

    private init(copying other: ValueSlots) {
        count = other.count
        base = .allocate(capacity: count + 1)
        base.initialize(from: other.base, count: count + 1)
    }

    func copy() -> ValueSlots { ValueSlots(copying: self) }

    deinit {
        base.deinitialize(count: count + 1)
        base.deallocate()
    }
}

// Copies share values only until one changes (`uniqueValues`), and a table is used by one thread at a time.
extension HashTable: @unchecked Sendable where Key: Sendable, Value: Sendable {}

/// Where a ``HashTable``'s last lookup found its key. Shared by copies of the table, which only read
/// it as a hint (each checks the key in its own slot); a table is used by one thread at a time.
private final class RecentSlot: @unchecked Sendable {
    /// Behind a pointer, so that reading and writing it cost no exclusivity check.
    let slot = UnsafeMutablePointer<Int>.allocate(capacity: 1)

    init() { slot.initialize(to: 0) }

    deinit { slot.deallocate() }
}

/// The seed of every ``HashTable`` of the process, drawn once.
private enum HashTableSeed {
    static let value = UInt64.random(in: .min ... .max)
}

/// The 64-bit finalizer of MurmurHash3: every input bit affects every output bit.
@inline(__always)
func mix64(_ x: UInt64) -> UInt64 {
    var x = x
    x ^= x >> 33
    x &*= 0xFF51_AFD7_ED55_8CCD
    x ^= x >> 33
    x &*= 0xC4CE_B9FE_1A85_EC53
    x ^= x >> 33
    return x
}

extension Int: HashTableKey {
    public func hash(seed: UInt64) -> UInt64 { mix64(UInt64(bitPattern: Int64(self)) ^ seed) }
}

extension IPv4Address: HashTableKey {
    public func hash(seed: UInt64) -> UInt64 { mix64(UInt64(rawValue) ^ seed) }
}

extension IPv6Address: HashTableKey {
    public func hash(seed: UInt64) -> UInt64 { mix64(high ^ mix64(low ^ seed)) }
}

extension FourTuple: HashTableKey {
    public func hash(seed: UInt64) -> UInt64 {
        // The remote address's words are swapped in halves, so that each IPv4 address (the low half of
        // its mapped form) keeps a half of its own.
        let low = local6.low ^ (remote6.low << 32 | remote6.low >> 32)
        let high = local6.high ^ (remote6.high << 32 | remote6.high >> 32)
        let ports = UInt64(localPort) << 16 | UInt64(remotePort)
        return mix64(mix64(mix64(low ^ seed) ^ high) ^ ports)
    }
}
