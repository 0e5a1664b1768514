// Mirrors net/ipv6/mcast.c (Linux 6.1 and 6.12 alike here; 4.14.177 where it differs): which multicast
// groups a device has joined, and the queries and reports of other nodes that MLD (RFC 2710, RFC 3810)
// takes in as a listener.
// 6.1 and 6.12 take a query or report off the softirq: `igmp6_event_query`/`igmp6_event_report` queue
// the packet on its device (`mc_query_queue`, `mc_report_queue`) and a work item (`mld_query_work`,
// `mld_report_work`) handles it in a worker. The model runs that work as a timer due at once: before the
// next frame, with its own path (`TimerRun`). 4.14 does all of it in the softirq and `icmpv6_rcv` frees
// the packet. A queue holds at most `MLD_MAX_SKBS` packets (more only wait where the capture's clock
// goes back: the work is due at the latest frame's time); a run takes `MLD_MAX_QUEUE` and queues the work
// again for the rest, which then runs before the next frame.
// The reports the host sends are transmit origins: a frame the capture shows leaving is matched with
// the timer that sent it (6.1 and 6.12 run them as delayed work, 4.14 as timers): the report of all
// groups a general query started (`mld_gq_work`, `mld_gq_timer_expire`), a group's report timer
// (`mld_mca_work`, `igmp6_timer_handler`: MLDv2 through `mld_send_report`, MLDv1 through `igmp6_send`),
// the initial report once the link-local address passed DAD (`addrconf_dad_work` →
// `ipv6_mc_dad_complete`, repeated by `mld_dad_work`/`mld_dad_timer_expire`), else a state-change
// report of a group joined (`mld_ifc_work`, `mld_ifc_timer_expire`). Not modeled there: building the
// report (`mld_newpack`, `add_grec`), the joins and leaves themselves (an MLDv1 report with no query
// pending, `igmp6_join_group`; an MLDv1 done, `igmp6_leave_group`), the robustness count of change
// reports (`mc_ifc_count`). Not modeled: source filters (every group is in
// EXCLUDE mode without sources, as a plain join leaves it, so a group-and-source-specific query is
// answered as a group-specific one); `force_mld_version`; the jiffy granularity of the timers.
import Trace
import Wire

/// Functions modeled from `net/ipv6/mcast.c`, in the file's order.
public enum ipv6_mcast_c: String, KernelSourceFile {
    public static let path = "net/ipv6/mcast.c"
    case mld_clear_delrec, ipv6_chk_mcast_addr, igmp6_group_queried, mld_in_v1_mode, mld_process_v1, mld_process_v2,
        igmp6_event_query, __mld_query_work, mld_query_work, igmp6_event_report, __mld_report_work, mld_report_work,
        mld_sendpack, mld_send_report, mld_send_cr, igmp6_send, mld_send_initial_cr, ipv6_mc_dad_complete, mld_dad_work,
        mld_dad_timer_expire, mld_gq_timer_expire, mld_ifc_timer_expire, igmp6_timer_handler, mld_gq_work, mld_ifc_work,
        mld_mca_work
}

/// What MLD keeps for one IPv6 device (the `mc_*` fields of `struct inet6_dev` and the report timers of
/// its groups, `struct ifmcaddr6`). Times are capture-clock nanoseconds.
struct MLDDevice {
    /// `mc_query_queue` and `mc_report_queue`: received queries and reports waiting for the worker (6.1
    /// and later), with the frame that queued each; emptied before the next frame.
    var queries: [(skb: SKBuff, frame: Int)] = []
    var reports: [(skb: SKBuff, frame: Int)] = []
    /// When the worker takes the queues (`mc_query_work`, `mc_report_work`, queued with no delay).
    var queryWorkDue: Int64?
    var reportWorkDue: Int64?
    /// `mc_v1_seen`: until when an MLDv1 querier counts as present (the device answers in MLDv1).
    var v1SeenUntil: Int64 = 0
    /// `mc_qrv`, `mc_qi`, `mc_qri`: robustness variable, query interval and query response interval
    /// (RFC 3810 §9), from the last MLDv2 query; the defaults are `sysctl_mld_qrv` (2),
    /// `MLD_QI_DEFAULT` (125 s) and `MLD_QRI_DEFAULT` (10 s).
    var qrv = 2
    var qi: Int64 = 125_000_000_000
    var qri: Int64 = 10_000_000_000
    /// `mc_gq_running`/`mc_gq_work`: the latest time the report of all groups, answering a general
    /// MLDv2 query, is due.
    var generalReportDue: Int64?
    /// Groups whose report timer runs (`MAF_TIMER_RUNNING`), with the latest time it fires.
    var groupReportDue: [IPv6Address: Int64] = [:]
    /// The query frames that started the report of all groups and each group's report timer.
    var generalReportArmedBy: Int?
    var groupReportArmedBy: [IPv6Address: Int] = [:]
    /// The host sent a DAD probe for the device's link-local address: its next MLDv2 report from a
    /// link-local source is the one DAD's completion sends (`ipv6_mc_dad_complete`).
    var linkLocalInDAD = false
    /// `mc_dad_count`: initial reports still to repeat (`mld_dad_work`) after DAD's completion.
    var initialReportsLeft = 0
}

/// Sizes and values MLD checks (include/net/mld.h, include/uapi/linux/ipv6.h).
private enum MLD {
    static let MLD_V1_QUERY_LEN = 24
    static let MLD_V2_QUERY_LEN_MIN = 28
    /// The most packets a device's query or report queue holds, and the most one run of its work takes.
    static let MLD_MAX_SKBS = 32
    static let MLD_MAX_QUEUE = 8
    /// The largest MLDv1 maximum response delay a v2 query's code is taken as (`MLD_EXP_MIN_LIMIT - 1`).
    static let MLDV1_MRD_MAX_COMPAT: UInt32 = 32767
    /// The Router Alert value of MLD (RFC 2711).
    static let IPV6_OPT_ROUTERALERT_MLD: UInt16 = 0
    static let millisecond: Int64 = 1_000_000
    /// How late a report timer's work may run after its latest time and still be the one that sent a
    /// report the capture shows (the worker and the capture's clock lag the timer).
    static let workLatency: Int64 = 1_000_000_000
}

extension Kernel {
    /// Whether `dev` has joined `group`: every IPv6 device joins all-nodes (`ff02::1`, `ff01::1`) and
    /// the solicited-node group of each of its addresses (RFC 4291 §2.8); a forwarding host all-routers
    /// (`ff02::2`, `ff01::2`, `ff05::2`); the profile names the groups sockets or `autojoin` joined.
    func ipv6_chk_mcast_addr(_ dev: NetDevice, _ group: IPv6Address) -> Bool {
        traced(ipv6_mcast_c.ipv6_chk_mcast_addr) {
            let joined = mcList(dev).contains(group)
            tracer.note("\(group) \(joined ? "joined" : "not joined") on \(dev.name)")
            return joined
        }
    }

    /// The groups `dev` has joined (`idev->mc_list`), newest first: the profile's groups in its order
    /// (`ip -6 maddr` lists them so), then those it leaves out that the kernel joins itself: the
    /// solicited-node groups of the addresses (the last added first), all-routers when forwarding, and
    /// all-nodes, joined when IPv6 came up.
    func mcList(_ dev: NetDevice) -> [IPv6Address] {
        guard !dev.addresses6.isEmpty || dev.isLoopback else { return [] }
        var automatic = dev.addresses6.reversed().map(\.address.solicitedNode)
        if sysctl.ipv6_forwarding {
            automatic += [0xff05, 0xff02, 0xff01].map { (scope: UInt64) in IPv6Address(high: scope << 48, low: 2) }
        }
        automatic += [.allNodes, IPv6Address(high: 0xff01 << 48, low: 1)]
        var groups = dev.groups6
        for g in automatic where !groups.contains(g) { groups.append(g) }
        return groups
    }

    /// The frame of the query being handled: the one the worker took (6.1 and later), else the frame
    /// being processed.
    private var queryFrame: Int { runningTimer?.armedBy ?? currentFrame }

    /// Forgets the records of groups left that were still to be reported (`mc_tomb`). The model keeps
    /// none: the host leaving a group is not modeled.
    func mld_clear_delrec(_ dev: NetDevice) {
        traced(ipv6_mcast_c.mld_clear_delrec) {}
    }

    /// Starts (or brings forward) the report timer of `group` for a query allowing `resptime`: never
    /// for all-nodes or a group of node-local scope; a timer already running keeps its time when that
    /// is sooner. The kernel fires it after a random part of the delay (RFC 2710 §4).
    func igmp6_group_queried(_ dev: NetDevice, _ group: IPv6Address, resptime: Int64) {
        traced(ipv6_mcast_c.igmp6_group_queried) {
            guard group != .allNodes, group.multicastScope >= 2 else { return }
            let due = now.clampedAdding(resptime)
            // A timer whose latest time has passed has fired (its report is the capture's to show).
            if let running = mld[dev.name]?.groupReportDue[group], running > now, running <= due { return }
            mld[dev.name, default: MLDDevice()].groupReportDue[group] = due
            mld[dev.name]?.groupReportArmedBy[group] = queryFrame
            tracer.state("\(group): report due within \(Self.describeInterval(resptime))")
        }
    }

    /// Whether the device answers in MLDv1: an MLDv1 querier was heard within the older-version querier
    /// present timeout (RFC 3810 §9.12).
    func mld_in_v1_mode(_ dev: NetDevice) -> Bool {
        traced(ipv6_mcast_c.mld_in_v1_mode) { now < mld[dev.name]?.v1SeenUntil ?? 0 }
    }

    /// Takes an MLDv1 query (or any query in MLDv1 mode): its maximum response delay (a v2 query's code,
    /// capped at 32767 ms), and for a real MLDv1 query (24 bytes) MLDv1 mode until the querier present
    /// timeout; stops the MLDv2 reports pending. Returns the delay.
    func mld_process_v1(_ dev: NetDevice, maxDelayField: UInt16, v1Query: Bool) -> Int64 {
        traced(ipv6_mcast_c.mld_process_v1) {
            var ms = UInt32(maxDelayField)
            if !v1Query { ms = min(ms, MLD.MLDV1_MRD_MAX_COMPAT) }
            let delay = max(Int64(ms) * MLD.millisecond, 1)
            var state = mld[dev.name, default: MLDDevice()]
            if v1Query {
                // mld_set_v1_mode: robustness times query interval, plus the response interval.
                let switchback = Int64(state.qrv).clampedMultiplied(by: state.qi).clampedAdding(state.qri)
                state.v1SeenUntil = now.clampedAdding(switchback)
                tracer.state("\(dev.name): MLDv1 querier present, MLDv1 mode for \(Self.describeInterval(switchback))")
            }
            // mld_gq_stop_work, mld_ifc_stop_work (inline): no MLDv2 report of all groups or of a change.
            // (The report of all groups is pending only until its latest time: then it has been sent.)
            if let due = state.generalReportDue, due > now {
                tracer.state("\(dev.name): the pending report of all groups (MLDv2) cancelled")
            }
            state.generalReportDue = nil
            mld[dev.name] = state
            mld_clear_delrec(dev)
            return delay
        }
    }

    /// Takes an MLDv2 query's timers: its maximum response delay (decoded, RFC 3810 §5.1.3), the
    /// querier's robustness variable (0 leaves it, below 2 becomes 2) and query interval (§5.1.9),
    /// which set the MLDv1 querier present timeout. Returns the delay.
    func mld_process_v2(_ dev: NetDevice, _ skb: SKBuff) -> Int64 {
        traced(ipv6_mcast_c.mld_process_v2) {
            let th = skb.transport_header
            let mrc = MLDQuery.decodeMaxResponseCode(skb.bytes.u16be(at: th + 4))
            let delay = max(Int64(mrc) * MLD.millisecond, 1)
            var state = mld[dev.name, default: MLDDevice()]
            let qrv = Int(skb.bytes.u8(at: th + 24) & 0x07), qqic = skb.bytes.u8(at: th + 25)
            if qrv > 0 { state.qrv = qrv }
            state.qrv = max(state.qrv, 2)
            // QQIC below 128 is the interval in seconds, else a floating-point code (mantissa, exponent).
            let seconds = qqic < 128 ? Int64(qqic) : Int64((qqic & 0x0f) | 0x10) << (Int64((qqic >> 4) & 0x07) + 3)
            state.qi = seconds * 1_000_000_000
            state.qri = Int64(mrc) * MLD.millisecond
            mld[dev.name] = state
            return delay
        }
    }

    /// The MLD query handler of `icmpv6_rcv`. 6.1 and later queue the query for the worker
    /// (`mld_query_work`) and free nothing (`kfree_skb(NULL)`); 4.14 handles it here (`__mld_query_work`'s
    /// work) and `icmpv6_rcv` frees it.
    func igmp6_event_query(_ skb: inout SKBuff) {
        traced(ipv6_mcast_c.igmp6_event_query) {
            guard has(ipv6_mcast_c.mld_query_work) else {
                mldQuery(skb)
                return
            }
            mldEnqueue(&skb, report: false)
        }
    }

    /// Handles one query in the worker (6.1 and later; 4.14's `igmp6_event_query` does the same work
    /// inline), then frees it as used (`consume_skb`), whether it was taken or refused.
    func __mld_query_work(_ skb: inout SKBuff) {
        traced(ipv6_mcast_c.__mld_query_work) {
            mldQuery(skb)
            consume_skb(&skb)
        }
    }

    /// The checks and the work of a query (RFC 3810 §6.2, §7.6): a link-local source, hop limit 1 and
    /// MLD's Router Alert, a group that is `::` or multicast; then by length an MLDv1 query (24 bytes, or
    /// any in MLDv1 mode) or an MLDv2 one (28 bytes and more). A general MLDv2 query schedules the report
    /// of all groups; any other query starts the report timer of each group it asks about.
    private func mldQuery(_ skb: SKBuff) {
        let th = skb.transport_header, dev = skb.dev
        // pskb_may_pull past the ICMPv6 header, to the end of the group address.
        guard skb.data + skb.len - th >= MLD.MLD_V1_QUERY_LEN, let ip6 = skb.ipv6_hdr() else {
            tracer.note("query shorter than its group address: ignored")
            return
        }
        // The message's length: the payload's, without the extension headers.
        let len = ip6.payloadLength + IPv6Packet.headerLength - (th - skb.network_header)
        guard ip6.source.isLinkLocal, ip6.hopLimit == 1, skb.ip6RouterAlert == MLD.IPV6_OPT_ROUTERALERT_MLD else {
            tracer.note("query refused: it needs a link-local source, hop limit 1 and MLD's Router Alert "
                + "(source \(ip6.source), hop limit \(ip6.hopLimit), \(skb.ip6RouterAlert.map { "router alert \($0)" } ?? "no router alert"))")
            return
        }
        let group = IPv6Address(skb.bytes, at: th + 8)
        guard group == .any || group.isMulticast else {
            tracer.note("query for \(group), not a multicast address: ignored")
            return
        }
        let delay: Int64
        var sourceSpecific = false
        if len < MLD.MLD_V1_QUERY_LEN {
            tracer.note("query of \(len) bytes: too short")
            return
        } else if len == MLD.MLD_V1_QUERY_LEN || mld_in_v1_mode(dev) {
            delay = mld_process_v1(dev, maxDelayField: skb.bytes.u16be(at: th + 4), v1Query: len == MLD.MLD_V1_QUERY_LEN)
        } else if len >= MLD.MLD_V2_QUERY_LEN_MIN {
            guard skb.data + skb.len - th >= MLD.MLD_V2_QUERY_LEN_MIN else {
                tracer.note("MLDv2 query cut short")
                return
            }
            delay = mld_process_v2(dev, skb)
            let sources = Int(skb.bytes.u16be(at: th + 26))
            if group == .any {
                guard sources == 0 else {
                    tracer.note("general query listing sources: ignored")
                    return
                }
                // mld_gq_start_work (inline): the report of all groups after a random part of the delay.
                let due = now.clampedAdding(delay)
                mld[dev.name]?.generalReportDue = due
                mld[dev.name]?.generalReportArmedBy = queryFrame
                tracer.state("\(dev.name): report of all groups (MLDv2) due within \(Self.describeInterval(delay))")
                return
            }
            if sources != 0 {
                guard skb.data + skb.len - th >= MLD.MLD_V2_QUERY_LEN_MIN + 16 * sources else {
                    tracer.note("query's \(sources) sources run past the packet")
                    return
                }
                sourceSpecific = true
            }
        } else {
            tracer.note("query of \(len) bytes: neither MLDv1 nor MLDv2")
            return
        }
        let groups = mcList(dev)
        if group == .any {
            for g in groups { igmp6_group_queried(dev, g, resptime: delay) }
        } else if groups.contains(group) {
            // A group-and-source-specific query (mld_marksources): every group is in EXCLUDE mode without
            // sources here, so the host listens to some of them and answers.
            if sourceSpecific { tracer.note("sources asked about: \(group) excludes none of them") }
            igmp6_group_queried(dev, group, resptime: delay)
        } else {
            tracer.note("\(group) not joined on \(dev.name): nothing to report")
        }
    }

    /// The worker of a device's query queue: handles each queued query in order.
    func mld_query_work(_ dev: NetDevice) {
        traced(ipv6_mcast_c.mld_query_work) {
            for var skb in mldDequeue(dev, report: false) { __mld_query_work(&skb) }
        }
    }

    /// The MLDv1 report handler of `icmpv6_rcv`: queued for the worker (`mld_report_work`) in 6.1 and
    /// later, handled here in 4.14.
    func igmp6_event_report(_ skb: inout SKBuff) {
        traced(ipv6_mcast_c.igmp6_event_report) {
            guard has(ipv6_mcast_c.mld_report_work) else {
                mldReport(skb)
                return
            }
            mldEnqueue(&skb, report: true)
        }
    }

    /// Handles one report in the worker, then frees it as used.
    func __mld_report_work(_ skb: inout SKBuff) {
        traced(ipv6_mcast_c.__mld_report_work) {
            mldReport(skb)
            consume_skb(&skb)
        }
    }

    /// MLDv1 report suppression (RFC 2710 §4): another listener's report for a group whose report timer
    /// runs here stops that timer, the router having heard one. The host's own report looped back, a
    /// report in a unicast frame, and one from a source neither `::` nor link-local are ignored.
    private func mldReport(_ skb: SKBuff) {
        let dev = skb.dev
        if skb.pkt_type == .PACKET_LOOPBACK {
            tracer.note("the host's own report looped back: ignored")
            return
        }
        guard skb.pkt_type == .PACKET_MULTICAST || skb.pkt_type == .PACKET_BROADCAST else {
            tracer.note("report not sent to a link-layer group: ignored")
            return
        }
        let th = skb.transport_header
        guard skb.data + skb.len - th >= MLD.MLD_V1_QUERY_LEN, let ip6 = skb.ipv6_hdr() else {
            tracer.note("report shorter than its group address: ignored")
            return
        }
        guard ip6.source == .any || ip6.source.isLinkLocal else {
            tracer.note("report from \(ip6.source), neither :: nor link-local: ignored")
            return
        }
        let group = IPv6Address(skb.bytes, at: th + 8)
        guard mcList(dev).contains(group) else {
            tracer.note("\(group) not joined on \(dev.name): nothing to do")
            return
        }
        if let due = mld[dev.name]?.groupReportDue.removeValue(forKey: group), due > now {
            tracer.state("\(group): another listener reported it, our report cancelled (MLDv1 report suppression)")
        } else {
            tracer.note("\(group): no report of ours pending")
        }
    }

    /// The worker of a device's report queue: handles each queued report in order.
    func mld_report_work(_ dev: NetDevice) {
        traced(ipv6_mcast_c.mld_report_work) {
            for var skb in mldDequeue(dev, report: true) { __mld_report_work(&skb) }
        }
    }

    /// Queues a query or report for its device's worker, which is due at once (`mod_delayed_work` with no
    /// delay); nothing is freed (`kfree_skb(NULL)`). A packet finding `MLD_MAX_SKBS` waiting is freed instead.
    private func mldEnqueue(_ skb: inout SKBuff, report: Bool) {
        let name = skb.dev.name
        var state = mld[name, default: MLDDevice()]
        guard (report ? state.reports.count : state.queries.count) < MLD.MLD_MAX_SKBS else {
            tracer.note("\(MLD.MLD_MAX_SKBS) \(report ? "reports" : "queries") already wait on \(name): this one is freed")
            kfree_skb_reason(&skb, .NOT_SPECIFIED)
            return
        }
        if report {
            state.reports.append((skb, currentFrame))
            state.reportWorkDue = state.reportWorkDue ?? now
        } else {
            state.queries.append((skb, currentFrame))
            state.queryWorkDue = state.queryWorkDue ?? now
        }
        mld[name] = state
        mldWorkHorizon = min(mldWorkHorizon, now)
        tracer.note(report ? "report queued on \(name) (mc_report_queue) for the worker: mld_report_work"
                           : "query queued on \(name) (mc_query_queue) for the worker: mld_query_work")
        kfree_skb_null()
    }

    /// Takes the first `MLD_MAX_QUEUE` packets off a device's query or report queue for one run of its
    /// work; with more waiting, the work is queued again at once.
    private func mldDequeue(_ dev: NetDevice, report: Bool) -> [SKBuff] {
        var state = mld[dev.name] ?? MLDDevice()
        var queue = report ? state.reports : state.queries
        let taken = queue.prefix(MLD.MLD_MAX_QUEUE).map(\.skb)
        queue.removeFirst(taken.count)
        let again: Int64? = queue.isEmpty ? nil : now
        if !queue.isEmpty {
            tracer.note("\(queue.count) more wait: the work is queued again")
            mldWorkHorizon = min(mldWorkHorizon, now)
        }
        if report {
            (state.reports, state.reportWorkDue) = (queue, again)
        } else {
            (state.queries, state.queryWorkDue) = (queue, again)
        }
        mld[dev.name] = state
        return taken
    }

    /// The MLD work items due by `time`: each device's query and report work, with the frame that queued
    /// it and the function that runs it.
    func expiredMLDWork(by time: Int64) -> [(function: String, expires: Int64, armedBy: Int?, run: () -> Void)] {
        guard mldWorkHorizon <= time else { return [] }
        var out: [(function: String, expires: Int64, armedBy: Int?, run: () -> Void)] = []
        var horizon = Int64.max
        for dev in devices {
            guard let state = mld[dev.name] else { continue }
            for (due, function, frame, run) in [
                (state.queryWorkDue, ipv6_mcast_c.mld_query_work, state.queries.first?.frame, { self.mld_query_work(dev) }),
                (state.reportWorkDue, ipv6_mcast_c.mld_report_work, state.reports.first?.frame, { self.mld_report_work(dev) }),
            ] {
                guard let due else { continue }
                if due <= time { out.append((function.rawValue, due, frame, run)) } else { horizon = min(horizon, due) }
            }
        }
        mldWorkHorizon = horizon
        return out
    }

    /// Sends an MLDv2 report the host built (the frame being transmitted): counted as it is made,
    /// LOCAL_OUT, then the route's output (a throwaway route to the group, `icmp6_dst_alloc`).
    func mld_sendpack() {
        traced(ipv6_mcast_c.mld_sendpack) { sendTransmitICMPv6(type: ICMPv6Type.ICMPV6_MLD2_REPORT) }
    }

    /// Builds and sends the current-state report of all groups (`group` nil: answering a general
    /// query) or of one group (its report timer).
    func mld_send_report(_ dev: NetDevice, group: IPv6Address?) {
        traced(ipv6_mcast_c.mld_send_report) {
            tracer.note(group.map { "the current-state record of \($0)" } ?? "the current-state records of all groups of \(dev.name)")
            mld_sendpack()
        }
    }

    /// Builds and sends the state-change report of the groups joined or left recently (each change is
    /// reported `mc_qrv` times).
    func mld_send_cr(_ dev: NetDevice) {
        traced(ipv6_mcast_c.mld_send_cr) {
            tracer.note("the state-change records of the groups \(dev.name) joined or left recently")
            mld_sendpack()
        }
    }

    /// Builds and sends an MLDv1 message about `group` (a report, or a done when leaving): the frame
    /// being transmitted; counted and sent as `mld_sendpack` sends.
    func igmp6_send(_ group: IPv6Address, type: UInt8) {
        traced(ipv6_mcast_c.igmp6_send) {
            tracer.note("MLDv1 \(type == ICMPv6Type.ICMPV6_MGM_REPORT ? "report" : "done") for \(group)")
            sendTransmitICMPv6(type: type)
        }
    }

    /// Builds and sends the report of every group as a change to its mode (EXCLUDE without sources
    /// here): what a device sends once it has a usable link-local address.
    func mld_send_initial_cr(_ dev: NetDevice) {
        traced(ipv6_mcast_c.mld_send_initial_cr) {
            tracer.note("the initial records of all groups of \(dev.name)")
            mld_sendpack()
        }
    }

    /// Called once a device's link-local address passed DAD (reports sent before came from `::`):
    /// sends the initial report at once and leaves `mc_qrv - 1` repeats to `mld_dad_work`.
    func ipv6_mc_dad_complete(_ dev: NetDevice) {
        traced(ipv6_mcast_c.ipv6_mc_dad_complete) {
            var state = mld[dev.name, default: MLDDevice()]
            state.linkLocalInDAD = false
            state.initialReportsLeft = state.qrv - 1
            mld[dev.name] = state
            mld_send_initial_cr(dev)
            if state.initialReportsLeft > 0 {
                tracer.state("\(dev.name): \(state.initialReportsLeft) more initial report(s), one unsolicited report interval apart")
            }
        }
    }

    /// The work repeating the initial report after DAD (`mc_dad_work`, 6.1 and later).
    func mld_dad_work(_ dev: NetDevice) {
        traced(ipv6_mcast_c.mld_dad_work) { repeatInitialReport(dev) }
    }

    /// 4.14's timer repeating the initial report after DAD (`mc_dad_timer`).
    func mld_dad_timer_expire(_ dev: NetDevice) {
        traced(ipv6_mcast_c.mld_dad_timer_expire) { repeatInitialReport(dev) }
    }

    /// Sends the initial report again and counts it off `mc_dad_count`.
    private func repeatInitialReport(_ dev: NetDevice) {
        mld_send_initial_cr(dev)
        mld[dev.name, default: MLDDevice()].initialReportsLeft -= 1
    }

    /// 4.14's timer of the report of all groups a general MLDv2 query asked for (`mc_gq_timer`).
    func mld_gq_timer_expire(_ dev: NetDevice) {
        traced(ipv6_mcast_c.mld_gq_timer_expire) { mld_send_report(dev, group: nil) }
    }

    /// 4.14's timer of the state-change report (`mc_ifc_timer`).
    func mld_ifc_timer_expire(_ dev: NetDevice) {
        traced(ipv6_mcast_c.mld_ifc_timer_expire) { mld_send_cr(dev) }
    }

    /// 4.14's report timer of one group (`mca_timer`): as `mld_mca_work`.
    func igmp6_timer_handler(_ dev: NetDevice, group: IPv6Address) {
        traced(ipv6_mcast_c.igmp6_timer_handler) { reportGroup(dev, group) }
    }

    /// The work of the report of all groups a general MLDv2 query asked for (`mc_gq_work`, 6.1 and later).
    func mld_gq_work(_ dev: NetDevice) {
        traced(ipv6_mcast_c.mld_gq_work) { mld_send_report(dev, group: nil) }
    }

    /// The work of the state-change report (`mc_ifc_work`, 6.1 and later), run soon after a join or a
    /// leave and repeated `mc_qrv` times.
    func mld_ifc_work(_ dev: NetDevice) {
        traced(ipv6_mcast_c.mld_ifc_work) { mld_send_cr(dev) }
    }

    /// The report work of one group (`mca_work`, 6.1 and later), started by a query: an MLDv1 report in
    /// MLDv1 mode, else the group's MLDv2 current-state report.
    func mld_mca_work(_ dev: NetDevice, group: IPv6Address) {
        traced(ipv6_mcast_c.mld_mca_work) { reportGroup(dev, group) }
    }

    /// A group's report timer firing: the report in the device's MLD version.
    private func reportGroup(_ dev: NetDevice, _ group: IPv6Address) {
        if mld_in_v1_mode(dev) {
            igmp6_send(group, type: ICMPv6Type.ICMPV6_MGM_REPORT)
        } else {
            mld_send_report(dev, group: group)
        }
    }

    /// The origin of an MLDv2 report the host sent, from what MLD keeps: the report of all groups a
    /// general query made due, a group's report timer (a report of that group alone), the initial
    /// report once the link-local address passed DAD and its repeats, else a state-change report.
    func transmitMLDv2Report(_ hdr: IPv6Packet, groups: [IPv6Address], dev: NetDevice) {
        let workItems = has(ipv6_mcast_c.mld_gq_work)
        var state = mld[dev.name, default: MLDDevice()]
        if let due = state.generalReportDue, due.clampedAdding(MLD.workLatency) >= now {
            state.generalReportDue = nil
            mld[dev.name] = state
            causedByQuery(state.generalReportArmedBy, timer: workItems ? ipv6_mcast_c.mld_gq_work : .mld_gq_timer_expire)
            return workItems ? mld_gq_work(dev) : mld_gq_timer_expire(dev)
        }
        if groups.count == 1, takeGroupReport(groups[0], dev: dev) {
            return workItems ? mld_mca_work(dev, group: groups[0]) : igmp6_timer_handler(dev, group: groups[0])
        }
        if hdr.source != .any, state.linkLocalInDAD {
            return addrconf_dad_work { addrconf_dad_completed(dev, sends: .mldReport) }
        }
        if hdr.source != .any, state.initialReportsLeft > 0 {
            return workItems ? mld_dad_work(dev) : mld_dad_timer_expire(dev)
        }
        if hdr.source == .any {
            tracer.note("sent while no link-local address of \(dev.name) had passed DAD: from :: (RFC 3590)")
        }
        workItems ? mld_ifc_work(dev) : mld_ifc_timer_expire(dev)
    }

    /// The origin of an MLDv1 report the host sent: the report timer a query started for its group
    /// (`mld_mca_work`, 4.14's `igmp6_timer_handler`); the unsolicited reports of a join are not modeled.
    func transmitMLDv1Report(group: IPv6Address, dev: NetDevice) -> Bool {
        guard takeGroupReport(group, dev: dev) else { return false }
        has(ipv6_mcast_c.mld_mca_work) ? mld_mca_work(dev, group: group) : igmp6_timer_handler(dev, group: group)
        return true
    }

    /// Whether `group`'s report timer was due to send the report being transmitted; if so, it is stopped
    /// and the frame says which query and timer made it.
    private func takeGroupReport(_ group: IPv6Address, dev: NetDevice) -> Bool {
        guard let due = mld[dev.name]?.groupReportDue[group], due.clampedAdding(MLD.workLatency) >= now else { return false }
        mld[dev.name]?.groupReportDue[group] = nil
        let armedBy = mld[dev.name]?.groupReportArmedBy.removeValue(forKey: group)
        causedByQuery(armedBy, timer: has(ipv6_mcast_c.mld_mca_work) ? ipv6_mcast_c.mld_mca_work : .igmp6_timer_handler)
        return true
    }

    /// Records that the frame being transmitted answers the query of frame `armedBy`, sent by `timer`.
    private func causedByQuery(_ armedBy: Int?, timer: ipv6_mcast_c) {
        outcome.causedBy = armedBy
        outcome.causedByTimer = timer.rawValue
    }
}
