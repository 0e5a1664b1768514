import KernelNet

/// A replay's SNMP counters as `nstat` prints them, for the kernel version replayed.
public enum NstatOutput {
    /// `counters` in the order `nstat -a` prints them on `kernel` (net/ipv4/proc.c's tables, line by
    /// line; names the version lacks last).
    public static func ordered(_ counters: [String: Int], kernel: String) -> [String] {
        let version = KernelVersion(rawValue: kernel) ?? KernelProfile.default.version
        return proc_c.nstatOrder(counters.keys, in: version)
    }

    /// What `nstat -a` would print after the capture on a host that saw only its traffic: the
    /// `#kernel` line, then each counter that moved with its value and a rate column of 0.0 (a
    /// replay has no interval to measure a rate over), in iproute2's columns.
    public static func render(_ counters: [String: Int], kernel: String) -> String {
        var out = "#kernel\n"
        for name in ordered(counters, kernel: kernel) {
            guard let value = counters[name], value != 0 else { continue }
            out += pad(name, 32) + pad(String(value), 16) + "   0.0\n"
        }
        return out
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}
