import Foundation
import KernelNet
import TestSupport

/// The seeds each fuzz target starts from, written by the fuzz binary itself
/// (`PKTPATH_FUZZ_SEEDS=DIR`, see `LLVMFuzzerInitialize`) so that they are made by the code they feed.
/// `Tools/fuzz/run.sh` adds, for `capture` and `frame`, the fixture captures and their frames.
enum FuzzSeeds {
    /// Writes the seeds of `target` into `dir` (created if needed) and returns how many.
    static func write(_ target: FuzzTarget, to dir: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let seeds = self.seeds(target)
        for (name, bytes) in seeds {
            try Data(bytes).write(to: URL(fileURLWithPath: dir).appendingPathComponent(name))
        }
        return seeds.count
    }

    /// The seeds of `target`, by file name.
    static func seeds(_ target: FuzzTarget) -> [(name: String, bytes: [UInt8])] {
        switch target {
        case .capture:
            // Fixtures of a few kinds (TCP, ARP, fragments), as pcapng in every link type.
            ["tcp_handshake", "s_arp", "ping_fragmented"].compactMap(FuzzFixtures.named)
                .flatMap(FuzzFixtures.pcapngCaptures)
        case .frame: []
        case .host:
            FuzzFixtures.all.compactMap { f in
                FileManager.default.contents(atPath: Repository.path("Fixtures/\(f.name).host.json"))
                    .map { ("\(f.name).host.json", [UInt8]($0)) }
            }
        case .set:
            overrideLines.enumerated().map { ("\($0.offset)", Array($0.element.utf8)) }
                + [("all", Array(overrideLines.joined(separator: "\n").utf8))]
        case .diff:
            FuzzFixtures.all.compactMap { f in
                FuzzFixtures.jsonTrace(of: f).map { ("\(f.name).jsonl", Array(firstLines($0, within: maxDiffSeed).utf8)) }
            }
        case .filter:
            filterExpressions.enumerated().map { ("\($0.offset)", Array($0.element.utf8)) }
        }
    }

    /// The most a diff seed holds (`Tools/fuzz/run.sh` gives the diff target this `-max_len`).
    static let maxDiffSeed = 65_536

    /// The whole lines of `text` that fit in `limit` bytes: a long trace cut after a frame, as a trace
    /// cut short is.
    static func firstLines(_ text: String, within limit: Int) -> String {
        var out = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard out.utf8.count + line.utf8.count + 1 <= limit else { break }
            out += line + "\n"
        }
        return out
    }

    /// `--set` lines: the examples of docs/diff-format.md (each backquoted `KEY=VALUE` there), then every
    /// sysctl the model reads, set to 1.
    static var overrideLines: [String] {
        let doc = (try? String(contentsOfFile: Repository.path("docs/diff-format.md"), encoding: .utf8)) ?? ""
        let quoted = doc.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        let examples = quoted.filter { q in
            q.contains("=") && !q.contains(" ") && (q.hasPrefix("net.") || q.hasPrefix("mtu") || q.hasPrefix("neigh"))
        }
        let sysctls = Sysctl.modeled.sorted().map { "\($0)=1" }
            + Sysctl.modeledPerDevice.sorted().map { "net.ipv4.conf.all.\($0)=1" }
        var seen = Set<String>()
        return (examples + sysctls).filter { seen.insert($0).inserted }
    }

    /// pcap-filter expressions of the kinds tcpdump users write: protocols, hosts, nets, ports, byte
    /// offsets, flags, lengths, VLANs, and combinations.
    static let filterExpressions = [
        "tcp", "udp port 53", "icmp", "arp", "ip6", "host 10.77.0.1", "ether host 02:00:00:00:0d:00",
        "net 10.77.0.0/24", "src net 10.0.0.0/8 and dst portrange 1000-2000", "tcp[tcpflags] & tcp-syn != 0",
        "ip[6:2] & 0x1fff != 0", "ip[6] & 0x20 != 0", "len > 100", "greater 64", "less 60", "vlan and ip",
        "not (tcp or udp)", "icmp[icmptype] == icmp-echoreply", "ip proto 17", "ether proto 0x0806",
        "broadcast or multicast", "tcp port 80 and (((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0)",
        "ip6 and tcp", "inbound", "ifname eth0",
    ]
}
