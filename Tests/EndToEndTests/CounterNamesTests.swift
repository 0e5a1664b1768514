import Capture
import Foundation
import KernelNet
import Replay
import Testing
import TestSupport

/// Counter names as `nstat` prints them: every name the model can move is a counter of the MIB tables
/// of net/ipv4/proc.c (`proc_c`, listed per version from the 4.14, 6.1 and 6.12 trees), and every
/// name a replay moves exists in the version replayed.
@Suite("counter names against each version's MIB tables")
struct CounterNamesTests {
    /// The counter names written in the model's sources: string literals that start like an `nstat`
    /// name, without the table file itself and the prefixes the ICMP per-type names are built from.
    static let sourceNames: [String] = {
        let prefixes = ["IcmpMsg", "IpExt", "TcpExt", "UdpLite6", "UdpLite", "Icmp6", "Icmp", "Ip6", "Ip", "Tcp", "Udp6", "Udp"]
        let builders: Set<String> = ["IcmpMsgInType", "IcmpMsgOutType", "IpExt", "TcpExt", "UdpLite", "Icmp6InType",
                                     "Icmp6OutType"]
        var out: Set<String> = []
        let root = Repository.path("Sources")
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasPrefix("Kernel") && file.hasSuffix(".swift")
            && !file.hasSuffix("net/ipv4/proc.swift") && !file.hasSuffix("net/ipv6/proc6.swift") {
            guard let text = try? String(contentsOfFile: root + "/" + file, encoding: .utf8) else { continue }
            for piece in text.split(separator: "\"").enumerated() where piece.offset % 2 == 1 {
                let literal = String(piece.element)
                guard literal.allSatisfy({ $0.isLetter || $0.isNumber }), !builders.contains(literal),
                      let prefix = prefixes.first(where: { literal.hasPrefix($0) }),
                      literal.dropFirst(prefix.count).first?.isUppercase == true else { continue }
                out.insert(literal)
            }
        }
        return out.sorted()
    }()

    @Test("the model's sources name counters")
    func sourcesScanned() {
        // The scan finds the counters of ip_input, tcp_ipv4, udp, icmp: a scan that finds none is broken.
        for name in ["IpInReceives", "TcpInSegs", "UdpNoPorts", "IcmpInMsgs", "TcpExtListenDrops"] {
            #expect(Self.sourceNames.contains(name), "\(name)")
        }
    }

    @Test("every counter name in the model is one that nstat prints for some version")
    func namesExist() {
        for name in Self.sourceNames {
            #expect(KernelVersion.allCases.contains { proc_c.isCounter(name, in: $0) }, "\(name) is in no version's MIB tables")
        }
    }

    /// Names the issue found printed under names nstat never prints.
    @Test("names nstat never prints are not produced", arguments: ["IpInNoRoutes", "IpInTruncatedPkts", "IpInCsumErrors"])
    func wrongNames(_ name: String) {
        #expect(!Self.sourceNames.contains(name))
        #expect(!KernelVersion.allCases.contains { proc_c.isCounter(name, in: $0) })
    }

    /// Every fixture replayed on every version: each counter the replay moved exists in that version
    /// (`IpOutTransmits` only on 6.12, `IcmpOutRateLimitHost` not on 4.14).
    @Test("every counter a replay moves exists in the version replayed", arguments: KernelVersion.allCases)
    func replayedNames(_ version: KernelVersion) throws {
        var seen: Set<String> = []
        for name in GoldenTraceTests.fixtures {
            let counters = try ReplayCounters.of(name, kernel: version.rawValue)
            for counter in counters.keys where !proc_c.isCounter(counter, in: version) {
                Issue.record("\(name) on \(version.rawValue): \(counter) is not a counter of that version")
            }
            seen.formUnion(counters.keys)
        }
        #expect(seen.contains("IpInReceives"))
        #expect(seen.contains("IpOutTransmits") == (version == .v6_12))
    }

    @Test("the version differences of the Ip table")
    func ipTable() {
        #expect(proc_c.isCounter("IpOutTransmits", in: .v6_12))
        #expect(!proc_c.isCounter("IpOutTransmits", in: .v6_1))
        #expect(!proc_c.isCounter("IpOutTransmits", in: .v4_14))
        #expect(proc_c.isCounter("IcmpOutRateLimitHost", in: .v6_1))
        #expect(!proc_c.isCounter("IcmpOutRateLimitHost", in: .v4_14))
        #expect(proc_c.isCounter("TcpExtTCPFACKReorder", in: .v4_14))
        #expect(!proc_c.isCounter("TcpExtTCPFACKReorder", in: .v6_1))
        #expect(proc_c.isCounter("TcpExtTCPDelivered", in: .v6_1))
        #expect(!proc_c.isCounter("TcpExtTCPDelivered", in: .v4_14))
        #expect(!proc_c.isCounter("TcpCurrEstab", in: .v6_12), "a gauge nstat leaves out")
        #expect(proc_c.isCounter("IcmpMsgOutType3", in: .v4_14))
        #expect(!proc_c.isCounter("IcmpMsgOutType256", in: .v6_12))
        #expect(proc_c.isCounter("Ip6OutTransmits", in: .v6_12))
        #expect(!proc_c.isCounter("Ip6OutTransmits", in: .v6_1))
        #expect(!proc_c.isCounter("Icmp6OutRateLimitHost", in: .v4_14))
        #expect(proc_c.isCounter("Icmp6OutType135", in: .v4_14))
    }

    /// The order `nstat -az` printed on the capturing kernel (6.18, `truth/nstat-names.txt`): 6.12's
    /// names come in the same order, a subsequence of 6.18's (6.18 only adds names), and
    /// `nstatOrder` sorts a shuffled copy back into it.
    @Test("nstat's order, as the capturing kernel printed it")
    func order() throws {
        let text = try String(contentsOfFile: Repository.path("Fixtures/truth/nstat-names.txt"), encoding: .utf8)
        let real = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
            .filter { !$0.hasPrefix("MPTcpExt") }
        let modeled = proc_c.nstatNames(.v6_12)
        let inReal = real.filter { modeled.contains($0) || $0.hasPrefix("IcmpMsg") }
        #expect(Set(modeled).subtracting(real).isEmpty, "6.12 names 6.18 does not print: \(Set(modeled).subtracting(real).sorted())")
        #expect(proc_c.nstatOrder(inReal.reversed(), in: .v6_12) == inReal)
        // IcmpMsg counters sit between the Icmp and Tcp lines, inbound types before outbound.
        let sorted = proc_c.nstatOrder(["TcpInSegs", "IcmpMsgOutType3", "IcmpMsgInType8", "IcmpOutMsgs", "IpExtInOctets",
                                        "IcmpMsgInType0", "IpInReceives"], in: .v6_1)
        #expect(sorted == ["IpInReceives", "IcmpOutMsgs", "IcmpMsgInType0", "IcmpMsgInType8", "IcmpMsgOutType3", "TcpInSegs",
                           "IpExtInOctets"])
    }
}
