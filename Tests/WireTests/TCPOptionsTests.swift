import Testing
import Wire

@Suite("TCP options")
struct TCPOptionsTests {
    /// A TCP header (ACK) followed by `options`, padded with end-of-list to a multiple of four bytes.
    static func segment(_ options: [UInt8]) -> TCPPacket {
        let padded = options + Array(repeating: 0, count: (4 - options.count % 4) % 4)
        var header = TCPHeader(sourcePort: 1, destinationPort: 2, sequence: 3, acknowledgment: 4, flags: [.ack]).bytes
        header[12] = UInt8((20 + padded.count) / 4) << 4
        return TCPPacket(header + padded, at: 0)!
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

    /// A SACK option of `blocks`.
    static func sack(_ blocks: [(UInt32, UInt32)]) -> [UInt8] {
        [5, UInt8(2 + 8 * blocks.count)] + blocks.flatMap { be32($0.0) + be32($0.1) }
    }

    static let timestamps: [UInt8] = [1, 1, 8, 10] + be32(77) + be32(66)

    @Test func sackBlocksAfterTimestamps() {
        let one = Self.segment(Self.timestamps + [1, 1] + Self.sack([(100, 200)]))
        #expect(one.sackBlocks.map { [$0.start, $0.end] } == [[100, 200]])
        #expect(one.timestampValue == 77)
        #expect(one.timestampEcho == 66)
        let three = Self.segment([1, 1] + Self.sack([(1, 2), (3, 4), (5, 6)]))
        #expect(three.sackBlocks.map { [$0.start, $0.end] } == [[1, 2], [3, 4], [5, 6]])
        #expect(Self.segment(Self.timestamps).sackBlocks.isEmpty)
        #expect(Self.segment([]).sackBlocks.isEmpty)
    }

    /// Of two SACK options the last counts, as tcp_parse_options keeps the last; one whose length is
    /// not 2 plus a multiple of 8 is passed over; an option cut short ends the list.
    @Test func malformedSackOptions() {
        let two = Self.segment(Self.sack([(1, 2)]) + Self.sack([(3, 4), (5, 6)]))
        #expect(two.sackBlocks.map { [$0.start, $0.end] } == [[3, 4], [5, 6]])
        let odd = Self.segment([5, 9] + Array(repeating: 0xee, count: 7) + Self.sack([(7, 8)]))
        #expect(odd.sackBlocks.map { [$0.start, $0.end] } == [[7, 8]])
        let cut = Self.segment([5, 40] + Array(repeating: 0xee, count: 6))
        #expect(cut.sackBlocks.isEmpty)
        let afterEnd = Self.segment([0] + Self.sack([(1, 2)]))
        #expect(afterEnd.sackBlocks.isEmpty)
    }
}
