// Mirrors net/ipv4/proc.c (Linux 4.14.177, Debian's 6.1 and 6.12): the names of the IPv4 MIB counters,
// table by table, as /proc/net/snmp and /proc/net/netstat print them and so as `nstat` names them
// (the line's name and the counter's: `Ip` + `InReceives`). Names only, listed from reading each tree.
// The IPv6 tables (net/ipv6/proc.c) are in net/ipv6/proc6.swift.
// Not modeled: MPTCP's tables (net/mptcp/mib.c), and the values that are
// settings rather than counters (Ip Forwarding and DefaultTTL; Tcp RtoAlgorithm, RtoMin, RtoMax,
// MaxConn and the gauge CurrEstab), which `nstat` leaves out.

/// A name of one of net/ipv4/proc.c's MIB tables and the modeled versions whose table has it.
public struct MIBName: Sendable, ExpressibleByStringLiteral {
    /// The name as the table spells it, without its line's prefix (`InReceives`).
    public let name: String
    /// The first modeled version with the name.
    public let since: KernelVersion
    /// The last modeled version with the name.
    public let until: KernelVersion

    public init(_ name: String, since: KernelVersion = .v4_14, until: KernelVersion = .v6_12) {
        self.name = name
        self.since = since
        self.until = until
    }

    public init(stringLiteral value: String) { self.init(value) }

    /// Whether `version`'s table has the name.
    public func exists(in version: KernelVersion) -> Bool { since <= version && version <= until }
}

/// The counter tables of `net/ipv4/proc.c`, in the order each version prints them.
///
/// 6.12 added `OutTransmits` to `snmp4_ipstats_list` for `IPSTATS_MIB_OUTPKTS`, which 4.14 and 6.1
/// print as `OutRequests`; 6.12's `OutRequests` is the new `IPSTATS_MIB_OUTREQUESTS`.
public enum proc_c {
    /// The `Ip:` line of /proc/net/snmp (after its two settings, Forwarding and DefaultTTL).
    static let snmp4_ipstats_list: [MIBName] = [
        "InReceives", "InHdrErrors", "InAddrErrors", "ForwDatagrams", "InUnknownProtos", "InDiscards", "InDelivers",
        "OutRequests", "OutDiscards", "OutNoRoutes", "ReasmTimeout", "ReasmReqds", "ReasmOKs", "ReasmFails",
        "FragOKs", "FragFails", "FragCreates", .init("OutTransmits", since: .v6_12)
    ]
    /// The `IpExt:` line of /proc/net/netstat.
    static let snmp4_ipextstats_list: [MIBName] = [
        "InNoRoutes", "InTruncatedPkts", "InMcastPkts", "OutMcastPkts", "InBcastPkts", "OutBcastPkts", "InOctets",
        "OutOctets", "InMcastOctets", "OutMcastOctets", "InBcastOctets", "OutBcastOctets", "InCsumErrors",
        "InNoECTPkts", "InECT1Pkts", "InECT0Pkts", "InCEPkts", "ReasmOverlaps"
    ]
    /// The `Tcp:` line of /proc/net/snmp.
    static let snmp4_tcp_list: [MIBName] = [
        "RtoAlgorithm", "RtoMin", "RtoMax", "MaxConn", "ActiveOpens", "PassiveOpens", "AttemptFails", "EstabResets",
        "CurrEstab", "InSegs", "OutSegs", "RetransSegs", "InErrs", "OutRsts", "InCsumErrors"
    ]
    /// The `Udp:` line of /proc/net/snmp, and the `UdpLite:` line after it.
    static let snmp4_udp_list: [MIBName] = [
        "InDatagrams", "NoPorts", "InErrors", "OutDatagrams", "RcvbufErrors", "SndbufErrors", "InCsumErrors",
        "IgnoredMulti", .init("MemErrors", since: .v6_1)
    ]
    /// The `TcpExt:` line of /proc/net/netstat.
    static let snmp4_net_list: [MIBName] = [
        "SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed", "EmbryonicRsts", "PruneCalled", "RcvPruned",
        "OfoPruned", "OutOfWindowIcmps", "LockDroppedIcmps", "ArpFilter", "TW", "TWRecycled", "TWKilled",
        "PAWSActive", "PAWSEstab", "DelayedACKs", "DelayedACKLocked", "DelayedACKLost", "ListenOverflows",
        "ListenDrops", "TCPHPHits", "TCPPureAcks", "TCPHPAcks", "TCPRenoRecovery", "TCPSackRecovery",
        "TCPSACKReneging", .init("TCPFACKReorder", until: .v4_14), "TCPSACKReorder", "TCPRenoReorder", "TCPTSReorder",
        "TCPFullUndo", "TCPPartialUndo", "TCPDSACKUndo", "TCPLossUndo", "TCPLostRetransmit", "TCPRenoFailures",
        "TCPSackFailures", "TCPLossFailures", "TCPFastRetrans", "TCPSlowStartRetrans", "TCPTimeouts", "TCPLossProbes",
        "TCPLossProbeRecovery", "TCPRenoRecoveryFail", "TCPSackRecoveryFail", "TCPRcvCollapsed",
        .init("TCPBacklogCoalesce", since: .v6_1), "TCPDSACKOldSent", "TCPDSACKOfoSent", "TCPDSACKRecv",
        "TCPDSACKOfoRecv", "TCPAbortOnData", "TCPAbortOnClose", "TCPAbortOnMemory", "TCPAbortOnTimeout",
        "TCPAbortOnLinger", "TCPAbortFailed", "TCPMemoryPressures", "TCPMemoryPressuresChrono", "TCPSACKDiscard",
        "TCPDSACKIgnoredOld", "TCPDSACKIgnoredNoUndo", "TCPSpuriousRTOs", "TCPMD5NotFound", "TCPMD5Unexpected",
        "TCPMD5Failure", "TCPSackShifted", "TCPSackMerged", "TCPSackShiftFallback", "TCPBacklogDrop",
        "PFMemallocDrop", "TCPMinTTLDrop", "TCPDeferAcceptDrop", "IPReversePathFilter", "TCPTimeWaitOverflow",
        "TCPReqQFullDoCookies", "TCPReqQFullDrop", "TCPRetransFail", "TCPRcvCoalesce", "TCPOFOQueue", "TCPOFODrop",
        "TCPOFOMerge", "TCPChallengeACK", "TCPSYNChallenge", "TCPFastOpenActive", "TCPFastOpenActiveFail",
        "TCPFastOpenPassive", "TCPFastOpenPassiveFail", "TCPFastOpenListenOverflow", "TCPFastOpenCookieReqd",
        "TCPFastOpenBlackhole", "TCPSpuriousRtxHostQueues", "BusyPollRxPackets", "TCPAutoCorking",
        "TCPFromZeroWindowAdv", "TCPToZeroWindowAdv", "TCPWantZeroWindowAdv", "TCPSynRetrans", "TCPOrigDataSent",
        "TCPHystartTrainDetect", "TCPHystartTrainCwnd", "TCPHystartDelayDetect", "TCPHystartDelayCwnd",
        "TCPACKSkippedSynRecv", "TCPACKSkippedPAWS", "TCPACKSkippedSeq", "TCPACKSkippedFinWait2",
        "TCPACKSkippedTimeWait", "TCPACKSkippedChallenge", "TCPWinProbe", "TCPKeepAlive", "TCPMTUPFail",
        "TCPMTUPSuccess", .init("TCPDelivered", since: .v6_1), .init("TCPDeliveredCE", since: .v6_1),
        .init("TCPAckCompressed", since: .v6_1), .init("TCPZeroWindowDrop", since: .v6_1),
        .init("TCPRcvQDrop", since: .v6_1), "TCPWqueueTooBig", .init("TCPFastOpenPassiveAltKey", since: .v6_1),
        .init("TcpTimeoutRehash", since: .v6_1), .init("TcpDuplicateDataRehash", since: .v6_1),
        .init("TCPDSACKRecvSegs", since: .v6_1), .init("TCPDSACKIgnoredDubious", since: .v6_1),
        .init("TCPMigrateReqSuccess", since: .v6_1), .init("TCPMigrateReqFailure", since: .v6_1),
        .init("TCPPLBRehash", since: .v6_12), .init("TCPAORequired", since: .v6_12), .init("TCPAOBad", since: .v6_12),
        .init("TCPAOKeyNotFound", since: .v6_12), .init("TCPAOGood", since: .v6_12),
        .init("TCPAODroppedIcmps", since: .v6_12)
    ]
    /// `icmpmibmap`: the ICMP types RFC 1213 names, printed as `In<name>` and then `Out<name>` on the
    /// `Icmp:` line, after `InMsgs InErrors InCsumErrors` and `OutMsgs OutErrors` (and, from 6.1,
    /// `OutRateLimitGlobal OutRateLimitHost`) respectively. The same in all three versions.
    static let icmpmibmap: [String] = [
        "DestUnreachs", "TimeExcds", "ParmProbs", "SrcQuenchs", "Redirects", "Echos", "EchoReps", "Timestamps",
        "TimestampReps", "AddrMasks", "AddrMaskReps",
    ]

    /// The settings and gauges of /proc/net/snmp that `nstat` leaves out (iproute2's misc/nstat.c).
    static let notCounters: Set<String> = [
        "RtoAlgorithm", "RtoMin", "RtoMax", "MaxConn", "CurrEstab",
    ]

    /// The `Icmp:` line's names for `version`.
    static func icmpNames(_ version: KernelVersion) -> [String] {
        var out = ["InMsgs", "InErrors", "InCsumErrors"] + icmpmibmap.map { "In" + $0 }
        out += ["OutMsgs", "OutErrors"]
        if version >= .v6_1 { out += ["OutRateLimitGlobal", "OutRateLimitHost"] }
        return out + icmpmibmap.map { "Out" + $0 }
    }

    /// Every counter `nstat` can print for `version`, in its order: the lines of /proc/net/snmp (Ip,
    /// Icmp, Tcp, Udp, UdpLite), then /proc/net/snmp6 (``ipv6_proc_c``), then /proc/net/netstat
    /// (TcpExt, IpExt). The per-type `IcmpMsg` and `Icmp6` counters, one per ICMP type that moved, are
    /// not listed: see ``isCounter(_:in:)`` and ``nstatOrder(_:in:)``.
    public static func nstatNames(_ version: KernelVersion) -> [String] {
        func line(_ prefix: String, _ table: [MIBName]) -> [String] {
            table.filter { $0.exists(in: version) && !notCounters.contains($0.name) }.map { prefix + $0.name }
        }
        return line("Ip", snmp4_ipstats_list) + icmpNames(version).map { "Icmp" + $0 }
            + line("Tcp", snmp4_tcp_list) + line("Udp", snmp4_udp_list) + line("UdpLite", snmp4_udp_list)
            + ipv6_proc_c.nstatNames(version)
            + line("TcpExt", snmp4_net_list) + line("IpExt", snmp4_ipextstats_list)
    }

    /// The `IcmpMsg` counter of ICMP type `type` (`icmpmsg_put`): `IcmpMsgInType<N>` or `IcmpMsgOutType<N>`.
    static func icmpMsgType(_ name: String) -> (out: Bool, type: Int)? {
        for (prefix, out) in [("IcmpMsgInType", false), ("IcmpMsgOutType", true)] where name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count)
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy(\.isASCII), let type = Int(digits),
                  (0...255).contains(type), String(type) == digits else { return nil }
            return (out, type)
        }
        return nil
    }

    /// Whether `version` has a counter `nstat` would print as `name`.
    public static func isCounter(_ name: String, in version: KernelVersion) -> Bool {
        icmpMsgType(name) != nil || ipv6_proc_c.icmp6Type(name) != nil || names(version).contains(name)
    }

    /// `names` sorted as `nstat -a` prints them on `version`: the /proc/net/snmp lines (with `IcmpMsg`
    /// after `Icmp`, inbound types and then outbound, each by type), /proc/net/snmp6's (the per-type
    /// `Icmp6` counters before `Udp6`), then /proc/net/netstat's. Names the version does not have come
    /// last, by name.
    public static func nstatOrder(_ names: some Sequence<String>, in version: KernelVersion) -> [String] {
        let table = Self.names(version)
        let icmpEnd = table.firstIndex { $0.hasPrefix("Tcp") } ?? table.count
        let icmp6End = table.firstIndex { $0.hasPrefix("Udp6") } ?? table.count
        func key(_ name: String) -> (Int, Int, String) {
            if let position = table.firstIndex(of: name) { return (position * 2, 0, "") }
            if let (out, type) = icmpMsgType(name) { return (icmpEnd * 2 - 1, (out ? 256 : 0) + type, "") }
            if let (out, type) = ipv6_proc_c.icmp6Type(name) { return (icmp6End * 2 - 1, (out ? 256 : 0) + type, "") }
            return (Int.max, 0, name)
        }
        return names.sorted { key($0) < key($1) }
    }

    /// `nstatNames` for each version, made once.
    private static let tables: [KernelVersion: [String]] = Dictionary(
        uniqueKeysWithValues: KernelVersion.allCases.map { ($0, nstatNames($0)) })

    private static func names(_ version: KernelVersion) -> [String] { tables[version] ?? nstatNames(version) }
}
