import Testing
import Wire

@Suite("A-MSDU subframes")
struct AMSDUTests {
    let a = MACAddress("02:00:00:00:00:01")!, b = MACAddress("02:00:00:00:00:02")!

    func subframe(_ length: Int) -> [UInt8] {
        FrameBuilder.mac(a) + FrameBuilder.mac(b) + [UInt8(length >> 8), UInt8(length & 0xff)] + [UInt8](repeating: 7, count: length)
    }

    @Test("subframes are padded to four bytes except the last")
    func padding() {
        // 14 + 5 = 19 bytes: one byte of padding.
        let bytes = [0xff, 0xff] + subframe(5) + [0] + subframe(3)
        let amsdu = AMSDU(bytes, from: 2, to: bytes.count)
        #expect(amsdu.failure == nil)
        #expect(amsdu.subframes.map(\.offset) == [16, 2 + 20 + 14])
        #expect(amsdu.subframes.map(\.length) == [5, 3])
        #expect(amsdu.subframes.first?.destination == a && amsdu.subframes.first?.source == b)
    }

    @Test("a subframe longer than what is left ends the list, with the reason")
    func truncated() {
        let bytes = subframe(4) + [0, 0] + subframe(10).prefix(20)
        let amsdu = AMSDU(bytes, from: 0, to: bytes.count)
        #expect(amsdu.subframes.count == 1)
        #expect(amsdu.failure == .truncated(layer: .llc, need: 24, have: 20))
        let header = AMSDU(subframe(4) + [0, 0, 1, 2, 3], from: 0, to: 23)
        #expect(header.failure == .truncated(layer: .llc, need: 14, have: 3))
    }

    @Test("zero-length subframes end after 64")
    func bounded() {
        let bytes = [UInt8]((0..<100).flatMap { _ in subframe(2) })
        #expect(AMSDU(bytes, from: 0, to: bytes.count).subframes.count == 64)
    }
}
