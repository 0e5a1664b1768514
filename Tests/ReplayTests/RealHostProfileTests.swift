import Foundation
import Replay
import Testing

/// What a real host's profile holds beyond the basics (issue 10, item 6): VLAN sub-interfaces,
/// loaded modules, onlink routes, and the refusals `ip` makes on them.
@Suite("host profiles of real machines")
struct RealHostProfileTests {
    typealias Refused = HostProfileTests.BadProfile
    static let eth0 = HostProfileTests.eth0

    static func parse(_ json: String) throws(HostProfileError) -> HostProfile { try HostProfileTests.parse(json) }

    /// eth0 with MTU `mtu` and a VLAN 10 on it with the extra JSON fields `vlan`.
    static func withVLAN(parentMTU mtu: Int = 1500, _ vlan: String = "") -> String {
        """
        { "interfaces": [ {"name": "eth0", "driver": "veth", "mac": "02:00:00:00:00:01", "mtu": \(mtu), "captured": true},
                          {"name": "eth0.10", "vlan": {"parent": "eth0", "id": 10}, "addresses": ["10.10.0.1/24"]\(vlan)} ] }
        """
    }

    @Test("a VLAN sub-interface takes its real device's MAC and MTU and the vlan driver, and writes itself back")
    func vlan() throws {
        let p = try Self.parse(Self.withVLAN(parentMTU: 9000))
        let v = p.interfaces[1]
        #expect(v.vlan == HostProfile.VLAN(parent: "eth0", id: 10))
        #expect(v.driver == "vlan" && v.mac == p.interfaces[0].mac && v.mtu == 9000)
        let again = try HostProfile.parse(Data(HostProfileTests.headerText(p).utf8))
        #expect(again.interfaces[1].vlan == v.vlan && again.interfaces[1].mtu == 9000)
    }

    @Test("a VLAN below its real device's MTU keeps its own")
    func vlanOwnMTU() throws {
        #expect(try Self.parse(Self.withVLAN(#", "mtu": 1400"#)).interfaces[1].mtu == 1400)
    }

    static let refused: [Refused] = [
        Refused(what: "VLAN on an interface the host does not have",
                json: #"{"interfaces": [{"name": "eth0.10", "mac": "02:00:00:00:00:01", "vlan": {"parent": "eth0", "id": 10}}]}"#,
                key: "interfaces[0].vlan.parent"),
        Refused(what: "VLAN on itself",
                json: #"{"interfaces": [{"name": "eth0", "mac": "02:00:00:00:00:01", "vlan": {"parent": "eth0", "id": 10}}]}"#,
                key: "interfaces[0].vlan.parent"),
        Refused(what: "VLAN id 4095", json: withVLAN().replacingOccurrences(of: "\"id\": 10", with: "\"id\": 4095"),
                key: "interfaces[1].vlan.id"),
        Refused(what: "VLAN id not a number", json: withVLAN().replacingOccurrences(of: "\"id\": 10", with: "\"id\": \"10\""),
                key: "interfaces[1].vlan.id"),
        Refused(what: "VLAN MTU above its real device's", json: withVLAN(#", "mtu": 9000"#), key: "interfaces[1].mtu"),
        Refused(what: "unknown key in vlan", json: withVLAN().replacingOccurrences(of: "\"id\": 10", with: "\"id\": 10, \"proto\": \"802.1ad\""),
                key: "interfaces[1].vlan.proto"),
        Refused(what: "a second VLAN of one id on one device",
                json: """
                    { "interfaces": [ {"name": "eth0", "mac": "02:00:00:00:00:01"},
                                      {"name": "a", "vlan": {"parent": "eth0", "id": 7}}, {"name": "b", "vlan": {"parent": "eth0", "id": 7}} ] }
                    """, key: "interfaces[2].vlan.id"),
        Refused(what: "VLAN on lo",
                json: """
                    { "interfaces": [ {"name": "lo", "driver": "loopback", "mac": "02:00:00:00:00:01"},
                                      {"name": "lo.5", "vlan": {"parent": "lo", "id": 5}} ] }
                    """, key: "interfaces[1].vlan.parent"),
        Refused(what: "VLAN with another driver", json: withVLAN(#", "driver": "veth""#), key: "interfaces[1].driver"),
        Refused(what: "the vlan driver without a vlan",
                json: #"{"interfaces": [{"name": "eth0", "driver": "vlan", "mac": "02:00:00:00:00:01"}]}"#, key: "interfaces[0].driver"),
        Refused(what: "unknown key on an interface",
                json: #"{"interfaces": [{"name": "eth0", "mac": "02:00:00:00:00:01", "speed": 1000}]}"#, key: "interfaces[0].speed"),
        Refused(what: "unknown key on a route",
                json: "{\(eth0), \"routes\": [{\"dst\": \"default\", \"dev\": \"eth0\", \"metric\": 100}]}", key: "routes[0].metric"),
        Refused(what: "route destination with host bits",
                json: "{\(eth0), \"routes\": [{\"dst\": \"10.9.0.1/16\", \"dev\": \"eth0\"}]}", key: "routes[0].dst"),
        Refused(what: "onlink route without a device",
                json: "{\(eth0), \"routes\": [{\"dst\": \"10.9.0.0/16\", \"via\": \"192.0.2.1\", \"onlink\": true}]}", key: "routes[0].dev"),
        Refused(what: "onlink not a boolean",
                json: "{\(eth0), \"routes\": [{\"dst\": \"10.9.0.0/16\", \"via\": \"192.0.2.1\", \"dev\": \"eth0\", \"onlink\": \"yes\"}]}",
                key: "routes[0].onlink"),
        Refused(what: "IPv4 route via an IPv6 gateway",
                json: "{\(eth0), \"routes\": [{\"dst\": \"10.9.0.0/16\", \"via\": \"fe80::1\"}]}", key: "routes[0].via"),
        Refused(what: "a module the model does not follow", json: "{\(eth0), \"modules\": [\"bonding\"]}", key: "modules[0]"),
        Refused(what: "modules not a list of names", json: "{\(eth0), \"modules\": \"bridge\"}", key: "modules"),
    ]

    /// Checked as HostProfileTests checks its bad profiles.
    @Test("what ip would refuse is an error naming the field", arguments: refused)
    func refusedProfile(_ bad: Refused) { HostProfileTests().badProfile(bad) }

    /// The same gateway refused without onlink is "a gateway on no network of the device" in HostProfileTests.
    @Test("an off-link gateway is accepted with onlink, and onlink is written back")
    func onlink() throws {
        let p = try Self.parse("{\(Self.eth0), \"routes\": [{\"dst\": \"10.9.0.0/16\", \"via\": \"192.0.2.1\", \"dev\": \"eth0\", \"onlink\": true}]}")
        #expect(p.routes.map(\.onlink) == [true])
        #expect(HostProfileTests.headerText(p).contains(#""onlink":true"#))
    }

    @Test("modules are kept and written back; none written when none are loaded")
    func modules() throws {
        let p = try Self.parse("{\(Self.eth0), \"modules\": [\"bridge\", \"8021q\"]}")
        #expect(p.modules == ["bridge", "8021q"])
        #expect(HostProfileTests.headerText(p).contains(#""modules":["bridge","8021q"]"#))
        #expect(!HostProfileTests.headerText(try Self.parse("{\(Self.eth0)}")).contains("modules"))
    }

    /// Applies `--set` texts to the VLAN profile with eth0 at MTU 9000 and eth0.10 at `vlanMTU`.
    static func set(_ texts: [String], vlanMTU: Int = 9000) throws -> HostProfile {
        let base = try parse(withVLAN(parentMTU: 9000, ", \"mtu\": \(vlanMTU)"))
        return try base.applying(texts.map { text throws(HostOverrideError) in try HostOverride(parsing: text) })
    }

    @Test("lowering the real device's MTU lowers its VLAN's; raising it leaves the VLAN (vlan_device_event)")
    func mtuFollowsParent() throws {
        #expect(try Self.set(["mtu.eth0=1500"]).interfaces.map(\.mtu) == [1500, 1500])
        #expect(try Self.set(["mtu.eth0=4000"], vlanMTU: 1500).interfaces.map(\.mtu) == [4000, 1500])
        #expect(try Self.set(["mtu=1500", "mtu=9000"]).interfaces.map(\.mtu) == [9000, 1500])
    }

    @Test("a VLAN cannot be set above its real device's MTU")
    func vlanAboveParent() throws {
        #expect(throws: HostOverrideError.self) { try Self.set(["mtu.eth0=1500", "mtu.eth0.10=1600"]) }
        #expect(try Self.set(["mtu.eth0.10=1400"]).interfaces[1].mtu == 1400)
    }
}

@Suite("sockets bound to ::")
struct DualStackSocketTests {
    static let eth0 = HostProfileTests.eth0

    @Test("a socket on :: takes IPv4 too: it loads as the wildcard")
    func dualStack() throws {
        let p = try HostProfileTests.parse("{\(Self.eth0), \"sockets\": [{\"proto\": \"tcp\", \"addr\": \"::\", \"port\": 443}]}")
        #expect(p.sockets.map { "\($0.address):\($0.port)" } == ["0.0.0.0:443"])
        #expect(p.ipv6OnlySockets.isEmpty)
    }

    @Test("with net.ipv6.bindv6only=1 a TCP listener is IPv6 only; a UDP socket so is left out and listed")
    func v6only() throws {
        for value in ["1", "\"1\""] {
            let p = try HostProfileTests.parse("""
                {\(Self.eth0), "sockets": [{"proto": "tcp", "addr": "::", "port": 443}, {"proto": "udp", "addr": "::", "port": 53}],
                 "sysctl": {"net.ipv6.bindv6only": \(value)}}
                """)
            #expect(p.sockets.map { "\($0.proto) \($0.port) \($0.ipv6) \($0.ipv6Only)" } == ["tcp 443 true true"])
            #expect(p.ipv6OnlySockets == ["udp [::]:53"])
        }
    }

    @Test("another IPv6 address is still refused, naming the key")
    func otherIPv6() {
        #expect(HostProfileTests.error("{\(Self.eth0), \"sockets\": [{\"proto\": \"tcp\", \"addr\": \"fd00::1\", \"port\": 443}]}")?.key == "sockets[0].addr")
    }
}
