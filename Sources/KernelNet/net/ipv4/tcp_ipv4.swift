// Mirrors net/ipv4/tcp_ipv4.c (Linux 6.1): TCP receive for IPv4, socket lookup, resets and SYN-ACKs
// (RFC 9293 §3.10.7).
// Not modeled: MD5 signatures, socket filters, the socket backlog when the user holds the lock,
// SYN cookies, TIME_WAIT recycling of a new SYN.
import Trace
import Wire

/// Functions modeled from `net/ipv4/tcp_ipv4.c`, in the file's order.
public enum tcp_ipv4: String, KernelSourceFile {
    public static let path = "net/ipv4/tcp_ipv4.c"
    case tcp_v4_connect, tcp_req_err, tcp_ld_RTO_revert, tcp_v4_err, tcp_v4_send_reset, tcp_v4_send_ack, tcp_v4_timewait_ack, tcp_v4_route_req, tcp_v4_send_synack, tcp_v4_conn_request,
        tcp_v4_syn_recv_sock, tcp_v4_do_rcv, tcp_v4_early_demux, tcp_v4_fill_cb, tcp_v4_rcv
}

extension Kernel {
    /// Connects a socket (`connect()`): routes to the peer, picks the source port and sends the SYN. A
    /// four-tuple a time-wait socket held (`timeWait`) is taken over in `inet_hash_connect`.
    func tcp_v4_connect(_ skb: inout SKBuff, reusing timeWait: FourTuple? = nil) {
        traced(tcp_ipv4.tcp_v4_connect) {
            if let iph = skb.ip_hdr(), ip_route_connect(daddr: iph.destination) == nil {
                return sentWithoutRoute(to: "\(iph.destination)")
            }
            if let timeWait { inet_hash_connect(tuple: timeWait) }
            tcp_connect(&skb)
        }
    }

    /// Sends a RST in answer to a segment that belongs to no connection (never to a RST).
    func tcp_v4_send_reset(_ skb: inout SKBuff) {
        traced(tcp_ipv4.tcp_v4_send_reset) {
            if sendsCapturedAnswer({ ip_send_unicast_reply(&$0) }) { return }
            guard let th = skb.tcp_hdr(), !th.flags.contains(.rst), let t = receivedTuple(skb) else {
                tracer.note("no reset in answer to a reset")
                return
            }
            expectAnswer(.tcpReset(t), "RST", on: t)
        }
    }

    /// Takes an ICMP or ICMPv6 error about a request socket's SYN-ACK (both families' error handlers call
    /// it): a quoted sequence number other than the SYN-ACK's (`snt_isn`) counts as
    /// `TcpExtOutOfWindowIcmps`; a fatal error (`abort`) removes the request silently
    /// (`inet_csk_reqsk_queue_drop`), counted by the listener as `TcpExtListenDrops` (`tcp_listendrop`),
    /// as `accept()` has nobody to report it to. A request whose SYN-ACK the capture did not show is
    /// taken as the one quoted.
    func tcp_req_err(tuple t: FourTuple, seq: UInt32, abort: Bool) {
        traced(tcp_ipv4.tcp_req_err) {
            if let isn = sockets.tcp[t]?.sntISN, seq != isn {
                tracer.note("quoted sequence \(seq) is not the SYN-ACK's \(isn): out of window")
                count("TcpExtOutOfWindowIcmps")
            } else if abort {
                inet_csk_reqsk_queue_drop(tuple: t)
                count("TcpExtListenDrops")
            } else {
                tracer.note("not fatal: the request socket stays")
            }
        }
    }

    /// Reverts one step of the retransmission timer's backoff when a destination unreachable (no route)
    /// quotes the oldest unacknowledged segment while the timer is backing off (TCP-LD, RFC 6069): the
    /// timeout was the network's, not congestion's. Only the check is modeled: the capture shows when
    /// the next retransmission leaves.
    func tcp_ld_RTO_revert(tuple t: FourTuple, seq: UInt32) {
        traced(tcp_ipv4.tcp_ld_RTO_revert) {
            guard let c = sockets.tcp[t], let una = c.sndUna, seq == una, c.icskRetransmits > 0 else {
                tracer.note("the quoted segment is not a retransmission of snd_una: no backoff to revert")
                return
            }
            tracer.notModeled("the retransmission timer's reverted backoff (RFC 6069)")
        }
    }

    /// TCP's ICMP error handler (`tcp_protocol.err_handler`): finds the connection the quoted segment
    /// belongs to. With none the error counts as `IcmpInErrors`; a quoted sequence number outside what
    /// the connection has in flight (`snd_una` to `snd_nxt`) counts as `TcpExtOutOfWindowIcmps`, once
    /// the capture has shown both.
    ///
    /// Not modeled: what a connection does with the error (PMTU update, retransmission timer, soft and
    /// hard errors), the check of a request socket's SYN-ACK sequence number (`tcp_req_err`), errors
    /// dropped while the application holds the socket (`TcpExtLockDroppedIcmps`).
    func tcp_v4_err(_ skb: inout SKBuff, tuple t: FourTuple, seq: UInt32) {
        traced(tcp_ipv4.tcp_v4_err) {
            guard let c = __inet_lookup_established(t) else {
                tracer.note("no TCP socket for \(t): the error concerns nobody")
                count("IcmpInErrors")
                return
            }
            // The quoted segment must be one the connection has in flight, between snd_una and snd_nxt
            // (a request socket: its SYN-ACK's sequence number, tcp_req_err); else the error is stale or
            // forged and only counted (all three versions).
            if c.state != .TCP_TIME_WAIT, let una = c.sndUna, let nxt = c.sndNxt,
               Int32(bitPattern: seq &- una) < 0 || Int32(bitPattern: nxt &- seq) < 0 {
                tracer.note("quoted sequence \(seq) outside snd_una \(una) .. snd_nxt \(nxt): out of window")
                count("TcpExtOutOfWindowIcmps")
                return
            }
            tracer.notModeled("what the connection does with the ICMP error (tcp_v4_err's state handling)")
        }
    }

    /// Sends an ACK that belongs to no full socket (a time-wait or request socket's) through the
    /// per-CPU control socket (counted in `TcpOutSegs` when it is built).
    func tcp_v4_send_ack(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_ipv4.tcp_v4_send_ack) {
            if sendsCapturedAnswer({ ip_send_unicast_reply(&$0) }) { return }
            expectAnswer(.tcpTimewaitAck(t), "ACK", on: t)
        }
    }

    /// Acknowledges a segment for a time-wait socket again, with the sequence numbers it remembers.
    func tcp_v4_timewait_ack(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_ipv4.tcp_v4_timewait_ack) { tcp_v4_send_ack(&skb, tuple: t) }
    }

    /// Routes the SYN-ACK of a new request socket (`inet_csk_route_req`).
    func tcp_v4_route_req(daddr: IPv4Address) {
        traced(tcp_ipv4.tcp_v4_route_req) { inet_csk_route_req(daddr: daddr) }
    }

    /// Builds and sends the SYN-ACK of a request socket (`tcp_make_synack` counts it in `TcpOutSegs`
    /// when it is built: with the SYN it answers, or, for one the capture shows without its SYN, here).
    func tcp_v4_send_synack(tuple t: FourTuple) {
        traced(tcp_ipv4.tcp_v4_send_synack) {
            if var out = transmitSKB {
                if outcome.causedBy == nil { count("TcpOutSegs") }
                ip_build_and_send_pkt(&out)
                transmitSKB = out
            } else {
                expectAnswer(.tcpSynAck(t), "SYN-ACK", on: t)
            }
        }
    }

    /// The IPv4 `conn_request`: refuses SYNs to broadcast or multicast, else creates a request socket.
    func tcp_v4_conn_request(_ skb: inout SKBuff, tuple t: FourTuple) -> Bool {
        traced(tcp_ipv4.tcp_v4_conn_request) {
            if skb.dst?.type == .broadcast || skb.dst?.type == .multicast {
                tracer.note("SYN to a broadcast or multicast address: ignored")
                count("TcpExtListenDrops")
                return true
            }
            tcp_conn_request(&skb, tuple: t)
            return true
        }
    }

    /// Makes the child socket of a request whose handshake completed (`icsk_af_ops->syn_recv_sock`;
    /// an IPv6 listener's calls it for an IPv4 segment): it routes the child (`inet_csk_route_child_sock`,
    /// as `tcp_check_req` passes no route) and creates it (`tcp_create_openreq_child`, not recorded).
    func tcp_v4_syn_recv_sock(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_ipv4.tcp_v4_syn_recv_sock) { inet_csk_route_child_sock(daddr: t.remote) }
    }

    /// Processes a segment for a socket that is not handled by a request socket: the established fast
    /// path, or the state machine.
    func tcp_v4_do_rcv(_ skb: inout SKBuff, tuple t: FourTuple, state: TCPState) {
        traced(tcp_ipv4.tcp_v4_do_rcv) { tcpDoRcvCommon(&skb, tuple: t, state: state) }
    }

    /// Early demux: finds the established socket of a segment before routing and reuses its cached
    /// input route.
    func tcp_v4_early_demux(_ skb: inout SKBuff) {
        traced(tcp_ipv4.tcp_v4_early_demux, &skb) { skb in
            guard skb.pkt_type == .PACKET_HOST, let t = receivedTuple(skb) else { return }
            guard let c = __inet_lookup_established(t) else { return }
            if c.hasRxDst, c.state != .TCP_NEW_SYN_RECV, c.state != .TCP_TIME_WAIT {
                skb.dst = DstEntry(type: .local, dev: skb.dev)
                tracer.note("early demux: socket \(c.state.rawValue) has a cached input route (sk_rx_dst)")
            }
        }
    }

    /// Copies header fields into the skb's control block.
    func tcp_v4_fill_cb(_ skb: inout SKBuff) {
        traced(tcp_ipv4.tcp_v4_fill_cb) {}
    }

    /// Completes the segment's checksum in software when the device did not (`tcp_checksum_complete`);
    /// a bad one is counted and the segment dropped with `TCP_CSUM` by the calling function. Returns
    /// true when it was dropped.
    func droppedForBadChecksum(_ skb: inout SKBuff) -> Bool {
        guard skb.ip_summed == .CHECKSUM_NONE else { return false }
        let ok = __skb_checksum_complete(skb, proto: .tcp)
        skb.ip_summed = .CHECKSUM_UNNECESSARY
        guard !ok else { return false }
        count("TcpInCsumErrors")
        count("TcpInErrs")
        kfree_skb_reason(&skb, .TCP_CSUM)
        return true
    }

    /// The TCP receive entry for IPv4: checks the header and checksum, finds the socket and hands
    /// the segment to it; answers segments for no socket with RST (RFC 9293 §3.10.7.1).
    func tcp_v4_rcv(_ skb: inout SKBuff) {
        traced(tcp_ipv4.tcp_v4_rcv, &skb) { skb in
            guard tcpRcvHeaderChecks(&skb) != nil, let t = receivedTuple(skb) else { return }
            tcpRcvSocket(&skb, tuple: t, established: __inet_lookup_established) {
                __inet_lookup_listener($0.local, $0.localPort) != nil
            }
        }
    }
}
