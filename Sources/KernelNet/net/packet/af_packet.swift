// Mirrors net/packet/af_packet.c (Linux 6.1): the packet socket a capture tool reads from.
import Trace

/// Functions modeled from `net/packet/af_packet.c`.
public enum af_packet: String, KernelSourceFile {
    public static let path = "net/packet/af_packet.c"
    case tpacket_rcv
}

extension Kernel {
    /// Copies a packet into a memory-mapped packet ring (`TPACKET_V3`, as libpcap sets it up for
    /// tcpdump): the capture itself. A looped-back copy (`PACKET_LOOPBACK`) is skipped: the capture
    /// saw the packet leave.
    func tpacket_rcv(_ skb: inout SKBuff) {
        traced(af_packet.tpacket_rcv) {
            if skb.pkt_type == .PACKET_LOOPBACK { tracer.note("looped-back copy: not captured again") }
        }
    }
}
