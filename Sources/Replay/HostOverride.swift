import KernelNet

/// One what-if change to a host profile, as `--set KEY=VALUE` gives it (`pktpath trace --set`,
/// `pktpath diff --set`).
///
/// Keys:
/// - a sysctl, `net.…=INTEGER` (`net.ipv4.conf.all.rp_filter=1`, `net.ipv4.ip_forward=1`). A per-device
///   setting (`net.ipv4.conf.DEV.…`, `net.ipv4.neigh.DEV.…`, `net.ipv6.conf.DEV.…`) must name `all`,
///   `default` or an interface of the profile. A sysctl the model does not read is accepted, like one in
///   a profile, and the trace header reports it as not modeled.
/// - `mtu=N`: the MTU of the interface the capture was taken on; `mtu.DEV=N`: of interface `DEV`
///   (68 to 65535, as the profile takes it). Lowering a VLAN's real device lowers the VLAN with it;
///   a VLAN cannot be set above its real device's MTU.
/// - `neigh=cold`: the host starts with no neighbour entries, and a next hop without one is resolved
///   with ARP when a packet leaves for it (instead of assumed resolved before the capture).
public enum HostOverride: Sendable, Equatable, CustomStringConvertible {
    case sysctl(String, Int)
    /// An interface's MTU; `nil` names the captured interface.
    case mtu(interface: String?, Int)
    case coldNeighbours

    /// The keys `--set` takes, for messages and help.
    public static let keysHelp = "a sysctl net.…=N, mtu=N, mtu.DEV=N, neigh=cold"

    /// Parses `KEY=VALUE`; the error names the key.
    public init(parsing text: String) throws(HostOverrideError) {
        guard let eq = text.firstIndex(of: "=") else {
            throw HostOverrideError(key: text, message: "expected KEY=VALUE (keys: \(Self.keysHelp))")
        }
        let key = String(text[..<eq])
        let value = String(text[text.index(after: eq)...])
        func fail(_ message: String) -> HostOverrideError { HostOverrideError(key: key, message: message) }
        if key == "mtu" || key.hasPrefix("mtu.") {
            guard let n = Int(value), (68...65_535).contains(n) else { throw fail("'\(value)' is not an MTU from 68 to 65535") }
            let name = key == "mtu" ? nil : String(key.dropFirst(4))
            if name?.isEmpty == true { throw fail("no interface name after 'mtu.'") }
            self = .mtu(interface: name, n)
        } else if key == "neigh" {
            guard value == "cold" else { throw fail("'\(value)' is not a neighbour table state (have: cold)") }
            self = .coldNeighbours
        } else if key.hasPrefix("net.") {
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 3, parts.allSatisfy({ !$0.isEmpty }) else { throw fail("not a sysctl name") }
            guard let n = Int(value) else { throw fail("'\(value)' is not an integer") }
            if let refusal = SysctlRange.refusal(key, n) { throw fail(refusal) }
            self = .sysctl(key, n)
        } else {
            throw fail("unknown key (have: \(Self.keysHelp))")
        }
    }

    /// The override as `KEY=VALUE`.
    public var description: String {
        switch self {
        case let .sysctl(name, value): "\(name)=\(value)"
        case let .mtu(interface, value): (interface.map { "mtu.\($0)" } ?? "mtu") + "=\(value)"
        case .coldNeighbours: "neigh=cold"
        }
    }

    /// Whether the model reads what the override changes (a sysctl it does not read changes nothing).
    public var isModeled: Bool {
        if case let .sysctl(name, _) = self { return Sysctl.isModeled(name) || name.hasPrefix("net.ipv6.conf.") }
        return true
    }

    /// The interface a per-device sysctl names (`net.ipv4.conf.DEV.rp_filter` → `DEV`), if it is one.
    static func device(of sysctl: String) -> String? {
        for prefix in ["net.ipv4.conf.", "net.ipv4.neigh.", "net.ipv6.conf.", "net.ipv6.neigh."] where sysctl.hasPrefix(prefix) {
            let rest = sysctl.dropFirst(prefix.count)
            // Device names may hold dots (`eth0.100`); the setting's name is the last component.
            guard let dot = rest.lastIndex(of: ".") else { return nil }
            return String(rest[..<dot])
        }
        return nil
    }
}

/// A `--set` that cannot be applied: the key and what is wrong.
public struct HostOverrideError: Error, Equatable, CustomStringConvertible {
    public var key: String
    public var message: String

    public var description: String { "\(key): \(message)" }
}

extension HostProfile {
    /// The profile with `overrides` applied in order (a later one wins). Each applied override is
    /// listed in ``overrides``.
    public func applying(_ overrides: [HostOverride]) throws(HostOverrideError) -> HostProfile {
        var p = self
        for o in overrides {
            switch o {
            case let .sysctl(name, value):
                if let dev = HostOverride.device(of: name), dev != "all", dev != "default",
                    !interfaces.contains(where: { $0.name == dev })
                {
                    throw HostOverrideError(key: name, message: "no interface '\(dev)' (have: \(interfaceNames))")
                }
                p.sysctl[name] = value
            case let .mtu(name, value):
                let index = name.map { n in p.interfaces.firstIndex { $0.name == n } }
                    ?? p.interfaces.firstIndex { $0.captured } ?? (p.interfaces.isEmpty ? nil : 0)
                guard let index else {
                    throw HostOverrideError(key: o.description.prefix { $0 != "=" }.description,
                                            message: "no interface '\(name ?? "")' (have: \(interfaceNames))")
                }
                if let vlan = p.interfaces[index].vlan, let real = p.interfaces.first(where: { $0.name == vlan.parent }),
                    value > real.mtu
                {
                    throw HostOverrideError(key: o.description.prefix { $0 != "=" }.description,
                                            message: "\(value) is larger than the MTU of \(p.interfaces[index].name)'s real device \(real.name) (\(real.mtu)); vlan_dev_change_mtu refuses it")
                }
                p.interfaces[index].mtu = value
                // vlan_device_event (net/8021q/vlan.c): the real device's NETDEV_CHANGEMTU lowers each
                // VLAN on it to the new MTU where the VLAN's was larger; a raise leaves them.
                for v in p.interfaces.indices where p.interfaces[v].vlan?.parent == p.interfaces[index].name {
                    p.interfaces[v].mtu = min(p.interfaces[v].mtu, value)
                }
            case .coldNeighbours:
                p.neighbours = []
                p.ipv6Neighbours = []
                p.coldNeighbours = true
            }
            p.overrides.append(o)
        }
        return p
    }

    private var interfaceNames: String { interfaces.map(\.name).joined(separator: ", ") }
}
