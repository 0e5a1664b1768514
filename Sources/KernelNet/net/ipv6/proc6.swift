// Mirrors net/ipv6/proc.c (Linux 4.14.177, Debian's 6.1 and 6.12): the names of the IPv6 MIB counters
// as /proc/net/snmp6 prints them, and so as `nstat` names them (the tables carry the full names,
// `Ip6InReceives`). Names only, listed from reading each tree. The file is proc6.swift because
// net/ipv4/proc.c's mirror is proc.swift, and one module cannot build two files of one name.
// Not modeled: the per-device tables (/proc/net/dev_snmp6).

/// The counter tables of `net/ipv6/proc.c`, in the order each version prints them.
///
/// 6.12 added `Ip6OutTransmits` (`IPSTATS_MIB_OUTPKTS`), which 4.14 and 6.1 count as `Ip6OutRequests`.
public enum ipv6_proc_c {
    /// `snmp6_ipstats_list`.
    static let snmp6_ipstats_list: [MIBName] = [
        "Ip6InReceives", "Ip6InHdrErrors", "Ip6InTooBigErrors", "Ip6InNoRoutes", "Ip6InAddrErrors", "Ip6InUnknownProtos",
        "Ip6InTruncatedPkts", "Ip6InDiscards", "Ip6InDelivers", "Ip6OutForwDatagrams", "Ip6OutRequests", "Ip6OutDiscards",
        "Ip6OutNoRoutes", "Ip6ReasmTimeout", "Ip6ReasmReqds", "Ip6ReasmOKs", "Ip6ReasmFails", "Ip6FragOKs", "Ip6FragFails",
        "Ip6FragCreates", "Ip6InMcastPkts", "Ip6OutMcastPkts", "Ip6InOctets", "Ip6OutOctets", "Ip6InMcastOctets",
        "Ip6OutMcastOctets", "Ip6InBcastOctets", "Ip6OutBcastOctets", "Ip6InNoECTPkts", "Ip6InECT1Pkts", "Ip6InECT0Pkts",
        "Ip6InCEPkts", .init("Ip6OutTransmits", since: .v6_12),
    ]
    /// `snmp6_icmp6_list`.
    static let snmp6_icmp6_list: [MIBName] = [
        "Icmp6InMsgs", "Icmp6InErrors", "Icmp6OutMsgs", "Icmp6OutErrors", "Icmp6InCsumErrors",
        .init("Icmp6OutRateLimitHost", since: .v6_1),
    ]
    /// `icmp6type2name`, in ICMPv6 type order: printed as `Icmp6In<name>` for each, then
    /// `Icmp6Out<name>` for each (`snmp6_seq_show_icmpv6msg`). The same in all three versions.
    static let icmp6type2name: [String] = [
        "DestUnreachs", "PktTooBigs", "TimeExcds", "ParmProblems", "Echos", "EchoReplies", "GroupMembQueries",
        "GroupMembResponses", "GroupMembReductions", "RouterSolicits", "RouterAdvertisements", "NeighborSolicits",
        "NeighborAdvertisements", "Redirects", "MLDv2Reports",
    ]
    /// `snmp6_udp6_list`.
    static let snmp6_udp6_list: [MIBName] = [
        "Udp6InDatagrams", "Udp6NoPorts", "Udp6InErrors", "Udp6OutDatagrams", "Udp6RcvbufErrors", "Udp6SndbufErrors",
        "Udp6InCsumErrors", "Udp6IgnoredMulti", .init("Udp6MemErrors", since: .v6_1),
    ]
    /// `snmp6_udplite6_list`.
    static let snmp6_udplite6_list: [MIBName] = [
        "UdpLite6InDatagrams", "UdpLite6NoPorts", "UdpLite6InErrors", "UdpLite6OutDatagrams", "UdpLite6RcvbufErrors",
        "UdpLite6SndbufErrors", "UdpLite6InCsumErrors", .init("UdpLite6MemErrors", since: .v6_1),
    ]

    /// The name `icmp6type2name` gives ICMPv6 type `type`, if any.
    static func icmp6Name(_ type: UInt8) -> String? {
        switch type {
        case 1...4: icmp6type2name[Int(type) - 1]
        case 128...137: icmp6type2name[Int(type) - 124]
        case 143: icmp6type2name[14]
        default: nil
        }
    }

    /// The names `snmp6_seq_show_icmpv6msg` prints for the per-type slot of ICMPv6 type `type`:
    /// `Icmp6In<name>`/`Icmp6Out<name>` when `icmp6type2name` names it, and `Icmp6InType<N>`/
    /// `Icmp6OutType<N>` always.
    static func icmp6MsgCounters(_ type: UInt8, out: Bool) -> [String] {
        let direction = out ? "Icmp6Out" : "Icmp6In"
        return (icmp6Name(type).map { [direction + $0] } ?? []) + [direction + "Type\(type)"]
    }

    /// Every counter of /proc/net/snmp6 `nstat` can print for `version`, in its order, without the
    /// per-type `Icmp6InType<N>`/`Icmp6OutType<N>` counters of the types that moved (printed after the
    /// named ICMPv6 types, before `Udp6`).
    static func nstatNames(_ version: KernelVersion) -> [String] {
        func line(_ table: [MIBName]) -> [String] { table.filter { $0.exists(in: version) }.map(\.name) }
        return line(snmp6_ipstats_list) + line(snmp6_icmp6_list) + icmp6type2name.map { "Icmp6In" + $0 }
            + icmp6type2name.map { "Icmp6Out" + $0 } + line(snmp6_udp6_list) + line(snmp6_udplite6_list)
    }

    /// The per-type counter `Icmp6InType<N>` or `Icmp6OutType<N>`, if `name` is one.
    static func icmp6Type(_ name: String) -> (out: Bool, type: Int)? {
        for (prefix, out) in [("Icmp6InType", false), ("Icmp6OutType", true)] where name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count)
            guard !digits.isEmpty, digits.count <= 3, let type = Int(digits), (0...255).contains(type),
                  String(type) == digits else { return nil }
            return (out, type)
        }
        return nil
    }
}
