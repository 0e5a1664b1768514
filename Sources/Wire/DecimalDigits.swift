/// Integers in decimal, written straight into memory: the one formatter behind every number pktpath
/// writes (frame summaries, traces), two digits per step from a table.
public enum DecimalDigits {
    /// "00" to "99", two ASCII digits each.
    private static let pairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// The number of digits of `v` in decimal.
    @inline(__always)
    public static func digitCount(_ v: UInt64) -> Int {
        var n = v
        var count = 1
        while n >= 100 {
            n /= 100
            count += 2
        }
        return n >= 10 ? count + 1 : count
    }

    /// Writes the ``digitCount(_:)`` digits of `v` at `start`.
    @inline(__always)
    public static func write(_ v: UInt64, at start: UnsafeMutablePointer<UInt8>, digits: Int) {
        let table = pairs.utf8Start
        var p = start + digits
        var n = v
        while n >= 100 {
            let r = Int(truncatingIfNeeded: n % 100)
            n /= 100
            p -= 2
            p[0] = table[2 * r]
            p[1] = table[2 * r + 1]
        }
        if n >= 10 {
            let r = Int(truncatingIfNeeded: n)
            p[-2] = table[2 * r]
            p[-1] = table[2 * r + 1]
        } else {
            p[-1] = UInt8(truncatingIfNeeded: n) &+ 0x30
        }
    }
}
