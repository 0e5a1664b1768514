/// The values the kernel's sysctl handlers accept, for the sysctls whose handler bounds them: a profile
/// or `--set` is refused a value `sysctl -w` would refuse (`net.ipv4.ip_default_ttl=300`). Ranges read in
/// Linux 6.1: net/ipv4/sysctl_net_ipv4.c, net/ipv4/ip_fragment.c, net/core/sysctl_net_core.c.
enum SysctlRange {
    /// Lowest and highest accepted value, by sysctl.
    static let bounds: [String: ClosedRange<Int>] = {
        var out: [String: ClosedRange<Int>] = [:]
        let int32 = Int(Int32.min)...Int(Int32.max)
        let natural = 0...Int(Int32.max)
        // proc_dou8vec_minmax with ip_ttl_min 1 and ip_ttl_max 255
        out["net.ipv4.ip_default_ttl"] = 1...255
        // proc_dou8vec_minmax without bounds: a u8
        for n in ["ip_early_demux", "tcp_early_demux", "udp_early_demux", "tcp_sack", "tcp_dsack", "tcp_frto"] { out["net.ipv4.\(n)"] = 0...255 }
        // proc_dou8vec_minmax between SYSCTL_ZERO and SYSCTL_ONE
        for n in ["icmp_echo_ignore_all", "icmp_echo_ignore_broadcasts"] { out["net.ipv4.\(n)"] = 0...1 }
        // proc_dou8vec_minmax between SYSCTL_ZERO and SYSCTL_FOUR
        out["net.ipv4.tcp_early_retrans"] = 0...4
        // proc_dointvec_minmax from SYSCTL_ZERO (dist_min is 0)
        for n in ["net.ipv4.icmp_msgs_per_sec", "net.ipv4.icmp_msgs_burst", "net.ipv4.ipfrag_max_dist", "net.core.somaxconn"] {
            out[n] = natural
        }
        // proc_dointvec, _jiffies, _ms_jiffies: an int
        for n in ["ip_forward", "icmp_ratelimit", "icmp_ratemask", "ipfrag_time", "tcp_invalid_ratelimit"] {
            out["net.ipv4.\(n)"] = int32
        }
        return out
    }()

    /// Why `value` is refused for `name`, or `nil` when the kernel takes it. Per-device IPv4 settings
    /// (`net.ipv4.conf.DEV.NAME`) are ints (devinet_conf_proc).
    static func refusal(_ name: String, _ value: Int) -> String? {
        let parts = name.split(separator: ".")
        let range = bounds[name] ?? (parts.count >= 5 && parts[1] == "ipv4" && parts[2] == "conf"
            ? Int(Int32.min)...Int(Int32.max) : nil)
        guard let range, !range.contains(value) else { return nil }
        return "\(value) is outside what the kernel accepts (\(range.lowerBound) to \(range.upperBound)); sysctl -w refuses it"
    }
}
