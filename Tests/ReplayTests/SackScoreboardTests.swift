@testable import KernelNet
import Testing

/// The retransmission queue as `tcp_sacktag_walk` and `tcp_shift_skb_data` treat it (net/ipv4/tcp_input.c):
/// which SACK blocks shift data between skbs and which fall back to tagging an skb alone.
@Suite("SACK tagging of the retransmission queue")
struct SackScoreboardTests {
    static let mss = 1000

    /// A queue of GSO skbs of `segments` segments each from sequence 0, all sent, none acknowledged.
    static func board(skbs: [Int], canShift: Bool = true, from start: UInt32 = 0) -> TCPSackScoreboard {
        var b = TCPSackScoreboard()
        b.canShift = canShift
        var seq = start
        for segments in skbs {
            for s in 0..<segments {
                b.sent(seq: seq, end: seq + UInt32(mss), fin: false, mss: mss, extending: s > 0)
                seq += UInt32(mss)
            }
        }
        return b
    }

    static func tag(_ b: inout TCPSackScoreboard, _ blocks: [(UInt32, UInt32)], ack: UInt32 = 0, nxt: UInt32) -> TCPSackTagCounts {
        b.sacktag(blocks: blocks.map { (start: $0.0, end: $0.1) }, ack: ack, dsack: false, priorUna: ack, una: ack, nxt: nxt,
                  undoMarker: nil, maxWindow: 65_535)
    }

    /// The first segment SACKed after a hole falls back (the skb before it is not SACKed) and cuts its GSO
    /// skb; the next ACK's longer block shifts one more segment into the SACKed piece, leaving the rest.
    @Test func holeThenGrowingBlockShifts() {
        var b = Self.board(skbs: [2, 4])
        let first = Self.tag(&b, [(2000, 3000)], nxt: 6000)
        #expect(first == TCPSackTagCounts(shiftFallback: 1, shifted: 0, merged: 0))
        #expect(b.queue.map(\.seq) == [0, 2000, 3000])
        let second = Self.tag(&b, [(2000, 4000)], nxt: 6000)
        #expect(second == TCPSackTagCounts(shiftFallback: 0, shifted: 1, merged: 0))
        #expect(b.queue.map(\.seq) == [0, 2000, 4000])
        #expect(b.sackedOut == 2)
        // The same block again walks nothing: the cache of the last ACK's blocks covers it.
        #expect(Self.tag(&b, [(2000, 4000)], nxt: 6000) == TCPSackTagCounts())
    }

    /// One-segment skbs after a SACKed one are merged into it whole.
    @Test func singleSegmentSkbsMerge() {
        var b = Self.board(skbs: [1, 1, 1, 1])
        #expect(Self.tag(&b, [(1000, 2000)], nxt: 4000).shiftFallback == 1)
        let next = Self.tag(&b, [(1000, 3000)], nxt: 4000)
        #expect(next == TCPSackTagCounts(shiftFallback: 0, shifted: 0, merged: 1))
        #expect(b.queue.count == 3)
    }

    /// Without GSO skbs (the model's 4.14) every skb the walk reaches falls back.
    @Test func withoutGSOEverySkbFallsBack() {
        var b = Self.board(skbs: [1, 1, 1, 1], canShift: false)
        #expect(Self.tag(&b, [(1000, 2000)], nxt: 4000).shiftFallback == 1)
        #expect(Self.tag(&b, [(1000, 3000)], nxt: 4000) == TCPSackTagCounts(shiftFallback: 1, shifted: 0, merged: 0))
    }

    /// A D-SACK of data the same ACK acknowledged reaches an skb at or below `snd_una`: it falls back.
    @Test func dsackBelowSndUnaFallsBack() {
        var b = Self.board(skbs: [1, 1], from: 1000)
        b.retransmitted(seq: 1000, end: 2000)
        let counts = b.sacktag(blocks: [(start: 1000, end: 2000)], ack: 3000, dsack: true, priorUna: 1000, una: 3000, nxt: 3000,
                               undoMarker: 1000, maxWindow: 65_535)
        #expect(counts == TCPSackTagCounts(shiftFallback: 1, shifted: 0, merged: 0))
        // Without a recovery under way (no undo_marker) the D-SACK is not valid and walks nothing.
        var c = Self.board(skbs: [1, 1], from: 1000)
        let none = c.sacktag(blocks: [(start: 1000, end: 2000)], ack: 3000, dsack: true, priorUna: 1000, una: 3000, nxt: 3000,
                             undoMarker: nil, maxWindow: 65_535)
        #expect(none == TCPSackTagCounts())
    }

    /// Acknowledged skbs leave the queue; a GSO skb acknowledged in part keeps its unacknowledged segments.
    @Test func acknowledgedTrimsTheQueue() {
        var b = Self.board(skbs: [2, 3])
        b.acknowledged(to: 3000)
        #expect(b.queue.count == 1)
        #expect(b.queue[0].seq == 3000 && b.queue[0].pcount == 2)
    }
}
