import Trace

/// A recorded trace turned into pktpath's traces: one per frame of the capture, with the path the
/// tool saw for the packet paired with it, and what could not be paired.
public struct ImportResult: Sendable {
    /// One trace per frame, in capture order. A frame no packet was paired with has verdict
    /// `unknown`, no calls and a `not_modeled` event saying the tracer recorded nothing for it.
    public var traces: [PacketTrace]
    /// The packets paired with no frame: each skb as the tool printed it, the input line where it
    /// was first seen, and why.
    public var unmatchedPackets: [(skb: String, line: Int, why: String)]
    /// Frames no packet was paired with.
    public var unmatchedFrames: [Int]

    /// How many frames were paired with a packet.
    public var matched: Int { traces.count - unmatchedFrames.count }
}

/// Builds the traces of an import: pairs packets and frames, keeps of each packet the part on the
/// capturing host, and reads the verdict off the records.
public enum Importer {
    /// The note of a frame the tool recorded nothing for.
    public static let notRecorded = "the tracer recorded no packet for this frame"
    /// Why a packet with nothing to tell it by was paired with no frame.
    public static let unidentifiable = "with no device, length, bytes or addresses recorded to tell them by"

    public static func run(packets: [TracedPacket], frames: [CaptureFrame]) -> ImportResult {
        let matcher = FrameMatcher(frames)
        let pairs = matcher.match(packets)
        var byFrame = [Int?](repeating: nil, count: frames.count)
        var unmatched: [(String, Int, String)] = []
        for (i, f) in pairs.enumerated() {
            if let f {
                byFrame[f] = i
            } else {
                let p = packets[i]
                let why = !p.isIdentifiable ? unidentifiable
                    : matcher.anyFits(p) ? "every frame it fits is taken, or too far in time"
                    : "fits no frame of the capture"
                unmatched.append((p.skb, p.line, why))
            }
        }
        var traces: [PacketTrace] = []
        var unmatchedFrames: [Int] = []
        for (f, frame) in frames.enumerated() {
            var trace = PacketTrace(frame: frame.frame, timeNanoseconds: frame.time, length: frame.length,
                                    capturedLength: frame.capturedLength, direction: frame.direction,
                                    device: frame.device, summary: frame.summary)
            if let i = byFrame[f] {
                fill(&trace, from: onHost(packets[i].records, direction: frame.direction))
            } else {
                unmatchedFrames.append(frame.frame)
                trace.events = [.notModeled(notRecorded, depth: 0)]
            }
            traces.append(trace)
        }
        return ImportResult(traces: traces, unmatchedPackets: unmatched, unmatchedFrames: unmatchedFrames)
    }

    /// The records of the packet's time on the capturing host. It ends where a device on the other
    /// side receives the packet: for a frame the host sent, the first receive after it was handed to a
    /// device; for a frame it received, the first receive after it was received and then handed to a
    /// device again (a forward). A frame the host received may come with its sending side (a veth
    /// pair's peer on the same machine), which is kept.
    static func onHost(_ records: [TracedPacket.Record], direction: Direction) -> ArraySlice<TracedPacket.Record> {
        var received = direction == .tx
        var sent = false
        for (i, r) in records.enumerated() {
            switch r {
            case .receive where sent: return records[..<i]
            case .receive: received = true
            case .transmit where received: sent = true
            default: break
            }
        }
        return records[...]
    }

    /// The protocols' receive handlers, and the protocol a verdict names for each (the model's `proto`).
    static let handlers: [String: String] = [
        "tcp_v4_rcv": "tcp", "tcp_v6_rcv": "tcp", "udp_rcv": "udp", "__udp4_lib_rcv": "udp", "udpv6_rcv": "udp",
        "__udp6_lib_rcv": "udp", "icmp_rcv": "icmp", "icmpv6_rcv": "icmpv6", "arp_rcv": "arp", "raw_rcv": "raw",
    ]

    /// The protocol a packet freed in `function` had reached: its handler's, by name or by the prefix
    /// of the handler's family (a drop in `tcp_validate_incoming` is TCP's, a consume in `ping_rcv`
    /// ICMP's).
    static func proto(freedIn function: String) -> String? {
        if let proto = handlers[function] { return proto }
        let families: [(prefix: String, proto: String)] = [
            ("tcp_", "tcp"), ("udp_", "udp"), ("__udp", "udp"), ("udpv6_", "udp"), ("icmpv6_", "icmpv6"),
            ("icmp_", "icmp"), ("ping_", "icmp"), ("arp_", "arp"), ("raw_", "raw"),
        ]
        return families.first { function.hasPrefix($0.prefix) }?.proto
    }

    /// Sets the trace's path and verdict from the records: calls as they were seen (depths from the
    /// shallowest call, or 0 where the tool records none), the drop where `kfree_skb` reported one.
    /// The verdict: `drop` where one was recorded; `transmit` for a frame the host sent; `forward` for
    /// a received frame that a device was then handed; `deliver` when the tool saw the packet reach a
    /// protocol's handler (a call of it, or a consume inside its family); otherwise `unknown` with a
    /// note (the tool saw no more). `proto` is set, as the model sets it, once the handler was reached.
    static func fill(_ trace: inout PacketTrace, from records: ArraySlice<TracedPacket.Record>) {
        let base = records.compactMap { if case let .call(_, d?) = $0 { d } else { nil } }.min() ?? 0
        var events: [TraceEvent] = []
        var depth = 0
        var proto: String?
        var received = false
        var forwarded = false
        for r in records {
            switch r {
            case let .call(name, d):
                depth = (d ?? base) - base
                events.append(.call(KernelSymbol(function: name, file: ""), depth: depth, inline: false))
                proto = proto ?? handlers[name]
            case let .drop(reason, function):
                trace.verdict = .drop
                trace.dropReason = reason
                trace.dropFunction = function
                proto = proto ?? function.flatMap(Self.proto(freedIn:))
                events.append(.drop(reason: reason, function: KernelSymbol(function: function ?? "", file: ""),
                                     depth: events.isEmpty ? 0 : depth + 1))
            case .receive: received = true
            case .transmit: forwarded = forwarded || received
            case let .consume(function): proto = proto ?? function.flatMap(Self.proto(freedIn:))
            }
        }
        trace.proto = proto
        if trace.verdict != .drop {
            trace.proto = nil
            if trace.direction == .tx {
                trace.verdict = .transmit
            } else if forwarded {
                trace.verdict = .forward
            } else if let proto {
                trace.verdict = .deliver
                trace.proto = proto
            } else {
                events.append(.notModeled("the tracer recorded no drop, transmit or protocol handler for this packet", depth: 0))
            }
        }
        trace.events = TraceEvents(events)
    }
}
