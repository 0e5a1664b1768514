import Foundation
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
}
