import Capture
import Trace
import Wire

/// A frame of the capture as the import matches it: where it stands, when, its length and content,
/// and how `pktpath trace` describes it (direction, device, summary), so that the imported trace pairs
/// with the model's frame by frame.
public struct CaptureFrame: Sendable {
    public var frame: Int
    public var time: Int64
    public var length: Int
    public var capturedLength: Int
    public var direction: Direction
    public var device: String
    public var summary: String
    /// Length from the network header on, as `skb->len` is once the link-layer header is pulled.
    public var networkLength: Int?
    /// The bytes from the Ethernet header on (nil for frames captured without one).
    public var ethernetBytes: [UInt8]?
    /// The IPv4 flow, with ports for TCP and UDP (nil for other frames and fragments after the first).
    public var tuple: PacketTuple?

    /// The frame `captured`, described as `trace` (the model's replay of it) describes it.
    public init(_ trace: PacketTrace, captured: CapturedFrame, encapsulation: LinkEncapsulation) {
        frame = trace.frame
        time = trace.timeNanoseconds
        length = trace.length
        capturedLength = trace.capturedLength
        direction = trace.direction
        device = trace.device
        summary = trace.summary
        let link = LinkHeader(captured.bytes, encapsulation: encapsulation)
        let offset = link.failure == nil ? link.networkOffset : nil
        networkLength = offset.map { captured.originalLength - $0 }
        ethernetBytes = link.macOffset.map { Array(captured.bytes[$0...]) }
        if let offset, link.etherType == .ipv4, let ip = IPv4Packet(captured.bytes, at: offset), ip.headerIsCaptured {
            var sport = 0
            var dport = 0
            if ip.fragmentOffset == 0, ip.proto == .tcp || ip.proto == .udp, captured.bytes.count >= ip.payloadOffset + 4 {
                sport = Int(captured.bytes[ip.payloadOffset]) << 8 | Int(captured.bytes[ip.payloadOffset + 1])
                dport = Int(captured.bytes[ip.payloadOffset + 2]) << 8 | Int(captured.bytes[ip.payloadOffset + 3])
            }
            tuple = PacketTuple(source: ip.source.description, destination: ip.destination.description,
                                sourcePort: sport, destinationPort: dport, proto: Int(ip.proto.rawValue))
        }
    }

    /// Whether `packet` may be this frame by what the tracer recorded of it: its bytes (as far as
    /// both have them), its tuple, and one of its lengths.
    func fits(_ packet: TracedPacket) -> Bool {
        if let bytes = packet.bytes {
            guard let mine = ethernetBytes else { return false }
            let n = min(bytes.count, mine.count)
            guard n >= EthernetPacket.headerLength, bytes.prefix(n) == mine.prefix(n) else { return false }
        }
        if let tuple = packet.tuple, tuple != self.tuple { return false }
        if packet.frameLengths.isEmpty, packet.networkLengths.isEmpty { return packet.bytes != nil || packet.tuple != nil }
        return packet.frameLengths.contains(length) || networkLength.map(packet.networkLengths.contains) == true
    }
}
