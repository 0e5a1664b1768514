import Testing
import Wire

@Suite("DecimalDigits")
struct DecimalDigitsTests {
    /// Every power of ten and its neighbours, a spread of other values and the extremes are written as
    /// `String(v)` writes them, with as many digits as it has.
    @Test func writesWhatStringWrites() {
        var values: [UInt64] = [0, 1, 7, 42, 255, 65_535, 4_294_967_295, 1_234_567_890_123, .max, .max - 1]
        var p: UInt64 = 1
        for _ in 0..<19 {
            p *= 10
            values += [p - 1, p, p + 1]
        }
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<1000 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            values.append(x >> (x % 60))
        }
        for v in values {
            let digits = DecimalDigits.digitCount(v)
            var out = [UInt8](repeating: 0, count: 24)
            out.withUnsafeMutableBufferPointer { DecimalDigits.write(v, at: $0.baseAddress! + 2, digits: digits) }
            #expect(digits == String(v).count, "\(v)")
            #expect(String(decoding: out[2..<2 + digits], as: UTF8.self) == String(v), "\(v)")
            #expect(out[0..<2].allSatisfy { $0 == 0 } && out[(2 + digits)...].allSatisfy { $0 == 0 }, "\(v) wrote outside its digits")
        }
    }
}
