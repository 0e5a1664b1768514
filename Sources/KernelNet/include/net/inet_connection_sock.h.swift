// Models the address-family operations of TCP sockets: `struct inet_connection_sock_af_ops`
// (include/net/inet_connection_sock.h) and `struct tcp_request_sock_ops` (include/net/tcp.h), through
// which the code both families share (net/ipv4/tcp_input.c, tcp_output.c, tcp_minisocks.c) reaches
// IPv4's functions (net/ipv4/tcp_ipv4.c) or IPv6's (net/ipv6/tcp_ipv6.c), and the receive handlers'
// common steps. A connection's family is its four-tuple's; a listener's is the socket's
// (`SocketConfig.ipv6`): an IPv6 listener that is not `IPV6_V6ONLY` takes IPv4 SYNs too, through
// IPv4-mapped request and child sockets.
// Not modeled: the other members of the tables (`send_check`, `rebuild_header`, `net_header_len`,
// MD5 lookups, `init_seq`), SYN cookies' own `cookie_init_seq`.
import Trace
import Wire

extension Kernel {
    /// The four-tuple of a received segment, local side first, for either family.
    func receivedTuple(_ skb: SKBuff) -> FourTuple? {
        guard let th = skb.tcp_hdr() else { return nil }
        if skb.protocol == .ipv6 {
            guard let hdr = skb.ipv6_hdr() else { return nil }
            return FourTuple(local6: hdr.destination, localPort: th.destinationPort, remote6: hdr.source,
                             remotePort: th.sourcePort)
        }
        guard let iph = skb.ip_hdr() else { return nil }
        return FourTuple(local: iph.destination, localPort: th.destinationPort, remote: iph.source,
                         remotePort: th.sourcePort)
    }

    /// The four-tuple of a segment the host sends, local side first, for either family.
    func sentTuple(_ skb: SKBuff) -> FourTuple? {
        receivedTuple(skb).map {
            FourTuple(local6: $0.remote6, localPort: $0.remotePort, remote6: $0.local6, remotePort: $0.localPort)
        }
    }

    /// The data bytes of a TCP segment, from its network header's length (never negative).
    func tcpDataLength(_ skb: SKBuff, _ th: TCPPacket) -> Int {
        if skb.protocol == .ipv6 {
            guard let hdr = skb.ipv6_hdr() else { return 0 }
            let headers = skb.transport_header - skb.network_header - IPv6Packet.headerLength
            return max(0, hdr.payloadLength - headers - th.headerLength)
        }
        guard let iph = skb.ip_hdr() else { return 0 }
        return max(0, iph.totalLength - iph.headerLength - th.headerLength)
    }

    /// Whether the listener on `port` is an IPv6 socket (its `icsk_af_ops` are IPv6's).
    func listenerIsIPv6(_ port: UInt16) -> Bool { sockets.tcpListeners6.contains(port) }

    /// `icsk_af_ops->conn_request` of the listener on `t`'s port.
    func tcpConnRequest(_ skb: inout SKBuff, tuple t: FourTuple) {
        if listenerIsIPv6(t.localPort) {
            tcp_v6_conn_request(&skb, tuple: t)
        } else {
            _ = tcp_v4_conn_request(&skb, tuple: t)
        }
    }

    /// `icsk_af_ops->syn_recv_sock` of the listener on `t`'s port: makes the child socket.
    func tcpSynRecvSock(_ skb: inout SKBuff, tuple t: FourTuple) {
        if listenerIsIPv6(t.localPort) {
            tcp_v6_syn_recv_sock(&skb, tuple: t)
        } else {
            tcp_v4_syn_recv_sock(&skb, tuple: t)
        }
    }

    /// `af_ops->route_req` of a request socket: the route its SYN-ACK takes.
    func tcpRouteReq(tuple t: FourTuple, dev: NetDevice) {
        if t.isIPv6 {
            tcp_v6_route_req(tuple: t, dev: dev)
        } else {
            tcp_v4_route_req(daddr: t.remote)
        }
    }

    /// `af_ops->send_synack` of a request socket.
    func tcpSendSynack(tuple t: FourTuple) {
        if t.isIPv6 {
            tcp_v6_send_synack(tuple: t)
        } else {
            tcp_v4_send_synack(tuple: t)
        }
    }

    /// `icsk_af_ops->queue_xmit`: hands a segment a full socket built to IP.
    func tcpQueueXmit(_ skb: inout SKBuff) {
        if skb.protocol == .ipv6 {
            inet6_csk_xmit(&skb)
        } else {
            ip_queue_xmit(&skb)
        }
    }

    /// The reset a receive handler sends for a segment no socket takes (`tcp_v4_send_reset`,
    /// `tcp_v6_send_reset`), by the segment's family.
    func tcpSendReset(_ skb: inout SKBuff) {
        if skb.protocol == .ipv6 {
            tcp_v6_send_reset(&skb)
        } else {
            tcp_v4_send_reset(&skb)
        }
    }

    /// Copies the segment's header fields into the control block (`tcp_v4_fill_cb`, `tcp_v6_fill_cb`).
    func tcpFillCB(_ skb: inout SKBuff) {
        if skb.protocol == .ipv6 {
            tcp_v6_fill_cb(&skb)
        } else {
            tcp_v4_fill_cb(&skb)
        }
    }

    /// The socket's receive function (`sk_backlog_rcv`): `tcp_v6_do_rcv` for an IPv6 segment, else
    /// `tcp_v4_do_rcv` (also for an IPv4-mapped socket: `tcp_v4_rcv` calls it directly).
    func tcpDoRcv(_ skb: inout SKBuff, tuple t: FourTuple, state: TCPState) {
        if skb.protocol == .ipv6 {
            tcp_v6_do_rcv(&skb, tuple: t, state: state)
        } else {
            tcp_v4_do_rcv(&skb, tuple: t, state: state)
        }
    }

    /// The time-wait socket's acknowledgment (`tcp_v4_timewait_ack`, `tcp_v6_timewait_ack`).
    func tcpTimewaitAck(_ skb: inout SKBuff, tuple t: FourTuple) {
        if t.isIPv6 {
            tcp_v6_timewait_ack(&skb, tuple: t)
        } else {
            tcp_v4_timewait_ack(&skb, tuple: t)
        }
    }

    /// On the frame the capture shows leaving, where a segment sent without a full socket (a reset, a
    /// time-wait socket's ACK) has its origin: `send` sends that frame, and this returns true.
    func sendsCapturedAnswer(_ send: (inout SKBuff) -> Void) -> Bool {
        guard var out = transmitSKB else { return false }
        send(&out)
        transmitSKB = out
        return true
    }

    /// An answer built while a received segment is processed (`what`: RST, ACK, SYN-ACK, to `t`'s
    /// peer): counted when it is built (`TcpOutSegs`, and `TcpOutRsts` for a reset) and expected to
    /// leave as a frame of its own.
    func expectAnswer(_ kind: TransmitKind, _ what: String, on t: FourTuple) {
        count("TcpOutSegs")
        if what == "RST" { count("TcpOutRsts") }
        expectTransmit(kind, from: currentFrame)
        tracer.note("\(what) to \(t.remoteEndpoint) built and sent: see the transmitted frame")
    }

    /// The checks both receive handlers make before the socket lookup: the packet type, the header's
    /// length, and the checksum of a short segment (`skb_checksum_init`, `CHECKSUM_BREAK` = 76 bytes).
    /// Returns the header, or nil when the segment was dropped or cannot be read.
    func tcpRcvHeaderChecks(_ skb: inout SKBuff) -> TCPPacket? {
        outcome.set(.deliver, proto: "tcp")
        guard skb.pkt_type == .PACKET_HOST else {
            kfree_skb_reason(&skb, .NOT_SPECIFIED)
            return nil
        }
        count("TcpInSegs")
        guard skb.pskb_may_pull(TCPPacket.minimumHeaderLength) else {
            kfree_skb_reason(&skb, .NOT_SPECIFIED)
            return nil
        }
        guard let th = skb.tcp_hdr() else {
            tracer.notModeled("TCP header not in the capture (snap length)")
            outcome.verdict = .unknown
            return nil
        }
        guard th.headerLength >= TCPPacket.minimumHeaderLength else {
            count("TcpInErrs")
            kfree_skb_reason(&skb, .PKT_TOO_SMALL)
            return nil
        }
        guard skb.pskb_may_pull(th.headerLength) else {
            kfree_skb_reason(&skb, .NOT_SPECIFIED)
            return nil
        }
        if skb.ip_summed == .CHECKSUM_NONE, skb.len <= 76, droppedForBadChecksum(&skb) { return nil }
        return th
    }

    /// What both receive handlers do once the header is checked: hand the segment to the socket the
    /// lookup finds (request, time-wait, full or listening), or answer it with a reset and drop it
    /// (`NO_SOCKET`, RFC 9293 §3.10.7.1). `established` and `listener` are the family's lookups.
    func tcpRcvSocket(_ skb: inout SKBuff, tuple t: FourTuple, established: (FourTuple) -> TCPConnection?,
                      listener: (FourTuple) -> Bool) {
        if let c = established(t) {
            tracer.note("socket: \(c.state.rawValue) \(t)")
            switch c.state {
            case .TCP_NEW_SYN_RECV:
                tcpFillCB(&skb)
                guard tcp_check_req(&skb, tuple: t) else {
                    kfree_skb_reason(&skb, .NOT_SPECIFIED)
                    return
                }
                if tcp_child_process(&skb, tuple: t) {
                    tcpSendReset(&skb)
                    kfree_skb_reason(&skb, .NOT_SPECIFIED)
                }
            case .TCP_TIME_WAIT:
                tcpFillCB(&skb)
                switch tcp_timewait_state_process(&skb, tuple: t) {
                case .TCP_TW_SYN where listener(t):
                    // The listener takes the SYN; the time-wait socket goes.
                    sockets.removeConnection(t)
                    tracer.state("time-wait socket \(t) replaced: the listener on port \(t.localPort) takes the SYN")
                    tcpDoRcv(&skb, tuple: t, state: .TCP_LISTEN)
                    return
                case .TCP_TW_SYN, .TCP_TW_ACK:
                    tcpTimewaitAck(&skb, tuple: t)
                case .TCP_TW_RST, .TCP_TW_SUCCESS:
                    break
                }
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
            default:
                tcpFillCB(&skb)
                tcpDoRcv(&skb, tuple: t, state: c.state)
            }
            return
        }
        if listener(t) {
            tracer.note("socket: listener on port \(t.localPort)")
            tcpFillCB(&skb)
            tcpDoRcv(&skb, tuple: t, state: .TCP_LISTEN)
            return
        }
        tracer.note(t.isIPv6 ? "socket: none for [\(t.local6)]:\(t.localPort)" : "socket: none for \(t.local):\(t.localPort)")
        tcpFillCB(&skb)
        if droppedForBadChecksum(&skb) {
            return
        }
        tcpSendReset(&skb)
        kfree_skb_reason(&skb, .NO_SOCKET)
    }

    /// What both families' `do_rcv` do: the established fast path, or the state machine, whose
    /// request for a reset is answered here (`tcp_v4_send_reset`, `tcp_v6_send_reset`).
    func tcpDoRcvCommon(_ skb: inout SKBuff, tuple t: FourTuple, state: TCPState) {
        if state == .TCP_ESTABLISHED {
            tcp_rcv_established(&skb, tuple: t)
            return
        }
        if droppedForBadChecksum(&skb) {
            return
        }
        if tcp_rcv_state_process(&skb, tuple: t, state: state) {
            tcpSendReset(&skb)
            // 6.12's tcp_rcv_state_process returns the reason (TCP_FLAGS for an ACK to a
            // listener); 6.1's returns 1 and the drop names none.
            kfree_skb_reason(&skb, profile.version >= .v6_12 ? .TCP_FLAGS : .NOT_SPECIFIED)
        }
    }
}
