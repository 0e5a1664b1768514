import Foundation
import KernelNet
import Replay
import Testing
import TestSupport

/// `pktpath host snapshot` reads the filter rules of `nft -j list ruleset` into the profile's `netfilter`.
@Suite("host snapshot: nftables rules")
struct NftSnapshotTests {
    /// The profile `rules` (as the snapshot writes them) make, next to `v6_nft`'s interfaces.
    static func profile(_ rules: [[String: Any]]) throws -> HostProfile {
        let fixture = try HostProfile.load(path: Repository.path("Fixtures/v6_nft.host.json"))
        let interfaces = fixture.interfaces.map { i in
            ["name": i.name, "driver": i.driver, "mac": i.mac.description, "addresses": i.addresses.map(\.description)] as [String: Any]
        }
        let data = try JSONSerialization.data(withJSONObject: ["interfaces": interfaces, "netfilter": rules])
        return try HostProfile.parse(data, path: "snapshot")
    }

    @Test("v6_nft's ruleset (nft -j) gives the rules of its profile, in order, families and IPv6 prefixes included")
    func fixtureRuleset() throws {
        let json = try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/truth/v6_nft.ruleset.json")))
        let (rules, omitted) = NftSnapshot.rules(json, interfaces: ["pn6-dut", "pn6-dut2"])
        #expect(omitted.isEmpty, "\(omitted)")
        let snapshot = try Self.profile(rules).netfilter
        let fixture = try HostProfile.load(path: Repository.path("Fixtures/v6_nft.host.json")).netfilter
        #expect(snapshot.count == fixture.count)
        for (a, b) in zip(snapshot, fixture) {
            #expect("\(a)" == "\(b)")
        }
    }

    @Test("what the profile cannot hold is left out and said: policy drop, other families, sets, jumps, unknown interfaces")
    func leftOut() throws {
        let json = #"""
            {"nftables": [
              {"table": {"family": "inet", "name": "f", "handle": 1}},
              {"chain": {"family": "inet", "table": "f", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
              {"chain": {"family": "inet", "table": "f", "name": "output", "type": "filter", "hook": "output", "prio": 0, "policy": "accept"}},
              {"chain": {"family": "inet", "table": "f", "name": "mine"}},
              {"rule": {"family": "inet", "table": "f", "chain": "input", "handle": 3, "expr": [{"accept": null}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "mine", "handle": 4, "expr": [{"drop": null}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "output", "handle": 5, "expr": [
                {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [22, 80]}}}, {"drop": null}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "output", "handle": 6, "expr": [{"jump": {"target": "mine"}}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "output", "handle": 7, "expr": [
                {"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "wg0"}}, {"drop": null}]}},
              {"rule": {"family": "inet", "table": "f", "chain": "output", "handle": 8, "expr": [
                {"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "ipv6-icmp"}},
                {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": {"prefix": {"addr": "fd00::", "len": 8}}}},
                {"counter": {"packets": 0, "bytes": 0}}, {"reject": null}]}},
              {"table": {"family": "bridge", "name": "b", "handle": 2}}
            ]}
            """#
        let (rules, omitted) = NftSnapshot.rules(Data(json.utf8), interfaces: ["eth0"])
        #expect(rules.count == 1)
        let rule = try #require(try Self.profile(rules).netfilter.first)
        #expect(rule.hook == .NF_INET_LOCAL_OUT && rule.proto?.rawValue == 58 && rule.daddr6?.description == "fd00::/8")
        #expect(rule.verdict == .reject && rule.rejectWith == nil && rule.family == .inet)
        let expected = ["chain inet f input: policy drop", "rule 3 of chain inet f input: not in a base chain",
                        "rule 4 of chain inet f mine: not in a base chain", "rule 5 of chain inet f output: tcp dport with a set",
                        "rule 6 of chain inet f output: the jump statement", "rule 7 of chain inet f output: meta oifname not one",
                        "table bridge b: family bridge"]
        #expect(omitted.count == expected.count, "\(omitted)")
        for e in expected { #expect(omitted.contains { $0.hasPrefix("netfilter: " + e) }, "\(e): \(omitted)") }
    }
}
