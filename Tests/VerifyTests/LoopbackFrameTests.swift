import Testing
import Wire
@testable import Verify

/// Frames of a `lo` capture made ready to send into `lo`: TCP/UDP checksums completed.
@Suite("loopback frames")
struct LoopbackFrameTests {
    /// Ethernet (zero MACs) + IPv4 127.0.0.1 → 127.0.0.1 + `transport`, with `flags` in the fragment field.
    static func frame(_ proto: UInt8, _ transport: [UInt8], fragment: UInt16 = 0) -> [UInt8] {
        let total = 20 + transport.count
        return [UInt8](repeating: 0, count: 12) + [0x08, 0x00]
            + [0x45, 0, UInt8(total >> 8), UInt8(total & 0xff), 0, 1, UInt8(fragment >> 8), UInt8(fragment & 0xff), 64, proto, 0, 0,
               127, 0, 0, 1, 127, 0, 0, 1] + transport
    }

    /// Whether the transport checksum of `frame` (from `frame`) verifies.
    static func verifies(_ frame: [UInt8], _ proto: IPProtocol) -> Bool {
        let t = Array(frame[34...])
        let sum = Checksum.pseudoHeader(source: IPv4Address(frame, at: 26), destination: IPv4Address(frame, at: 30),
                                        protocol: proto, length: t.count)
        return Checksum.fold(Checksum.add(t, start: 0, length: t.count, to: sum)) == 0xffff
    }

    @Test("an unfinished UDP or TCP checksum is completed; the rest of the frame is kept")
    func completes() {
        let udp = Self.frame(17, [0xdf, 0x38, 0x27, 0x0f, 0, 9, 0xfe, 0x2d, 0x41])
        let done = LoopbackFrame.completingChecksum(udp)
        #expect(!Self.verifies(udp, .udp))
        #expect(Self.verifies(done, .udp))
        #expect(done.count == udp.count && Array(done[..<34]) == Array(udp[..<34]) && done[42] == 0x41)
        let tcp = Self.frame(6, [0x8d, 0x26, 0x1f, 0x90, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0xfe, 0x30, 0, 0])
        #expect(Self.verifies(LoopbackFrame.completingChecksum(tcp), .tcp))
    }

    @Test("fragments, other protocols, short and non-IPv4 frames pass as they are")
    func leaves() {
        let fragment = Self.frame(17, [0, 1, 0, 2, 0, 9, 0, 0, 0x41], fragment: 0x2000)
        #expect(LoopbackFrame.completingChecksum(fragment) == fragment)
        let icmp = Self.frame(1, [8, 0, 0, 0, 0, 1, 0, 1])
        #expect(LoopbackFrame.completingChecksum(icmp) == icmp)
        let cut = Array(Self.frame(17, [0, 1, 0, 2, 0, 9, 0, 0, 0x41]).prefix(40))
        #expect(LoopbackFrame.completingChecksum(cut) == cut)
        let arp = [UInt8](repeating: 0, count: 12) + [0x08, 0x06] + [UInt8](repeating: 0, count: 28)
        #expect(LoopbackFrame.completingChecksum(arp) == arp)
    }
}
