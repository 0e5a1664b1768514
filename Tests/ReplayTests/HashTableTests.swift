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
}
