#if os(Linux)
import Foundation
import Glibc
import KernelNet
import Replay
import Wire

/// A scratch copy of a host profile on the running kernel: the host in one network namespace, and
/// a peer namespace holding the other end of each of its veths, from which the capture's frames are
/// sent. Everything is made under names that start with `prefix`, and ``remove()`` takes it all down.
///
/// Built with iproute2's `ip` (and `sysctl`, `ethtool`, `nft` where the profile needs them), as one
/// would by hand, so a failure names the command that failed.
public final class ScratchHost {
    /// The namespace playing the host.
    public let hostNamespace: String
    /// The namespace holding the peer end of each of the host's veths.
    public let peerNamespace: String
    /// For each of the host's interfaces that frames are sent to, the device they are sent from: the
    /// peer end of its veth (in the peer namespace), or `lo` itself (in the host namespace: a frame sent
    /// on `lo` is received on it).
    public private(set) var peerDevice: [String: String] = [:]
    /// What of the profile the scratch host does not reproduce, one line each.
    public private(set) var notReproduced: [String] = []
    /// The sockets held open in the host namespace.
    private var sockets: [Int32] = []

    /// Checks that `profile` can be built; the message says what cannot.
    public static func refusal(for profile: HostProfile) -> String? {
        for i in profile.interfaces {
            if i.vlan != nil || i.driver == "vlan" { return "interface \(i.name) is a VLAN: verify does not build VLANs yet" }
            if i.driver == "bridge", i.captured {
                return "the capture was taken on bridge \(i.name): its frames do not say which port they came in by, and verify sends frames into the ports (capture on a port)"
            }
            if i.name.utf8.count > 15 { return "interface name \(i.name) is longer than Linux allows (15 bytes)" }
        }
        if let s = profile.sockets.first(where: { $0.proto == .tcp && $0.state == .TCP_ESTABLISHED }) {
            let local = s.address6.map { "[\($0)]" } ?? s.address.description
            return "an established TCP connection (\(local):\(s.port)) cannot be made without its peer: verify reproduces listening TCP and UDP sockets only"
        }
        if !profile.netfilter.isEmpty, Command.find("nft") == nil {
            return "the profile has netfilter rules and nft (Debian's nftables) is not installed"
        }
        return nil
    }

    /// Builds `profile` as namespaces `PREFIX-host` and `PREFIX-peer`. On failure whatever was made is
    /// removed before the error is thrown.
    public init(profile: HostProfile, prefix: String) throws(VerifyError) {
        hostNamespace = prefix + "-host"
        peerNamespace = prefix + "-peer"
        if let refusal = Self.refusal(for: profile) { throw VerifyError("cannot build this host: " + refusal) }
        do throws(VerifyError) {
            try build(profile, prefix: prefix)
        } catch {
            remove()
            throw error
        }
    }

    private func build(_ profile: HostProfile, prefix: String) throws(VerifyError) {
        let host = hostNamespace
        let peer = peerNamespace
        try Command.run(["ip", "netns", "add", host])
        try Command.run(["ip", "netns", "add", peer])
        // The peer only sends the capture's frames: IPv6 off there before any interface exists, so it
        // sends no ND, MLD or router solicitation of its own. The host keeps IPv6 with exactly the
        // profile's addresses: none generated, none held back by duplicate address detection.
        try Command.run(["ip", "netns", "exec", peer, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                         "net.ipv6.conf.default.disable_ipv6=1"])
        try Command.run(["ip", "netns", "exec", host, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0",
                         "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.default.addr_gen_mode=1"])
        // The profile's defaults before the interfaces copy them (router_solicitations, …).
        try applySysctls(profile, only: { $0.contains(".conf.default.") })
        try Command.run(["ip", "-n", host, "link", "set", "lo", "up"])
        let largest = 65535
        // Bridges first, so that their ports join them as they are made; up once the ports are.
        let bridges = profile.interfaces.filter { $0.driver == "bridge" }
        for i in bridges {
            try Command.run(["ip", "-n", host, "link", "add", i.name, "type", "bridge"])
            try configure(i)
        }
        for (k, i) in profile.interfaces.enumerated() where i.driver != "bridge" {
            if i.driver == "loopback" {
                for a in i.addresses where a.description != "127.0.0.1/8" {
                    try Command.run(["ip", "-n", host, "addr", "add", a.description, "dev", "lo"])
                }
                for a in i.ipv6Addresses where a != "::1/128" {
                    try Command.run(["ip", "-n", host, "-6", "addr", "add", a, "dev", "lo", "nodad"])
                }
                // A frame sent on lo from a packet socket has no route yet, unlike the host's own, whose
                // route came with them: with route_localnet its 127/8 source is not a martian, and with
                // accept_local a local source is accepted (ip_route_input_slow, fib_validate_source).
                try Command.run(["ip", "netns", "exec", host, "sysctl", "-q", "-w", "net.ipv4.conf.lo.route_localnet=1",
                                 "net.ipv4.conf.lo.accept_local=1"])
                notReproduced.append("net.ipv4.conf.lo.route_localnet and accept_local set to 1: frames sent into lo are routed as the host's own")
                peerDevice["lo"] = "lo"
                continue
            }
            let end = "\(prefix.replacingOccurrences(of: "-", with: ""))p\(k)"
            try Command.run(["ip", "-n", host, "link", "add", i.name, "type", "veth", "peer", "name", end, "netns", peer])
            peerDevice[i.name] = end
            try configure(i)
            if let master = i.master { try Command.run(["ip", "-n", host, "link", "set", i.name, "master", master]) }
            // The peer end takes any frame the capture holds; the host end's MTU decides what veth passes.
            try Command.run(["ip", "-n", peer, "link", "set", end, "mtu", "\(largest)"])
            if i.driver != "veth" { notReproduced.append("interface \(i.name): driver \(i.driver), built as a veth") }
            if Command.find("ethtool") != nil {
                // Checksums finished in software, segments unmerged: as the fixtures were captured.
                for (ns, dev) in [(host, i.name), (peer, end)] {
                    try Command.run(["ip", "netns", "exec", ns, "ethtool", "-K", dev, "tx", "off", "rx", "off", "gso", "off",
                                     "tso", "off", "gro", "off"], quiet: true)
                }
            }
            try Command.run(["ip", "-n", host, "link", "set", i.name, "up"])
            try Command.run(["ip", "-n", peer, "link", "set", end, "up"])
        }
        for i in bridges { try Command.run(["ip", "-n", host, "link", "set", i.name, "up"]) }
        for r in profile.routes {
            var words = ["ip", "-n", host, "route", "add", r.destination.length == 0 ? "default" : r.destination.description]
            if let via = r.gateway { words += ["via", via.description] }
            if let dev = r.device { words += ["dev", dev] }
            if r.onlink { words.append("onlink") }
            try Command.run(words)
        }
        // An address's prefix route exists already once the interface is up: replaced, not added.
        for r in profile.routes6 {
            var words = ["ip", "-n", host, "-6", "route", "replace", r.destination.length == 0 ? "default" : r.destination.description]
            if let via = r.gateway { words += ["via", via.description] }
            if let dev = r.device { words += ["dev", dev] }
            try Command.run(words)
        }
        let neighbours = profile.neighbours.map { ($0.ip.description, $0.mac, $0.device, $0.state) }
            + profile.ipv6Neighbours.map { ($0.ip.description, $0.mac, $0.device, $0.state) }
        for (ip, mac, device, state) in neighbours {
            var words = ["ip", "-n", host, "neigh", "replace", ip, "lladdr", mac.description]
            if let device { words += ["dev", device] }
            words += ["nud", state.rawValue.dropFirst("NUD_".count).lowercased()]
            try Command.run(words)
        }
        try applySysctls(profile)
        if !profile.netfilter.isEmpty {
            try Command.run(["ip", "netns", "exec", host, "nft", "-f", "-"], input: NftRuleset.text(profile.netfilter))
        }
        try openSockets(profile.sockets + profile.ipv6OnlySockets.compactMap(Self.ipv6Only),
                        interface: profile.capturedInterface?.addresses.first?.address.description)
        // Each IPv6 address joins its solicited-node group, and a bridge coming up reports its groups
        // (IGMP and MLD): each report is sent again within the unsolicited report interval (1 s by
        // default; the last came 1.3 s after the bridge came up on 6.18). Over before the first frame.
        if !bridges.isEmpty || profile.interfaces.contains(where: { $0.driver != "loopback" && !$0.ipv6Addresses.isEmpty }) {
            usleep(2_000_000)
        }
    }

    /// The namespace of the device frames for host interface `device` are sent from (``peerDevice``).
    public func injectionNamespace(for device: String) -> String {
        device == "lo" ? hostNamespace : peerNamespace
    }

    /// Gives interface `i`, made in the host namespace, the profile's MAC, MTU and addresses.
    private func configure(_ i: HostProfile.Interface) throws(VerifyError) {
        let host = hostNamespace
        try Command.run(["ip", "-n", host, "link", "set", i.name, "address", i.mac.description, "mtu", "\(i.mtu)"])
        for a in i.addresses { try Command.run(["ip", "-n", host, "addr", "add", a.description, "dev", i.name]) }
        for a in i.ipv6Addresses { try Command.run(["ip", "-n", host, "-6", "addr", "add", a, "dev", i.name, "nodad"]) }
    }

    /// A socket of the profile's `ipv6OnlySockets` (`udp [::]:53`, bound to `::` and IPv6 only) as one
    /// to open: IPv6 only.
    static func ipv6Only(_ text: String) -> SocketConfig? {
        let words = text.split(separator: " ")
        guard words.count == 2, let proto = SocketConfig.Proto(rawValue: String(words[0])), words[1].hasPrefix("[::]:"),
            let port = UInt16(words[1].dropFirst("[::]:".count))
        else { return nil }
        var config = SocketConfig(proto: proto, address: .any, port: port, state: proto == .tcp ? .TCP_LISTEN : nil)
        config.address6 = IPv6Address("::")
        return config
    }

    /// Sets the profile's sysctls in the host namespace, those the model does not read too (so that the
    /// kernel follows every setting the profile states, and a setting the model ignores shows as a
    /// difference). Written through `/proc/sys` from inside the namespace, only where the value differs.
    /// A sysctl a fresh namespace does not have is shared by the whole machine (or absent) and is left
    /// alone, as are the neighbour table's bounds (`neigh.default.gc_*`, shared though every namespace
    /// shows them); both are listed in ``notReproduced``.
    /// `only`: the names set in this pass (the defaults, before the interfaces exist); what it cannot
    /// set is listed by the full pass after.
    private func applySysctls(_ profile: HostProfile, only: ((String) -> Bool)? = nil) throws(VerifyError) {
        var settings = profile.sysctlText
        for (name, value) in profile.sysctl { settings[name] = String(value) }
        if let only { settings = settings.filter { only($0.key) } }
        // The kernel refuses a high threshold below the low one: the low one is lowered first, to the
        // three quarters of the high one that the kernel's defaults keep.
        if only == nil, let high = profile.sysctl["net.ipv4.ipfrag_high_thresh"], settings["net.ipv4.ipfrag_low_thresh"] == nil {
            settings["net.ipv4.ipfrag_low_thresh"] = String(high / 4 * 3)
            notReproduced.append("sysctl net.ipv4.ipfrag_low_thresh set to \(high / 4 * 3), below net.ipv4.ipfrag_high_thresh")
        }
        let ordered = settings.sorted { ($0.key.hasSuffix("low_thresh") ? 0 : 1, $0.key) < ($1.key.hasSuffix("low_thresh") ? 0 : 1, $1.key) }
        let (failed, shared) = try NetworkNamespace.run(in: hostNamespace) { () throws(VerifyError) -> ([String], [String]) in
            var failed: [String] = []
            var shared: [String] = []
            for (name, value) in ordered {
                let file = "/proc/sys/" + name.replacingOccurrences(of: ".", with: "/")
                if Self.hostWide(name) || !FileManager.default.fileExists(atPath: file) {
                    shared.append(name)
                    continue
                }
                let current = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
                if Self.words(current) == Self.words(value) { continue }
                let fd = Glibc.open(file, O_WRONLY)
                let bytes = Array((value + "\n").utf8)
                if fd < 0 || write(fd, bytes, bytes.count) != bytes.count {
                    failed.append("sysctl \(name)=\(value) (the kernel refused it: \(String(cString: strerror(errno))))")
                }
                if fd >= 0 { close(fd) }
            }
            return (failed, shared)
        }
        if only != nil { return }
        notReproduced += failed
        if !shared.isEmpty {
            notReproduced.append("\(shared.count) sysctls shared by the whole machine or absent in a namespace, left as they are: "
                                 + shared.prefix(3).joined(separator: ", ") + (shared.count > 3 ? ", …" : ""))
        }
    }

    /// A sysctl value's words (`"0\t2147483647"` and `"0 2147483647"` are one value).
    private static func words(_ text: String) -> [Substring] { text.split(whereSeparator: \.isWhitespace) }

    /// Whether a sysctl every namespace shows is the machine's, not the namespace's: the neighbour
    /// tables' garbage-collection bounds and interval.
    static func hostWide(_ name: String) -> Bool {
        name.contains(".neigh.default.gc_")
    }

    /// Opens the profile's sockets in the host namespace and keeps them open.
    /// Groups are joined on `interface` (an address of the captured interface): a fresh namespace has no
    /// multicast route to choose one by.
    private func openSockets(_ configs: [SocketConfig], interface: String?) throws(VerifyError) {
        let opened = try NetworkNamespace.run(in: hostNamespace) { () throws(VerifyError) -> [Int32] in
            var fds: [Int32] = []
            do throws(VerifyError) {
                for c in configs { fds.append(try Self.open(c, interface: interface)) }
            } catch {
                fds.forEach { close($0) }
                throw error
            }
            return fds
        }
        sockets += opened
    }

    /// One socket as `config` describes it: a TCP listener, or a UDP socket (connected, joined to groups).
    /// A socket bound to `::` is an IPv6 one, taking IPv4 too (`ipv6`) or IPv6 only (`ipv6Only`, or
    /// `address6` `::`).
    private static func open(_ config: SocketConfig, interface: String?) throws(VerifyError) -> Int32 {
        let tcp = config.proto == .tcp
        let six = config.ipv6 || config.address6 != nil
        let fd = socket(six ? AF_INET6 : AF_INET, Int32(tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), 0)
        let name = six ? "\(config.proto.rawValue) [::]:\(config.port)" : "\(config.proto.rawValue) \(config.address):\(config.port)"
        func fail(_ what: String) -> VerifyError {
            let e = VerifyError("cannot \(what) the socket \(name): \(String(cString: strerror(errno)))")
            if fd >= 0 { close(fd) }
            return e
        }
        guard fd >= 0 else { throw fail("open") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if six {
            var only: Int32 = config.ipv6 && !config.ipv6Only ? 0 : 1
            guard setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &only, socklen_t(MemoryLayout<Int32>.size)) == 0
            else { throw fail("set IPV6_V6ONLY on") }
        }
        let local = six ? "::" : config.address.description
        guard withSocketAddress(local, config.port, { bind(fd, $0, $1) }) == 0 else { throw fail("bind") }
        if tcp {
            guard listen(fd, 4096) == 0 else { throw fail("listen on") }
            return fd
        }
        if let remote = config.remote, let port = config.remotePort {
            // A socket taking IPv4 on IPv6 reaches an IPv4 peer at its mapped address.
            let peer = six ? "::ffff:\(remote)" : remote.description
            guard withSocketAddress(peer, port, { connect(fd, $0, $1) }) == 0 else { throw fail("connect") }
        }
        for group in config.groups {
            var request = ip_mreq()
            inet_pton(AF_INET, group.description, &request.imr_multiaddr)
            if let interface { inet_pton(AF_INET, interface, &request.imr_interface) }
            guard setsockopt(fd, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, &request, socklen_t(MemoryLayout<ip_mreq>.size)) == 0
            else { throw fail("join \(group) with") }
        }
        return fd
    }

    /// Calls `body` with the socket address of `address` (IPv4, or IPv6 when it has a colon) and `port`.
    private static func withSocketAddress(_ address: String, _ port: UInt16,
                                          _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        func call<T>(_ a: inout T) -> Int32 {
            withUnsafePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<T>.size)) }
            }
        }
        if address.contains(":") {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            inet_pton(AF_INET6, address, &a.sin6_addr)
            return call(&a)
        }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &a.sin_addr)
        return call(&a)
    }

    /// Closes the sockets and deletes both namespaces (their veths go with them); safe to call twice.
    public func remove() {
        sockets.forEach { close($0) }
        sockets = []
        for ns in [hostNamespace, peerNamespace] where FileManager.default.fileExists(atPath: "/run/netns/" + ns) {
            try? Command.run(["ip", "netns", "del", ns], quiet: true)
        }
    }
}
#endif
