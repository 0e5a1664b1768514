// Mirrors net/core/dev.c (Linux 6.1): the device-independent receive and transmit core.
// Not modeled: RPS/RFS steering, XDP generic, tc ingress/egress (sch_handle_ingress/egress),
// rx_handler devices other than the bridge (bond, macvlan, ...), qdiscs other than noqueue.
import Trace
import Wire

/// Functions modeled from `net/core/dev.c`. (Named `dev_c` because `dev` is everywhere a device.)
public enum dev_c: String, KernelSourceFile {
    public static let path = "net/core/dev.c"
    case __dev_forward_skb2, __dev_forward_skb, dev_forward_skb, dev_loopback_xmit, deliver_skb, dev_queue_xmit_nit,
        netdev_pick_tx, netdev_core_pick_tx, xmit_one, dev_hard_start_xmit, validate_xmit_skb, validate_xmit_skb_list,
        __dev_xmit_skb, __dev_queue_xmit, enqueue_to_backlog, netif_rx_internal, __netif_rx,
        __netif_receive_skb_core, __netif_receive_skb_one_core, __netif_receive_skb_list_ptype,
        __netif_receive_skb_list_core, __netif_receive_skb, __netif_receive_skb_list, netif_receive_skb_internal,
        netif_receive_skb_list_internal, netif_receive_skb, netif_receive_skb_list, netif_rx, netif_rx_ni, process_backlog
}

/// The protocol handlers registered in `ptype_base` that the model follows.
enum PacketHandler {
    case ip, arp, ipv6
    /// 802.2 LLC (`llc_rcv`, registered for `ETH_P_802_2` while the llc module is loaded).
    case llc
    /// No protocol handler, but a packet socket listening on all protocols takes the packet.
    case packetSocket
}

extension Kernel {
    // MARK: forwarding between devices (veth)

    /// Scrubs a packet crossing into another device and sets its type for the receiving device
    /// (`eth_type_trans`). A frame longer than the receiving device's MTU plus its Ethernet and VLAN
    /// headers is dropped first (`is_skb_forwardable`, through the inline `____dev_forward_skb`),
    /// unless it is a GSO packet, which crosses whole (no wire between the pair: nothing cuts it). A
    /// device of another host (veth's peer) is not checked: the model does not know its MTU.
    func __dev_forward_skb2(_ skb: inout SKBuff, to dev: NetDevice) -> Bool {
        traced(dev_c.__dev_forward_skb2) {
            if skb.skb_is_gso() {
                tracer.note("\(gsoDescription(skb)): is_skb_forwardable lets it over MTU \(dev.mtu) whole")
            } else if !dev.isRemote, skb.len > dev.mtu + 14 + 4 {
                tracer.note("\(skb.len) bytes over MTU \(dev.mtu) of \(dev.name) (is_skb_forwardable)")
                // The receiving device's core rx_dropped (____dev_forward_skb; 4.14: its rx_dropped field).
                countLink(dev) { $0.rx_dropped += 1 }
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return false
            }
            skb.dev = dev
            eth_type_trans(&skb)
            return true
        }
    }

    /// Prepares a packet to be received by another device (veth's peer).
    public func __dev_forward_skb(_ skb: inout SKBuff, to dev: NetDevice) -> Bool {
        traced(dev_c.__dev_forward_skb) { __dev_forward_skb2(&skb, to: dev) }
    }

    /// Forwards a packet into another device's receive path through the backlog (veth in 4.14).
    public func dev_forward_skb(_ skb: inout SKBuff, to dev: NetDevice) -> Bool {
        traced(dev_c.dev_forward_skb) {
            guard __dev_forward_skb(&skb, to: dev) else { return false }
            _ = netif_rx_internal(&skb)
            return true
        }
    }

    /// Hands a looped-back copy of an outgoing packet to this host's receive path (`netif_rx`). The
    /// copy keeps the output device and route and is marked `PACKET_LOOPBACK` (`loopedBack`); the
    /// backlog receives it after the frame being processed. When the packet is a reply the model sent
    /// while processing an earlier frame, that frame's trace already shows the copy received.
    func dev_loopback_xmit(_ skb: inout SKBuff) {
        traced(dev_c.dev_loopback_xmit) {
            skb = loopedBack(skb)
            if has(dev_c.netif_rx_ni) { netif_rx_ni(&skb) } else { netif_rx(&skb) }
            if let frame = transmitContext.loopedBackWith {
                tracer.note("the looped-back copy was received with frame \(frame), whose processing sent this one")
            } else {
                backlog.append(skb)
                tracer.note("the looped-back copy is received from the backlog after this frame")
            }
        }
    }

    /// The copy of an outgoing IPv4 packet that `dev_loopback_xmit` hands to the receive path: data at
    /// the network header (which is also its MAC header: it has none), `PACKET_LOOPBACK`, a checksum
    /// the stack built and need not verify (4.14 marks every copy so; later versions only copies
    /// without a partial checksum, which the model's never have), the output device and route kept.
    func loopedBack(_ skb: SKBuff) -> SKBuff {
        var copy = skb
        copy.mac_header = copy.network_header
        copy.len -= copy.network_header - copy.data
        copy.data = copy.network_header
        copy.protocol = .ipv4
        copy.pkt_type = .PACKET_LOOPBACK
        if copy.ip_summed == .CHECKSUM_NONE || profile.version < .v6_1 { copy.ip_summed = .CHECKSUM_UNNECESSARY }
        if copy.dst == nil, let daddr = copy.ip_hdr()?.destination {
            copy.dst = DstEntry(type: daddr.isMulticast ? .multicast : .broadcast, dev: copy.dev)
        }
        return copy
    }

    // MARK: taps

    /// Hands a copy of a received packet to a packet-type handler: here the capture's packet socket.
    func deliver_skb(_ skb: inout SKBuff) {
        traced(dev_c.deliver_skb) { tpacket_rcv(&skb) }
    }

    /// Hands a copy of an outgoing packet to the packet sockets listening on all protocols (the
    /// capture). The last listener is called directly.
    func dev_queue_xmit_nit(_ skb: inout SKBuff) {
        traced(dev_c.dev_queue_xmit_nit) { tpacket_rcv(&skb) }
    }

    // MARK: transmit

    /// Picks the transmit queue (the device has one queue per access category or just one).
    func netdev_core_pick_tx(_ skb: inout SKBuff) {
        traced(dev_c.netdev_core_pick_tx) {}
    }

    /// Picks the transmit queue, asking the driver (`ndo_select_queue`) on multiqueue devices (4.14).
    func netdev_pick_tx(_ skb: inout SKBuff) {
        traced(dev_c.netdev_pick_tx) { skb.dev.ops.ndo_select_queue(self, &skb) }
    }

    /// Validates each packet of a list before the driver sees it (the qdisc path).
    func validate_xmit_skb_list(_ skb: inout SKBuff) {
        traced(dev_c.validate_xmit_skb_list) { validate_xmit_skb(&skb) }
    }

    /// Sends a packet through its queue's qdisc. The model's qdisc is the kernel's default
    /// (`pfifo_fast`, which may bypass the queue) and holds nothing between frames: the packet goes
    /// straight to `sch_direct_xmit`.
    func __dev_xmit_skb(_ skb: inout SKBuff) -> NetdevTx {
        traced(dev_c.__dev_xmit_skb) {
            tracer.note("qdisc: pfifo_fast (the default qdisc), empty: bypass to sch_direct_xmit")
            return sch_direct_xmit(&skb)
        }
    }

    /// Checks the packet against the device's features before the driver sees it. A GSO packet the
    /// capture saw whole went on whole: had the device lacked TSO, `netif_needs_gso` would have sent
    /// it through `skb_gso_segment` here, before the tap, and the capture would show the segments. A
    /// `CHECKSUM_PARTIAL` packet likewise keeps its checksum for the device to finish (it advertises
    /// checksum offload), where `skb_csum_hwoffload_help` would otherwise complete it in software.
    func validate_xmit_skb(_ skb: inout SKBuff) {
        traced(dev_c.validate_xmit_skb) {
            if skb.skb_is_gso() {
                tracer.note("\(gsoDescription(skb)): the device has TSO, so it goes to the driver unsegmented; the driver or NIC cuts it for the wire (veth hands it whole to its peer). No fragmentation, no ICMP")
            }
            if skb.ip_summed == .CHECKSUM_PARTIAL {
                tracer.note("CHECKSUM_PARTIAL: checksum offload; the captured checksum field holds only the pseudo-header sum, which the device completes (not an error)")
            }
        }
    }

    /// Gives the packet to the taps, then to the driver.
    func xmit_one(_ skb: inout SKBuff) -> NetdevTx {
        traced(dev_c.xmit_one) {
            if skb.dev.hasTap { dev_queue_xmit_nit(&skb) }
            return netdev_start_xmit(&skb)
        }
    }

    /// Sends a packet (list) through the driver.
    func dev_hard_start_xmit(_ skb: inout SKBuff) -> NetdevTx {
        traced(dev_c.dev_hard_start_xmit) { xmit_one(&skb) }
    }

    /// The transmit entry of the device layer: picks a queue, then sends through the qdisc or, for a
    /// device without one (`IFF_NO_QUEUE`: veth, mac80211 with TXQs), straight to the driver.
    func __dev_queue_xmit(_ skb: inout SKBuff) -> NetdevTx {
        traced(dev_c.__dev_queue_xmit) {
            if has(dev_c.netdev_core_pick_tx) { netdev_core_pick_tx(&skb) } else { netdev_pick_tx(&skb) }
            guard skb.dev.ops.isNoQueue(in: self) else { return __dev_xmit_skb(&skb) }
            tracer.note("qdisc: noqueue (IFF_NO_QUEUE), straight to the driver")
            validate_xmit_skb(&skb)
            return dev_hard_start_xmit(&skb)
        }
    }

    // MARK: receive (backlog)

    /// Queues a packet on this CPU's backlog for `process_backlog`.
    func enqueue_to_backlog(_ skb: inout SKBuff) -> NetRxResult {
        traced(dev_c.enqueue_to_backlog) { .NET_RX_SUCCESS }
    }

    /// Steers a packet to a backlog (RPS is off: this CPU's).
    func netif_rx_internal(_ skb: inout SKBuff) -> NetRxResult {
        traced(dev_c.netif_rx_internal) { enqueue_to_backlog(&skb) }
    }

    /// The receive entry for drivers without NAPI (and veth without XDP or GRO).
    @discardableResult
    public func __netif_rx(_ skb: inout SKBuff) -> NetRxResult {
        traced(dev_c.__netif_rx) { netif_rx_internal(&skb) }
    }

    /// The receive entry for packets handed over outside a driver's NAPI poll (loopback copies).
    @discardableResult
    func netif_rx(_ skb: inout SKBuff) -> NetRxResult {
        traced(dev_c.netif_rx) { netif_rx_internal(&skb) }
    }

    /// `netif_rx` for process context (4.14; later `netif_rx` serves both).
    @discardableResult
    func netif_rx_ni(_ skb: inout SKBuff) -> NetRxResult {
        traced(dev_c.netif_rx_ni) { netif_rx_internal(&skb) }
    }

    /// The backlog's NAPI poll: takes queued packets into the stack (softirq, a new call tree).
    @discardableResult
    public func process_backlog(_ skb: inout SKBuff) -> NetRxResult {
        traced(dev_c.process_backlog) { __netif_receive_skb(&skb) }
    }

    // MARK: receive core

    /// The protocol-independent receive core: taps, VLAN tags, then the protocol handler for
    /// `skb->protocol`. Returns the handler for the caller to run, or `nil` when the packet was
    /// consumed here (dropped, or only a tap wanted it). With `deliver`, the core runs the handler
    /// itself (as 4.14's does) and returns nil.
    func __netif_receive_skb_core(_ skb: inout SKBuff, deliver: ((PacketHandler, inout SKBuff) -> Void)? = nil)
        -> PacketHandler?
    {
        traced(dev_c.__netif_receive_skb_core) {
            // The packet sockets were given the packet before a VLAN tag sent it on another round.
            var tapped = false
            while true {  // another_round
                if skb.protocol == .vlan || skb.protocol == .qinq, !skb.vlanIDs.isEmpty { skb_vlan_untag(&skb) }
                guard let tci = skb.vlan_tci else { break }
                if skb.dev.hasTap {
                    deliver_skb(&skb)
                    tapped = true
                }
                if vlan_do_receive(&skb) {
                    tapped = false
                    continue
                }
                if tci & 0x0fff != 0 {
                    // vlan_do_receive found no VLAN device for the id.
                    skb.pkt_type = .PACKET_OTHERHOST
                    tracer.note("802.1Q VID \(tci & 0x0fff) with no VLAN device on \(skb.dev.name): pkt_type PACKET_OTHERHOST")
                } else {
                    tracer.note("802.1Q priority tag (VID 0): handled as untagged")
                }
                skb.vlan_tci = nil
                break
            }
            // The device's rx_handler: a bridge port's is br_handle_frame, which takes the frame.
            if let port = skb.dev.br_port {
                if skb.dev.hasTap, !tapped {
                    deliver_skb(&skb)
                    tapped = true
                }
                if br_handle_frame(&skb, port) { return nil }
            }
            let handler: PacketHandler?
            switch skb.protocol {
            case .ipv4: handler = .ip
            case .arp: handler = .arp
            case .ipv6: handler = .ipv6
            case .llc802_2 where llcLoaded: handler = .llc
            default: handler = nil
            }
            if skb.protocol == .llc802_2, handler == nil {
                tracer.note("no 802.2 LLC handler: the llc module is not loaded (a host profile's \"modules\" says which are)")
            }
            var chosen = handler
            if skb.dev.hasTap, !tapped {
                if handler == nil {
                    tracer.note("no handler for \(skb.protocol): only the packet socket takes it")
                    chosen = .packetSocket
                } else {
                    deliver_skb(&skb)
                }
            }
            guard let chosen else {
                // No handler and no tap: the device's rx_dropped (rx_nohandler only for exact
                // delivery under a bonding master, not modeled).
                countLink(skb.dev) { $0.rx_dropped += 1 }
                kfree_skb_reason(&skb, .UNHANDLED_PROTO)
                return nil
            }
            guard let deliver else { return chosen }
            deliver(chosen, &skb)
            return nil
        }
    }

    /// Runs the packet-type handler the core chose.
    @discardableResult
    func deliverToHandler(_ handler: PacketHandler, _ skb: inout SKBuff) -> NetRxResult {
        switch handler {
        case .ip: return ip_rcv(&skb)
        case .arp: return arp_rcv(&skb)
        case .ipv6: return ipv6_rcv(&skb)
        case .llc: return llc_rcv(&skb)
        case .packetSocket:
            tpacket_rcv(&skb)
            outcome.set(.deliver, proto: "packet")
            return .NET_RX_SUCCESS
        }
    }

    /// Receives one packet: the core, then its protocol handler.
    func __netif_receive_skb_one_core(_ skb: inout SKBuff) -> NetRxResult {
        traced(dev_c.__netif_receive_skb_one_core) {
            guard let handler = __netif_receive_skb_core(&skb) else { return .NET_RX_DROP }
            return deliverToHandler(handler, &skb)
        }
    }

    /// Receives one packet (no memalloc special case in the model). Before `__netif_receive_skb_one_core`
    /// existed (4.14), the core ran the protocol handler itself.
    func __netif_receive_skb(_ skb: inout SKBuff) -> NetRxResult {
        traced(dev_c.__netif_receive_skb) {
            guard has(dev_c.__netif_receive_skb_one_core) else {
                var result = NetRxResult.NET_RX_DROP
                _ = __netif_receive_skb_core(&skb) { result = self.deliverToHandler($0, &$1) }
                return result
            }
            return __netif_receive_skb_one_core(&skb)
        }
    }

    /// The receive entry for one packet outside NAPI (the bridge hands the frames it passes up here).
    @discardableResult
    public func netif_receive_skb(_ skb: inout SKBuff) -> NetRxResult {
        traced(dev_c.netif_receive_skb) { netif_receive_skb_internal(&skb) }
    }

    /// The receive entry for one packet outside the list path: GRO hands packets here in 4.14.
    func netif_receive_skb_internal(_ skb: inout SKBuff) -> NetRxResult {
        traced(dev_c.netif_receive_skb_internal) { __netif_receive_skb(&skb) }
    }

    // MARK: receive (lists, from GRO)

    /// Hands a sublist of packets with the same handler to it: the handler's list function
    /// (`ip_list_rcv`) when it has one, else one call per packet.
    func __netif_receive_skb_list_ptype(_ handler: PacketHandler, _ skb: inout SKBuff) {
        traced(dev_c.__netif_receive_skb_list_ptype) {
            switch handler {
            case .ip: ip_list_rcv(&skb)
            case .ipv6: ipv6_list_rcv(&skb)
            case .arp, .llc, .packetSocket: deliverToHandler(handler, &skb)
            }
        }
    }

    /// Runs the core on each packet of a list and groups them by handler.
    func __netif_receive_skb_list_core(_ skb: inout SKBuff) {
        traced(dev_c.__netif_receive_skb_list_core) {
            guard let handler = __netif_receive_skb_core(&skb) else { return }
            __netif_receive_skb_list_ptype(handler, &skb)
        }
    }

    /// Receives a list of packets.
    func __netif_receive_skb_list(_ skb: inout SKBuff) {
        traced(dev_c.__netif_receive_skb_list) { __netif_receive_skb_list_core(&skb) }
    }

    /// The list receive entry GRO flushes into.
    public func netif_receive_skb_list_internal(_ skb: inout SKBuff) {
        traced(dev_c.netif_receive_skb_list_internal) { __netif_receive_skb_list(&skb) }
    }

    /// The list receive entry for drivers outside NAPI (mac80211 given no NAPI context).
    public func netif_receive_skb_list(_ skb: inout SKBuff) {
        traced(dev_c.netif_receive_skb_list) { netif_receive_skb_list_internal(&skb) }
    }
}
