// Mirrors net/ipv4/arp.c (Linux 6.1): ARP (RFC 826) receive, replies and solicitations.
// Not modeled: proxy ARP, arp_filter/arp_ignore/arp_accept other than their defaults, ARP on
// non-Ethernet devices.
import Trace
import Wire

/// Functions modeled from `net/ipv4/arp.c`, in the file's order.
public enum arp: String, KernelSourceFile {
    public static let path = "net/ipv4/arp.c"
    case arp_constructor, arp_ignore, arp_accept, arp_solicit, arp_create, arp_xmit_finish, arp_xmit, arp_send_dst, arp_process, arp_rcv
}

extension Kernel {
    /// Initialises a new neighbour entry: its address type comes from the FIB.
    func arp_constructor(_ ip: IPv4Address) {
        traced(arp.arp_constructor) { inet_addr_type_dev_table(ip) }
    }

    /// Whether to stay silent to a request (`arp_ignore`; the default 0 answers for any local address).
    func arp_ignore() -> Bool {
        traced(arp.arp_ignore) { false }
    }

    /// Whether unsolicited ARP (a gratuitous ARP, an unasked reply) may create a neighbour entry:
    /// `arp_accept` 0 (the default) never; entries are then learnt from ARP this host asked for.
    /// 4.14 tests the sysctl inside `arp_process`, with no function of its own.
    func arp_accept(_ sip: IPv4Address) -> Bool {
        guard has(arp.arp_accept) else { return false }
        return traced(arp.arp_accept) { false }
    }

    /// Sends an ARP request for `ip` (broadcast, or unicast to the known address when probing).
    func arp_solicit(_ ip: IPv4Address) {
        traced(arp.arp_solicit) {
            arp_send_dst(reply: false)
        }
    }

    /// Allocates an ARP packet and writes its Ethernet header (`dev_hard_header`) and ARP fields.
    func arp_create(_ skb: inout SKBuff) {
        traced(arp.arp_create) { dev_hard_header(&skb) }
    }

    /// Hands an ARP packet to the device.
    func arp_xmit_finish(_ skb: inout SKBuff) -> NetdevTx {
        traced(arp.arp_xmit_finish) { dev_queue_xmit(&skb) }
    }

    /// Sends an ARP packet through the ARP_OUT hook.
    func arp_xmit(_ skb: inout SKBuff) {
        traced(arp.arp_xmit) {
            NF_HOOK(.NF_ARP_OUT, &skb, okfn: { arp_xmit_finish(&$0) }, dropped: .NETDEV_TX_OK)
        }
    }

    /// Builds an ARP packet and sends it. The packet sent is the frame being transmitted, when the
    /// model is tracing one; while tracing a received frame, it only records that a reply will leave.
    func arp_send_dst(reply: Bool, to target: IPv4Address? = nil) {
        traced(arp.arp_send_dst) {
            if transmitContext.isARP, var skb = transmitSKB {
                arp_create(&skb)
                arp_xmit(&skb)
                transmitSKB = skb
            } else if !reply, coldNeighbours {
                tracer.note("ARP request built and sent (not in the capture: this replay starts with no neighbour entries)")
            } else if !reply {
                tracer.note("ARP request built and sent: see the transmitted ARP frame")
            } else if let target {
                expectTransmit(.arpReply(to: target), from: currentFrame)
                tracer.note("ARP reply to \(target) built (arp_create) and sent: see the transmitted frame")
            }
        }
    }

    /// Handles an ARP packet: answers requests for this host's addresses and learns or refreshes the
    /// sender's entry.
    func arp_process(_ skb: inout SKBuff) -> NetRxResult {
        traced(arp.arp_process) {
            guard let a = skb.arp_hdr() else { return .NET_RX_DROP }
            let sip = a.senderProtocol
            let tip = a.targetProtocol
            let sha = a.senderHardware
            let isRequest = a.operation == ARPPacket.request
            guard a.hardwareType == 1 || a.hardwareType == 6, a.protocolType == .ipv4 else {
                tracer.note("not Ethernet/IPv4 ARP")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .NET_RX_DROP
            }
            guard isRequest || a.operation == ARPPacket.reply else {
                tracer.note("ARP operation \(a.operation) is neither request nor reply")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .NET_RX_DROP
            }
            guard !tip.isMulticast, !tip.isLoopback else {
                tracer.note("target \(tip) is multicast or loopback")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .NET_RX_DROP
            }
            outcome.set(.deliver, proto: "arp")
            if sip == .any {
                if isRequest, localDevice(for: tip) === skb.dev {
                    tracer.note("duplicate address probe for \(tip): answered")
                    arp_send_dst(reply: true, to: tip)
                }
                consume_skb(&skb)
                return .NET_RX_SUCCESS
            }
            if isRequest, ip_route_input_noref(&skb, daddr: tip, saddr: sip) {
                if skb.dst?.type == .local, !arp_ignore() {
                    tracer.note("request for \(tip), one of this host's addresses: reply")
                    if neigh_event_ns(sip, ha: sha) { arp_send_dst(reply: true, to: sip) }
                    consume_skb(&skb)
                    return .NET_RX_SUCCESS
                }
                tracer.note("request for \(tip): not this host's")
            }
            let known = neigh_lookup(sip)
            // Whether unsolicited ARP may create an entry is asked before the gratuitous-ARP test (when
            // there is no entry) and again before creating one; 4.14 reads the sysctl in place.
            if !known { _ = arp_accept(sip) }
            _ = arp_accept(sip)
            if known {
                // A reply sent to this host confirms reachability; anything else only says the
                // address exists.
                let state: NUDState = !isRequest && skb.pkt_type == .PACKET_HOST ? .NUD_REACHABLE : .NUD_STALE
                neigh_update(sip, ha: sha, state: state)
            } else {
                tracer.note("no entry for \(sip): not learned (arp_accept=0)")
            }
            consume_skb(&skb)
            return .NET_RX_SUCCESS
        }
    }

    /// The ARP receive entry (`arp_packet_type.func`): ignores frames for other hosts, checks the
    /// header, then runs the ARP_IN hook.
    @discardableResult
    func arp_rcv(_ skb: inout SKBuff) -> NetRxResult {
        traced(arp.arp_rcv) {
            skb.skb_reset_network_header()
            if skb.pkt_type == .PACKET_OTHERHOST || skb.pkt_type == .PACKET_LOOPBACK {
                tracer.note("ARP for another host: ignored")
                consume_skb(&skb)
                outcome.set(.deliver, proto: "arp")
                return .NET_RX_SUCCESS
            }
            guard skb.pskb_may_pull(ARPPacket.ethernetIPv4Length), let a = skb.arp_hdr(),
                a.hardwareLength == 6, a.protocolLength == 4
            else {
                tracer.note("ARP header short or not Ethernet/IPv4 lengths")
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return .NET_RX_DROP
            }
            guard skb.captured(ARPPacket.ethernetIPv4Length) else {
                tracer.notModeled("ARP addresses not in the capture (snap length)")
                return .NET_RX_DROP
            }
            return NF_HOOK(.NF_ARP_IN, &skb, okfn: { arp_process(&$0) }, dropped: .NET_RX_DROP)
        }
    }
}
