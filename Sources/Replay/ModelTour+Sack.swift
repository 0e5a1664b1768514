import Capture
import Wire

extension ModelTour {
    /// SACK processing of the host's retransmission queue (net/ipv4/tcp_input.c): the host connects, agreeing
    /// on SACK, and sends four segments back to back, one GSO skb from 6.1 (one skb each in the model's
    /// 4.14); the peer's first ACK reports the third segment above a hole (`tcp_sacktag_walk` falls back,
    /// `tcp_match_skb_to_sack` cuts the GSO skb with `tcp_fragment`, `tcp_sacktag_one` tags it), its next one
    /// the fourth too (`tcp_shift_skb_data` moves it into the SACKed skb before: `tcp_shifted_skb`); then
    /// the first segment again, and the ACK of everything.
    static var sackFrames: [CapturedFrame] {
        let rx = FrameBuilder(source: peerMAC, destination: hostMAC)
        let tx = FrameBuilder(source: hostMAC, destination: peerMAC)
        let segment = [UInt8](repeating: 0x75, count: 1000)
        // SACK permitted (RFC 2018: kind 4, length 2) after two no-operations, in a 24-byte header.
        func offeringSACK(_ tcp: [UInt8]) -> [UInt8] {
            var t = Array(tcp[0..<20]) + [1, 1, 4, 2] + Array(tcp[20...])
            t[12] = 6 << 4
            return t
        }
        // An ACK with one SACK block (kind 5, length 10) after two no-operations, in a 32-byte header.
        func sack(_ ack: UInt32, _ start: UInt32, _ end: UInt32) -> [UInt8] {
            var t = FrameBuilder.tcp(8090, 40100, seq: 5001, ack: ack, flags: .ack) + [1, 1, 5, 10]
            for v in [start, end] { t += [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
            t[12] = 8 << 4
            return t
        }
        let list: [[UInt8]] = [
            tx.ipv4(hostIP, peerIP, .tcp, offeringSACK(FrameBuilder.tcp(40100, 8090, seq: 1000, flags: .syn))),
            rx.ipv4(peerIP, hostIP, .tcp, offeringSACK(FrameBuilder.tcp(8090, 40100, seq: 5000, ack: 1001, flags: [.syn, .ack]))),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40100, 8090, seq: 1001, ack: 5001, flags: .ack)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40100, 8090, seq: 1001, ack: 5001, flags: .ack, payload: segment)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40100, 8090, seq: 2001, ack: 5001, flags: .ack, payload: segment)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40100, 8090, seq: 3001, ack: 5001, flags: .ack, payload: segment)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40100, 8090, seq: 4001, ack: 5001, flags: [.ack, .psh], payload: segment)),
            rx.ipv4(peerIP, hostIP, .tcp, sack(1001, 2001, 3001)),
            rx.ipv4(peerIP, hostIP, .tcp, sack(1001, 2001, 4001)),
            tx.ipv4(hostIP, peerIP, .tcp, FrameBuilder.tcp(40100, 8090, seq: 1001, ack: 5001, flags: .ack, payload: segment)),
            rx.ipv4(peerIP, hostIP, .tcp, FrameBuilder.tcp(8090, 40100, seq: 5001, ack: 5001, flags: .ack)),
        ]
        return list.enumerated().map { i, bytes in
            CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_200_000_000_000 + Int64(i) * 1_000, bytes: bytes)
        }
    }
}
