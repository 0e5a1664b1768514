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
}
