import Foundation
import KernelNet
import Replay
import Testing
import TestSupport
import Trace
import Wire

/// Loading host profiles (DESIGN.md, "Host profile"): the documented example loads, and every bad value
/// is an error that names the key at fault.
@Suite("HostProfile")
struct HostProfileTests {
    /// The example of DESIGN.md, "Host profile", as written there except for the kernel: the example
    /// names 6.12, and the model has 6.1 only so far (see `unknownKernel` for how other versions fail).
    static let designExample = """
        { "kernel": "6.1",
          "interfaces": [ { "name": "wlan0", "driver": "iwlwifi", "mac": "02:00:00:00:0d:00", "mtu": 1500,
                            "addresses": ["10.77.0.1/24", "fd00:77::1/64"], "captured": true } ],
          "routes":     [ { "dst": "default", "via": "10.77.0.254", "dev": "wlan0" } ],
          "neighbours": [ { "ip": "10.77.0.2", "mac": "02:00:00:00:0e:00", "dev": "wlan0", "state": "reachable" } ],
          "sockets":    [ { "proto": "tcp", "addr": "0.0.0.0", "port": 8080, "state": "listen" },
                          { "proto": "udp", "addr": "0.0.0.0", "port": 7000, "groups": ["239.1.2.3"] } ],
          "sysctl":     { "net.ipv4.ip_forward": 0, "net.ipv4.conf.all.rp_filter": 0, "net.ipv4.ipfrag_time": 30 },
          "netfilter":  [ { "hook": "input", "proto": "tcp", "dport": 2222, "verdict": "drop" } ] }
        """

    static func parse(_ json: String) throws(HostProfileError) -> HostProfile {
        try HostProfile.parse(Data(json.utf8))
    }

    /// The error parsing `json` throws, or nil when it loads.
    static func error(_ json: String) -> HostProfileError? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return error
        }
    }

    @Test("the DESIGN.md example loads with every section")
    func designExampleLoads() throws {
        let p = try Self.parse(Self.designExample)
        #expect(p.kernel == "6.1")
        #expect(p.interfaces.count == 1)
        let wlan = try #require(p.interfaces.first)
        #expect(wlan.name == "wlan0")
        #expect(wlan.driver == "iwlwifi")
        #expect(wlan.mac == MACAddress("02:00:00:00:0d:00"))
        #expect(wlan.mtu == 1500)
        #expect(wlan.captured)
        // The IPv6 address is accepted but left out: the model has no IPv6 stack.
        #expect(wlan.addresses.map(\.description) == ["10.77.0.1/24"])
        #expect(p.capturedInterface?.name == "wlan0")

        #expect(p.routes.count == 1)
        #expect(p.routes.first?.destination.length == 0)
        #expect(p.routes.first?.gateway == IPv4Address("10.77.0.254"))
        #expect(p.routes.first?.device == "wlan0")

        #expect(p.neighbours.count == 1)
        #expect(p.neighbours.first?.ip == IPv4Address("10.77.0.2"))
        #expect(p.neighbours.first?.mac == MACAddress("02:00:00:00:0e:00"))
        #expect(p.neighbours.first?.state == .NUD_REACHABLE)

        #expect(p.sockets.map(\.proto) == [.tcp, .udp])
        #expect(p.sockets.map(\.port) == [8080, 7000])
        #expect(p.sockets.first?.state == .TCP_LISTEN)
        #expect(p.sockets.last?.groups == [IPv4Address("239.1.2.3")!])

        #expect(p.sysctl == ["net.ipv4.ip_forward": 0, "net.ipv4.conf.all.rp_filter": 0, "net.ipv4.ipfrag_time": 30])
        #expect(p.netfilter.count == 1)
        #expect(p.netfilter.first?.hook == .NF_INET_LOCAL_IN)
        #expect(p.netfilter.first?.proto == .tcp)
        #expect(p.netfilter.first?.dport == 2222)
        #expect(p.netfilter.first?.verdict == .drop)
    }

    @Test("netfilter rules name a family and IPv6 prefixes, and are written back as read")
    func netfilterFamilies() throws {
        let p = try HostProfile.load(path: Repository.path("Fixtures/v6_nft.host.json"))
        #expect(p.netfilter.count == 14)
        let bySource = try #require(p.netfilter.first { $0.saddr6 != nil })
        #expect(bySource.family == .inet && bySource.saddr6 == IPv6Prefix("fd77::2/128") && bySource.saddr == nil)
        #expect(bySource.onlyFamily == .ip6)
        #expect(p.netfilter.first?.saddr == IPv4Prefix("10.0.0.0/8") && p.netfilter.first?.onlyFamily == .ip)
        #expect(p.netfilter.map(\.rejectWith).contains(.icmpxPortUnreachable))
        #expect(p.netfilter.first { $0.rejectWith == .icmpHostUnreachable }?.onlyFamily == .ip)
        #expect(p.netfilter.first { $0.rejectWith == .tcpReset }?.onlyFamily == nil)
        let last = try #require(p.netfilter.last)
        #expect(last.family == .ip6 && last.hook == .NF_INET_LOCAL_IN && last.dport == 7004)
        guard case let .object(fields) = p.json, case let .array(rules)? = fields.first(where: { $0.0 == "netfilter" })?.1 else {
            Issue.record("no netfilter list in the profile's JSON")
            return
        }
        #expect(rules.last == .object([("family", .string("ip6")), ("hook", .string("input")), ("proto", .string("udp")),
                                       ("dport", .int(7004)), ("verdict", .string("drop"))]))
        #expect(rules.first { if case let .object(f) = $0 { f.contains { $0.0 == "saddr" && $0.1 == .string("fd77::2/128") } } else { false } } != nil)
    }

    @Test("only interfaces is required; the rest takes defaults")
    func minimalProfile() throws {
        let p = try Self.parse(#"{"interfaces": [{"name": "eth0", "driver": "veth", "mac": "02:00:00:00:00:01"}]}"#)
        #expect(p.kernel == nil)
        #expect(p.interfaces.first?.mtu == 1500)
        #expect(p.interfaces.first?.addresses.isEmpty == true)
        #expect(p.routes.isEmpty && p.neighbours.isEmpty && p.sockets.isEmpty && p.sysctl.isEmpty)
        // No interface says `captured`: the first one is the captured one.
        #expect(p.capturedInterface?.name == "eth0")
    }

    @Test("every fixture's host profile loads")
    func fixtureProfilesLoad() throws {
        let dir = Repository.path("Fixtures")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".host.json") }.sorted()
        #expect(!names.isEmpty)
        for name in names {
            let p = try HostProfile.load(path: dir + "/" + name)
            #expect(!p.interfaces.isEmpty, "\(name)")
        }
    }

    @Test("a missing profile file is an error naming the file")
    func missingFile() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).json").path
        do {
            _ = try HostProfile.load(path: path)
            Issue.record("a missing file loaded")
        } catch {
            #expect(error.path == path)
            #expect(error.description.contains(path))
        }
    }

    /// A bad profile and the key its error must name.
    struct BadProfile: Sendable, CustomTestStringConvertible {
        var what: String
        var json: String
        var key: String?
        var testDescription: String { what }
    }

    /// A valid interface list, for the cases that break something else.
    static let eth0 = #""interfaces": [{"name": "eth0", "driver": "veth", "mac": "02:00:00:00:00:01", "addresses": ["10.0.0.1/24"]}]"#

    static let badProfiles: [BadProfile] = [
        BadProfile(what: "unknown top-level key", json: "{\(eth0), \"routez\": []}", key: "routez"),
        BadProfile(what: "missing interfaces", json: #"{"kernel": "6.1"}"#, key: "interfaces"),
        BadProfile(what: "empty interfaces", json: #"{"interfaces": []}"#, key: "interfaces"),
        BadProfile(what: "interfaces not a list", json: #"{"interfaces": {"name": "eth0"}}"#, key: "interfaces"),
        BadProfile(what: "kernel not modeled", json: "{\"kernel\": \"2.6\", \(eth0)}", key: "kernel"),
        BadProfile(what: "interface without a name", json: #"{"interfaces": [{"mac": "02:00:00:00:00:01"}]}"#,
                   key: "interfaces[0].name"),
        BadProfile(what: "mac with five octets", json: #"{"interfaces": [{"name": "e", "mac": "02:00:00:00:00"}]}"#,
                   key: "interfaces[0].mac"),
        BadProfile(what: "mac not hex", json: #"{"interfaces": [{"name": "e", "mac": "02:00:00:00:00:zz"}]}"#,
                   key: "interfaces[0].mac"),
        BadProfile(what: "missing mac", json: #"{"interfaces": [{"name": "e"}]}"#, key: "interfaces[0].mac"),
        BadProfile(what: "mtu out of range", json: #"{"interfaces": [{"name": "e", "mac": "02:00:00:00:00:01", "mtu": 10}]}"#,
                   key: "interfaces[0].mtu"),
        BadProfile(what: "address octet over 255",
                   json: #"{"interfaces": [{"name": "e", "mac": "02:00:00:00:00:01", "addresses": ["10.0.0.1/24", "10.0.0.300/24"]}]}"#,
                   key: "interfaces[0].addresses[1]"),
        BadProfile(what: "prefix length over 32",
                   json: #"{"interfaces": [{"name": "e", "mac": "02:00:00:00:00:01", "addresses": ["10.0.0.1/33"]}]}"#,
                   key: "interfaces[0].addresses[0]"),
        BadProfile(what: "address not a string",
                   json: #"{"interfaces": [{"name": "e", "mac": "02:00:00:00:00:01", "addresses": [10]}]}"#,
                   key: "interfaces[0].addresses[0]"),
        BadProfile(what: "unknown driver", json: #"{"interfaces": [{"name": "e", "driver": "e1001", "mac": "02:00:00:00:00:01"}]}"#,
                   key: "interfaces[0].driver"),
        BadProfile(what: "bad driver on the second interface",
                   json: #"{"interfaces": [{"name": "a", "mac": "02:00:00:00:00:01"}, {"name": "b", "driver": "nope", "mac": "02:00:00:00:00:02"}]}"#,
                   key: "interfaces[1].driver"),
        BadProfile(what: "route dst not a prefix", json: "{\(eth0), \"routes\": [{\"dst\": \"everywhere\"}]}", key: "routes[0].dst"),
        BadProfile(what: "route without dst", json: "{\(eth0), \"routes\": [{\"via\": \"10.0.0.254\"}]}", key: "routes[0].dst"),
        BadProfile(what: "route via not an address",
                   json: "{\(eth0), \"routes\": [{\"dst\": \"default\"}, {\"dst\": \"default\", \"via\": \"gateway\"}]}",
                   key: "routes[1].via"),
        BadProfile(what: "neighbour state unknown",
                   json: "{\(eth0), \"neighbours\": [{\"ip\": \"10.0.0.2\", \"mac\": \"02:00:00:00:00:02\", \"state\": \"friendly\"}]}",
                   key: "neighbours[0].state"),
        BadProfile(what: "neighbour ip bad",
                   json: "{\(eth0), \"neighbours\": [{\"ip\": \"10.0.0\", \"mac\": \"02:00:00:00:00:02\"}]}",
                   key: "neighbours[0].ip"),
        BadProfile(what: "neighbour mac bad",
                   json: "{\(eth0), \"neighbours\": [{\"ip\": \"10.0.0.2\", \"mac\": \"02-00-00-00-00-02\"}]}",
                   key: "neighbours[0].mac"),
        BadProfile(what: "socket proto unknown", json: "{\(eth0), \"sockets\": [{\"proto\": \"sctp\", \"port\": 80}]}",
                   key: "sockets[0].proto"),
        BadProfile(what: "socket port over 65535", json: "{\(eth0), \"sockets\": [{\"proto\": \"tcp\", \"port\": 70000}]}",
                   key: "sockets[0].port"),
        BadProfile(what: "socket port negative", json: "{\(eth0), \"sockets\": [{\"proto\": \"udp\", \"port\": -1}]}",
                   key: "sockets[0].port"),
        BadProfile(what: "socket port a name",
                   json: "{\(eth0), \"sockets\": [{\"proto\": \"tcp\", \"port\": 22}, {\"proto\": \"tcp\", \"port\": \"http\"}]}",
                   key: "sockets[1].port"),
        BadProfile(what: "socket without port", json: "{\(eth0), \"sockets\": [{\"proto\": \"tcp\"}]}", key: "sockets[0].port"),
        BadProfile(what: "socket with an unknown key",
                   json: "{\(eth0), \"sockets\": [{\"proto\": \"udp\", \"port\": 53, \"peer\": \"10.0.0.2:53\"}]}",
                   key: "sockets[0].peer"),
        BadProfile(what: "socket remote without a port",
                   json: "{\(eth0), \"sockets\": [{\"proto\": \"udp\", \"port\": 53, \"remote\": \"10.0.0.2\"}]}",
                   key: "sockets[0].remote"),
        BadProfile(what: "an established TCP socket without its peer",
                   json: "{\(eth0), \"sockets\": [{\"proto\": \"tcp\", \"port\": 22, \"state\": \"established\"}]}",
                   key: "sockets[0].remote"),
        BadProfile(what: "a TCP socket in a state pktpath does not take",
                   json: "{\(eth0), \"sockets\": [{\"proto\": \"tcp\", \"port\": 22, \"state\": \"time-wait\"}]}",
                   key: "sockets[0].state"),
        BadProfile(what: "multicast group not multicast",
                   json: "{\(eth0), \"sockets\": [{\"proto\": \"udp\", \"port\": 7000, \"groups\": [\"10.1.2.3\"]}]}",
                   key: "sockets[0].groups[0]"),
        BadProfile(what: "an interface's IPv6 group not multicast",
                   json: #"{"interfaces": [{"name": "a", "mac": "02:00:00:00:00:01", "groups": ["ff02::1", "fd00::1"]}]}"#,
                   key: "interfaces[0].groups[1]"),
        BadProfile(what: "an IPv6 address with a word that is not a DAD flag",
                   json: #"{"interfaces": [{"name": "a", "mac": "02:00:00:00:00:01", "addresses": ["fd00::1/64 deprecated"]}]}"#,
                   key: "interfaces[0].addresses[0]"),
        BadProfile(what: "an IPv4 address with a DAD flag",
                   json: #"{"interfaces": [{"name": "a", "mac": "02:00:00:00:00:01", "addresses": ["10.0.0.1/24 tentative"]}]}"#,
                   key: "interfaces[0].addresses[0]"),
        BadProfile(what: "an interface's group an IPv4 one (those are sockets')",
                   json: #"{"interfaces": [{"name": "a", "mac": "02:00:00:00:00:01", "groups": ["239.1.2.3"]}]}"#,
                   key: "interfaces[0].groups[0]"),
        BadProfile(what: "sysctl value an object",
                   json: "{\(eth0), \"sysctl\": {\"net.ipv4.ip_forward\": {\"on\": 1}}}", key: "sysctl.net.ipv4.ip_forward"),
        BadProfile(what: "sysctl value an empty string",
                   json: "{\(eth0), \"sysctl\": {\"net.ipv4.ip_forward\": \" \"}}", key: "sysctl.net.ipv4.ip_forward"),
        BadProfile(what: "sysctl not an object", json: "{\(eth0), \"sysctl\": [1]}", key: "sysctl"),
        // Checked as ip and sysctl -w check them.
        BadProfile(what: "a TTL above 255 (proc_dou8vec_minmax, ip_ttl_max)",
                   json: "{\(eth0), \"sysctl\": {\"net.ipv4.ip_default_ttl\": 300}}", key: "sysctl.net.ipv4.ip_default_ttl"),
        BadProfile(what: "a TTL of 0 (ip_ttl_min is 1)",
                   json: "{\(eth0), \"sysctl\": {\"net.ipv4.ip_default_ttl\": \"0\"}}", key: "sysctl.net.ipv4.ip_default_ttl"),
        BadProfile(what: "a boolean sysctl set to 2",
                   json: "{\(eth0), \"sysctl\": {\"net.ipv4.icmp_echo_ignore_all\": 2}}", key: "sysctl.net.ipv4.icmp_echo_ignore_all"),
        BadProfile(what: "an int sysctl beyond 32 bits",
                   json: "{\(eth0), \"sysctl\": {\"net.ipv4.conf.all.rp_filter\": 4294967296}}", key: "sysctl.net.ipv4.conf.all.rp_filter"),
        BadProfile(what: "two interfaces with one name",
                   json: "{\"interfaces\": [{\"name\": \"eth0\", \"mac\": \"02:00:00:00:00:01\"}, {\"name\": \"eth0\", \"mac\": \"02:00:00:00:00:02\"}]}",
                   key: "interfaces[1].name"),
        BadProfile(what: "a multicast MAC on an interface",
                   json: "{\"interfaces\": [{\"name\": \"eth0\", \"mac\": \"01:00:5e:00:00:01\"}]}", key: "interfaces[0].mac"),
        BadProfile(what: "a route through a device the host does not have",
                   json: "{\(eth0), \"routes\": [{\"dst\": \"default\", \"via\": \"10.0.0.254\", \"dev\": \"eth9\"}]}",
                   key: "routes[0].dev"),
        BadProfile(what: "a gateway on no network of the device",
                   json: "{\(eth0), \"routes\": [{\"dst\": \"default\", \"via\": \"192.0.2.1\", \"dev\": \"eth0\"}]}",
                   key: "routes[0].via"),
        BadProfile(what: "a neighbour on a device the host does not have",
                   json: "{\(eth0), \"neighbours\": [{\"ip\": \"10.0.0.2\", \"mac\": \"02:00:00:00:00:02\", \"dev\": \"eth9\"}]}",
                   key: "neighbours[0].dev"),
        BadProfile(what: "netfilter not a list", json: "{\(eth0), \"netfilter\": {\"hook\": \"input\"}}", key: "netfilter"),
        BadProfile(what: "netfilter iifname of no interface",
                   json: "{\(eth0), \"netfilter\": [{\"hook\": \"input\", \"iifname\": \"eth9\", \"verdict\": \"drop\"}]}",
                   key: "netfilter[0].iifname"),
        BadProfile(what: "netfilter family not inet, ip or ip6",
                   json: "{\(eth0), \"netfilter\": [{\"family\": \"bridge\", \"hook\": \"input\", \"verdict\": \"drop\"}]}",
                   key: "netfilter[0].family"),
        BadProfile(what: "netfilter IPv6 prefix in an ip table",
                   json: "{\(eth0), \"netfilter\": [{\"family\": \"ip\", \"hook\": \"input\", \"saddr\": \"fd00::/8\", \"verdict\": \"drop\"}]}",
                   key: "netfilter[0]"),
        BadProfile(what: "netfilter addresses of both families",
                   json: "{\(eth0), \"netfilter\": [{\"hook\": \"input\", \"saddr\": \"fd00::/8\", \"daddr\": \"10.0.0.1\", \"verdict\": \"drop\"}]}",
                   key: "netfilter[0]"),
        BadProfile(what: "netfilter ICMPv6 reject in an ip table",
                   json: "{\(eth0), \"netfilter\": [{\"family\": \"ip\", \"hook\": \"input\", \"verdict\": \"reject\", \"with\": \"icmpv6 no-route\"}]}",
                   key: "netfilter[0].with"),
        BadProfile(what: "netfilter address not of either family",
                   json: "{\(eth0), \"netfilter\": [{\"hook\": \"input\", \"daddr\": \"fd00::zz\", \"verdict\": \"drop\"}]}",
                   key: "netfilter[0].daddr"),
        BadProfile(what: "invalid JSON", json: "{\(eth0),", key: nil),
        BadProfile(what: "top level a list", json: "[{\(eth0)}]", key: nil),
        BadProfile(what: "empty input", json: "", key: nil),
    ]

    @Test("a bad profile is an error naming the key", arguments: badProfiles)
    func badProfile(_ bad: BadProfile) {
        guard let error = Self.error(bad.json) else {
            Issue.record("accepted: \(bad.json)")
            return
        }
        #expect(error.key == bad.key, "\(error)")
        #expect(!error.message.isEmpty)
        if let key = bad.key { #expect(error.description.contains(key)) }
    }

    @Test("the first bad key is named when there are several")
    func unknownKeyNamedEvenWithOtherErrors() {
        // Unknown keys are checked before the values.
        #expect(Self.error(#"{"interfaces": [], "bogus": 1}"#)?.key == "bogus")
    }

    @Test("a tun device has no MAC: left out it loads as all zeros and is written without one; a MAC is an error")
    func tunDevice() throws {
        let p = try Self.parse(#"{"interfaces": [{"name": "tun0", "driver": "tun", "addresses": ["10.97.0.1/24"], "captured": true}]}"#)
        #expect(p.interfaces.first?.mac == .zero)
        #expect(p.interfaces.first?.driver == "tun")
        #expect(!Self.headerText(p).contains("\"mac\""), "\(Self.headerText(p))")
        let error = Self.error(#"{"interfaces": [{"name": "tun0", "driver": "tun", "mac": "02:00:00:00:00:01"}]}"#)
        #expect(error?.key == "interfaces[0].mac")
        #expect(error?.description.contains("a tun device has no MAC address") == true, "\(String(describing: error))")
    }

    /// Bad values of the kinds a lenient parser would let through: each must still name its key.
    static let easilyMissed: [BadProfile] = [
        BadProfile(what: "mtu a string", json: #"{"interfaces": [{"name": "e", "mac": "02:00:00:00:00:01", "mtu": "9000"}]}"#,
                   key: "interfaces[0].mtu"),
        BadProfile(what: "socket addr not an address",
                   json: "{\(eth0), \"sockets\": [{\"proto\": \"tcp\", \"addr\": \"10.0.0.999\", \"port\": 80}]}",
                   key: "sockets[0].addr"),
        BadProfile(what: "address with a colon that is no IPv6 address",
                   json: #"{"interfaces": [{"name": "e", "mac": "02:00:00:00:00:01", "addresses": ["10.0.0.1:24"]}]}"#,
                   key: "interfaces[0].addresses[0]"),
        BadProfile(what: "routes not a list", json: "{\(eth0), \"routes\": {\"dst\": \"default\"}}", key: "routes"),
    ]

    @Test("bad values of the kinds easily ignored are errors naming the key", arguments: easilyMissed)
    func easilyMissedValue(_ bad: BadProfile) {
        let error = Self.error(bad.json)
        #expect(error?.key == bad.key, "accepted: \(bad.json)")
    }

    @Test("neighbour states are read as ip neigh and the kernel spell them")
    func neighbourStateSpellings() throws {
        for (text, state) in [("permanent", NUDState.NUD_PERMANENT), ("STALE", .NUD_STALE), ("NUD_NOARP", .NUD_NOARP)] {
            let p = try Self.parse("{\(Self.eth0), \"neighbours\": [{\"ip\": \"10.0.0.2\", \"mac\": \"02:00:00:00:00:02\", \"state\": \"\(text)\"}]}")
            #expect(p.neighbours.first?.state == state, "\(text)")
        }
    }

    @Test("sysctls as sysctl -a prints them: one integer as text, several values, a word")
    func sysctlText() throws {
        let p = try Self.parse("""
            {\(Self.eth0), "sysctl": { "net.ipv4.ip_forward": "1", "net.ipv4.ping_group_range": "0\\t2147483647",
              "net.ipv4.ip_local_port_range": "32768 60999", "net.ipv4.tcp_congestion_control": "cubic" } }
            """)
        #expect(p.sysctl == ["net.ipv4.ip_forward": 1])
        #expect(p.sysctlText == ["net.ipv4.ping_group_range": "0\t2147483647", "net.ipv4.ip_local_port_range": "32768 60999",
                                 "net.ipv4.tcp_congestion_control": "cubic"])
    }

    @Test("an established connection and a connected UDP socket load with their peers")
    func connectedSockets() throws {
        let p = try Self.parse("""
            {\(Self.eth0), "sockets": [
              { "proto": "tcp", "addr": "10.0.0.1", "port": 40000, "state": "established", "remote": "10.0.0.2:8080" },
              { "proto": "udp", "port": 5353, "remote": "10.0.0.2:53" } ] }
            """)
        #expect(p.sockets.map(\.state) == [.TCP_ESTABLISHED, nil])
        #expect(p.sockets.map { $0.remote?.description } == ["10.0.0.2", "10.0.0.2"])
        #expect(p.sockets.map(\.remotePort) == [8080, 53])
    }

    @Test("an IPv6 connection names its peer in brackets, a :: socket takes IPv6, and both are written back")
    func ipv6Sockets() throws {
        let p = try Self.parse("""
            {\(Self.eth0), "sockets": [
              { "proto": "tcp", "addr": "::", "port": 8080 },
              { "proto": "tcp", "addr": "fd77::1", "port": 8080, "state": "established", "remote": "[fd77::2]:40000" } ] }
            """)
        #expect(p.sockets.map(\.ipv6) == [true, false])
        #expect(p.sockets[1].address6 == IPv6Address("fd77::1") && p.sockets[1].remote6 == IPv6Address("fd77::2"))
        #expect(p.sockets[1].remotePort == 40000)
        let header = Self.headerText(p)
        #expect(header.contains(#"{"proto":"tcp","addr":"::","port":8080,"state":"listen"}"#))
        #expect(header.contains(#""addr":"fd77::1","port":8080,"state":"established","remote":"[fd77::2]:40000""#))
        // An IPv4 connection's peer in IPv6 form, or a listener bound to one IPv6 address, is refused.
        for bad in [#"{ "proto": "tcp", "addr": "10.0.0.1", "port": 1, "state": "established", "remote": "[fd77::2]:2" }"#,
                    #"{ "proto": "tcp", "addr": "fd77::1", "port": 1 }"#] {
            #expect(throws: (any Error).self) { try Self.parse("{\(Self.eth0), \"sockets\": [\(bad)]}") }
        }
    }

    @Test("a :: socket's v6only overrides net.ipv6.bindv6only, is written back, and is refused elsewhere")
    func v6only() throws {
        let p = try Self.parse("""
            {\(Self.eth0), "sockets": [
              { "proto": "tcp", "addr": "::", "port": 443, "v6only": true },
              { "proto": "tcp", "addr": "::", "port": 80, "v6only": false },
              { "proto": "udp", "addr": "::", "port": 53, "v6only": true } ],
              "sysctl": { "net.ipv6.bindv6only": 1 } }
            """)
        #expect(p.sockets.map { "\($0.port) \($0.ipv6) \($0.ipv6Only)" } == ["443 true true", "80 true false"])
        #expect(p.ipv6OnlySockets == ["udp [::]:53"])
        #expect(Self.headerText(p).contains(#"{"proto":"tcp","addr":"::","port":443,"state":"listen","v6only":true}"#))
        for bad in [#"{ "proto": "tcp", "addr": "0.0.0.0", "port": 1, "v6only": true }"#,
                    #"{ "proto": "tcp", "addr": "::", "port": 1, "v6only": "yes" }"#] {
            #expect(throws: (any Error).self) { try Self.parse("{\(Self.eth0), \"sockets\": [\(bad)]}") }
        }
    }

    @Test("IPv6 addresses are kept beside the IPv4 ones, and written back")
    func ipv6Kept() throws {
        let p = try Self.parse("""
            {"interfaces": [{"name": "eth0", "mac": "02:00:00:00:00:01", "addresses": ["10.0.0.1/24", "fd00:77::1/64", "fe80::1/64"]}]}
            """)
        #expect(p.interfaces[0].addresses.map(\.description) == ["10.0.0.1/24"])
        #expect(p.interfaces[0].ipv6Addresses == ["fd00:77::1/64", "fe80::1/64"])
        #expect(Self.headerText(p).contains(#""addresses":["10.0.0.1/24","fd00:77::1/64","fe80::1/64"]"#))
    }

    @Test("IPv6 neighbours are kept beside the IPv4 ones, and written back")
    func ipv6NeighboursKept() throws {
        let p = try Self.parse("""
            {\(Self.eth0), "neighbours": [
              { "ip": "10.0.0.2", "mac": "02:00:00:00:00:02", "dev": "eth0", "state": "permanent" },
              { "ip": "fe80::ff:fe00:2", "mac": "02:00:00:00:00:02", "dev": "eth0", "state": "stale" } ] }
            """)
        #expect(p.neighbours.map(\.ip.description) == ["10.0.0.2"])
        #expect(p.ipv6Neighbours == [IPv6NeighbourConfig(ip: IPv6Address("fe80::ff:fe00:2")!, mac: MACAddress("02:00:00:00:00:02")!,
                                                         device: "eth0", state: .NUD_STALE)])
        #expect(Self.headerText(p).contains(#"{"ip":"fe80::ff:fe00:2","mac":"02:00:00:00:00:02","dev":"eth0","state":"NUD_STALE"}"#))
        for bad in ["fe80::ff:fe00:2/64", "fe80:::2", "10.0.0.256"] {
            let json = "{\(Self.eth0), \"neighbours\": [{\"ip\": \"\(bad)\", \"mac\": \"02:00:00:00:00:02\"}]}"
            #expect(Self.error(json)?.key == "neighbours[0].ip", "accepted \(bad)")
        }
    }

    /// The JSON text of a profile as the trace header writes it.
    static func headerText(_ p: HostProfile) -> String {
        let w = JSONWriter()
        w.value(p.json)
        return w.text
    }

    @Test("every fixture's profile survives a trip through the trace header's host object unchanged",
          arguments: fixtureProfiles)
    func roundTrip(_ name: String) throws {
        let p = try HostProfile.load(path: Repository.path("Fixtures/\(name)"))
        let again = try HostProfile.parse(Data(Self.headerText(p).utf8))
        #expect(Self.headerText(again) == Self.headerText(p))
    }

    static let fixtureProfiles: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: Repository.path("Fixtures"))) ?? [])
        .filter { $0.hasSuffix(".host.json") }.sorted()

    @Test("a trace header line loads as a profile: its host, with its kernel")
    func headerLine() throws {
        let header = """
            {"type":"header","schema":"pktpath-trace/1","kernel":"4.14","capture":"x.pcap","host":\(Self.headerText(try Self.parse("{\(Self.eth0)}"))),"assumptions":[]}
            {"type":"packet","frame":1}
            """
        let p = try HostProfile.parse(Data(header.utf8))
        #expect(p.kernel == "4.14")
        #expect(p.interfaces.map(\.name) == ["eth0"])
    }
}

/// docs/host-profile.md is the user's reference: it must name every sysctl the model reads.
@Suite("docs/host-profile.md")
struct HostProfileDocTests {
    @Test("every sysctl the model reads is in the table")
    func everyModeledSysctl() throws {
        let doc = try String(contentsOfFile: Repository.path("docs/host-profile.md"), encoding: .utf8)
        for name in Sysctl.modeled.sorted() {
            #expect(doc.contains("`\(name)`"), "\(name) is missing from docs/host-profile.md")
        }
        for name in Sysctl.modeledPerDevice.sorted() { #expect(doc.contains("net.ipv4.conf.{all,DEV}.\(name)")) }
    }

    /// A sysctl the model reads but does not list is reported in every trace header as "accepted but not
    /// modeled", and left out of the docs: every name the model's source reads must be in the list.
    @Test("every sysctl named in the model's source is listed as modeled")
    func everyReadSysctlIsListed() throws {
        let root = Repository.path("Sources/KernelNet")
        let files = try #require(FileManager.default.enumerator(atPath: root)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        let pattern = /"(net\.[a-z0-9_.]+)"/
        var names: Set<String> = []
        for file in files {
            let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
            for match in text.matches(of: pattern) { names.insert(String(match.1)) }
        }
        #expect(names.count > 20, "found only \(names.count) sysctl names")
        for name in names.sorted() { #expect(Sysctl.isModeled(name), "\(name) is read but not in Sysctl.modeled") }
    }
}
