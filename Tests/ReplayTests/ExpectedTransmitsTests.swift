@testable import KernelNet
import Testing
import Wire

@Suite("expected transmissions")
struct ExpectedTransmitsTests {
    static func arp(_ n: Int) -> TransmitKind { .arpReply(to: IPv4Address(rawValue: UInt32(0x0A00_0000 + n))) }

    /// The earliest waiting packet of a kind is taken first, and kinds do not mix.
    @Test func earliestOfAKindFirst() {
        var e = ExpectedTransmits(limit: 8)
        e.append(ExpectedTransmit(kind: Self.arp(1), frame: 10))
        e.append(ExpectedTransmit(kind: Self.arp(2), frame: 11))
        e.append(ExpectedTransmit(kind: Self.arp(1), frame: 12))
        #expect(e.take(Self.arp(1))?.frame == 10)
        #expect(e.take(Self.arp(1))?.frame == 12)
        #expect(e.take(Self.arp(1)) == nil)
        #expect(e.take(Self.arp(2))?.frame == 11)
        #expect(e.count == 0)
    }

    /// Beyond the limit the oldest waiting packet is forgotten, whatever its kind, and packets already
    /// taken do not count.
    @Test func oldestForgottenBeyondTheLimit() {
        var e = ExpectedTransmits(limit: 4)
        for n in 0..<6 { e.append(ExpectedTransmit(kind: Self.arp(n), frame: n)) }
        #expect(e.count == 4)
        #expect(e.take(Self.arp(0)) == nil && e.take(Self.arp(1)) == nil)
        #expect(e.take(Self.arp(3))?.frame == 3)
        e.append(ExpectedTransmit(kind: Self.arp(6), frame: 6))
        e.append(ExpectedTransmit(kind: Self.arp(7), frame: 7))
        // Waiting: 2, 4, 5, 6, 7 would be five: 2 goes.
        #expect(e.count == 4)
        #expect(e.take(Self.arp(2)) == nil)
        #expect([4, 5, 6, 7].map { e.take(Self.arp($0))?.frame } == [4, 5, 6, 7])
    }

    /// A kind that always has a packet waiting (acknowledgments a capture never shows, forgotten one by
    /// one as new ones come) keeps a bounded number of entries, not one for every packet ever added.
    @Test func boundedWhenAKindNeverEmpties() {
        var e = ExpectedTransmits(limit: 16)
        for n in 0..<100_000 { e.append(ExpectedTransmit(kind: Self.arp(1), frame: n)) }
        #expect(e.count == 16)
        #expect(e.storedEntries < 16_384, "\(e.storedEntries) entries kept of 100,000 added")
        #expect(e.take(Self.arp(1))?.frame == 100_000 - 16)
    }

    /// Over a long random run of additions and takes it answers as the plain list it replaced did (the
    /// earliest match taken, the oldest removed when full) and holds as many.
    @Test func sameAnswersAsAPlainList() {
        var e = ExpectedTransmits(limit: 16)
        var list: [ExpectedTransmit] = []
        var x: UInt64 = 0x2545_F491_4F6C_DD1D
        for n in 0..<200_000 {
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
            let kind = Self.arp(Int(x % 23))
            if x & 0x100 == 0 {
                if list.count >= 16 { list.removeFirst() }
                list.append(ExpectedTransmit(kind: kind, frame: n))
                e.append(ExpectedTransmit(kind: kind, frame: n))
            } else {
                let expected = list.firstIndex { $0.kind == kind }.map { list.remove(at: $0).frame }
                #expect(e.take(kind)?.frame == expected, "step \(n)")
            }
            #expect(e.count == list.count, "step \(n)")
        }
    }

    /// The packet added last can be marked as looped back, and the mark stays with it.
    @Test func markLastLoopedBack() {
        var e = ExpectedTransmits(limit: 4)
        e.append(ExpectedTransmit(kind: Self.arp(1), frame: 1))
        e.append(ExpectedTransmit(kind: Self.arp(1), frame: 2))
        e.markLastLoopedBack()
        #expect(e.take(Self.arp(1))?.loopedBack == false)
        #expect(e.take(Self.arp(1))?.loopedBack == true)
    }
}
