import Trace
import Wire

extension Kernel {
    /// The origin of an IPv6 packet the host sent, inferred from its content and what the model sent
    /// while processing earlier frames: an echo reply (`icmpv6_echo_reply`), an ICMPv6 error
    /// (`icmp6_send`), a neighbour advertisement (`ndisc_send_na`), a reset (`tcp_v6_send_reset`), an echo
    /// request (`ping_v6_sendmsg` or `rawv6_sendmsg`), TCP and UDP run their path down to the driver; the
    /// others name the function that makes them and stop there.
    func transmitIPv6(_ skb: SKBuff) {
        guard let hdr = skb.ipv6_hdr() else {
            tracer.notModeled("outgoing IPv6 header not in the capture")
            outcome.verdict = .unknown
            return
        }
        withTransmitSKB { $0.transport_header = $0.network_header + IPv6Packet.headerLength }
        guard localDevice6(for: hdr.source) != nil || hdr.source == .any || isNetfilterReset6(skb) else {
            transmitForwarded6(hdr)
            return
        }
        // The upper-layer header, past the options headers the host added (MLD's hop-by-hop Router Alert)
        // and the fragment header of a datagram it split.
        var upper = skb.network_header + IPv6Packet.headerLength, next = hdr.nextHeader
        while next == .hopopts || next == .dstopts || next == .ipv6Fragment, upper + 8 <= skb.bytes.count {
            if next == .ipv6Fragment {
                let field = skb.bytes.u16be(at: upper + 2)
                transmitContext.fragmentHeader6 = upper
                withTransmitSKB { $0.transport_header = upper }
                if field & 0xfff8 != 0 {
                    transmitLaterFragment6()
                    return
                }
                transmitContext.isFirstFragment = true
                next = IPProtocol(rawValue: skb.bytes.u8(at: upper))
                upper += 8
                continue
            }
            next = IPProtocol(rawValue: skb.bytes.u8(at: upper))
            upper += (Int(skb.bytes.u8(at: upper + 1)) + 1) * 8
        }
        switch next {
        case .icmpv6:
            let type = skb.bytes.u8(at: upper)
            switch type {
            case ICMPv6Type.ICMPV6_ECHO_REPLY:
                matchExpected(.icmpv6Reply(to: hdr.destination, id: skb.bytes.u16be(at: upper + 4),
                                           seq: skb.bytes.u16be(at: upper + 6)))
                withTransmitSKB { icmpv6_echo_reply(&$0) }
            case _ where ICMPv6Type.isError(type):
                matchExpected(.icmpv6Error(to: hdr.destination, type: type, code: skb.bytes.u8(at: upper + 1)))
                withTransmitSKB { icmp6_send(&$0, type: type, code: skb.bytes.u8(at: upper + 1)) }
            case ICMPv6Type.ICMPV6_ECHO_REQUEST:
                // A ping socket where ping_group_range permits them (its replies then find it in
                // ping_rcv), else a raw socket (iputils ping).
                let id = skb.bytes.u16be(at: upper + 4)
                withTransmitSKB { out in
                    if sysctl.pingSocketsPermitted { ping_v6_sendmsg(&out, identifier: id) } else { rawv6_sendmsg(&out, type: type) }
                }
            case ICMPv6Type.NDISC_ROUTER_SOLICITATION: transmitRouterSolicitation(dev: skb.dev)
            case ICMPv6Type.NDISC_NEIGHBOUR_SOLICITATION:
                transmitNeighbourSolicitation(hdr, target: IPv6Address(skb.bytes, at: upper + 8), dev: skb.dev)
            case ICMPv6Type.NDISC_NEIGHBOUR_ADVERTISEMENT:
                let target = IPv6Address(skb.bytes, at: upper + 8)
                matchExpected(.ndiscAdvertisement(to: hdr.destination, target: target))
                ndisc_send_na(to: hdr.destination, target: target, dev: skb.dev)
            case ICMPv6Type.NDISC_REDIRECT:
                let target = IPv6Address(skb.bytes, at: upper + 8), destination = IPv6Address(skb.bytes, at: upper + 24)
                matchExpected(.ndiscRedirect(to: hdr.destination, target: target, destination: destination))
                ndisc_send_redirect(source: hdr.destination, destination: destination, target: target, dev: skb.dev)
            case ICMPv6Type.ICMPV6_MGM_REPORT:
                if !transmitMLDv1Report(group: IPv6Address(skb.bytes, at: upper + 8), dev: skb.dev) {
                    notModeledOrigin("an MLDv1 report with no query pending: a group joined (igmp6_join_group)")
                }
            case ICMPv6Type.ICMPV6_MGM_REDUCTION: notModeledOrigin("an MLDv1 done: a group left (igmp6_leave_group)")
            case ICMPv6Type.ICMPV6_MLD2_REPORT:
                let end = skb.network_header + IPv6Packet.headerLength + hdr.payloadLength
                let report = ICMPv6Packet(skb.bytes, at: upper, length: end - upper).flatMap { try? MLDv2Report($0) }
                transmitMLDv2Report(hdr, groups: report?.records.map(\.group) ?? [], dev: skb.dev)
            default: notModeledOrigin("ICMPv6 type \(type)")
            }
        case .tcp:
            withTransmitSKB { $0.transport_header = upper }
            transmitTCP(transmitSKB ?? skb)
        case .udp:
            withTransmitSKB { skb in
                skb.transport_header = upper
                udpv6_sendmsg(&skb)
            }
        default:
            notModeledOrigin("IPv6 next header \(next.rawValue)")
        }
    }

    /// Whether the frame is a reset a reject rule at FORWARD sent for the destination of a forwarded
    /// segment (its source an address of another host): one is waiting to be matched.
    private func isNetfilterReset6(_ skb: SKBuff) -> Bool {
        guard let hdr = skb.ipv6_hdr(), hdr.nextHeader == .tcp,
              let th = TCPPacket(skb.bytes, at: skb.network_header + IPv6Packet.headerLength), th.flags.contains(.rst)
        else { return false }
        return expected.waits(for: .netfilterReset(FourTuple(local6: hdr.source, localPort: th.sourcePort,
                                                             remote6: hdr.destination, remotePort: th.destinationPort)))
    }

    /// A later fragment of a datagram the host split: sent in the same loop as the first
    /// (`ip6_fragment`), made by what made the datagram.
    private func transmitLaterFragment6() {
        tracer.note("a later fragment of a datagram the host split (ip6_fragment sends them in a loop)")
        withTransmitSKB { _ = ip6_fragment(&$0) }
    }

    /// A neighbour solicitation the host sent: the resolution of an address it had no entry for (a
    /// packet to it started it, and leaves after the answer), else the probe of an entry whose
    /// reachability went unconfirmed (`neigh_timer_handler`: STALE, DELAY, then PROBE). A DAD probe
    /// (source `::`) is addrconf's, not the neighbour table's.
    private func transmitNeighbourSolicitation(_ hdr: IPv6Packet, target: IPv6Address, dev: NetDevice) {
        transmitContext.isNeighbourSolicitation = true
        guard hdr.source != .any else {
            transmitDADProbe(target: target, dev: dev)
            return
        }
        let state = neighbours6[target]?.state ?? .NUD_NONE
        if state == .NUD_NONE || state == .NUD_FAILED {
            tracer.note("resolution of \(target) started by a packet to it (it leaves after the answer)")
            _ = __neigh_event_send(target, frame: currentFrame)
        } else {
            neigh_timer_handler(target)
        }
    }

    /// A router solicitation the host sent: its first on a device once the link-local address passed
    /// DAD (`addrconf_dad_completed` calls `ndisc_send_rs`), a later one from the solicitation timer
    /// (`addrconf_rs_timer`, `router_solicitation_interval` apart).
    private func transmitRouterSolicitation(dev: NetDevice) {
        if routerSolicitationsSent.contains(dev.name) {
            addrconf_rs_timer()
        } else {
            routerSolicitationsSent.insert(dev.name)
            tracer.note("the first router solicitation on \(dev.name): sent once its link-local address passed duplicate "
                + "address detection")
            addrconf_dad_work { addrconf_dad_completed(dev, sends: .routerSolicitation) }
        }
    }

    /// Says the origin of the IPv6 packet being sent is not modeled, naming what makes it.
    private func notModeledOrigin(_ what: String) {
        tracer.notModeled("origin of \(what)")
        outcome.verdict = .unknown
    }
}
