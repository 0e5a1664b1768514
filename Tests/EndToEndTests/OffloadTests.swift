import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace

/// Captures taken with offloads on (`Fixtures/offload_*`): frames over the MTU are GSO packets and
/// GRO aggregates, not drops, and partial checksums are offload, checked against what the capturing
/// kernel (Linux 6.18) reported through tracefs (`Fixtures/truth/offload_*.events.txt`).
@Suite("offload artifacts: GSO, GRO, partial checksums")
struct OffloadTests {
    /// Replays `Fixtures/<capture>.pcap` on the host of `Fixtures/<host>.host.json`, its captured
    /// interface driven by `driver` when given.
    static func traces(_ capture: String, host hostName: String, driver: String? = nil,
                       kernel: String = "6.12") throws -> [PacketTrace] {
        var host = try HostProfile.load(path: Repository.path("Fixtures/\(hostName).host.json"))
        if let driver { host.interfaces[0].driver = driver }
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/\(capture).pcap")),
                                        captureName: capture, host: host, kernelVersion: kernel)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    /// The traces of frames longer than the 1500-byte MTU plus the Ethernet header.
    static func oversize(_ traces: [PacketTrace]) -> [PacketTrace] { traces.filter { $0.length > 1514 } }

    static func notes(_ trace: PacketTrace) -> [String] {
        trace.events.compactMap { if case let .note(text, _) = $0 { text } else { nil } }
    }

    /// The segment count the model gives a GSO packet, read from its notes.
    static func segments(_ trace: PacketTrace) -> Int? {
        for note in notes(trace) {
            guard let range = note.range(of: #"(GSO packet|GRO aggregate): \d+"#, options: .regularExpression) else { continue }
            return Int(note[range].split(separator: " ").last ?? "")
        }
        return nil
    }

    static func truthLines(_ name: String) throws -> [Substring] {
        try String(contentsOfFile: Repository.path("Fixtures/truth/\(name).events.txt"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
    }

    static func field(_ line: Substring, _ name: String) -> Int? {
        guard let r = line.range(of: " \(name)=") else { return nil }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }

    /// gso_segs of each TSO packet the sender's veth started to transmit (net_dev_start_xmit).
    static func truthTSOSegments() throws -> [Int] {
        try truthLines("offload_tso").filter { $0.contains("net_dev_start_xmit: dev=veth-peer") }
            .compactMap { line in field(line, "gso_size").flatMap { $0 > 0 ? field(line, "gso_segs") : nil } }
    }

    /// How many wire segments GRO took in (napi_gro_receive_entry with paged data) before each
    /// aggregate that went up the stack (netif_receive_skb longer than the MTU).
    static func truthGROSegments(_ name: String = "offload_gro") throws -> [Int] {
        var out: [Int] = []
        var count = 0
        for line in try truthLines(name) where line.contains("dev=veth-dut") {
            if line.contains("napi_gro_receive_entry:"), (field(line, "data_len") ?? 0) > 0 { count += 1 }
            if line.contains("netif_receive_skb:"), (field(line, "len") ?? 0) > 1500 {
                out.append(count)
                count = 0
            }
        }
        return out
    }

    @Test("received TSO packets cross the veth whole: delivered, with the sender's segment counts")
    func receivedTSO() throws {
        let big = Self.oversize(try Self.traces("offload_tso_rx", host: "offload_tso_rx"))
        #expect(big.count == 4)
        for t in big {
            #expect(t.verdict == .deliver)
            #expect(t.dropReason == nil)
            #expect(t.functions.contains("__dev_forward_skb2"))
            #expect(t.functions.contains("tcp_rcv_established"))
            #expect(!t.functions.contains("dev_gro_receive"))
        }
        #expect(big.map { Self.segments($0) } == (try Self.truthTSOSegments()))
    }

    @Test("sent TSO packets go out unfragmented, segmented below the tap, checksum left to the device")
    func sentTSO() throws {
        let all = try Self.traces("offload_tso_tx", host: "offload_tso_tx")
        let big = Self.oversize(all)
        #expect(big.count == 4)
        for t in big {
            #expect(t.verdict == .transmit)
            #expect(t.functions.contains("ip_finish_output_gso"))
            #expect(t.functions.contains("validate_xmit_skb"))
            #expect(!t.functions.contains("ip_fragment"))
            #expect(!t.functions.contains("icmp_send"))
            #expect(Self.notes(t).contains { $0.contains("the device has TSO") })
        }
        #expect(big.map { Self.segments($0) } == (try Self.truthTSOSegments()))
        // Every frame the host sent carries a partial checksum (tcpdump -vv: "incorrect").
        for t in all where t.direction == .tx {
            #expect(Self.notes(t).contains { $0.hasPrefix("CHECKSUM_PARTIAL: checksum offload") }, "frame \(t.frame)")
        }
    }

    @Test("a GRO aggregate on a NAPI driver shows the merge and one pass up the stack")
    func groAggregate() throws {
        let big = Self.oversize(try Self.traces("offload_gro_rx", host: "offload_tso_rx", driver: "iwlwifi"))
        #expect(big.count == 4)
        let merge = ["napi_gro_receive", "dev_gro_receive", "inet_gro_receive", "tcp4_gro_receive", "tcp_gro_receive",
                     "skb_gro_receive", "napi_gro_complete", "inet_gro_complete", "tcp4_gro_complete",
                     "tcp_gro_complete"]
        for t in big {
            #expect(t.verdict == .deliver)
            #expect(Array(t.functions.filter(merge.contains).prefix(merge.count)) == merge)
            #expect(t.functions.filter { $0 == "tcp_v4_rcv" }.count == 1)
            // GRO left CHECKSUM_PARTIAL: TCP does not complete the checksum again.
            #expect(!t.functions.contains("__skb_checksum_complete"))
        }
        #expect(big.map { Self.segments($0) } == (try Self.truthGROSegments()))
    }

    @Test("a GRO aggregate of TCP over IPv6 merges through ipv6_gro_receive and tcp6_gro_receive",
          arguments: ["6.1", "6.12"])
    func groAggregate6(kernel: String) throws {
        let all = try Self.traces("offload_gro6_rx", host: "offload_gro6_rx", driver: "iwlwifi", kernel: kernel)
        let big = Self.oversize(all)
        #expect(big.count == 4)
        let merge = ["napi_gro_receive", "dev_gro_receive", "ipv6_gro_receive", "tcp6_gro_receive", "tcp_gro_receive",
                     "skb_gro_receive", "napi_gro_complete", "ipv6_gro_complete", "tcp6_gro_complete",
                     "tcp_gro_complete"]
        for t in big {
            #expect(t.verdict == .deliver)
            #expect(Array(t.functions.filter(merge.contains).prefix(merge.count)) == merge)
            #expect(!t.functions.contains("inet_gro_receive"))
            #expect(t.functions.filter { $0 == "tcp_v6_rcv" }.count == 1)
            #expect(!t.functions.contains("__skb_checksum_complete"))
            #expect(!t.events.contains { if case .notModeled = $0 { true } else { false } })
        }
        #expect(big.map { Self.segments($0) } == (try Self.truthGROSegments("offload_gro6")))
        // Frames at or under the MTU are not GSO: GRO passes them on (GRO_NORMAL), as the truth's
        // napi_gro_receive_entry with no paged data shows for every one of them.
        for t in all where t.direction == .rx && t.length <= 1514 {
            #expect(!t.functions.contains("ipv6_gro_receive"), "frame \(t.frame)")
        }
    }

    @Test("4.14 says GRO merging is not modeled and delivers the aggregate")
    func groAggregate4_14() throws {
        for (capture, host) in [("offload_gro_rx", "offload_tso_rx"), ("offload_gro6_rx", "offload_gro6_rx")] {
            let big = Self.oversize(try Self.traces(capture, host: host, driver: "iwlwifi", kernel: "4.14"))
            #expect(big.count == 4, "\(capture)")
            for t in big {
                #expect(t.verdict == .deliver)
                #expect(!t.functions.contains("tcp_gro_receive"))
                #expect(t.events.contains { if case let .notModeled(text, _) = $0 { text.hasPrefix("GRO merging") } else { false } })
            }
        }
    }

    @Test("a partial checksum is trusted only where the sender's skb crosses (veth), else verified")
    func partialChecksumOnReceive() throws {
        let veth = try Self.traces("offload_tso_rx", host: "offload_tso_rx")[0]
        let wifi = try Self.traces("offload_tso_rx", host: "offload_tso_rx", driver: "iwlwifi")[0]
        #expect(veth.summary.contains("[S]"))
        #expect(!veth.functions.contains("__skb_checksum_complete"))
        #expect(wifi.functions.contains("__skb_checksum_complete"))
    }
}
