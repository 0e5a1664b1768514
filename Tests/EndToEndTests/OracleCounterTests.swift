import Capture
import Foundation
import Replay
import Testing
import TestSupport

/// The model's counters under 6.1 and 6.12 against the counters the real 6.1 and 6.12 kernels moved
/// when the shared oracle replayed the same received frames into them (`Fixtures/oracle/<name>/` and
/// `Fixtures/oracle-6.12/<name>/`, each frame's `counters`, summed): every counter, exactly, in the
/// modeled version's own names (6.1 has `IpOutRequests` where 6.12 has `IpOutTransmits` too).
///
/// Only fixtures whose oracle run is the capture's traffic are compared. The oracle replays the
/// received frames alone, into a host without the capture's programs and at its own pace, so for
/// the others the real kernel saw other traffic: `s_arp` (the host's own pings are not received
/// frames), `s_forward` (only one interface's frames), `s_frag` and `s_udp_burst` (timers and rate
/// limits at the oracle's 20 ms spacing), `s_icmp`, `s_udp`, `udp_ports` (sockets the programs held),
/// `s_tcp` and `tcp_handshake` (no listener: the oracle's host answers with resets).
@Suite("the model's counters against the 6.1 and 6.12 oracles")
struct OracleCounterTests {
    static let compared = ["arp_resolution", "bad_ip_checksum", "otherhost", "ping", "ping_fragmented", "s_forward_off",
                           "s_ipopts", "s_martian", "s_rp_filter", "tcp_syn_closed"]
    /// Fixtures with a 6.1 oracle run only (none was made on 6.12).
    static let comparedOn61Only = ["s_frag_mem", "s_frag_timeout"]

    /// The oracle's counters of a run, summed over its frames, under nstat's names (`Ip.InReceives`
    /// is `IpInReceives`).
    static func oracle(_ dir: String, _ name: String) throws -> [String: Int] {
        let text = try String(contentsOfFile: Repository.path("Fixtures/\(dir)/\(name)/oracle.jsonl"), encoding: .utf8)
        var out: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let frame = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for (key, value) in frame["counters"] as? [String: Int] ?? [:] {
                out[key.replacingOccurrences(of: ".", with: ""), default: 0] += value
            }
        }
        return out
    }

    @Test("every counter matches the real 6.1's", arguments: compared + comparedOn61Only)
    func on61(_ name: String) throws {
        try Self.compare(name, oracle: "oracle", kernel: "6.1")
    }

    @Test("every counter matches the real 6.12's", arguments: compared)
    func on612(_ name: String) throws {
        try Self.compare(name, oracle: "oracle-6.12", kernel: "6.12")
    }

    static func compare(_ name: String, oracle dir: String, kernel: String) throws {
        let real = try oracle(dir, name)
        let model = try ReplayCounters.of(name, kernel: kernel)
        #expect(!real.isEmpty)
        for counter in Set(real.keys).union(model.keys).sorted() {
            #expect(model[counter] ?? 0 == real[counter] ?? 0, "\(name) on \(kernel) \(counter): model \(model[counter] ?? 0), kernel \(real[counter] ?? 0)")
        }
    }

    /// The oracle's counters frame by frame: one dictionary per received frame it replayed, in order.
    static func oracleFrames(_ dir: String, _ name: String) throws -> [[String: Int]] {
        let text = try String(contentsOfFile: Repository.path("Fixtures/\(dir)/\(name)/oracle.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let frame = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            var out: [String: Int] = [:]
            for (key, value) in frame["counters"] as? [String: Int] ?? [:] { out[key.replacingOccurrences(of: ".", with: "")] = value }
            return out
        }
    }

    /// The counters the model moved for each received frame, in capture order: what it moved while
    /// receiving the frame plus what it moved sending the frames that answer it (the kernel sends an
    /// answer while it receives, the capture shows it after).
    static func modelFrames(_ name: String, kernel: String) throws -> [[String: Int]] {
        let host = try HostProfile.load(path: Repository.path("Fixtures/\(name).host.json"))
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/\(name).pcap")),
                                        captureName: name, host: host, kernelVersion: kernel)
        var previous: [String: Int] = [:]
        var received: [Int] = []
        var moved: [Int: [String: Int]] = [:]
        _ = try session.run { trace in
            let now = session.kernel.counters
            let owner = trace.direction == .rx ? trace.frame : (trace.causedBy ?? trace.frame)
            if trace.direction == .rx { received.append(trace.frame) }
            for (counter, value) in now where value != previous[counter] ?? 0 {
                moved[owner, default: [:]][counter, default: 0] += value - (previous[counter] ?? 0)
            }
            previous = now
        }
        return received.map { moved[$0] ?? [:] }
    }

    /// Fixtures whose every received frame the oracle replayed in the capture's order, with no timer
    /// between them (a timer's counters fall in whichever frame's window the real timer fired).
    static let comparedByFrame = ["arp_resolution", "bad_ip_checksum", "otherhost", "ping", "ping_fragmented", "s_forward_off",
                                  "s_ipopts", "s_martian", "s_rp_filter", "tcp_syn_closed"]

    /// Frame by frame: each skb counted when the kernel counts it, once, however many frames of the
    /// capture show it.
    @Test("frame by frame, every counter matches the real 6.1's", arguments: comparedByFrame)
    func byFrame61(_ name: String) throws {
        try Self.compareByFrame(name, oracle: "oracle", kernel: "6.1")
    }

    @Test("frame by frame, every counter matches the real 6.12's", arguments: comparedByFrame)
    func byFrame612(_ name: String) throws {
        try Self.compareByFrame(name, oracle: "oracle-6.12", kernel: "6.12")
    }

    static func compareByFrame(_ name: String, oracle dir: String, kernel: String) throws {
        let real = try Self.oracleFrames(dir, name)
        let model = try Self.modelFrames(name, kernel: kernel)
        #expect(model.count == real.count, "\(name): \(model.count) received frames, the oracle replayed \(real.count)")
        for (i, (m, r)) in zip(model, real).enumerated() {
            #expect(m == r, "\(name) on \(kernel), received frame \(i + 1): model \(m.sorted { $0.key < $1.key }), kernel \(r.sorted { $0.key < $1.key })")
        }
    }
}
