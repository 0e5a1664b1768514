import Foundation
import KernelMac80211
import KernelNet
import Trace
import Wire

/// The host the model runs as: interfaces, routes, neighbours, sockets and sysctls, in the JSON format
/// of docs/host-profile.md. Loaded from a file or inferred from the capture.
public struct HostProfile: Sendable {
    /// One network interface of the host.
    public struct Interface: Sendable {
        public var name: String
        public var driver: String
        public var mac: MACAddress
        public var mtu: Int
        public var addresses: [IPv4Prefix]
        /// Its IPv6 addresses with their prefix length, as written (kept and shown; the IPv6 stack is not
        /// modeled yet).
        public var ipv6Addresses: [String] = []
        /// The DAD flags of addresses that have any, written after the address as `ip -6 addr` shows them
        /// (`"fd77::1/64 tentative"`, `"… dadfailed tentative"`, `"… optimistic"`).
        public var ipv6Flags: [IPv6Address: IPv6AddressFlags] = [:]
        /// IPv6 multicast groups joined on it beyond those the kernel joins for its addresses, as
        /// `ip -6 maddr show dev NAME` lists them (newest first).
        public var groups6: [IPv6Address] = []
        /// Whether the capture was taken on this interface.
        public var captured: Bool
        /// The interface index a capture of several interfaces (`-i any`, Linux cooked v2) records
        /// its frames under: frames with this index are replayed on this interface.
        public var ifindex: Int?
        /// The 802.1Q VLAN this interface is, when it is a VLAN sub-interface (`ip link add link eth0
        /// name eth0.10 type vlan id 10`).
        public var vlan: VLAN?
        /// The bridge this interface is a port of (`ip link set eth0 master br0`; `ip -j link` reports
        /// it as `master`). The bridge itself is an interface whose driver is `bridge`.
        public var master: String?
        /// The Wi-Fi station's association (driver `iwlwifi`): its BSS, access point, whether it is
        /// associated and authorized, and its pairwise cipher.
        public var wifi: IEEE80211IfManaged?

        public init(name: String, driver: String, mac: MACAddress, mtu: Int, addresses: [IPv4Prefix], captured: Bool,
                    ifindex: Int? = nil) {
            self.name = name
            self.driver = driver
            self.mac = mac
            self.mtu = mtu
            self.addresses = addresses
            self.captured = captured
            self.ifindex = ifindex
        }
    }

    /// An 802.1Q VLAN sub-interface: the interface below it and its VLAN id.
    public struct VLAN: Sendable, Equatable {
        public var parent: String
        public var id: Int

        public init(parent: String, id: Int) {
            self.parent = parent
            self.id = id
        }
    }

    public var kernel: String?
    public var interfaces: [Interface]
    /// The networking modules loaded that register protocol handlers the model follows (`bridge`,
    /// `8021q`, `stp`, `llc`). A VLAN interface implies `8021q`.
    public var modules: [String] = []
    /// UDP sockets bound to `::` that take IPv6 only (their `v6only`, or net.ipv6.bindv6only 1), which the
    /// model does not have yet (`udp [::]:53`); TCP listeners so bound are modeled (`SocketConfig.ipv6Only`).
    public var ipv6OnlySockets: [String] = []
    /// The modules `modules` may name.
    public static let knownModules = ["8021q", "bridge", "llc", "stp"]
    public var routes: [RouteConfig] = []
    /// IPv6 routes.
    public var routes6: [RouteConfig6] = []
    public var neighbours: [NeighbourConfig] = []
    /// IPv6 neighbours (`ip -6 neigh`): the `nd_tbl` entries the host starts with.
    public var ipv6Neighbours: [IPv6NeighbourConfig] = []
    public var sockets: [SocketConfig] = []
    public var sysctl: [String: Int] = [:]
    /// Sysctls whose value is not one integer, as `sysctl -a` prints them (`net.ipv4.ping_group_range`
    /// `"0 2147483647"`, `net.ipv4.tcp_congestion_control` `"cubic"`).
    public var sysctlText: [String: String] = [:]
    /// Firewall rules, in order (each in a filter table of its family, `inet` by default).
    public var netfilter: [NetfilterRule] = []
    /// The host starts with no neighbour entries and resolves every next hop (`--set neigh=cold`).
    public var coldNeighbours = false
    /// The what-if changes applied to the profile as loaded (`--set`), in order.
    public var overrides: [HostOverride] = []

    /// The drivers pktpath models.
    public static let drivers = ["iwlwifi", "veth", "loopback", "tun"]
    /// The drivers of an Ethernet-framed interface, which `--device` chooses between (`lo` is inferred
    /// from the capture or named in a profile).
    public static let ethernetDrivers = ["iwlwifi", "veth"]

    /// The interface the capture was taken on.
    public var capturedInterface: Interface? { interfaces.first { $0.captured } ?? interfaces.first }

    /// Reads a profile from a JSON file.
    public static func load(path: String) throws(HostProfileError) -> HostProfile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HostProfileError(path: path, key: nil, message: "cannot read the file")
        }
        return try parse(data, path: path)
    }

    /// Parses a profile; every error names the key at fault. The header line of a JSON trace
    /// (`pktpath trace --format json`) is a profile too: its `host`, with its `kernel`.
    public static func parse(_ data: Data, path: String = "host profile") throws(HostProfileError) -> HostProfile {
        func fail(_ key: String?, _ message: String) -> HostProfileError {
            HostProfileError(path: path, key: key, message: message)
        }
        var root: [String: Any]
        do {
            // A trace's header is its first line; a file holding the whole trace is read up to it.
            let firstLine = data.firstIndex(of: UInt8(ascii: "\n")).map { data[..<$0] } ?? data[...]
            let object = try (try? JSONSerialization.jsonObject(with: data)) ?? JSONSerialization.jsonObject(with: firstLine)
            guard let object = object as? [String: Any] else {
                throw fail(nil, "the top level is not a JSON object")
            }
            root = object
        } catch let e as HostProfileError {
            throw e
        } catch {
            throw fail(nil, "not valid JSON (\(error.localizedDescription))")
        }
        if root["type"] as? String == "header" {
            guard var host = root["host"] as? [String: Any] else { throw fail("host", "a trace header without a host object") }
            host["kernel"] = root["kernel"]
            root = host
        }
        let known: Set<String> = ["kernel", "interfaces", "routes", "neighbours", "sockets", "sysctl", "netfilter", "modules"]
        if let unknown = root.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail(unknown, "unknown key (expected one of: \(known.sorted().joined(separator: ", ")))")
        }
        /// A key that must hold a list of objects when present.
        func list(_ key: String) throws(HostProfileError) -> [[String: Any]] {
            guard let value = root[key] else { return [] }
            guard let items = value as? [[String: Any]] else { throw fail(key, "not a list of objects") }
            return items
        }
        var profile = HostProfile(kernel: nil, interfaces: [])
        if let k = root["kernel"] {
            guard let v = k as? String ?? (k as? NSNumber).map({ "\($0)" }) else { throw fail("kernel", "not a string") }
            guard KernelProfile.all[v] != nil else {
                throw fail("kernel", "'\(v)' is not a modeled kernel (have: \(KernelProfile.all.keys.sorted().joined(separator: ", ")))")
            }
            profile.kernel = v
        }
        guard let interfaces = root["interfaces"] as? [[String: Any]], !interfaces.isEmpty else {
            throw fail("interfaces", root["interfaces"] == nil ? "missing (at least one interface is required)" : "not a non-empty list of objects")
        }
        /// Refuses a key of `o` that is not in `known`, naming it.
        func checkKeys(_ o: [String: Any], _ known: Set<String>, at: String) throws(HostProfileError) {
            if let unknown = o.keys.sorted().first(where: { !known.contains($0) }) {
                throw fail("\(at).\(unknown)", "unknown key (expected one of: \(known.sorted().joined(separator: ", ")))")
            }
        }
        for (i, o) in interfaces.enumerated() {
            let at = "interfaces[\(i)]"
            try checkKeys(o, ["name", "driver", "mac", "mtu", "addresses", "groups", "captured", "ifindex", "vlan", "master", "wifi"],
                          at: at)
            guard let name = o["name"] as? String, !name.isEmpty else { throw fail("\(at).name", "missing or not a string") }
            guard !profile.interfaces.contains(where: { $0.name == name }) else {
                throw fail("\(at).name", "a second interface named \(name) (ip link refuses it: File exists)")
            }
            let isVLAN = o["vlan"] != nil && !(o["vlan"] is NSNull)
            let driver = o["driver"] as? String ?? (isVLAN ? "vlan" : "iwlwifi")
            // A VLAN sub-interface's driver is 8021q's (`ethtool -i`: "802.1Q VLAN Support").
            guard (driver == "vlan") == isVLAN else {
                throw fail("\(at).driver", isVLAN ? "'\(driver)': a VLAN interface's driver is vlan (or leave it out)"
                    : "'vlan' is the driver of a VLAN interface, which says \"vlan\": {\"parent\": …, \"id\": …}")
            }
            guard drivers.contains(driver) || isVLAN || driver == "bridge" else {
                throw fail("\(at).driver", "'\(driver)' is not a modeled driver (have: \(drivers.joined(separator: ", ")))")
            }
            var vlan: VLAN?
            if let v = o["vlan"], !(v is NSNull) {
                guard let object = v as? [String: Any] else {
                    throw fail("\(at).vlan", "not an object like {\"parent\": \"eth0\", \"id\": 10}")
                }
                try checkKeys(object, ["parent", "id"], at: "\(at).vlan")
                guard let parent = object["parent"] as? String, !parent.isEmpty else {
                    throw fail("\(at).vlan.parent", "missing or not an interface name")
                }
                // vlan_validate (net/8021q/vlan_netlink.c): ids below VLAN_VID_MASK (4095).
                guard let n = object["id"] as? NSNumber, !(object["id"] is Bool), let id = Int(exactly: n.doubleValue),
                    (0...4094).contains(id) else {
                    throw fail("\(at).vlan.id", "missing or not a VLAN id from 0 to 4094 (ip link: out of range)")
                }
                vlan = VLAN(parent: parent, id: id)
            }
            // A VLAN device takes its real device's address unless given one (vlan_dev_init).
            let mac: MACAddress
            if driver == "tun" {
                // A tun device has no link-layer address (`ip link`: link/none); the model's is all zeros.
                guard o["mac"] == nil || (o["mac"] as? String).flatMap(MACAddress.init) == .zero else {
                    throw fail("\(at).mac", "a tun device has no MAC address (leave it out)")
                }
                mac = .zero
            } else if let macText = o["mac"] as? String, let m = MACAddress(macText) {
                mac = m
            } else if o["mac"] == nil, let vlan, let parent = interfaces.first(where: { $0["name"] as? String == vlan.parent }),
                let m = (parent["mac"] as? String).flatMap(MACAddress.init)
            {
                mac = m
            } else {
                throw fail("\(at).mac", "missing or not a MAC address like 02:00:00:00:0d:00")
            }
            guard !mac.isMulticast else {
                throw fail("\(at).mac", "\(mac) is a multicast address, which no interface has (ip link refuses it)")
            }
            var mtu = 1500
            if let m = o["mtu"] {
                // lo's MTU is 64 KiB (loopback_setup); other devices stop at ETH_MAX_MTU, 65535.
                let highest = driver == "loopback" ? 65_536 : 65_535
                guard let n = jsonInteger(m), (68...highest).contains(n) else {
                    throw fail("\(at).mtu", "must be an integer from 68 to \(highest)")
                }
                mtu = n
            }
            var addresses: [IPv4Prefix] = []
            var ipv6: [String] = []
            if let a = o["addresses"], !(a is [Any]) { throw fail("\(at).addresses", "not a list") }
            var ipv6Flags: [IPv6Address: IPv6AddressFlags] = [:]
            for (j, a) in ((o["addresses"] as? [Any]) ?? []).enumerated() {
                guard let written = a as? String else { throw fail("\(at).addresses[\(j)]", "not a string") }
                // An IPv6 address may carry its DAD flags after it, as `ip -6 addr` prints them.
                let words = written.split(separator: " ").map(String.init)
                let text = words.first ?? written
                var flags: IPv6AddressFlags = []
                for word in words.dropFirst() {
                    guard text.contains(":"), let flag = IPv6AddressFlags.names.first(where: { $0.0 == word })?.1 else {
                        throw fail("\(at).addresses[\(j)]", "'\(word)' is not an IPv6 address flag (tentative, optimistic, dadfailed)")
                    }
                    flags.insert(flag)
                }
                if let p = IPv4Prefix(text) {
                    addresses.append(p)
                    continue
                }
                // IPv6 addresses (inet6_ifaddr); anything else is an error.
                guard text.contains(":"), Self.isIPv6Prefix(text) else {
                    throw fail("\(at).addresses[\(j)]", "'\(text)' is not an address/prefix")
                }
                ipv6.append(text)
                if !flags.isEmpty, let address = IPv6Prefix(text)?.address { ipv6Flags[address] = flags }
            }
            if let g = o["groups"], !(g is [Any]) { throw fail("\(at).groups", "not a list") }
            var groups6: [IPv6Address] = []
            for (j, g) in ((o["groups"] as? [Any]) ?? []).enumerated() {
                guard let t = g as? String, let a = IPv6Address(t), a.isMulticast else {
                    throw fail("\(at).groups[\(j)]", "not an IPv6 multicast address")
                }
                groups6.append(a)
            }
            var ifindex: Int?
            if let x = o["ifindex"] {
                guard let n = jsonInteger(x), n >= 1, n <= Int(Int32.max) else {
                    throw fail("\(at).ifindex", "must be an interface index (a number from 1)")
                }
                guard !profile.interfaces.contains(where: { $0.ifindex == n }) else {
                    throw fail("\(at).ifindex", "\(n) is already another interface's")
                }
                ifindex = n
            }
            var interface = Interface(name: name, driver: driver, mac: mac, mtu: mtu, addresses: addresses,
                                      captured: o["captured"] as? Bool ?? false, ifindex: ifindex)
            interface.ipv6Addresses = ipv6
            interface.ipv6Flags = ipv6Flags
            interface.groups6 = groups6
            interface.vlan = vlan
            if let m = o["master"], !(m is NSNull) {
                guard let master = m as? String, !master.isEmpty else { throw fail("\(at).master", "not an interface name") }
                interface.master = master
            }
            if let w = o["wifi"], !(w is NSNull) {
                guard driver == "iwlwifi" else { throw fail("\(at).wifi", "only a Wi-Fi interface (driver iwlwifi) has it") }
                guard let object = w as? [String: Any] else {
                    throw fail("\(at).wifi", "not an object like {\"bssid\": \"02:00:00:00:01:00\", \"authorized\": true}")
                }
                try checkKeys(object, ["bssid", "ap", "associated", "authorized", "cipher", "pmf"], at: "\(at).wifi")
                guard let bssid = (object["bssid"] as? String).flatMap(MACAddress.init) else {
                    throw fail("\(at).wifi.bssid", "missing or not a MAC address")
                }
                var ap = bssid
                if let a = object["ap"] {
                    guard let m = (a as? String).flatMap(MACAddress.init) else { throw fail("\(at).wifi.ap", "not a MAC address") }
                    ap = m
                }
                for key in ["associated", "authorized", "pmf"] where object[key] != nil && !(object[key] is Bool) {
                    throw fail("\(at).wifi.\(key)", "not true or false")
                }
                var cipher: String?
                if let c = object["cipher"], !(c is NSNull) {
                    guard let text = c as? String, !text.isEmpty else { throw fail("\(at).wifi.cipher", "not a cipher name") }
                    cipher = text
                }
                interface.wifi = IEEE80211IfManaged(bssid: bssid, ap: ap, associated: object["associated"] as? Bool ?? true,
                                                    authorized: object["authorized"] as? Bool ?? true, cipher: cipher)
                interface.wifi?.mfp = object["pmf"] as? Bool ?? false
            }
            profile.interfaces.append(interface)
        }
        try profile.checkVLANs(interfaces, fail)
        try profile.checkBridges(fail)
        for (i, o) in try list("routes").enumerated() {
            let at = "routes[\(i)]"
            try checkKeys(o, ["dst", "via", "dev", "onlink"], at: at)
            // An IPv6 route: an IPv6 destination, or the default route through an IPv6 gateway.
            if let dst = o["dst"] as? String, dst.contains(":") || (dst == "default" && (o["via"] as? String)?.contains(":") == true) {
                guard let prefix = dst == "default" ? IPv6Prefix("::/0") : IPv6Prefix(dst) else {
                    throw fail("\(at).dst", "not 'default' or an IPv6 address/prefix")
                }
                var gw: IPv6Address?
                if let via = o["via"], !(via is NSNull) {
                    guard let text = via as? String, let a = IPv6Address(text) else { throw fail("\(at).via", "not an IPv6 address") }
                    gw = a
                }
                let dev = o["dev"] as? String
                if let dev, !profile.interfaces.contains(where: { $0.name == dev }) {
                    throw fail("\(at).dev", "no interface named \(dev) (ip route: Cannot find device)")
                }
                profile.routes6.append(RouteConfig6(destination: prefix, gateway: gw, device: dev))
                continue
            }
            guard let dst = o["dst"] as? String, let prefix = dst == "default" ? IPv4Prefix("0.0.0.0/0") : IPv4Prefix(dst) else {
                throw fail("\(at).dst", "missing or not 'default' or an address/prefix")
            }
            // A destination with bits set past its prefix length is refused (rtm_to_fib_config,
            // net/ipv4/fib_frontend.c: -EINVAL, "Invalid prefix for given prefix length").
            if prefix.address != prefix.network {
                throw fail("\(at).dst", "\(dst) has host bits set (ip route: Invalid prefix for given prefix length; the network is \(prefix.network)/\(prefix.length))")
            }
            var onlink = false
            if let v = o["onlink"] {
                guard let b = v as? Bool else { throw fail("\(at).onlink", "not true or false") }
                onlink = b
            }
            var gw: IPv4Address?
            if let via = o["via"], !(via is NSNull) {
                guard let text = via as? String, let a = IPv4Address(text) else { throw fail("\(at).via", "not an IPv4 address") }
                gw = a
            }
            let dev = o["dev"] as? String
            let names = profile.interfaces.map(\.name)
            if let dev, !names.contains(dev) {
                throw fail("\(at).dev", "no interface named \(dev) (have: \(names.joined(separator: ", ")); ip route: Cannot find device)")
            }
            if let gw, !onlink {
                let candidates = profile.interfaces.filter { dev == nil || $0.name == dev }
                guard candidates.contains(where: { $0.addresses.contains { $0.contains(gw) } }) else {
                    throw fail("\(at).via", "\(gw) is on no network of \(dev ?? "the interfaces") (ip route: Nexthop has invalid gateway; say \"onlink\": true if it is reachable there anyway)")
                }
            }
            if onlink, dev == nil { throw fail("\(at).dev", "an onlink route names its device (ip route: Nexthop device required for onlink)") }
            profile.routes.append(RouteConfig(destination: prefix, gateway: gw, device: dev, onlink: onlink))
        }
        for (i, o) in try list("neighbours").enumerated() {
            let at = "neighbours[\(i)]"
            guard let macText = o["mac"] as? String, let mac = MACAddress(macText) else { throw fail("\(at).mac", "missing or not a MAC address") }
            let stateText = o["state"] as? String ?? "reachable"
            guard let state = NUDState(name: stateText) else { throw fail("\(at).state", "'\(stateText)' is not a neighbour state") }
            let dev = o["dev"] as? String
            if let dev, !profile.interfaces.contains(where: { $0.name == dev }) {
                throw fail("\(at).dev", "no interface named \(dev) (ip neigh: Cannot find device)")
            }
            // IPv6 neighbours go into nd_tbl.
            if let ipText = o["ip"] as? String, ipText.contains(":"), !ipText.contains("/"), let ip = IPv6Address(ipText) {
                profile.ipv6Neighbours.append(IPv6NeighbourConfig(ip: ip, mac: mac, device: dev, state: state))
                continue
            }
            guard let ipText = o["ip"] as? String, let ip = IPv4Address(ipText) else {
                throw fail("\(at).ip", "missing or not an IPv4 or IPv6 address")
            }
            profile.neighbours.append(NeighbourConfig(ip: ip, mac: mac, device: dev, state: state))
        }
        for (i, o) in try list("sockets").enumerated() {
            let at = "sockets[\(i)]"
            let known: Set<String> = ["proto", "addr", "port", "state", "groups", "remote", "multicast_loop", "v6only"]
            if let unknown = o.keys.sorted().first(where: { !known.contains($0) }) {
                throw fail("\(at).\(unknown)", "unknown key (expected one of: \(known.sorted().joined(separator: ", ")))")
            }
            guard let protoText = o["proto"] as? String, let proto = SocketConfig.Proto(rawValue: protoText) else {
                throw fail("\(at).proto", "missing or not tcp/udp")
            }
            guard let port = jsonInteger(o["port"]), (0...65_535).contains(port) else {
                throw fail("\(at).port", "missing or not a port number")
            }
            var addrText = o["addr"] as? String ?? "0.0.0.0"
            var takesIPv6 = false, ipv6Only = false
            if let flag = o["v6only"], !(flag is Bool) || addrText != "::" {
                throw fail("\(at).v6only", "true or false, for a socket bound to ::")
            }
            if addrText == "::" {
                // A socket bound to :: takes IPv4 too (IPv4-mapped) unless it is IPv6-only: its own `v6only`,
                // else net.ipv6.bindv6only 1. An IPv6-only TCP listener is modeled; other such sockets are not.
                let sysctls = root["sysctl"] as? [String: Any]
                let bindv6only = (sysctls?["net.ipv6.bindv6only"] as? NSNumber)?.intValue
                    ?? (sysctls?["net.ipv6.bindv6only"] as? String).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
                let v6only = o["v6only"] as? Bool ?? (bindv6only != 0)
                if v6only, protoText != "tcp" || o["state"] as? String == "established" {
                    profile.ipv6OnlySockets.append("\(protoText) [::]:\((o["port"] as? NSNumber)?.intValue ?? 0)")
                    continue
                }
                ipv6Only = v6only
                addrText = "0.0.0.0"
                takesIPv6 = true
            }
            // An established IPv6 connection names its own address; a socket bound to one IPv6 address
            // (a listener, a UDP socket) is not modeled.
            let addr6 = o["state"] as? String == "established" ? IPv6Address(addrText) : nil
            guard let addr = addr6 != nil ? IPv4Address.any : IPv4Address(addrText) else {
                throw fail("\(at).addr", "'\(addrText)' is not an IPv4 address or :: (sockets bound to one IPv6 address are not modeled)")
            }
            var groups: [IPv4Address] = []
            var groups6: [IPv6Address] = []
            for (j, g) in ((o["groups"] as? [Any]) ?? []).enumerated() {
                // An IPv6 group needs an IPv6 socket (bound to ::).
                if let t = g as? String, let a = IPv6Address(t), a.isMulticast, takesIPv6, proto == .udp {
                    groups6.append(a)
                    continue
                }
                guard let t = g as? String, let a = IPv4Address(t), a.isMulticast else {
                    throw fail("\(at).groups[\(j)]", "not an IPv4 multicast address (or an IPv6 one, for a UDP socket on ::)")
                }
                groups.append(a)
            }
            // TCP: listening (the default) or an established connection, which names its peer.
            var state: TCPState? = proto == .tcp ? .TCP_LISTEN : nil
            if let s = o["state"] {
                switch (proto, s as? String) {
                case (.tcp, "listen"): state = .TCP_LISTEN
                case (.tcp, "established"): state = .TCP_ESTABLISHED
                default: throw fail("\(at).state", "a TCP socket is \"listen\" or \"established\"; a UDP socket has no state")
                }
            }
            // The peer of a connected UDP socket or an established connection ("10.0.0.2:53").
            // An IPv6 connection's (or an IPv6 socket's, bound to ::) peer is written "[ADDRESS]:PORT".
            var remote: (IPv4Address, UInt16)?
            var remote6: IPv6Address?
            if let r = o["remote"], !(r is NSNull) {
                let text = r as? String ?? ""
                if addr6 != nil || takesIPv6, text.hasPrefix("["), let close = text.firstIndex(of: "]"),
                   let ip = IPv6Address(text[text.index(after: text.startIndex)..<close]),
                   text[close...].hasPrefix("]:"), let p = UInt16(text[text.index(close, offsetBy: 2)...]) {
                    remote6 = ip
                    remote = (.any, p)
                } else {
                    let parts = text.split(separator: ":")
                    guard addr6 == nil, state != .TCP_LISTEN, parts.count == 2, let ip = IPv4Address(String(parts[0])),
                        let p = UInt16(parts[1]) else {
                        throw fail("\(at).remote", "not ADDRESS:PORT ([ADDRESS]:PORT over IPv6) of a connected UDP socket or an established connection")
                    }
                    remote = (ip, p)
                }
            }
            if state == .TCP_ESTABLISHED, remote == nil {
                throw fail("\(at).remote", "an established connection names its peer (ADDRESS:PORT)")
            }
            var socket = SocketConfig(proto: proto, address: addr, port: UInt16(port), state: state,
                                      remote: remote?.0, remotePort: remote?.1, groups: groups)
            socket.ipv6 = takesIPv6
            socket.ipv6Only = ipv6Only
            socket.address6 = addr6
            socket.remote6 = remote6
            socket.groups6 = groups6
            if let loop = o["multicast_loop"] {
                // IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP: a UDP socket's.
                guard let flag = loop as? Bool, proto == .udp else {
                    throw fail("\(at).multicast_loop", "true or false, for a UDP socket")
                }
                socket.multicastLoop = flag
            }
            profile.sockets.append(socket)
        }
        if let s = root["sysctl"] {
            guard let dict = s as? [String: Any] else { throw fail("sysctl", "not an object") }
            for (k, v) in dict {
                // A number, or the text `sysctl -a` prints: one integer, or several values ("0 2147483647", "cubic").
                if v is NSNumber {
                    guard let n = jsonInteger(v) else { throw fail("sysctl.\(k)", "\(v) is not an integer; sysctl -w takes integers") }
                    profile.sysctl[k] = n
                } else if let text = (v as? String)?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
                    if let i = Int(text) { profile.sysctl[k] = i } else { profile.sysctlText[k] = text }
                } else {
                    throw fail("sysctl.\(k)", "not a number or the text sysctl prints")
                }
                if let n = profile.sysctl[k], let refusal = SysctlRange.refusal(k, n) { throw fail("sysctl.\(k)", refusal) }
            }
        }
        if let m = root["modules"] {
            guard let names = m as? [String] else { throw fail("modules", "not a list of module names") }
            for (j, name) in names.enumerated() where !knownModules.contains(name) {
                throw fail("modules[\(j)]", "'\(name)' is not a module the model follows (have: \(knownModules.joined(separator: ", ")))")
            }
            profile.modules = names
        }
        if let n = root["netfilter"] {
            guard n is [Any] else { throw fail("netfilter", "not a list of rules") }
            for (i, o) in try list("netfilter").enumerated() {
                profile.netfilter.append(try parseRule(o, at: "netfilter[\(i)]", interfaces: profile.interfaces.map(\.name), fail))
            }
        }
        return profile
    }

    /// Parses one firewall rule.
    static func parseRule(_ o: [String: Any], at: String, interfaces: [String],
                          _ fail: (String?, String) -> HostProfileError) throws(HostProfileError) -> NetfilterRule
    {
        let known: Set<String> = ["family", "hook", "proto", "saddr", "daddr", "sport", "dport", "iifname", "oifname", "verdict", "with"]
        if let unknown = o.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail("\(at).\(unknown)", "unknown key (expected one of: \(known.sorted().joined(separator: ", ")))")
        }
        var family = NetfilterFamily.inet
        if let f = o["family"] {
            guard let text = f as? String, let v = NetfilterFamily(rawValue: text) else {
                throw fail("\(at).family", "not inet, ip or ip6")
            }
            family = v
        }
        guard let hookName = o["hook"] as? String, let hook = NetfilterRule.hookNames[hookName] else {
            throw fail("\(at).hook", "missing or not one of: \(NetfilterRule.hookNames.keys.sorted().joined(separator: ", "))")
        }
        var proto: IPProtocol?
        if let p = o["proto"] {
            switch p as? String {
            case "tcp": proto = .tcp
            case "udp": proto = .udp
            case "icmp": proto = .icmp
            case "icmpv6": proto = .icmpv6
            default:
                guard let n = jsonInteger(p), (0...255).contains(n) else {
                    throw fail("\(at).proto", "not tcp, udp, icmp, icmpv6 or a protocol number")
                }
                proto = IPProtocol(rawValue: UInt8(n))
            }
        }
        // An address or prefix of either family (`ip saddr` or `ip6 saddr`).
        func prefix(_ key: String) throws(HostProfileError) -> (IPv4Prefix?, IPv6Prefix?) {
            guard let v = o[key] else { return (nil, nil) }
            guard let text = v as? String else { throw fail("\(at).\(key)", "not an address/prefix") }
            if let p = IPv4Prefix(text) { return (p, nil) }
            if text.contains(":"), let p = IPv6Prefix(text) { return (nil, p) }
            throw fail("\(at).\(key)", "not an IPv4 or IPv6 address/prefix")
        }
        func port(_ key: String) throws(HostProfileError) -> UInt16? {
            guard let v = o[key] else { return nil }
            guard let n = jsonInteger(v), (0...65_535).contains(n) else { throw fail("\(at).\(key)", "not a port number") }
            return UInt16(n)
        }
        func interface(_ key: String) throws(HostProfileError) -> String? {
            guard let v = o[key] else { return nil }
            guard let name = v as? String, interfaces.contains(name) else {
                throw fail("\(at).\(key)", "not one of the profile's interfaces (\(interfaces.joined(separator: ", ")))")
            }
            return name
        }
        guard let verdictText = o["verdict"] as? String, let verdict = NetfilterRule.Verdict(rawValue: verdictText) else {
            throw fail("\(at).verdict", "missing or not accept, drop or reject")
        }
        var with: RejectWith?
        if let w = o["with"] {
            guard let text = w as? String, let r = RejectWith(rawValue: text) else {
                throw fail("\(at).with", "not one of: \(RejectWith.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            with = r
        }
        let (saddr, saddr6) = try prefix("saddr"), (daddr, daddr6) = try prefix("daddr")
        let rule = NetfilterRule(family: family, hook: hook, proto: proto, saddr: saddr, daddr: daddr, saddr6: saddr6,
                                 daddr6: daddr6, sport: try port("sport"), dport: try port("dport"),
                                 iifname: try interface("iifname"), oifname: try interface("oifname"), verdict: verdict,
                                 rejectWith: with)
        // nft refuses a rule that could match neither family: addresses of both, or of the family the
        // table does not see, or a reject answering the other family only.
        if (saddr != nil || daddr != nil) && (saddr6 != nil || daddr6 != nil) {
            throw fail(at, "addresses of both IPv4 and IPv6: the rule could never match")
        }
        if family != .inet {
            let other = family == .ip ? NetfilterFamily.ip6 : .ip
            if (family == .ip && (saddr6 != nil || daddr6 != nil)) || (family == .ip6 && (saddr != nil || daddr != nil)) {
                throw fail(at, "an \(other.rawValue) address in an \(family.rawValue) table")
            }
            if verdict == .reject, with?.onlyFamily == other {
                throw fail("\(at).with", "\(with?.rawValue ?? "") answers \(other == .ip ? "IPv4" : "IPv6") only, in an \(family.rawValue) table")
            }
        } else if verdict == .reject, let only = with?.onlyFamily,
                  (only == .ip && (saddr6 != nil || daddr6 != nil)) || (only == .ip6 && (saddr != nil || daddr != nil)) {
            throw fail("\(at).with", "\(with?.rawValue ?? "") answers the other family than the rule's addresses")
        }
        return rule
    }

    /// Checks the VLAN sub-interfaces as `ip link add … type vlan` does: the real device is another
    /// interface of the profile and not a VLAN-challenged one (lo), one id per real device, and the
    /// MTU no larger than the real device's; a VLAN without an `mtu` takes its real device's
    /// (vlan_newlink, vlan_check_real_dev in net/8021q/).
    mutating func checkVLANs(_ objects: [[String: Any]], _ fail: (String?, String) -> HostProfileError) throws(HostProfileError) {
        var seen: [String: String] = [:]
        for i in interfaces.indices {
            guard let vlan = interfaces[i].vlan else { continue }
            let at = "interfaces[\(i)].vlan"
            guard let p = interfaces.firstIndex(where: { $0.name == vlan.parent }), p != i else {
                throw fail("\(at).parent", "'\(vlan.parent)' is not another interface of the profile (have: \(interfaces.map(\.name).joined(separator: ", ")); ip link: Cannot find device)")
            }
            guard interfaces[p].driver != "loopback" else {
                throw fail("\(at).parent", "\(vlan.parent) is the loopback device, which takes no VLANs (VLANs not supported)")
            }
            guard interfaces[p].vlan == nil else {
                throw fail("\(at).parent", "\(vlan.parent) is itself a VLAN: stacked VLANs (802.1ad, QinQ) are not modeled")
            }
            let key = "\(vlan.parent)/\(vlan.id)"
            if let other = seen[key] {
                throw fail("\(at).id", "\(other) is already VLAN \(vlan.id) on \(vlan.parent) (ip link: File exists)")
            }
            seen[key] = interfaces[i].name
            if i < objects.count, objects[i]["mtu"] == nil {
                interfaces[i].mtu = interfaces[p].mtu
            } else if interfaces[i].mtu > interfaces[p].mtu {
                throw fail("interfaces[\(i)].mtu", "\(interfaces[i].mtu) is larger than the MTU of its real device \(vlan.parent) (\(interfaces[p].mtu)); the kernel refuses it (-ERANGE)")
            }
        }
    }

    /// Checks the bridge ports as `ip link set … master …` does: the master is a bridge of the profile,
    /// and the port is neither the loopback device nor the bridge itself; a bridge as another bridge's
    /// port is not modeled (br_add_if: -ELOOP for a bridge's own upper devices).
    func checkBridges(_ fail: (String?, String) -> HostProfileError) throws(HostProfileError) {
        for (i, interface) in interfaces.enumerated() {
            guard let master = interface.master else { continue }
            let at = "interfaces[\(i)].master"
            guard let b = interfaces.first(where: { $0.name == master }), b.name != interface.name else {
                throw fail(at, "'\(master)' is not another interface of the profile (ip link: Cannot find device)")
            }
            guard b.driver == "bridge" else {
                throw fail(at, "\(master) is not a bridge (its driver is \(b.driver), not bridge)")
            }
            guard interface.driver != "loopback" else {
                throw fail(at, "\(interface.name) is the loopback device, which cannot be a bridge port (br_add_if: -EINVAL)")
            }
            guard interface.driver != "bridge", interface.vlan == nil else {
                throw fail(at, "a \(interface.driver == "bridge" ? "bridge" : "VLAN device") as a bridge port is not modeled")
            }
        }
    }

    /// Whether `text` looks like an IPv6 address with an optional prefix length.
    static func isIPv6Prefix(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.count == 1 || Int(parts[1]).map({ (0...128).contains($0) }) == true
        else { return false }
        let groups = parts[0].split(separator: ":", omittingEmptySubsequences: false)
        return (3...8).contains(groups.count) && groups.allSatisfy { $0.count <= 4 && $0.allSatisfy(\.isHexDigit) }
    }

    /// The 16 bytes of an IPv6 address written as text, with or without a prefix length; `nil` when
    /// it is not one.
    static func ipv6Bytes(_ text: String) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let address = String(text.prefix { $0 != "/" })
        return inet_pton(AF_INET6, address, &bytes) == 1 ? bytes : nil
    }

    /// The profile as the trace header shows it.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("interfaces", .array(interfaces.map(\.json))),
            ("routes", .array(routes.map(Self.json(route:)) + routes6.map(Self.json(route6:)))),
            ("neighbours", .array(neighbours.map { n in
                .object([("ip", .string(n.ip.description)), ("mac", .string(n.mac.description)),
                         ("dev", n.device.map { .string($0) } ?? .null), ("state", .string(n.state.rawValue))])
            } + ipv6Neighbours.map { n in
                .object([("ip", .string(n.ip.description)), ("mac", .string(n.mac.description)),
                         ("dev", n.device.map { .string($0) } ?? .null), ("state", .string(n.state.rawValue))])
            })),
            ("sockets", .array(sockets.map(Self.json(socket:)))),
            ("sysctl", .object((Array(sysctl.keys) + Array(sysctlText.keys)).sorted().map { k in
                (k, sysctl[k].map { .int($0) } ?? .string(sysctlText[k] ?? ""))
            })),
            ("netfilter", .array(netfilter.map(\.json))),
        ]
        if !modules.isEmpty { fields.append(("modules", .array(modules.map { .string($0) }))) }
        return .object(fields)
    }

    /// A route as the profile writes it.
    static func json(route r: RouteConfig) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("dst", .string(r.destination.length == 0 ? "default" : r.destination.description)),
            ("via", r.gateway.map { .string($0.description) } ?? .null),
            ("dev", r.device.map { .string($0) } ?? .null),
        ]
        if r.onlink { fields.append(("onlink", .bool(true))) }
        return .object(fields)
    }

    /// An IPv6 route as the profile writes it.
    static func json(route6 r: RouteConfig6) -> JSONValue {
        .object([("dst", .string(r.destination.length == 0 ? "default" : r.destination.description)),
                 ("via", r.gateway.map { .string($0.description) } ?? .null), ("dev", r.device.map { .string($0) } ?? .null)])
    }

    /// A socket as the profile writes it.
    static func json(socket s: SocketConfig) -> JSONValue {
        let addr = s.address6?.description ?? (s.ipv6 ? "::" : s.address.description)
        var fields: [(String, JSONValue)] = [("proto", .string(s.proto.rawValue)), ("addr", .string(addr)),
                                             ("port", .int(Int(s.port)))]
        if let state = s.state { fields.append(("state", .string(state == .TCP_LISTEN ? "listen" : "established"))) }
        if s.ipv6Only { fields.append(("v6only", .bool(true))) }
        if let r = s.remote6, let p = s.remotePort {
            fields.append(("remote", .string("[\(r)]:\(p)")))
        } else if let r = s.remote, let p = s.remotePort {
            fields.append(("remote", .string("\(r):\(p)")))
        }
        let groups = s.groups.map(\.description) + s.groups6.map(\.description)
        if !groups.isEmpty { fields.append(("groups", .array(groups.map { .string($0) }))) }
        if !s.multicastLoop { fields.append(("multicast_loop", .bool(false))) }
        return .object(fields)
    }
}

extension HostProfile.Interface {
    /// The interface as the profile writes it.
    var json: JSONValue {
        let all: [JSONValue] = addresses.map { .string($0.description) } + ipv6Addresses.map { text in
            let words = IPv6Prefix(text).flatMap { ipv6Flags[$0.address] }?.words ?? []
            return .string(([text] + words).joined(separator: " "))
        }
        var fields: [(String, JSONValue)] = [
            ("name", .string(name)), ("driver", .string(driver)), ("mac", .string(mac.description)), ("mtu", .int(mtu)),
            ("addresses", .array(all)), ("captured", .bool(captured)),
        ]
        if !groups6.isEmpty { fields.insert(("groups", .array(groups6.map { .string($0.description) })), at: 5) }
        if driver == "tun" { fields.remove(at: 2) }
        if let ifindex { fields.append(("ifindex", .int(ifindex))) }
        if let vlan { fields.append(("vlan", .object([("parent", .string(vlan.parent)), ("id", .int(vlan.id))]))) }
        if let master { fields.append(("master", .string(master))) }
        if let wifi {
            var w: [(String, JSONValue)] = [("bssid", .string(wifi.bssid.description)), ("ap", .string(wifi.ap.description)),
                                            ("associated", .bool(wifi.associated)), ("authorized", .bool(wifi.authorized))]
            if let cipher = wifi.cipher { w.append(("cipher", .string(cipher))) }
            if wifi.mfp { w.append(("pmf", .bool(true))) }
            fields.append(("wifi", .object(w)))
        }
        return .object(fields)
    }
}

extension NetfilterRule {
    /// The rule as the host profile writes it (the keys `parseRule` reads).
    /// The hooks of an `inet filter` table, by the names a profile gives them.
    static let hookNames: [String: NFHook] = ["prerouting": .NF_INET_PRE_ROUTING, "input": .NF_INET_LOCAL_IN,
                                              "forward": .NF_INET_FORWARD, "output": .NF_INET_LOCAL_OUT,
                                              "postrouting": .NF_INET_POST_ROUTING]

    var json: JSONValue {
        let name = Self.hookNames.first { $0.value == hook }?.key ?? hook.rawValue
        var fields: [(String, JSONValue)] = []
        if family != .inet { fields.append(("family", .string(family.rawValue))) }
        fields.append(("hook", .string(name)))
        if let proto {
            switch proto {
            case .tcp: fields.append(("proto", .string("tcp")))
            case .udp: fields.append(("proto", .string("udp")))
            case .icmp: fields.append(("proto", .string("icmp")))
            case .icmpv6: fields.append(("proto", .string("icmpv6")))
            default: fields.append(("proto", .int(Int(proto.rawValue))))
            }
        }
        if let saddr { fields.append(("saddr", .string(saddr.description))) }
        if let saddr6 { fields.append(("saddr", .string(saddr6.description))) }
        if let daddr { fields.append(("daddr", .string(daddr.description))) }
        if let daddr6 { fields.append(("daddr", .string(daddr6.description))) }
        if let sport { fields.append(("sport", .int(Int(sport)))) }
        if let dport { fields.append(("dport", .int(Int(dport)))) }
        if let iifname { fields.append(("iifname", .string(iifname))) }
        if let oifname { fields.append(("oifname", .string(oifname))) }
        fields.append(("verdict", .string(verdict.rawValue)))
        if let rejectWith { fields.append(("with", .string(rejectWith.rawValue))) }
        return .object(fields)
    }
}

/// A host profile that could not be loaded: the file, the key at fault and what is wrong.
public struct HostProfileError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var key: String?
    public var message: String

    public var description: String {
        if let key { return "bad host profile \(path): \(key): \(message)" }
        return "bad host profile \(path): \(message)"
    }
}

