import Foundation
import KernelNet
import Trace
import Wire

/// The host profile of a running machine, made from what its own tools print: `ip -j -d addr`,
/// `ip -j route`, `ip -6 -j route`, `ip -j neigh`, `ss -Htuan`, `sysctl -a`, `uname -r` and, where it runs,
/// `nft -j list ruleset` (`pktpath host snapshot`).
///
/// The profile is written in the file format and read back through ``HostProfile/parse(_:path:)``, so
/// a snapshot is checked as every profile is. What the format cannot hold is left out and said in
/// `omitted`: interfaces without a MAC (tunnels), IPv6 neighbours, IPv6 routes other than plain unicast
/// ones through one device, sockets in states other
/// than listening and established (TCP) or bound and connected (UDP), non-`net.*` sysctls.
public struct HostSnapshot {
    /// The profile's JSON object, as `pktpath host snapshot` prints it.
    public var json: [String: Any]
    /// What the machine has that the profile leaves out, one line each.
    public var omitted: [String]

    /// Builds the snapshot from the tools' outputs.
    /// `modules`: which of ``HostProfile/knownModules`` the machine has loaded (`/sys/module/NAME`).
    /// `ruleset`: what `nft -j list ruleset` printed, if it ran (its filter rules go in `netfilter`).
    public init(addresses: Data, routes: Data, routes6: Data = Data("[]".utf8), neighbours: Data, sockets: String,
                sysctl: String, release: String, modules: [String] = [], ruleset: Data? = nil) throws {
        var omitted: [String] = []
        var interfaces: [[String: Any]] = []
        let links = (try JSONSerialization.jsonObject(with: addresses) as? [[String: Any]]) ?? []
        for link in links {
            guard let name = link["ifname"] as? String else { continue }
            let loopback = link["link_type"] as? String == "loopback"
            let info = link["linkinfo"] as? [String: Any]
            let kind = info?["info_kind"] as? String
            // A tun device (`ip -d`: info_kind tun, info_data type tun; a tap device is Ethernet) has no MAC.
            let isTun = kind == "tun" && (info?["info_data"] as? [String: Any])?["type"] as? String == "tun"
            let mac = link["address"] as? String
            guard isTun || mac.flatMap(MACAddress.init) != nil else {
                omitted.append("interface \(name): no MAC address (\(link["link_type"] as? String ?? "?"))")
                continue
            }
            // An 802.1Q VLAN on an interface of this namespace ("link" names it; one in another
            // namespace has "link_netnsid" instead).
            let vlanData = info?["info_data"] as? [String: Any]
            var vlan: [String: Any]?
            if kind == "vlan", let parent = link["link"] as? String, link["link_netnsid"] == nil,
                vlanData?["protocol"] as? String == "802.1Q", let id = vlanData?["id"] as? Int
            {
                vlan = ["parent": parent, "id": id]
            }
            let driver = vlan != nil ? "vlan" : loopback ? "loopback" : isTun ? "tun" : kind == "bridge" ? "bridge"
                : kind == "veth" ? "veth" : name.hasPrefix("wl") ? "iwlwifi" : "veth"
            if vlan == nil, kind == "vlan" {
                omitted.append("interface \(name): a VLAN the profile cannot hold (802.1ad, or on another namespace's device); described as veth")
            } else if vlan == nil, !loopback, !isTun, kind != "veth", kind != "bridge", !name.hasPrefix("wl") {
                omitted.append("interface \(name): its driver (\(kind ?? "a NIC")) is not modeled; described as veth")
            }
            let addrs = ((link["addr_info"] as? [[String: Any]]) ?? []).compactMap { a -> String? in
                guard let local = a["local"] as? String, let length = jsonInteger(a["prefixlen"]) else { return nil }
                // An IPv6 address in DAD, or that failed it: its flags as `ip -6 addr` prints them.
                let flags = IPv6AddressFlags.names.filter { a[$0.0] as? Bool == true }.map(\.0)
                return (["\(local)/\(length)"] + (local.contains(":") ? flags : [])).joined(separator: " ")
            }
            var i: [String: Any] = ["name": name, "driver": driver, "addresses": addrs]
            if !isTun, let mac { i["mac"] = mac }
            if let mtu = jsonInteger(link["mtu"]) { i["mtu"] = mtu }
            if let index = jsonInteger(link["ifindex"]) { i["ifindex"] = index }
            if let vlan { i["vlan"] = vlan }
            // A bridge port: `ip -j addr` names its bridge as "master" (a bond's slaves too; only a
            // bridge master is kept, checked below once every interface is known).
            if let master = link["master"] as? String { i["master"] = master }
            interfaces.append(i)
        }
        let bridges = Set(interfaces.filter { $0["driver"] as? String == "bridge" }.compactMap { $0["name"] as? String })
        for k in interfaces.indices {
            guard let master = interfaces[k]["master"] as? String, !bridges.contains(master) else { continue }
            interfaces[k]["master"] = nil
            omitted.append("interface \(interfaces[k]["name"] as? String ?? ""): its master \(master) is not a bridge (not modeled)")
        }
        // The capture is most likely taken on the first interface that is not lo.
        if let first = interfaces.firstIndex(where: { $0["driver"] as? String != "loopback" }) ?? interfaces.indices.first {
            interfaces[first]["captured"] = true
        }
        let names = Set(interfaces.compactMap { $0["name"] as? String })

        var routeList: [[String: Any]] = []
        for r in (try JSONSerialization.jsonObject(with: routes) as? [[String: Any]]) ?? [] {
            // The interfaces' own prefixes come with their addresses.
            guard r["protocol"] as? String != "kernel", let dst = r["dst"] as? String, let dev = r["dev"] as? String,
                  names.contains(dev) else { continue }
            guard dst == "default" || IPv4Prefix(dst) != nil else {
                omitted.append("route \(dst): not an IPv4 route")
                continue
            }
            var route: [String: Any] = ["dst": dst, "dev": dev]
            if let via = r["gateway"] as? String { route["via"] = via }
            routeList.append(route)
        }
        // IPv6 routes (`ip -6 -j route`): the default route is written ::/0, which says its family
        // whether or not it has a gateway.
        for r in (try JSONSerialization.jsonObject(with: routes6) as? [[String: Any]]) ?? [] {
            guard r["protocol"] as? String != "kernel", let dst = r["dst"] as? String else { continue }
            guard let dev = r["dev"] as? String, names.contains(dev), (r["type"] as? String ?? "unicast") == "unicast",
                  dst == "default" || IPv6Prefix(dst) != nil, (r["gateway"] as? String).map({ IPv6Address($0) != nil }) ?? true
            else {
                omitted.append("route \(dst): an IPv6 route the profile does not hold (another type, several next hops, or no device)")
                continue
            }
            var route: [String: Any] = ["dst": dst == "default" ? "::/0" : dst, "dev": dev]
            if let via = r["gateway"] as? String { route["via"] = via }
            routeList.append(route)
        }

        var neighbourList: [[String: Any]] = []
        for n in (try JSONSerialization.jsonObject(with: neighbours) as? [[String: Any]]) ?? [] {
            guard let ip = n["dst"] as? String, IPv4Address(ip) != nil, let mac = n["lladdr"] as? String,
                  let dev = n["dev"] as? String, names.contains(dev) else { continue }
            let state = ((n["state"] as? [String])?.first ?? "reachable").lowercased()
            guard NUDState(name: state) != nil else { continue }
            neighbourList.append(["ip": ip, "mac": mac, "dev": dev, "state": state])
        }

        var socketList: [[String: Any]] = []
        for line in sockets.split(separator: "\n") {
            let f = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard f.count >= 6 else { continue }
            // A listener or unconnected UDP socket bound to the IPv6 wildcard: `ss` writes `*` for one that
            // takes IPv4 too and `[::]` for one that takes IPv6 only (IPV6_V6ONLY, set by the program or
            // by net.ipv6.bindv6only).
            if let (port, v6only) = Self.wildcard6(f[4]), (f[0], f[1]) == ("tcp", "LISTEN") || (f[0], f[1]) == ("udp", "UNCONN") {
                var socket: [String: Any] = ["proto": f[0], "addr": "::", "port": port, "v6only": v6only]
                if f[0] == "tcp" { socket["state"] = "listen" }
                socketList.append(socket)
                continue
            }
            // An established TCP connection over IPv6 goes in with its addresses, as the profile holds it.
            if (f[0], f[1]) == ("tcp", "ESTAB"), let local = Self.endpoint6(f[4]), let peer = Self.endpoint6(f[5]) {
                socketList.append(["proto": "tcp", "addr": local.address, "port": local.port, "state": "established",
                                   "remote": "[\(peer.address)]:\(peer.port)"])
                continue
            }
            guard let local = Self.endpoint(f[4]) else {
                omitted.append("socket \(f[0]) \(f[1]) \(f[4]): a local address the profile does not hold")
                continue
            }
            let peer = Self.endpoint(f[5])
            switch (f[0], f[1]) {
            case ("tcp", "LISTEN"):
                socketList.append(["proto": "tcp", "addr": local.address, "port": local.port, "state": "listen"])
            case ("tcp", "ESTAB"):
                guard let peer else { continue }
                socketList.append(["proto": "tcp", "addr": local.address, "port": local.port, "state": "established",
                                   "remote": "\(peer.address):\(peer.port)"])
            case ("udp", "UNCONN"):
                socketList.append(["proto": "udp", "addr": local.address, "port": local.port])
            case ("udp", "ESTAB"):
                guard let peer else { continue }
                socketList.append(["proto": "udp", "addr": local.address, "port": local.port, "remote": "\(peer.address):\(peer.port)"])
            default:
                omitted.append("socket \(f[0]) \(f[1]) \(f[4]): a state the profile does not hold")
            }
        }

        var sysctls: [String: Any] = [:]
        for line in sysctl.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard key.hasPrefix("net."), !value.isEmpty else { continue }
            if let n = Int(value) {
                // A value the kernel took is within its range; should one not be, it is left out.
                if SysctlRange.refusal(key, n) == nil { sysctls[key] = n }
            } else {
                sysctls[key] = value
            }
        }

        var json: [String: Any] = ["interfaces": interfaces, "routes": routeList, "neighbours": neighbourList,
                                   "sockets": socketList, "sysctl": sysctls]
        if let ruleset {
            let (rules, left) = NftSnapshot.rules(ruleset, interfaces: interfaces.compactMap { $0["name"] as? String })
            if !rules.isEmpty { json["netfilter"] = rules }
            omitted += left
        }
        if let kernel = Self.nearestKernel(toRelease: release) { json["kernel"] = kernel }
        let loaded = HostProfile.knownModules.filter(modules.contains)
        if !loaded.isEmpty { json["modules"] = loaded }
        self.json = json
        self.omitted = omitted
    }

    /// An `ss` address as an IPv4 address and port; none for an IPv6 one.
    static func endpoint(_ text: String) -> (address: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if let percent = host.firstIndex(of: "%") { host = String(host[..<percent]) }
        guard IPv4Address(host) != nil else { return nil }
        return (host, port)
    }

    /// The port of an `ss` address on the IPv6 wildcard, and whether the socket takes IPv6 only: `*:P`
    /// (an IPv6 socket that takes IPv4 too) or `[::]:P` (IPv6 only).
    static func wildcard6(_ text: String) -> (port: Int, v6only: Bool)? {
        for (prefix, v6only) in [("*:", false), ("[::]:", true)] where text.hasPrefix(prefix) {
            if let port = Int(text.dropFirst(prefix.count)) { return (port, v6only) }
        }
        return nil
    }

    /// An `ss` IPv6 address in brackets and port (`[fd00::1]:80`, a zone dropped); none for the
    /// wildcard and for an IPv4-mapped address (an IPv4 connection of a dual-stack socket: `endpoint`'s).
    static func endpoint6(_ text: String) -> (address: String, port: Int)? {
        guard text.hasPrefix("["), let close = text.lastIndex(of: "]"), text[close...].hasPrefix("]:"),
              let port = Int(text[text.index(close, offsetBy: 2)...]) else { return nil }
        var host = String(text[text.index(after: text.startIndex)..<close])
        if let percent = host.firstIndex(of: "%") { host = String(host[..<percent]) }
        guard let address = IPv6Address(host), address != .any, !host.lowercased().hasPrefix("::ffff:") else { return nil }
        return (host, port)
    }

    /// The modeled kernel nearest to a Linux release (`6.1.0-13-amd64`, `Linux 6.12.9`).
    public static func nearestKernel(toRelease release: String) -> String? {
        let digits = release.drop { !$0.isNumber }.prefix { $0.isNumber || $0 == "." }.split(separator: ".")
        guard digits.count >= 2, let major = Int(digits[0]), let minor = Int(digits[1]) else { return nil }
        let target = major * 1000 + minor
        let modeled = KernelProfile.all.keys.compactMap { key -> (String, Int)? in
            let p = key.split(separator: ".").compactMap { Int($0) }
            return p.count == 2 ? (key, p[0] * 1000 + p[1]) : nil
        }
        return modeled.min { abs($0.1 - target) < abs($1.1 - target) }?.0
    }

    /// The snapshot as a profile, checked as every profile is.
    public func profile() throws(HostProfileError) -> HostProfile {
        let data = (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])) ?? Data()
        return try HostProfile.parse(data, path: "snapshot")
    }
}
