import Trace
import Wire

extension Kernel {
    /// Starts processing capture frame `frame` at capture time `time`. The clock never goes back: a
    /// frame stamped before the one before it is processed at that one's time, and says so, as is a
    /// frame whose own timestamp could not be used (`timeNote` says why).
    private func begin(frame: Int, time: Int64, timeNote: String?) {
        currentFrame = frame
        runExpiredTimers(until: time)
        if let timeNote {
            tracer.note(timeNote)
        } else if time < now {
            tracer.note("stamped \(Self.describeInterval(now.clampedSubtracting(time))) before an earlier frame: the clock stays at that frame's time")
        }
        now = max(now, time)
        outcome = FrameOutcome()
        transmitContext = TransmitContext()
    }

    /// Ends processing the current frame and hands over its path. The frame's skb is let go, so that
    /// the capture reader can reuse the frame's buffer instead of copying it.
    private func finish() -> FrameResult {
        transmitSKB = nil
        return FrameResult(verdict: outcome.verdict, proto: outcome.proto, dropReason: outcome.dropReason,
                           dropFunction: outcome.dropFunction, causedBy: outcome.causedBy, reassembled: outcome.reassembled,
                           causedByTimer: outcome.causedByTimer, timers: timerRuns, events: tracer.take())
    }

    /// A nanosecond interval as a person reads it (`1.5 ms`, `3 s`).
    public static func describeInterval(_ ns: Int64) -> String {
        switch ns {
        case ..<1_000: "\(ns) ns"
        case ..<1_000_000: "\(ns / 1_000) µs"
        case ..<1_000_000_000: "\(ns / 1_000_000) ms"
        default: "\(ns / 1_000_000_000) s"
        }
    }

    /// Runs the timers still pending when the capture ended, in expiry order, as the kernel would
    /// have after the last frame. What they send is not counted against the capture, which ended first.
    public func runTimersAfterCapture() -> [TimerRun] {
        afterCapture = true
        defer { afterCapture = false }
        runExpiredTimers(until: .max)
        defer { timerRuns = [] }
        return timerRuns
    }

    /// Runs, in expiry order, the kernel timers that expired by the capture clock before `time`: the
    /// kernel runs them asynchronously, the model when it first sees the clock past them. Each runs at
    /// its own expiry time and records its own path; none changes the outcome of the frame at hand.
    private func runExpiredTimers(until time: Int64) {
        if !timerRuns.isEmpty { timerRuns = [] }
        // Most frames find no timer due: nothing to gather and sort.
        guard ip4Frags.horizon <= time || ip6Frags.horizon <= time || timeWaitTimers.horizon <= time || mldWorkHorizon <= time
                || driverTimers.contains(where: { $0.timerHorizon <= time })
        else { return }
        /// One expired timer: its callback, when it expired, and the frame that armed it.
        typealias Expired = (function: String, expires: Int64, armedBy: Int?, run: () -> Void)
        var expired: [Expired] = expiredFragmentQueues(FragmentKey.self, by: time).map { key, expires in
            (ip_fragment_c.ip_expire.rawValue, expires, ip4Frags.queues[key]?.armedBy, { self.ip_expire(key) })
        }
        expired += expiredFragmentQueues(Frag6Key.self, by: time).map { key, expires in
            (ipv6_reassembly_c.ip6_frag_expire.rawValue, expires, ip6Frags.queues[key]?.armedBy, { self.ip6_frag_expire(key) })
        }
        expired += expiredTimeWaitTimers(by: time).map { t, expires, armedBy in
            (inet_timewait_sock.tw_timer_handler.rawValue, expires, armedBy, { self.tw_timer_handler(t) })
        }
        expired += expiredMLDWork(by: time)
        for driver in driverTimers where driver.timerHorizon <= time { expired += driver.expiredTimers(self, by: time) }
        // In expiry order; timers that expire together in the order they were armed.
        for timer in expired.enumerated().sorted(by: { ($0.element.expires, $0.offset) < ($1.element.expires, $1.offset) }).map(\.element) {
            guard let armedBy = timer.armedBy else { continue }
            now = max(now, timer.expires)
            runningTimer = (timer.function, armedBy)
            timer.run()
            runningTimer = nil
            timerRuns.append(TimerRun(timeNanoseconds: timer.expires, function: timer.function, armedBy: armedBy, events: tracer.take(),
                                      dropped: outcome.verdict == .drop))
            outcome = FrameOutcome()
        }
    }

    /// An skb for a captured frame, positioned as its device's driver would receive or send it.
    private func makeSKB(frame: Int, bytes: [UInt8], wireLength: Int, link: LinkHeader, device: NetDevice,
                         outgoing: Bool) -> SKBuff {
        // skb->dev is not reference-counted (``SKBuff/dev``): only the kernel's own devices may go in.
        assert(devices.contains { $0 === device }, "\(device.name) is not a device of this kernel")
        var skb = alloc_skb(frame: frame, bytes: bytes, wireLength: wireLength, dev: device)
        if let mac = link.macOffset {
            skb.data = mac
            skb.len -= mac
        } else {
            // No Ethernet header in the capture (cooked or raw IP): the frame starts at the network layer.
            skb.data = link.networkOffset
            skb.len -= link.networkOffset
            skb.protocol = link.etherType
            skb.network_header = link.networkOffset
            skb.linkLayerMissing = true
            switch link.sllPacketType {
            case .broadcast: skb.pkt_type = .PACKET_BROADCAST
            case .multicast: skb.pkt_type = .PACKET_MULTICAST
            case .otherHost: skb.pkt_type = .PACKET_OTHERHOST
            case .outgoing: skb.pkt_type = .PACKET_OUTGOING
            default: skb.pkt_type = .PACKET_HOST
            }
        }
        if outgoing {
            skb.pkt_type = .PACKET_OUTGOING
            skb.protocol = link.etherType
            skb.network_header = link.networkOffset
            skb.transport_header = link.networkOffset + (IPv4Packet(bytes, at: link.networkOffset)?.headerLength ?? 0)
        }
        markOffloads(&skb, link: link, outgoing: outgoing)
        return skb
    }

    /// Replays a frame the host received on `device`: the driver's receive path and the stack above.
    public func receive(frame: Int, time: Int64, timeNote: String? = nil, bytes: [UInt8], wireLength: Int,
                        link: LinkHeader, device: NetDevice) -> FrameResult {
        begin(frame: frame, time: time, timeNote: timeNote)
        if device.vlan != nil, let first = takeSighting(bytes, link, on: device, outgoing: false) {
            tracer.note("the packet frame \(first.frame) received on \(device.vlan?.real_dev.name ?? ""), seen again on \(device.name) "
                + "in the second round of __netif_receive_skb_core after vlan_do_receive: one skb captured at two points "
                + "(its path is frame \(first.frame)'s)")
            outcome.set(first.verdict, proto: first.proto)
            outcome.causedBy = first.frame
            return finish()
        }
        if device.bridge != nil, let first = takeSighting(bytes, link, where: {
            !$0.outgoing && $0.realDevice == device.name && $0.device != device.name
        }) {
            tracer.note("the packet frame \(first.frame) received on bridge port \(first.device), seen again on \(device.name) "
                + "after br_pass_frame_up: one skb captured at two points (its path is frame \(first.frame)'s)")
            outcome.set(first.verdict, proto: first.proto)
            outcome.causedBy = first.frame
            return finish()
        }
        // A frame captured on a bridge alone came in on one of its ports, which the capture did not see.
        var device = device
        if let br = device.bridge, let (port, why) = bridgeIngressPort(br, bytes, link) {
            tracer.note("captured on \(br.dev.name), not on its ports: received on port \(port.dev.name) (\(why))")
            device = port.dev
        }
        var skb = makeSKB(frame: frame, bytes: bytes, wireLength: wireLength, link: link, device: device,
                          outgoing: false)
        skb.vlanIDs = link.vlanIDs
        if skb.linkLayerMissing { skb.cookedSource = link.linkAddress }
        if skb.linkLayerMissing, link.vlanIDs.isEmpty, let vlanDev = cookedVLAN(bytes, link, on: device) {
            skb.vlan_tci = vlanDev.vlan?.vlan_id
            tracer.note("Linux cooked v2 captures keep no VLAN tags (libpcap); the destination is \(vlanDev.name)'s address: "
                + "taken as tagged VID \(vlanDev.vlan?.vlan_id ?? 0)")
        }
        if device.ops.receive(self, &skb) {
            switch device.ops.receiveMode {
            case .backlog: process_backlog(&skb)
            case .napiGRO: if has(gro_h.gro_normal_list) { gro_normal_list(&skb) }
            case .process: break
            }
        }
        receiveLoopedBack()
        if devices.contains(where: { $0.vlan?.real_dev === device }) {
            rememberSighting(frame: frame, bytes, link, on: device, outgoing: false)
        } else if let br = device.br_port?.br.dev {
            rememberSighting(frame: frame, bytes, link, on: device, pairedWith: br.name, outgoing: false)
        }
        return finish()
    }

    /// Replays an 802.11 frame a monitor-mode capture shows arriving at the host's Wi-Fi interface
    /// `device`: the driver gets the MPDU (from its 802.11 header on, without a trailing FCS) and
    /// mac80211 decides what becomes of it.
    public func receive(frame: Int, time: Int64, timeNote: String? = nil, bytes: [UInt8], wireless: WirelessFrame,
                        device: NetDevice) -> FrameResult {
        begin(frame: frame, time: time, timeNote: timeNote)
        var skb = alloc_skb(frame: frame, bytes: bytes, wireLength: wireless.end, dev: device)
        skb.data = wireless.macOffset
        skb.len = max(0, wireless.end - wireless.macOffset)
        skb.ieee80211_rx_status = IEEE80211RxStatus(frame: wireless)
        if device.ops.receive(self, &skb), device.ops.receiveMode == .napiGRO, has(gro_h.gro_normal_list) {
            gro_normal_list(&skb)
            while !rxListMore.isEmpty {
                var more = rxListMore.removeFirst()
                gro_normal_list(&more)
            }
        }
        while !rxListReleased.isEmpty {
            var released = rxListReleased.removeFirst()
            if has(gro_h.gro_normal_list) { keepingOutcome { gro_normal_list(&released) } }
        }
        receiveLoopedBack()
        return finish()
    }

    /// Replays an 802.11 frame the station sent on `device` that the stack above did not make
    /// (management frames, the supplicant's EAPOL, null data): `made` follows the frame, an skb holding
    /// its 802.11 header, from where the kernel made it to the driver, and returns whether the model
    /// knows that place (else the verdict is `unknown`, with the note `made` left).
    public func transmit(frame: Int, time: Int64, bytes: [UInt8], wireless: WirelessFrame, device: NetDevice,
                         made: (inout SKBuff) -> Bool) -> FrameResult {
        begin(frame: frame, time: time, timeNote: nil)
        var skb = alloc_skb(frame: frame, bytes: bytes, wireLength: wireless.end, dev: device)
        skb.data = wireless.macOffset
        skb.len = max(0, wireless.end - wireless.macOffset)
        skb.pkt_type = .PACKET_OUTGOING
        outcome.verdict = made(&skb) ? .transmit : .unknown
        return finish()
    }

    /// Replays a frame the host sent on `device`: the model infers where in the kernel it was made
    /// (its origin) and follows it down to the driver.
    public func transmit(frame: Int, time: Int64, timeNote: String? = nil, bytes: [UInt8], wireLength: Int,
                         link: LinkHeader, device: NetDevice) -> FrameResult {
        begin(frame: frame, time: time, timeNote: timeNote)
        if let first = takeSighting(bytes, link, on: device, outgoing: true) {
            tracer.note("the packet frame \(first.frame) sent on \(first.device), seen again as it left \(device.name) "
                + "(vlan_dev_hard_start_xmit queues it there): one skb captured at two points (its path is frame \(first.frame)'s)")
            outcome.verdict = first.verdict
            outcome.causedBy = first.frame
            return finish()
        }
        // A frame the bridge forwarded may leave on several ports (a flood) and go up the bridge too:
        // its sighting on the port it came in on stays for the other copies.
        if let br = device.br_port?.br.dev, let first = takeSighting(bytes, link, keep: { !$0.outgoing }, where: {
            $0.realDevice == br.name && $0.device != device.name
        }) {
            tracer.note(first.outgoing
                ? "the packet frame \(first.frame) sent on \(first.device), seen again as it left bridge port \(device.name) "
                    + "(br_dev_xmit sends it there): one skb captured at two points (its path is frame \(first.frame)'s)"
                : "the packet frame \(first.frame) received on bridge port \(first.device), forwarded by the bridge and seen as it "
                    + "left \(device.name): one skb captured at two points (its path is frame \(first.frame)'s)")
            outcome.verdict = first.outgoing ? first.verdict : .forward
            outcome.causedBy = first.frame
            return finish()
        }
        var skb = makeSKB(frame: frame, bytes: bytes, wireLength: wireLength, link: link, device: device,
                          outgoing: true)
        // A frame of the host's own leaving a bridge port, captured on the port alone, was sent on the
        // bridge: br_dev_xmit chose the port.
        if let br = device.br_port?.br.dev, bridgeOwns(bytes, link, br) {
            skb.dev = br
            tracer.note("from \(br.name)'s address, leaving its port \(device.name): sent on \(br.name)")
        }
        // A tagged frame leaving a device with a VLAN device of its id was sent on that VLAN device:
        // the stack above saw only the VLAN device, and vlan_dev_hard_start_xmit tagged it.
        if let id = link.vlanIDs.first, let vlanDev = vlan_find_dev(device, id & 0x0fff) {
            skb.dev = vlanDev
            tracer.note("VID \(id & 0x0fff) on \(device.name): sent on \(vlanDev.name)")
        }
        transmitSKB = skb
        outcome.verdict = .transmit
        switch link.etherType {
        case .ipv4: transmitIPv4(skb)
        case .arp: transmitARP(skb)
        case .ipv6: transmitIPv6(skb)
        default:
            tracer.notModeled("origin of outgoing \(link.etherType) frames")
            outcome.verdict = .unknown
        }
        // A forwarded packet is another host's answer, not this one's.
        if !transmitContext.explained, !transmitContext.isForwarded, let answer = Self.answerKind(bytes, link) {
            agreement.unpredicted[answer, default: 0] += 1
        }
        receiveLoopedBack()
        if device.vlan != nil {
            rememberSighting(frame: frame, bytes, link, on: device, outgoing: true)
        } else if device.bridge != nil {
            rememberSighting(frame: frame, bytes, link, on: device, pairedWith: device.name, outgoing: true)
        }
        return finish()
    }

    /// The kind of answer an outgoing frame is, as the agreement check counts it (``TransmitKind/answer``).
    static func answerKind(_ bytes: [UInt8], _ link: LinkHeader) -> String? {
        switch link.etherType {
        case .arp:
            return ARPPacket(bytes, at: link.networkOffset)?.operation == ARPPacket.reply ? "arp reply" : nil
        case .ipv4:
            guard let ip = IPv4Packet(bytes, at: link.networkOffset), ip.headerIsCaptured, ip.fragmentOffset == 0 else { return nil }
            switch ip.proto {
            case .tcp:
                guard let t = TCPPacket(bytes, at: ip.payloadOffset) else { return nil }
                if t.flags.contains(.rst) { return "tcp reset" }
                return t.flags.contains(.syn) && t.flags.contains(.ack) ? "syn-ack" : nil
            case .icmp:
                guard let i = ICMPv4Packet(bytes, at: ip.payloadOffset) else { return nil }
                if i.type == ICMPv4Packet.echoReply || i.type == ICMPv4Packet.timestampReply { return "echo reply" }
                return i.isError ? "icmp error" : nil
            default:
                return nil
            }
        default:
            return nil
        }
    }

    /// Receives the packets the host looped back to itself while processing the frame: the backlog's
    /// poll takes them in the same softirq window, after the frame, each as a call tree of its own
    /// (`process_backlog`). They are the host's own packets, so the frame's verdict stays its own; their
    /// drops and counters are recorded.
    private func receiveLoopedBack() {
        // On lo the frame is the packet received: its verdict is the receive's, and what the receive
        // sends is sent anew (later frames), not as part of this frame's transmission.
        let onLoopback = transmitSKB?.dev.ops is LoopbackDriver
        if onLoopback {
            transmitSKB = nil
            transmitContext = TransmitContext()
        }
        // Nothing looped back (nearly every frame): the outcome stays as it is, and is not copied aside.
        guard !backlog.isEmpty else { return }
        let own = onLoopback ? nil : outcome
        var received = 0
        while !backlog.isEmpty {
            var skb = backlog.removeFirst()
            received += 1
            guard received <= Self.loopedBackLimit else {
                // The kernel's own rules (no ICMP error about a looped-back copy, among others) end every
                // exchange with itself; a model that has not learnt one of them must still end.
                tracer.notModeled("more than \(Self.loopedBackLimit) packets looped back while processing one frame: the rest are not followed")
                backlog.removeAll()
                break
            }
            process_backlog(&skb)
        }
        if let own { outcome = own }
    }

    /// The most looped-back packets received after one frame.
    static let loopedBackLimit = 64

    /// Remembers that processing frame `frame` made the host send `kind`.
    /// A transmission a timer callback makes is linked to the frame that armed the timer.
    func expectTransmit(_ kind: TransmitKind, from frame: Int) {
        if let answer = kind.answer, !afterCapture { agreement.predicted[answer, default: 0] += 1 }
        expected.append(ExpectedTransmit(kind: kind, frame: runningTimer.map { $0.armedBy ?? frame } ?? frame,
                                         timer: runningTimer?.function))
    }

    /// Takes the earliest expected transmission of `kind`, linking the frame to its cause.
    @discardableResult
    func matchExpected(_ kind: TransmitKind) -> Bool {
        guard let match = expected.take(kind) else { return false }
        if let answer = kind.answer { agreement.matched[answer, default: 0] += 1 }
        transmitContext.explained = true
        outcome.causedBy = match.frame
        outcome.causedByTimer = match.timer
        if match.loopedBack { transmitContext.loopedBackWith = match.frame }
        return true
    }

    /// Runs `body` on the frame being transmitted.
    func withTransmitSKB(_ body: (inout SKBuff) -> Void) {
        guard var skb = transmitSKB else { return }
        body(&skb)
        transmitSKB = skb
    }

    /// The next hop of an outgoing packet to `daddr`: itself when on a connected subnet, else the
    /// gateway of the route.
    private func nexthop(for daddr: IPv4Address) -> IPv4Address {
        for dev in devices where dev.addresses.contains(where: { $0.contains(daddr) }) { return daddr }
        // The longest matching prefix; the first listed among equals.
        var best: RouteConfig?
        for r in routes where r.destination.contains(daddr) && r.destination.length > best?.destination.length ?? -1 {
            best = r
        }
        return best?.gateway ?? daddr
    }

    private func transmitIPv4(_ skb: SKBuff) {
        guard let iph = skb.ip_hdr(), iph.headerIsCaptured else {
            tracer.notModeled("outgoing IPv4 header not in the capture")
            outcome.verdict = .unknown
            return
        }
        transmitContext.nexthop = nexthop(for: iph.destination)
        transmitContext.isFirstFragment = iph.moreFragments && iph.fragmentOffset == 0
        transmitContext.isLaterFragment = iph.fragmentOffset != 0
        let queuedBy = neighbours[transmitContext.nexthop]?.flushedBy
        if queuedBy != nil { neighbours[transmitContext.nexthop]?.state = .NUD_INCOMPLETE }
        defer { if let queuedBy { flushQueued(queuedBy) } }
        if iph.source != .any, !isLocal(iph.source) {
            guard !iph.destination.isMulticast, iph.destination != .broadcast else {
                // ip_forward takes PACKET_HOST packets only (net/ipv4/ip_forward.c): such a packet left
                // through multicast routing (ip_mr_forward) or a raw socket that wrote its own header.
                tracer.notModeled("origin of a multicast or broadcast packet from another host's address (multicast routing or a raw socket)")
                outcome.verdict = .unknown
                return
            }
            let key = FragmentKey(saddr: iph.source, daddr: iph.destination, id: iph.identification, proto: iph.proto.rawValue)
            if matchExpected(.forwarded(key)) {
                tracer.note("the packet frame \(outcome.causedBy ?? 0) forwarded, seen again as it left \(skb.dev.name): "
                    + "one skb captured at two points (its path is frame \(outcome.causedBy ?? 0)'s)")
                return
            }
            transmitForwarded(iph)
            return
        }
        let datagram = FragmentKey(saddr: iph.source, daddr: iph.destination, id: iph.identification, proto: iph.proto.rawValue)
        if transmitContext.isLaterFragment {
            tracer.note("a later fragment of a datagram the host split (ip_do_fragment sends them in a loop)")
            // Sent in the same loop as the first fragment: made by what made the datagram.
            if let cause = splitCauses.last(where: { $0.key == datagram })?.frame { outcome.causedBy = cause }
            withTransmitSKB { skb in
                countLaterFragmentOctets(skb)
                _ = ip_do_fragment(&skb)
            }
            return
        }
        switch iph.proto {
        case .tcp: transmitTCP(skb)
        case .udp: withTransmitSKB { udp_sendmsg(&$0) }
        case .icmp: transmitICMP(skb)
        default:
            tracer.notModeled("origin of outgoing \(iph.proto) packets")
            outcome.verdict = .unknown
        }
        if transmitContext.isFirstFragment, let cause = outcome.causedBy {
            if splitCauses.count >= Self.expectedLimit { splitCauses.removeFirst() }
            splitCauses.append((datagram, cause))
        }
    }

    /// A packet with another host's source leaving the host: the host forwarded it. The capture shows
    /// only its way out, so the path starts at `ip_forward` (whose TTL and MTU checks it passed) and
    /// its receive on the other interface is a note. A first fragment exactly as large as the egress
    /// MTU allows is one the host split; later fragments of that datagram follow it.
    private func transmitForwarded(_ iph: IPv4Packet) {
        let key = FragmentKey(saddr: iph.source, daddr: iph.destination, id: iph.identification, proto: iph.proto.rawValue)
        let mtu = transmitSKB?.dev.mtu ?? 1500
        let splitSize = (mtu - iph.headerLength) & ~7
        transmitContext.isForwarded = true
        transmitContext.isFirstFragment = iph.moreFragments && iph.fragmentOffset == 0
            && iph.totalLength - iph.headerLength == splitSize
        transmitContext.isLaterFragment = iph.fragmentOffset != 0 && forwardedSplits.contains(key)
        let ingress = routeLookup(iph.source)?.dev
        tracer.note("source \(iph.source) is not this host's: forwarded from \(ingress?.name ?? "another interface") (that receive is not in this capture)")
        if let ingress, let skb = transmitSKB { countUnseenReceive(skb, iph, on: ingress) }
        if transmitContext.isFirstFragment {
            if forwardedSplits.count >= Self.expectedLimit { forwardedSplits.removeFirst() }
            forwardedSplits.append(key)
        }
        if transmitContext.isLaterFragment {
            tracer.note("a later fragment of a datagram the host split (ip_do_fragment sends them in a loop)")
            withTransmitSKB { skb in
                countLaterFragmentOctets(skb)
                _ = ip_do_fragment(&skb)
            }
        } else {
            withTransmitSKB { skb in
                skb.dst = DstEntry(type: .unicast, dev: skb.dev, gateway: transmitContext.nexthop == iph.destination ? nil : transmitContext.nexthop)
                // Until ip_forward_finish hands it to the output device, the packet is the ingress's.
                if let ingress { skb.dev = ingress }
                traced(ip_forward_c.ip_forward) {
                    countForwardedEarly()
                    _ = ip_forward_hook(&skb)
                }
            }
        }
        if outcome.verdict == .forward { outcome.verdict = .transmit }
    }

    /// The counters of a forwarded packet's receive that the capture does not show (it left on the
    /// captured device, it arrived on `ingress`): the ingress device's receive (its veth peer's send,
    /// with the Ethernet header) and `ip_rcv_core`'s `IpInReceives`, `IpExtInOctets` and ECN counter.
    /// A datagram the host split counts once: its first fragment with its own length, each later
    /// fragment adding its payload, so the bytes add up to the datagram that arrived.
    private func countUnseenReceive(_ skb: SKBuff, _ iph: IPv4Packet, on ingress: NetDevice) {
        if transmitContext.isLaterFragment {
            let payload = max(0, iph.totalLength - iph.headerLength)
            countLink(ingress) { $0.rx_bytes += payload }
            count("IpExtInOctets", payload)
            return
        }
        countLink(ingress) { $0.rx_packets += 1; $0.rx_bytes += skb.ethernetLength }
        count("IpInReceives")
        count("IpExtInOctets", iph.totalLength)
        count(Self.ecnCounters[Int(iph.tos & 3)])
    }

    /// Sends the packet that waited on a neighbour's queue, now that frame `replyFrame` resolved it.
    private func flushQueued(_ replyFrame: Int) {
        let nh = transmitContext.nexthop
        neighbours[nh]?.state = .NUD_REACHABLE
        neighbours[nh]?.flushedBy = nil
        outcome.causedBy = replyFrame
        outcome.verdict = .transmit
        traced(neighbour.__neigh_update) {
            tracer.note("frame \(replyFrame) resolved \(nh): the queued packet leaves")
            withTransmitSKB { _ = neigh_resolve_output(&$0, nexthop: nh) }
        }
    }

    private func transmitICMP(_ skb: SKBuff) {
        guard let iph = skb.ip_hdr(), let ih = skb.icmp_hdr() else { return }
        switch ih.type {
        case ICMPv4Packet.echoReply, ICMPv4Packet.timestampReply:
            matchExpected(.icmpReply(ih.type, to: iph.destination, id: ih.identifier, seq: ih.sequence))
            icmp_reply(ih.type, to: iph.destination, id: ih.identifier, seq: ih.sequence)
        case ICMPv4Packet.echoRequest:
            // From a ping socket where ping_group_range permits them, else from a raw socket (iputils ping).
            withTransmitSKB { sysctl.pingSocketsPermitted ? ping_v4_sendmsg(&$0) : raw_sendmsg(&$0) }
        case _ where ih.isError:
            matchExpected(.icmpError(to: iph.destination, type: ih.type, code: ih.code))
            // __icmp_send runs on the packet the error is about: the one quoted in this message.
            var original = skb
            original.pkt_type = .PACKET_HOST
            original.network_header = iph.payloadOffset + ICMPv4Packet.headerLength
            original.dst = DstEntry(type: .local, dev: skb.dev)
            icmp_send(&original, type: ih.type, code: ih.code)
        default:
            tracer.notModeled("origin of outgoing ICMP type \(ih.type)")
            outcome.verdict = .unknown
        }
    }

    /// A TCP segment the host sent, over either family: its origin from its flags and the
    /// connection's state, which it updates.
    func transmitTCP(_ skb: SKBuff) {
        guard let th = skb.tcp_hdr(), let t = sentTuple(skb) else { return }
        let dataLength = tcpDataLength(skb, th)
        let flags = th.flags
        if flags.contains(.rst) {
            if matchExpected(.netfilterReset(t)) {
                withTransmitSKB { $0.protocol == .ipv6 ? nf_send_reset6(&$0) : nf_send_reset(&$0) }
                return
            }
            if matchExpected(.tcpReset(t)) || sockets.tcp[t] == nil || sockets.tcp[t]?.state == .TCP_NEW_SYN_RECV {
                withTransmitSKB { tcpSendReset(&$0) }
            } else {
                // A reset the host's own socket sends on close: its origin explains it.
                transmitContext.explained = true
                withTransmitSKB { tcp_send_active_reset(&$0) }
                closeConnection(t)
                tracer.state("socket \(t) -> TCP_CLOSE")
            }
            return
        }
        // Two tests, not `contains([.syn, .ack])`: the optimizer left that literal's array allocated.
        if flags.contains(.syn) && flags.contains(.ack) {
            let expected = matchExpected(.tcpSynAck(t))
            if !expected, sockets.tcp[t]?.state == .TCP_NEW_SYN_RECV, sockets.tcp[t]?.synackSent == true {
                tracer.note("the request socket's SYN-ACK again, unanswered: its timer expired")
                // The timer's, not an answer to a captured frame.
                transmitContext.explained = true
                tcpAdvertisedWindow(th, tuple: t)
                reqsk_timer_handler(tuple: t)
                return
            }
            if !expected { tracer.note("no SYN seen for it: a retransmission or a SYN before the capture") }
            if sockets.tcp[t] == nil {
                if expected {
                    // The answer to a SYN tcp_conn_request kept no request socket for: a SYN cookie.
                    tcpSendSynack(tuple: t)
                    return
                }
                sockets.setConnection(t, TCPConnection(state: .TCP_NEW_SYN_RECV))
            }
            // The host's SYN-ACK offers SACK exactly when it was agreed (tcp_synack_options).
            if sockets.tcp[t]?.sackOK == nil { sockets.tcp[t]?.sackOK = th.sackPermitted }
            sockets.tcp[t]?.synackSent = true
            sockets.tcp[t]?.sntISN = th.sequence
            tcpAdvertisedWindow(th, tuple: t)
            tcpSendSynack(tuple: t)
            return
        }
        if flags.contains(.syn) {
            if sockets.tcp[t]?.state == .TCP_SYN_SENT, sockets.unacked[t]?.first == th.sequence &+ 1 {
                tracer.note("the same SYN again: the retransmission timer expired")
                withTransmitSKB { tcp_retransmit_timer(&$0, tuple: t) }
                return
            }
            // A connect from a four-tuple in time-wait takes it over (IPv4; IPv6's is not modeled).
            let timeWait = sockets.tcp[t]?.state == .TCP_TIME_WAIT && !t.isIPv6 ? t : nil
            sockets.setConnection(t, TCPConnection(state: .TCP_SYN_SENT))
            sockets.tcp[t]?.sntISN = th.sequence
            queueUnacked(t, end: th.sequence &+ 1)
            tcpAdvertisedWindow(th, tuple: t)
            tracer.state("socket \(t) -> TCP_SYN_SENT")
            withTransmitSKB { skb in
                if t.isIPv6 { tcp_v6_connect(&skb) } else { tcp_v4_connect(&skb, reusing: timeWait) }
            }
            return
        }
        if sockets.tcp[t] == nil {
            tracer.note("connection \(t) assumed established before the capture")
            sockets.setConnection(t, TCPConnection(state: .TCP_ESTABLISHED, hasRxDst: true))
            // Sent to one of the host's own addresses, the segment is received by the connection's other
            // end, a socket of this host as well: it was there as long.
            if sockets.tcp[t.reversed] == nil, t.isIPv6 ? localDevice6(for: t.remote6) != nil : isLocal(t.remote) {
                tracer.note("connection \(t.reversed) assumed established before the capture (the other end)")
                sockets.setConnection(t.reversed, TCPConnection(state: .TCP_ESTABLISHED, hasRxDst: true))
            }
        }
        tcpAdvertisedWindow(th, tuple: t)
        let end = th.sequence &+ UInt32(dataLength) &+ (flags.contains(.fin) ? 1 : 0)
        // The first segment the capture shows the host send starts what the peer has to acknowledge.
        sockets.tcp.update(t) { c in if c.sndUna == nil { c.sndUna = th.sequence } }
        let previous = lastSentSegment
        lastSentSegment = nil
        if let previous, let first = gsoContinuation(of: previous, tuple: t, th, dataLength: dataLength) {
            if !previous.retransmission {
                sockets.tcp[t]?.sndNxt = end
                queueUnacked(t, end: end)
                rtxQueueSent(t, seq: th.sequence, end: end, fin: flags.contains(.fin), extending: true)
            } else {
                sockets.sackScoreboards[t]?.retransmitted(seq: th.sequence, end: end)
            }
            lastSentSegment = SentSegment(tuple: t, frame: currentFrame, firstFrame: first, end: end, size: previous.size,
                                          total: previous.total + dataLength, timestamp: th.timestampValue,
                                          push: flags.contains(.psh), retransmission: previous.retransmission)
            transmitContext.explained = true
            if previous.retransmission, let cause = sockets.tcp[t]?.lostBy {
                recutUnacked(t, seq: th.sequence, end: end)
                outcome.causedBy = cause
            } else if previous.retransmission {
                resent(tuple: t, seq: th.sequence, end: end, timestamp: th.timestampValue, lostAgainCounted: false)
            }
            withTransmitSKB { gsoSegmentLeaves(&$0, tuple: t, first: first, payload: dataLength, retransmission: previous.retransmission) }
            return
        }
        // The connection's bookkeeping of what it sent, in one access: (whether this is data sent again,
        // the frame that made the connection mark its segments lost).
        let (isRetransmission, lostBy) = sockets.tcp.update(t) { c -> (Bool, Int?) in
            let isRetransmission = c.sndNxt.map { dataLength > 0 && Int32(bitPattern: end &- $0) <= 0 } ?? false
            if c.sndNxt.map({ Int32(bitPattern: end &- $0) > 0 }) ?? true { c.sndNxt = end }
            if dataLength > c.mssCache { c.mssCache = dataLength }
            if !isRetransmission, dataLength > 0 || flags.contains(.fin) {
                c.lostBy = nil
                // The application wrote or closed: it has run since data last arrived, and read it.
                c.lastQueued = nil
            }
            return (isRetransmission, c.lostBy)
        } ?? (false, nil)
        if isRetransmission { sockets.sackScoreboards[t]?.retransmitted(seq: th.sequence, end: end) }
        if isRetransmission, let cause = lostBy {
            outcome.causedBy = cause
            transmitContext.explained = true
            recutUnacked(t, seq: th.sequence, end: end)
            withTransmitSKB { tcp_xmit_retransmit_queue(&$0, mib: "TcpExtTCPSlowStartRetrans") }
            // The segments marked lost go again as one skb of the new MSS, segmented like new data.
            lastSentSegment = SentSegment(tuple: t, frame: currentFrame, firstFrame: currentFrame, end: end, size: dataLength,
                                          total: dataLength, timestamp: th.timestampValue, push: flags.contains(.psh),
                                          retransmission: true)
        } else if isRetransmission, let mib = ackClockedRetransmission(tuple: t, seq: th.sequence) {
            transmitContext.explained = true
            resent(tuple: t, seq: th.sequence, end: end, timestamp: th.timestampValue, lostAgainCounted: false)
            withTransmitSKB { tcp_xmit_retransmit_queue(&$0, mib: mib) }
            lastSentSegment = SentSegment(tuple: t, frame: currentFrame, firstFrame: currentFrame, end: end, size: dataLength,
                                          total: dataLength, timestamp: th.timestampValue, push: flags.contains(.psh),
                                          retransmission: true, leftAt: now)
        } else if isRetransmission, tailLossProbe(tuple: t, end: end) {
            tracer.note("the last segment in flight again, no probe outstanding: a tail loss probe")
            withTransmitSKB { tcp_send_loss_probe(&$0, tuple: t) }
        } else if isRetransmission {
            tracer.note("data sent again that no acknowledgment sent and no probe explains: the retransmission timer expired")
            withTransmitSKB { tcp_retransmit_timer(&$0, tuple: t) }
            resent(tuple: t, seq: th.sequence, end: end, timestamp: th.timestampValue, lostAgainCounted: true)
        } else if flags.contains(.fin) {
            switch sockets.tcp[t]?.state {
            case .TCP_ESTABLISHED: setState(t, .TCP_FIN_WAIT1)
            case .TCP_CLOSE_WAIT: setState(t, .TCP_LAST_ACK)
            default: break
            }
            queueUnacked(t, end: end)
            rtxQueueSent(t, seq: th.sequence, end: end, fin: true, extending: false)
            withTransmitSKB { tcp_send_fin(&$0) }
        } else if dataLength > 0 {
            queueUnacked(t, end: end)
            rtxQueueSent(t, seq: th.sequence, end: end, fin: false, extending: false)
            withTransmitSKB { tcp_write_xmit(&$0) }
            lastSentSegment = SentSegment(tuple: t, frame: currentFrame, firstFrame: currentFrame, end: end, size: dataLength,
                                          total: dataLength, timestamp: th.timestampValue, push: flags.contains(.psh))
        } else if matchExpected(.tcpTimewaitAck(t)) {
            withTransmitSKB { tcpTimewaitAck(&$0, tuple: t) }
        } else {
            matchExpected(.tcpAck(t))
            if sockets.tcp[t]?.state == .TCP_SYN_SENT { setState(t, .TCP_ESTABLISHED) }
            withTransmitSKB { tcp_send_ack(&$0) }
        }
    }

    /// Whether a data segment sent again leaves on an acknowledgment (`tcp_ack` → `tcp_xmit_recovery`,
    /// inline, → `tcp_xmit_retransmit_queue`), and if so the counter of its kind: in fast recovery, or
    /// entering it because the peer's SACKs reported data above a hole or, for a segment sent before one
    /// sent again and since acknowledged, RACK found it lost (`TcpExtTCPFastRetrans`), or in
    /// loss once an ACK advanced `snd_una` (`TcpExtTCPSlowStartRetrans`). nil: a timer sent it. A segment
    /// sent again since the episode began was found lost again (`tcp_mark_skb_lost`:
    /// `TcpExtTCPLostRetransmit`); the kernel finds it on the ACK before, the model when it leaves.
    private func ackClockedRetransmission(tuple t: FourTuple, seq: UInt32) -> StaticString? {
        guard let c = sockets.tcp[t] else { return nil }
        let mib: StaticString
        switch c.caState {
        case .TCP_CA_Recovery:
            mib = "TcpExtTCPFastRetrans"
        case .TCP_CA_Loss where c.ackedInLoss:
            mib = "TcpExtTCPSlowStartRetrans"
        case .TCP_CA_Open where c.sackedBy != nil:
            tracer.note("the peer's SACKs in frame \(c.sackedBy ?? 0) reported data above a hole: fast recovery")
            tcpEnterRecovery(tuple: t)
            mib = "TcpExtTCPFastRetrans"
        case .TCP_CA_Open where c.rackLostBelow.map { Int32(bitPattern: seq &- $0) < 0 } ?? false:
            tracer.note("sent before a segment sent again and since acknowledged, so lost (RACK): fast recovery")
            tcpEnterRecovery(tuple: t)
            mib = "TcpExtTCPFastRetrans"
        default:
            return nil
        }
        if let by = c.sackedBy { outcome.causedBy = by }
        return mib
    }

    /// New data (or a FIN) from `seq` to `end` enters the retransmission queue SACK processing walks: a new
    /// skb cut for the connection's MSS, or one more segment of the GSO skb before (`extending`).
    private func rtxQueueSent(_ t: FourTuple, seq: UInt32, end: UInt32, fin: Bool, extending: Bool) {
        guard let mssCache = sockets.tcp[t]?.mssCache else { return }
        let mss = max(mssCache, Int(end &- seq) - (fin ? 1 : 0))
        sockets.sackScoreboards[t, default: TCPSackScoreboard(canShift: profile.version >= .v6_1)]
            .sent(seq: seq, end: end, fin: fin, mss: mss, extending: extending)
    }

    /// Remembers a retransmission of `seq` to `end` in the current recovery or loss: the timestamp of the
    /// first (`retrans_stamp`) and the highest end sent again; one that starts below it is a retransmission
    /// lost again, counted here unless `tcp_enter_loss` counted it (`lostAgainCounted`).
    private func resent(tuple t: FourTuple, seq: UInt32, end: UInt32, timestamp: UInt32?, lostAgainCounted: Bool) {
        guard let c = sockets.tcp[t] else { return }
        if let high = c.retransHigh, Int32(bitPattern: seq &- high) < 0 {
            if !lostAgainCounted { count("TcpExtTCPLostRetransmit") }
        } else {
            sockets.tcp[t]?.retransHigh = end
        }
        if c.retransStamp == nil { sockets.tcp[t]?.retransStamp = timestamp }
        sockets.tcp[t]?.ackedInLoss = false
        if c.oldestResent == nil, let sndNxt = c.sndNxt { sockets.tcp[t]?.oldestResent = (end, sndNxt) }
    }

    /// 4.14 and 6.1 count a datagram's octets once, whole, in the output function it passed before
    /// being fragmented (`IPSTATS_MIB_OUT` in `ip_output`); the model counted the first fragment's
    /// length there, and each later fragment adds its payload, so the sum is the datagram's length.
    private func countLaterFragmentOctets(_ skb: SKBuff) {
        guard profile.version < .v6_12, let iph = skb.ip_hdr() else { return }
        count("IpExtOutOctets", max(0, iph.totalLength - iph.headerLength))
    }

    /// Whether a data segment continues the GSO skb whose segment the previous frame showed, and if so
    /// the skb's first frame. From 6.1 a TCP socket always builds GSO skbs (`sk_setup_caps` in
    /// net/core/sock.c adds `NETIF_F_GSO` for TCP whatever the device), so one write leaves as one skb
    /// of several MSS-sized segments, counted once by IP; a device without TSO has them cut in software
    /// (`validate_xmit_skb`), before the tap, so the capture shows each segment. The segments of one
    /// skb leave back to back with consecutive sequence numbers and one timestamp, all but the last
    /// full-sized and without PSH (`tcp_gso_segment` keeps PSH and FIN for the last), within the
    /// 64 KiB of a GSO skb. 4.14 builds them only when the device has GSO, which a host profile does not
    /// say: there every segment is its own skb.
    private func gsoContinuation(of previous: SentSegment, tuple t: FourTuple, _ th: TCPPacket, dataLength: Int) -> Int? {
        // Segments cut in software fit the device's MTU; a frame beyond it is a whole GSO skb (TSO).
        let mtu = transmitSKB?.dev.mtu ?? 1500
        guard profile.version >= .v6_1, previous.frame == currentFrame - 1, previous.tuple == t, !previous.push,
              dataLength > 0, dataLength <= previous.size, previous.size + 40 <= mtu, th.sequence == previous.end,
              th.flags.subtracting(.psh) == .ack, th.timestampValue == previous.timestamp,
              previous.total + dataLength <= Self.gsoMaxPayload,
              previous.leftAt.map({ now - $0 <= Self.gsoBurst }) ?? true else { return nil }
        return previous.firstFrame
    }

    /// How soon after a retransmitted segment another must leave to be a segment of the same skb: software
    /// GSO hands an skb's segments to the device in one loop, microseconds apart, while recovery paces its
    /// skbs (`tcp_pacing_check`) hundreds of microseconds apart at LAN rates.
    static let gsoBurst: Int64 = 20_000

    /// The most payload one GSO skb carries (`GSO_LEGACY_MAX_SIZE` less the largest headers).
    static let gsoMaxPayload = 65_536 - 120

    /// A later segment of a GSO skb leaving: `skb_gso_segment` (not modeled) cut it from the skb frame
    /// `first` sent, and `dev_hard_start_xmit` hands each segment to the tap and the driver. IP counted
    /// the skb once; the segment adds its payload to the skb's length (`IpExtOutOctets`, over IPv6
    /// `Ip6OutOctets`), and TCP counts every segment of an skb it sends (`tcp_skb_pcount`) as sent and as
    /// new data, or, for a `retransmission` (`tcp_xmit_retransmit_queue`'s), as retransmitted and as a fast
    /// retransmission in recovery, else a slow-start one.
    private func gsoSegmentLeaves(_ skb: inout SKBuff, tuple t: FourTuple, first: Int, payload: Int, retransmission: Bool = false) {
        tracer.note("a later segment of the GSO skb frame \(first) sent: one skb, counted once by IP; the device has no TSO, so validate_xmit_skb cut it in software before the tap")
        tracer.notModeled("skb_gso_segment (software GSO): the segments leave through dev_hard_start_xmit")
        if retransmission {
            count("TcpRetransSegs")
            count(sockets.tcp[t]?.caState == .TCP_CA_Recovery ? "TcpExtTCPFastRetrans" : "TcpExtTCPSlowStartRetrans")
        } else {
            count("TcpOutSegs")
            count("TcpExtTCPOrigDataSent")
        }
        count(skb.protocol == .ipv6 ? "Ip6OutOctets" : "IpExtOutOctets", payload)
        _ = dev_hard_start_xmit(&skb)
    }

    private func transmitARP(_ skb: SKBuff) {
        transmitContext.isARP = true
        guard let a = skb.arp_hdr(), a.available >= ARPPacket.ethernetIPv4Length else {
            tracer.notModeled("outgoing ARP packet not fully captured")
            outcome.verdict = .unknown
            return
        }
        if a.operation == ARPPacket.reply {
            matchExpected(.arpReply(to: a.targetProtocol))
            arp_send_dst(reply: true)
            return
        }
        let target = a.targetProtocol
        let state = neighbours[target]?.state ?? .NUD_NONE
        if state == .NUD_NONE || state == .NUD_FAILED {
            tracer.note("resolution of \(target) started by a packet to it (it leaves after the reply)")
            _ = __neigh_event_send(target, frame: currentFrame)
        } else {
            neigh_timer_handler(target)
        }
    }

    // MARK: one packet seen on two devices: a VLAN device and its real device, a bridge and its ports

    /// The bytes that identify a packet across the devices it is captured on: its network layer,
    /// without a TCP or UDP checksum, which a device without checksum offload completes in software
    /// (`skb_csum_hwoffload_help`) after a device with it (a bridge) showed it partial. Host inference
    /// matches a cooked capture's copies with it too.
    public static func sightingKey(_ bytes: [UInt8], _ link: LinkHeader) -> ArraySlice<UInt8> {
        let start = min(max(0, link.networkOffset), bytes.count)
        var key = bytes[start..<min(bytes.count, start + 96)]
        if link.etherType == .ipv4, let ip = IPv4Packet(bytes, at: start), ip.fragmentOffset == 0 {
            let field: Int? = ip.proto == .tcp ? 16 : ip.proto == .udp ? 6 : nil
            if let field, case let at = start + ip.headerLength + field, at + 2 <= key.endIndex {
                key[at] = 0
                key[at + 1] = 0
            }
        }
        return key
    }

    /// Remembers a packet received on a VLAN device's real device, or sent on a VLAN device, with
    /// what became of it (called when the frame's processing ends).
    private func rememberSighting(frame: Int, _ bytes: [UInt8], _ link: LinkHeader, on device: NetDevice,
                                  pairedWith: String? = nil, outgoing: Bool) {
        if vlanSightings.count >= Self.vlanSightingLimit { vlanSightings.removeFirst() }
        let pair = pairedWith ?? (outgoing ? device.vlan?.real_dev.name : device.name)
        vlanSightings.append(VLANSighting(frame: frame, device: device.name, realDevice: pair,
                                          outgoing: outgoing, key: Array(Self.sightingKey(bytes, link)),
                                          verdict: outcome.verdict, proto: outcome.proto))
    }

    /// The earlier sighting of the packet of this frame on the other device of a VLAN pair: received
    /// on the real device of the VLAN device `device`, or sent on a VLAN device of the real device
    /// `device`. Taken, so that a third copy is not linked to it.
    private func takeSighting(_ bytes: [UInt8], _ link: LinkHeader, on device: NetDevice, outgoing: Bool) -> VLANSighting? {
        guard !vlanSightings.isEmpty, let realDevice = outgoing ? device.name : device.vlan?.real_dev.name else { return nil }
        let key = Self.sightingKey(bytes, link)
        guard let i = vlanSightings.lastIndex(where: {
            $0.outgoing == outgoing && $0.realDevice == realDevice && $0.device != device.name && $0.key[...] == key
        }) else { return nil }
        return vlanSightings.remove(at: i)
    }

    /// The earlier sighting of the packet of this frame that `matches` says is its other point
    /// (a bridge and its port: `realDevice` is then the bridge). Taken, like a VLAN pair's, unless
    /// `keep` says it stays for further copies.
    private func takeSighting(_ bytes: [UInt8], _ link: LinkHeader, keep: (VLANSighting) -> Bool = { _ in false },
                              where matches: (VLANSighting) -> Bool) -> VLANSighting? {
        guard !vlanSightings.isEmpty else { return nil }
        let key = Self.sightingKey(bytes, link)
        guard let i = vlanSightings.lastIndex(where: { matches($0) && $0.key[...] == key }) else { return nil }
        return keep(vlanSightings[i]) ? vlanSightings[i] : vlanSightings.remove(at: i)
    }

    /// The port of bridge `br` that a frame captured on the bridge alone most likely came in on: the
    /// one its source address was learned behind; else, on a bridge of two ports, the one its
    /// destination was not learned behind; else the first port. Nil for a bridge without ports.
    private func bridgeIngressPort(_ br: net_bridge, _ bytes: [UInt8], _ link: LinkHeader) -> (net_bridge_port, String)? {
        guard let first = br.port_list.first else { return nil }
        let eth = link.macOffset.flatMap { EthernetPacket(bytes, at: $0) }
        if let source = eth?.source ?? link.linkAddress, let e = br.fdb[source], !e.isLocal, let p = e.dst {
            return (p, "its source \(source) was learned behind it")
        }
        if br.port_list.count == 2, let dest = eth?.destination, let e = br.fdb[dest], !e.isLocal, let behind = e.dst,
            let other = br.port_list.first(where: { $0 !== behind })
        {
            return (other, "its source is not yet learned, and its destination \(dest) is behind the other port")
        }
        return (first, "its source is not yet learned: taken as the first port")
    }

    /// Whether an outgoing frame is the bridge's own: from its MAC address (a cooked capture: from one
    /// of its IPv4 addresses, or an ARP packet sent for one).
    private func bridgeOwns(_ bytes: [UInt8], _ link: LinkHeader, _ br: NetDevice) -> Bool {
        if let mac = link.macOffset { return EthernetPacket(bytes, at: mac)?.source == br.dev_addr }
        let source: IPv4Address? = switch link.etherType {
        case .ipv4: IPv4Packet(bytes, at: link.networkOffset)?.source
        case .arp: ARPPacket(bytes, at: link.networkOffset)?.senderProtocol
        default: nil
        }
        return source.map { s in br.addresses.contains { $0.address == s } } ?? false
    }

    /// The most packets remembered for linking their second sighting.
    static let vlanSightingLimit = 16

    /// The VLAN device a received frame of a cooked capture (no Ethernet header, no tag kept) was
    /// most likely for: the one VLAN device on `device` whose address is the packet's IPv4 destination,
    /// when `device` itself does not have that address.
    private func cookedVLAN(_ bytes: [UInt8], _ link: LinkHeader, on device: NetDevice) -> NetDevice? {
        guard link.etherType == .ipv4, let ip = IPv4Packet(bytes, at: link.networkOffset),
            !device.addresses.contains(where: { $0.address == ip.destination }) else { return nil }
        let candidates = devices.filter { $0.vlan?.real_dev === device && $0.addresses.contains { $0.address == ip.destination } }
        return candidates.count == 1 ? candidates[0] : nil
    }
}

/// A packet the capture showed on one device of a VLAN pair, or on a bridge or one of its ports.
struct VLANSighting {
    var frame: Int
    /// Where it was seen, and the real device of the pair (the bridge, for a bridge and its ports).
    var device: String
    var realDevice: String?
    var outgoing: Bool
    var key: [UInt8]
    var verdict: Verdict
    var proto: String?
}
