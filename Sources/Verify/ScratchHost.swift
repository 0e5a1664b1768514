#if os(Linux)
import Foundation
import Glibc
import KernelNet
import Replay

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
    /// For each of the host's interfaces that frames are sent to, the peer end's name.
    public private(set) var peerDevice: [String: String] = [:]
    /// What of the profile the scratch host does not reproduce, one line each.
    public private(set) var notReproduced: [String] = []
    /// The sockets held open in the host namespace.
    private var sockets: [Int32] = []

    /// Checks that `profile` can be built; the message says what cannot.
    public static func refusal(for profile: HostProfile) -> String? {
        for i in profile.interfaces {
            if i.vlan != nil || i.driver == "vlan" { return "interface \(i.name) is a VLAN: verify does not build VLANs yet" }
            if i.driver == "bridge" || i.master != nil { return "interface \(i.name) is a bridge or a bridge port: verify does not build bridges yet" }
            if i.name.utf8.count > 15 { return "interface name \(i.name) is longer than Linux allows (15 bytes)" }
        }
        if let s = profile.sockets.first(where: { $0.proto == .tcp && $0.state == .TCP_ESTABLISHED }) {
            return "an established TCP connection (\(s.address):\(s.port)) cannot be made without its peer: verify reproduces listening TCP and UDP sockets only"
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
        // IPv6 is not modeled: off before any interface exists, so no ND or MLD packet is sent.
        for ns in [host, peer] {
            try Command.run(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                             "net.ipv6.conf.default.disable_ipv6=1"])
        }
        try Command.run(["ip", "-n", host, "link", "set", "lo", "up"])
        let largest = 65535
        for (k, i) in profile.interfaces.enumerated() {
            if i.driver == "loopback" {
                for a in i.addresses where a.description != "127.0.0.1/8" {
                    try Command.run(["ip", "-n", host, "addr", "add", a.description, "dev", "lo"])
                }
                continue
            }
            let end = "\(prefix.replacingOccurrences(of: "-", with: ""))p\(k)"
            try Command.run(["ip", "-n", host, "link", "add", i.name, "type", "veth", "peer", "name", end, "netns", peer])
            peerDevice[i.name] = end
            try Command.run(["ip", "-n", host, "link", "set", i.name, "address", i.mac.description, "mtu", "\(i.mtu)"])
            // The peer end takes any frame the capture holds; the host end's MTU decides what veth passes.
            try Command.run(["ip", "-n", peer, "link", "set", end, "mtu", "\(largest)"])
            for a in i.addresses { try Command.run(["ip", "-n", host, "addr", "add", a.description, "dev", i.name]) }
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
        for r in profile.routes {
            var words = ["ip", "-n", host, "route", "add", r.destination.length == 0 ? "default" : r.destination.description]
            if let via = r.gateway { words += ["via", via.description] }
            if let dev = r.device { words += ["dev", dev] }
            if r.onlink { words.append("onlink") }
            try Command.run(words)
        }
        for n in profile.neighbours {
            var words = ["ip", "-n", host, "neigh", "replace", n.ip.description, "lladdr", n.mac.description]
            if let dev = n.device { words += ["dev", dev] }
            words += ["nud", n.state.rawValue.dropFirst("NUD_".count).lowercased()]
            try Command.run(words)
        }
        try applySysctls(profile)
        if !profile.netfilter.isEmpty {
            try Command.run(["ip", "netns", "exec", host, "nft", "-f", "-"], input: NftRuleset.text(profile.netfilter))
        }
        try openSockets(profile.sockets, interface: profile.capturedInterface?.addresses.first?.address.description)
    }

    /// Sets the profile's sysctls in the host namespace, those the model does not read too (so that the
    /// kernel follows every setting the profile states, and a setting the model ignores shows as a
    /// difference). Written through `/proc/sys` from inside the namespace, only where the value differs.
    /// A sysctl a fresh namespace does not have is shared by the whole machine (or absent) and is left
    /// alone, as are the neighbour table's bounds (`neigh.default.gc_*`, shared though every namespace
    /// shows them); both are listed in ``notReproduced``.
    private func applySysctls(_ profile: HostProfile) throws(VerifyError) {
        var settings = profile.sysctlText
        for (name, value) in profile.sysctl { settings[name] = String(value) }
        // The kernel refuses a high threshold below the low one: the low one is lowered first, to the
        // three quarters of the high one that the kernel's defaults keep.
        if let high = profile.sysctl["net.ipv4.ipfrag_high_thresh"], settings["net.ipv4.ipfrag_low_thresh"] == nil {
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
    private static func open(_ config: SocketConfig, interface: String?) throws(VerifyError) -> Int32 {
        let tcp = config.proto == .tcp
        let fd = socket(AF_INET, Int32(tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), 0)
        let name = "\(config.proto.rawValue) \(config.address):\(config.port)"
        func fail(_ what: String) -> VerifyError {
            let e = VerifyError("cannot \(what) the socket \(name): \(String(cString: strerror(errno)))")
            if fd >= 0 { close(fd) }
            return e
        }
        guard fd >= 0 else { throw fail("open") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard withSocketAddress(config.address.description, config.port, { bind(fd, $0, $1) }) == 0 else { throw fail("bind") }
        if tcp {
            guard listen(fd, 4096) == 0 else { throw fail("listen on") }
            return fd
        }
        if let remote = config.remote, let port = config.remotePort {
            guard withSocketAddress(remote.description, port, { connect(fd, $0, $1) }) == 0 else { throw fail("connect") }
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

    /// Calls `body` with an IPv4 socket address.
    private static func withSocketAddress(_ address: String, _ port: UInt16,
                                          _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &a.sin_addr)
        return withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
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
