import KernelNet
import Testing
import Wire

@Suite("HashTable")
struct HashTableTests {
    /// Over a long random run of inserts, updates, in-place changes and removals on few keys (so that runs
    /// of full slots form and removals move entries back), it holds what a Dictionary holds.
    @Test func sameContentsAsADictionary() {
        var table = HashTable<IPv4Address, Int>()
        var reference: [IPv4Address: Int] = [:]
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for step in 0..<300_000 {
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
            let key = IPv4Address(rawValue: UInt32(x % 2_000) &* 2_654_435_761)
            switch x >> 60 {
            case 0...5:
                table[key] = step
                reference[key] = step
            case 6...7:
                table[key, default: 0] += 1
                reference[key, default: 0] += 1
            case 8...9:
                table[key]? -= 1
                reference[key]? -= 1
            default:
                #expect(table.removeValue(forKey: key) == reference.removeValue(forKey: key), "step \(step)")
            }
            #expect(table.count == reference.count, "step \(step)")
        }
        for (key, value) in reference { #expect(table[key] == value) }
        for k in 0..<2_000 {
            let key = IPv4Address(rawValue: UInt32(k) &* 2_654_435_761)
            #expect(table[key] == reference[key])
        }
    }

    /// A lookup first tries the slot where the last one found its key. Looking one key up, then changing
    /// the table (inserts that make it grow, removals that move entries back), then looking the key up
    /// again finds it where it is now, or nothing once it is gone; so does a copy of the table changed
    /// apart from the original, which shares the hint.
    @Test func lookupAfterTheTableChanged() {
        let keys = (0..<600).map { IPv4Address(rawValue: UInt32($0) &* 2_654_435_761) }
        var table = HashTable<IPv4Address, Int>()
        var reference: [IPv4Address: Int] = [:]
        var x: UInt64 = 0x2545_F491_4F6C_DD1D
        for step in 0..<100_000 {
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
            let watched = keys[Int(x % 600)]
            let changed = keys[Int((x >> 20) % 600)]
            #expect(table[watched] == reference[watched], "step \(step)")
            if (x >> 40) % 3 == 0 {
                #expect(table.removeValue(forKey: changed) == reference.removeValue(forKey: changed), "step \(step)")
            } else {
                table[changed] = step
                reference[changed] = step
            }
            #expect(table[watched] == reference[watched], "step \(step)")
        }
        var copy = table
        var copyReference = reference
        for (i, key) in keys.enumerated() {
            #expect(table[key] == reference[key])
            if i % 2 == 0 {
                copy.removeValue(forKey: key)
                copyReference.removeValue(forKey: key)
            }
            #expect(copy[key] == copyReference[key])
        }
        for k in 600..<5_000 {
            let key = IPv4Address(rawValue: UInt32(k) &* 2_654_435_761)
            copy[key] = k
            copyReference[key] = k
            #expect(table[keys[k % 600]] == reference[keys[k % 600]])
            #expect(copy[key] == k)
        }
        for key in keys {
            #expect(table[key] == reference[key])
            #expect(copy[key] == copyReference[key])
        }
        #expect(copy.count == copyReference.count)
    }

    /// Entries are changed where they are stored: a change through a missing key (`table[k]?.x = ...`)
    /// adds nothing, one that sets nil removes the entry, and a copy changed in place (values holding
    /// a reference-counted array) leaves the original as it was.
    @Test func changesInPlaceAndCopies() {
        struct Entry: Equatable { var n: Int; var list: [Int] }
        var table = HashTable<IPv4Address, Entry>()
        let keys = (0..<100).map { IPv4Address(rawValue: UInt32($0) &* 2_654_435_761) }
        for (i, key) in keys.enumerated() where i % 2 == 0 { table[key] = Entry(n: i, list: [i]) }
        for (i, key) in keys.enumerated() {
            table[key]?.n += 1000
            table[key]?.list.append(i)
        }
        #expect(table.count == 50)
        for (i, key) in keys.enumerated() {
            #expect(table[key] == (i % 2 == 0 ? Entry(n: i + 1000, list: [i, i]) : nil))
        }
        let original = table
        for (i, key) in keys.enumerated() {
            if i % 4 == 0 { table[key] = nil } else { table[key, default: Entry(n: -1, list: [])].list.append(-i) }
        }
        #expect(table.count == 75)
        #expect(original.count == 50)
        for (i, key) in keys.enumerated() {
            #expect(original[key] == (i % 2 == 0 ? Entry(n: i + 1000, list: [i, i]) : nil))
            let expected: Entry? = switch i % 4 {
            case 0: nil
            case 2: Entry(n: i + 1000, list: [i, i, -i])
            default: Entry(n: -1, list: [-i])
            }
            #expect(table[key] == expected)
        }
    }
}
