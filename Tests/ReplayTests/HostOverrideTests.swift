import Foundation
import Replay
import Testing

/// `--set KEY=VALUE` (README "Using it"): each key changes the profile as documented, and every bad
/// key or value is an error naming the key.
@Suite("HostOverride")
struct HostOverrideTests {
    static let profile = """
        { "interfaces": [ { "name": "veth-dut", "driver": "veth", "mac": "02:00:00:00:0d:00", "mtu": 1500,
                            "addresses": ["10.77.0.1/24"], "captured": true },
                          { "name": "eth0.100", "driver": "veth", "mac": "02:00:00:00:0d:01", "mtu": 9000,
                            "addresses": ["10.78.0.1/24"] } ],
          "neighbours": [ { "ip": "10.77.0.2", "mac": "02:00:00:00:0e:00", "state": "permanent" } ],
          "sysctl": { "net.ipv4.ip_forward": 1 } }
        """

    static func apply(_ texts: [String]) throws -> HostProfile {
        let base = try HostProfile.parse(Data(profile.utf8))
        return try base.applying(texts.map { text throws(HostOverrideError) in try HostOverride(parsing: text) })
    }

    /// The error applying `texts` throws, or nil.
    static func error(_ texts: [String]) -> HostOverrideError? {
        do {
            _ = try apply(texts)
            return nil
        } catch let e as HostOverrideError {
            return e
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test("a sysctl is set and a later one wins; the profile's others stay")
    func sysctl() throws {
        let p = try Self.apply(["net.ipv4.conf.all.rp_filter=1", "net.ipv4.conf.veth-dut.rp_filter=2",
                                "net.ipv4.conf.all.rp_filter=0"])
        #expect(p.sysctl["net.ipv4.conf.all.rp_filter"] == 0)
        #expect(p.sysctl["net.ipv4.conf.veth-dut.rp_filter"] == 2)
        #expect(p.sysctl["net.ipv4.ip_forward"] == 1)
        #expect(p.overrides.map(\.description) == ["net.ipv4.conf.all.rp_filter=1", "net.ipv4.conf.veth-dut.rp_filter=2",
                                                   "net.ipv4.conf.all.rp_filter=0"])
    }

    @Test("a per-device sysctl may name a device whose name has dots")
    func dottedDevice() throws {
        let p = try Self.apply(["net.ipv4.conf.eth0.100.rp_filter=1"])
        #expect(p.sysctl["net.ipv4.conf.eth0.100.rp_filter"] == 1)
    }

    @Test("mtu sets the captured interface's MTU, mtu.DEV another's")
    func mtu() throws {
        let p = try Self.apply(["mtu=1400", "mtu.eth0.100=1500"])
        #expect(p.interfaces.map(\.mtu) == [1400, 1500])
    }

    @Test("neigh=cold empties the neighbour table and marks the host cold")
    func cold() throws {
        let base = try Self.apply([])
        #expect(base.neighbours.count == 1)
        #expect(!base.coldNeighbours)
        let p = try Self.apply(["neigh=cold"])
        #expect(p.neighbours.isEmpty)
        #expect(p.coldNeighbours)
    }

    @Test("whether the model reads what an override changes")
    func modeled() throws {
        #expect(try HostOverride(parsing: "net.ipv4.conf.veth-dut.rp_filter=1").isModeled)
        #expect(try HostOverride(parsing: "net.ipv4.ip_forward=0").isModeled)
        #expect(try HostOverride(parsing: "net.ipv4.tcp_sack=0").isModeled)
        #expect(!(try HostOverride(parsing: "net.ipv4.tcp_fin_timeout=30").isModeled))
        #expect(try HostOverride(parsing: "mtu=1400").isModeled)
    }

    @Test("bad keys and values are errors naming the key",
          arguments: [
            ("bogus=1", "bogus"), ("rp_filter", "rp_filter"), ("mtu=67", "mtu"), ("mtu=65536", "mtu"), ("mtu=x", "mtu"),
            ("mtu.=1400", "mtu."), ("mtu.eth9=1400", "mtu.eth9"), ("neigh=warm", "neigh"),
            ("net.ipv4.ip_forward=on", "net.ipv4.ip_forward"), ("net..x=1", "net..x"),
            ("net.ipv4.conf.eth9.rp_filter=1", "net.ipv4.conf.eth9.rp_filter"), ("=1", ""),
            ("net.ipv4.ip_default_ttl=300", "net.ipv4.ip_default_ttl"), ("net.ipv4.icmp_echo_ignore_all=2", "net.ipv4.icmp_echo_ignore_all"),
            ("net.ipv4.ipfrag_time=99999999999", "net.ipv4.ipfrag_time"),
          ])
    func bad(_ text: String, _ key: String) throws {
        let e = try #require(Self.error([text]), "\(text) was accepted")
        #expect(e.key == key)
        #expect(e.description.hasPrefix(key + ": "))
    }
}
