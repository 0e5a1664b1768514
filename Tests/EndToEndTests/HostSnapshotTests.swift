import Foundation
import KernelNet
import Replay
import Testing
import TestSupport
import Wire

/// Whether tests may build network namespaces: root and iproute2; CI has both (and must not skip).
enum Namespaces {
    static let usable: Bool = getuid() == 0 && ["/usr/sbin/ip", "/usr/bin/ip", "/sbin/ip", "/bin/ip"].contains {
        FileManager.default.isExecutableFile(atPath: $0)
    } || ProcessInfo.processInfo.environment["CI"] == "true"
    static let skipReason = "skipped: building a network namespace needs root and iproute2 (ip)"
}

/// `pktpath host snapshot`: a network namespace built here, read back field by field.
@Suite("host snapshot of a namespace", .enabled(if: Namespaces.usable, Comment(rawValue: Namespaces.skipReason)))
struct HostSnapshotTests {

    /// Runs `command` and returns its standard output; fails the test on a non-zero exit.
    @discardableResult
    static func sh(_ command: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "\(command) exited \(p.terminationStatus)")
        return String(decoding: data, as: UTF8.self)
    }

    /// `pktpath host snapshot` run in a namespace built for it (`pp-NAME-PID`, lo up) by `build`, shell
    /// lines given the namespace's name, while `during` (given the name too) runs in the background;
    /// the namespace is removed afterwards.
    static func snapshot(_ name: String, build: (String) -> String, during: ((String) -> String)? = nil) throws -> String {
        let exe = try #require(CLITests.executable)
        let ns = "pp-\(name)-\(getpid())"
        defer { _ = try? sh("ip netns del \(ns) 2>/dev/null; true") }
        try sh("ip netns add \(ns) && ip -n \(ns) link set lo up && " + build(ns))
        let snap = "ip netns exec \(ns) \(exe.path) host snapshot"
        return try sh(during.map { "\($0(ns)) & sleep 1; \(snap); wait" } ?? snap)
    }

    @Test("a namespace's interfaces, route, neighbour, listener and sysctls come back as it was built")
    func namespace() throws {
        // A listener held while the snapshot is taken.
        let text = try Self.snapshot("snap", build: { ns in """
            ip -n \(ns) link add snap0 address 02:00:00:00:5a:01 mtu 1400 type veth peer name snap1 address 02:00:00:00:5a:02 &&
            ip -n \(ns) addr add 10.99.0.1/24 dev snap0 && ip -n \(ns) link set snap0 up && ip -n \(ns) link set snap1 up &&
            ip -n \(ns) route add default via 10.99.0.254 &&
            ip -n \(ns) neigh add 10.99.0.254 lladdr 02:00:00:00:5a:fe dev snap0 nud permanent &&
            ip netns exec \(ns) sysctl -qw net.ipv4.ip_forward=1
            """ }, during: { ns in
            "ip netns exec \(ns) python3 -c 'import socket,time; s=socket.socket(); s.bind((\"0.0.0.0\", 8080)); s.listen(1); time.sleep(5)'"
        })
        let o = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let interfaces = try #require(o["interfaces"] as? [[String: Any]])
        let snap0 = try #require(interfaces.first { $0["name"] as? String == "snap0" })
        #expect(snap0["mac"] as? String == "02:00:00:00:5a:01")
        #expect(snap0["driver"] as? String == "veth")
        #expect(snap0["mtu"] as? Int == 1400)
        #expect((snap0["addresses"] as? [String])?.contains("10.99.0.1/24") == true)
        let lo = try #require(interfaces.first { $0["name"] as? String == "lo" })
        #expect(lo["driver"] as? String == "loopback")
        #expect((lo["addresses"] as? [String])?.contains("127.0.0.1/8") == true)
        let routes = try #require(o["routes"] as? [[String: Any]])
        #expect(routes.contains { $0["dst"] as? String == "default" && $0["via"] as? String == "10.99.0.254" && $0["dev"] as? String == "snap0" })
        let neighbours = try #require(o["neighbours"] as? [[String: Any]])
        #expect(neighbours.contains { $0["ip"] as? String == "10.99.0.254" && $0["mac"] as? String == "02:00:00:00:5a:fe"
                                      && $0["state"] as? String == "NUD_PERMANENT" })
        let sockets = try #require(o["sockets"] as? [[String: Any]])
        #expect(sockets.contains { $0["proto"] as? String == "tcp" && $0["port"] as? Int == 8080 && $0["state"] as? String == "listen" })
        let sysctl = try #require(o["sysctl"] as? [String: Any])
        #expect(sysctl["net.ipv4.ip_forward"] as? Int == 1)
        #expect(sysctl["net.ipv4.ping_group_range"] is String)
        // The snapshot is a profile pktpath takes as it is.
        let profile = try HostProfile.parse(Data(text.utf8))
        #expect(profile.interfaces.contains { $0.name == "snap0" && $0.mtu == 1400 })
    }

}

/// Snapshots made from given tool outputs.
@Suite("host snapshot from tool outputs")
struct HostSnapshotOutputTests {
    @Test("ss's wildcard and dual-stack listeners are taken, IPv6 connections kept; other IPv6 sockets and odd states left out, and said")
    func socketsAndOmissions() throws {
        let ss = """
            tcp LISTEN 0 4096 0.0.0.0:22 0.0.0.0:*
            tcp LISTEN 0 4096 *:80 *:*
            tcp ESTAB 0 0 10.0.0.1:22 10.0.0.2:50000
            tcp ESTAB 0 0 [fd00::1]:5001 [fd00::2]:40000
            tcp TIME-WAIT 0 0 10.0.0.1:22 10.0.0.2:49999
            tcp LISTEN 0 4096 [fe80::1%eth0]:9 [::]:*
            udp ESTAB 0 0 10.0.0.1:40000 10.0.0.254:53
            """
        let addr = #"[{"ifindex":2,"ifname":"eth0","link_type":"ether","address":"02:00:00:00:00:01","mtu":1500,"addr_info":[{"family":"inet","local":"10.0.0.1","prefixlen":24}]},{"ifindex":3,"ifname":"tun0","link_type":"none","mtu":1400,"addr_info":[]}]"#
        let s = try HostSnapshot(addresses: Data(addr.utf8), routes: Data("[]".utf8), neighbours: Data("[]".utf8),
                                 sockets: ss, sysctl: "net.ipv4.ip_default_ttl = 64\nkernel.hostname = x\n", release: "6.1.0-13-amd64")
        let p = try s.profile()
        #expect(p.kernel == "6.1")
        #expect(p.sockets.map { "\($0.proto.rawValue) \($0.address):\($0.port)" }
                == ["tcp 0.0.0.0:22", "tcp 0.0.0.0:80", "tcp 10.0.0.1:22", "tcp 0.0.0.0:5001", "udp 10.0.0.1:40000"])
        #expect(p.sockets.compactMap(\.remotePort) == [50000, 40000, 53])
        // `*:80` is an IPv6 socket taking IPv4 too; the IPv6 connection keeps its addresses.
        #expect(p.sockets[1].ipv6 && !p.sockets[1].ipv6Only)
        #expect(!p.sockets[0].ipv6)
        #expect(p.sockets[3].remote6?.description == "fd00::2")
        #expect(s.omitted.contains { $0.contains("[fe80::1%eth0]:9") })
        #expect(p.sysctl == ["net.ipv4.ip_default_ttl": 64])
        #expect(s.omitted.contains { $0.hasPrefix("interface tun0: no MAC") })
        #expect(s.omitted.contains { $0.contains("TIME-WAIT") })
        #expect(s.omitted.contains { $0.hasPrefix("interface eth0: its driver") })
    }
}

/// IPv6 routes from `ip -6 -j route`.
@Suite("host snapshot: IPv6 routes")
struct HostSnapshotIPv6RouteTests {
    @Test("plain IPv6 routes go in, the default as ::/0; the interfaces' own, other types and multipath ones do not")
    func routes6() throws {
        let addr = #"[{"ifindex":2,"ifname":"eth0","link_type":"ether","address":"02:00:00:00:00:01","mtu":1500,"addr_info":[{"family":"inet6","local":"fd91:1::2","prefixlen":64}]}]"#
        let routes6 = #"""
            [{"dst":"fd91:1::/64","dev":"eth0","protocol":"kernel","metric":256,"flags":[]},
             {"dst":"fd91:3::/64","gateway":"fd91:1::1","dev":"eth0","metric":1024,"flags":[]},
             {"type":"unreachable","dst":"fd91:9::/64","dev":"lo","metric":1024,"flags":[]},
             {"dst":"fd91:4::/64","metric":1024,"flags":[],"nexthops":[{"gateway":"fd91:1::1","dev":"eth0"},{"gateway":"fd91:1::3","dev":"eth0"}]},
             {"dst":"default","gateway":"fe80::1","dev":"eth0","protocol":"ra","metric":1024,"flags":[]}]
            """#
        let s = try HostSnapshot(addresses: Data(addr.utf8), routes: Data("[]".utf8), routes6: Data(routes6.utf8),
                                 neighbours: Data("[]".utf8), sockets: "", sysctl: "", release: "6.1.0-13-amd64")
        let p = try s.profile()
        #expect(p.routes6.map { "\($0.destination) \($0.gateway.map(\.description) ?? "-") \($0.device ?? "-")" }
                == ["fd91:3::/64 fd91:1::1 eth0", "::/0 fe80::1 eth0"])
        #expect(s.omitted.filter { $0.hasPrefix("route ") }.count == 2)
    }
}

@Suite("host snapshot: VLANs, modules, IPv6-only sockets")
struct HostSnapshotVLANTests {
    static let addr = #"""
        [{"ifindex":2,"ifname":"eth0","link_type":"ether","address":"02:00:00:00:00:01","mtu":1500,"linkinfo":{"info_kind":"veth"},"addr_info":[]},
         {"ifindex":3,"link":"eth0","ifname":"eth0.10","link_type":"ether","address":"02:00:00:00:00:01","mtu":1500,
          "linkinfo":{"info_kind":"vlan","info_data":{"protocol":"802.1Q","id":10,"flags":["REORDER_HDR"]}},
          "addr_info":[{"family":"inet","local":"10.10.0.1","prefixlen":24}]},
         {"ifindex":4,"link":"eth0","ifname":"eth0.20","link_type":"ether","address":"02:00:00:00:00:01","mtu":1500,
          "linkinfo":{"info_kind":"vlan","info_data":{"protocol":"802.1ad","id":20}},"addr_info":[]}]
        """#

    static func snapshot(sysctl: String = "", modules: [String] = [],
                         sockets: String = "tcp LISTEN 0 4096 [::]:443 [::]:*\n") throws -> HostSnapshot {
        try HostSnapshot(addresses: Data(addr.utf8), routes: Data("[]".utf8), neighbours: Data("[]".utf8),
                         sockets: sockets, sysctl: sysctl, release: "6.1.0-13-amd64", modules: modules)
    }

    @Test("an 802.1Q VLAN of ip -d addr becomes a VLAN interface; an 802.1ad one is described as veth and said")
    func vlan() throws {
        let s = try Self.snapshot()
        let p = try s.profile()
        #expect(p.interfaces.first { $0.name == "eth0.10" }?.vlan == HostProfile.VLAN(parent: "eth0", id: 10))
        #expect(p.interfaces.first { $0.name == "eth0.20" }?.vlan == nil)
        #expect(s.omitted.contains { $0.hasPrefix("interface eth0.20: a VLAN the profile cannot hold") })
    }

    @Test("loaded modules go into the profile")
    func modules() throws {
        #expect(try Self.snapshot(modules: ["bridge", "stp", "llc"]).profile().modules == ["bridge", "llc", "stp"])
        #expect(try Self.snapshot().profile().modules == [])
    }

    /// `ss` writes an IPv6 socket bound to `::` as `*:PORT` when it takes IPv4 too and as `[::]:PORT` when
    /// it is IPv6 only (IPV6_V6ONLY), whichever net.ipv6.bindv6only made it so.
    @Test("a [::] socket is IPv6 only and a * one takes IPv4 too, whatever net.ipv6.bindv6only says")
    func wildcardSockets() throws {
        let ss = "tcp LISTEN 0 4096 [::]:443 [::]:*\ntcp LISTEN 0 4096 *:80 *:*\nudp UNCONN 0 0 *:5353 *:*\nudp UNCONN 0 0 [::]:53 [::]:*\n"
        for sysctl in ["", "net.ipv6.bindv6only = 1\n"] {
            let s = try Self.snapshot(sysctl: sysctl, sockets: ss)
            let p = try s.profile()
            #expect(p.sockets.map { "\($0.proto.rawValue) \($0.port) \($0.ipv6) \($0.ipv6Only)" }
                    == ["tcp 443 true true", "tcp 80 true false", "udp 5353 true false"])
            // An IPv6-only UDP socket is not modeled: the trace's header says so.
            #expect(p.ipv6OnlySockets == ["udp [::]:53"])
        }
    }
}

@Suite("host snapshot: bridges")
struct HostSnapshotBridgeTests {
    /// `ip -d -j addr` of a bridge with a port, a bond with a slave, and a port of a bridge in
    /// another namespace's view (its master not among the interfaces).
    static let addr = #"""
        [{"ifindex":2,"ifname":"br0","link_type":"ether","address":"02:00:00:00:00:10","mtu":1500,"linkinfo":{"info_kind":"bridge"},
          "addr_info":[{"family":"inet","local":"10.10.0.1","prefixlen":24}]},
         {"ifindex":3,"ifname":"eth0","master":"br0","link_type":"ether","address":"02:00:00:00:00:01","mtu":1500,
          "linkinfo":{"info_kind":"veth","info_slave_kind":"bridge"},"addr_info":[]},
         {"ifindex":4,"ifname":"bond0","link_type":"ether","address":"02:00:00:00:00:20","mtu":1500,"linkinfo":{"info_kind":"bond"},"addr_info":[]},
         {"ifindex":5,"ifname":"eth1","master":"bond0","link_type":"ether","address":"02:00:00:00:00:20","mtu":1500,
          "linkinfo":{"info_kind":"veth","info_slave_kind":"bond"},"addr_info":[]}]
        """#

    @Test("an IPv6 address's DAD flags (ip -j addr's tentative, dadfailed, optimistic) are written after it")
    func dadFlags() throws {
        let addr = #"""
            [{"ifindex":2,"ifname":"eth0","link_type":"ether","address":"02:00:00:00:00:01","mtu":1500,"linkinfo":{"info_kind":"veth"},
              "addr_info":[{"family":"inet6","local":"fd00::5","prefixlen":64,"scope":"global","dadfailed":true,"tentative":true},
                           {"family":"inet6","local":"fd00::6","prefixlen":64,"scope":"global","optimistic":true,"tentative":true},
                           {"family":"inet6","local":"fe80::1","prefixlen":64,"scope":"link"}]}]
            """#
        let s = try HostSnapshot(addresses: Data(addr.utf8), routes: Data("[]".utf8), neighbours: Data("[]".utf8),
                                 sockets: "", sysctl: "", release: "6.1.0-13-amd64")
        let eth0 = try #require(try s.profile().interfaces.first)
        #expect(eth0.ipv6Addresses == ["fd00::5/64", "fd00::6/64", "fe80::1/64"])
        #expect(eth0.ipv6Flags == [IPv6Address("fd00::5")!: [.dadfailed, .tentative], IPv6Address("fd00::6")!: [.optimistic, .tentative]])
    }

    @Test("a bridge's driver is bridge and its port names it as master; a bond's slave keeps no master, and that is said")
    func bridge() throws {
        let s = try HostSnapshot(addresses: Data(Self.addr.utf8), routes: Data("[]".utf8), neighbours: Data("[]".utf8),
                                 sockets: "", sysctl: "", release: "6.1.0-13-amd64")
        let p = try s.profile()
        #expect(p.interfaces.first { $0.name == "br0" }?.driver == "bridge")
        #expect(p.interfaces.first { $0.name == "eth0" }?.master == "br0")
        #expect(p.interfaces.first { $0.name == "eth1" }?.master == nil)
        #expect(s.omitted.contains { $0.hasPrefix("interface eth1: its master bond0 is not a bridge") })
        #expect(!s.omitted.contains { $0.hasPrefix("interface br0") })
    }

    @Test("a namespace with a bridge and a port comes back with them", .enabled(if: Namespaces.usable, Comment(rawValue: Namespaces.skipReason)))
    func namespace() throws {
        let text = try HostSnapshotTests.snapshot("snapbr") { ns in """
            ip -n \(ns) link add br0 address 02:00:00:00:5b:00 type bridge &&
            ip -n \(ns) link add snapb0 address 02:00:00:00:5b:01 type veth peer name snapb1 address 02:00:00:00:5b:02 &&
            ip -n \(ns) link set snapb0 master br0 && ip -n \(ns) addr add 10.98.0.1/24 dev br0 &&
            ip -n \(ns) link set br0 up && ip -n \(ns) link set snapb0 up && ip -n \(ns) link set snapb1 up
            """ }
        let o = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let interfaces = try #require(o["interfaces"] as? [[String: Any]])
        let br0 = try #require(interfaces.first { $0["name"] as? String == "br0" })
        #expect(br0["driver"] as? String == "bridge")
        #expect(br0["mac"] as? String == "02:00:00:00:5b:00")
        #expect((br0["addresses"] as? [String])?.contains("10.98.0.1/24") == true)
        #expect(br0["master"] == nil)
        let port = try #require(interfaces.first { $0["name"] as? String == "snapb0" })
        #expect(port["master"] as? String == "br0")
        #expect(port["driver"] as? String == "veth")
        #expect(interfaces.first { $0["name"] as? String == "snapb1" }?["master"] == nil)
        #expect((o["modules"] as? [String])?.contains("bridge") == true)
        // The snapshot is a profile pktpath takes as it is.
        let profile = try HostProfile.parse(Data(text.utf8))
        #expect(profile.interfaces.first { $0.name == "snapb0" }?.master == "br0")
    }
}

@Suite("host snapshot: tun devices")
struct HostSnapshotTunTests {
    /// `ip -d -j addr` of a tun device and a tap device as `ip tuntap add` made them (fields trimmed).
    static let addr = #"""
        [{"ifindex":2,"ifname":"tun0","flags":["POINTOPOINT","MULTICAST","NOARP"],"mtu":1500,"link_type":"none",
          "linkinfo":{"info_kind":"tun","info_data":{"type":"tun","pi":false,"vnet_hdr":false,"multi_queue":false,"persist":true}},
          "addr_info":[{"family":"inet","local":"10.97.0.1","prefixlen":24}]},
         {"ifindex":3,"ifname":"tap0","flags":["BROADCAST","MULTICAST"],"mtu":1500,"link_type":"ether","address":"66:98:a5:02:6c:01",
          "linkinfo":{"info_kind":"tun","info_data":{"type":"tap","pi":false,"vnet_hdr":false,"multi_queue":false,"persist":true}},
          "addr_info":[]}]
        """#

    @Test("a tun device's driver is tun, without a MAC; a tap device is Ethernet, described as veth and said")
    func tun() throws {
        let s = try HostSnapshot(addresses: Data(Self.addr.utf8), routes: Data("[]".utf8), neighbours: Data("[]".utf8),
                                 sockets: "", sysctl: "", release: "6.1.0-13-amd64")
        let p = try s.profile()
        let tun = try #require(p.interfaces.first { $0.name == "tun0" })
        #expect(tun.driver == "tun")
        #expect(tun.mac == .zero)
        #expect(tun.addresses.map(\.description) == ["10.97.0.1/24"])
        #expect(!s.omitted.contains { $0.hasPrefix("interface tun0") }, "\(s.omitted)")
        #expect(p.interfaces.first { $0.name == "tap0" }?.driver == "veth")
        #expect(s.omitted.contains { $0.hasPrefix("interface tap0: its driver (tun) is not modeled") })
    }
}
