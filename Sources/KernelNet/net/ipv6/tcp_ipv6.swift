// Mirrors net/ipv6/tcp_ipv6.c (Linux 6.1; 4.14.177 and 6.12 alike on these paths): TCP over IPv6,
// the family's half of TCP (socket lookup, request and child sockets, resets and ACKs sent without a
// full socket); the state machine is the one IPv4 uses (net/ipv4/tcp_input.c, tcp_minisocks.c), reached
// through the family's operations (include/net/inet_connection_sock.h.swift).
// Not modeled: listeners bound to one IPv6 address (a profile's IPv6 listener is bound to `::`),
// `IPV6_V6ONLY`, MD5 and AO signatures, socket filters, IPv6 packet options on sockets
// (`IPV6_PKTOPTIONS`), the socket backlog, the ACK a request socket sends (`tcp_v6_reqsk_send_ack`), sockets
// with `IPV6_RECVERR` (an error is soft for an open connection), the revert of a backed-off retransmission
// timer (RFC 6069; only its check), redirects about a connection, the minimum hop limit
// (`IPV6_MINHOPCOUNT`), Fast Open requests, the MSS the peer announced (a packet too big is compared with the path MTU
// the segments are sized for, not with `mss_cache`), errors deferred while the application holds the
// socket (`TCP_MTU_REDUCED_DEFERRED`).
import Trace
import Wire

/// Functions modeled from `net/ipv6/tcp_ipv6.c`, in the file's order.
public enum tcp_ipv6: String, KernelSourceFile {
    public static let path = "net/ipv6/tcp_ipv6.c"
    case tcp_v6_connect, tcp_v6_mtu_reduced, tcp_v6_err, tcp_v6_send_synack, tcp_v6_route_req, tcp_v6_send_response, tcp_v6_send_reset, tcp_v6_send_ack,
        tcp_v6_timewait_ack, tcp_v6_conn_request, tcp_v6_syn_recv_sock, tcp_v6_do_rcv, tcp_v6_fill_cb, tcp_v6_rcv,
        tcp_v6_early_demux
}

extension Kernel {
    /// Connects an IPv6 socket (`connect()`): routes to the peer (`ip6_dst_lookup_flow`), picks the
    /// source port and sends the SYN.
    func tcp_v6_connect(_ skb: inout SKBuff) {
        traced(tcp_ipv6.tcp_v6_connect) {
            if let hdr = skb.ipv6_hdr(), !routesCapturedSend(ip6_dst_lookup_flow(hdr.destination, dev: skb.dev), to: hdr.destination) {
                return
            }
            tcp_connect(&skb)
        }
    }

    /// Shrinks a connection's segments to a path MTU a packet too big reported (`tp->mtu_info`): 6.1 and
    /// later first ignore an MTU that would not make them smaller (`tcp_mtu_to_mss`); the route's MTU is
    /// lowered, and if it is now below what the segments were sized for (`icsk_pmtu_cookie`) the MSS
    /// follows (`tcp_sync_mss`) and the segments in flight are sent again (`tcp_simple_retransmit`).
    func tcp_v6_mtu_reduced(tuple t: FourTuple, mtu: Int, dev: NetDevice) {
        traced(tcp_ipv6.tcp_v6_mtu_reduced) {
            guard let c = sockets.tcp[t], c.state != .TCP_LISTEN, c.state != .TCP_CLOSE else { return }
            let cookie = c.pmtuCookie ?? ip6PathMTU(to: t.remote6, dev: dev)
            if profile.version >= .v6_1 {
                tcp_mtu_to_mss()
                if mtu >= cookie {
                    tracer.note("MTU \(mtu) would not shrink segments sized for \(cookie): ignored")
                    return
                }
            }
            guard let dmtu = inet6_csk_update_pmtu(tuple: t, mtu: mtu, dev: dev), cookie > dmtu else { return }
            tcp_sync_mss(tuple: t, pmtu: dmtu)
            tcp_simple_retransmit(tuple: t)
        }
    }

    /// TCP's ICMPv6 error handler (`tcpv6_protocol.err_handler`): finds the connection the quoted segment
    /// (its TCP header at `offset`) belongs to. With none the error counts as `Icmp6InErrors`; a
    /// time-wait socket ignores it. `icmpv6_err_convert` makes it an error number and says whether it
    /// is fatal; an error about a request socket's SYN-ACK goes to `tcp_req_err`. A quoted sequence
    /// number outside what the connection has in flight (`snd_una` to `snd_nxt`, once the capture has
    /// shown both) counts as `TcpExtOutOfWindowIcmps`. A packet too big of at least 1280 bytes goes to
    /// `tcp_v6_mtu_reduced`. Any other error ends a connection attempt (`SYN_SENT`, `SYN_RECV`: 4.14
    /// sets `sk_err` and calls `tcp_done`, 6.1 and later offer it to the error queue with
    /// `ipv6_icmp_error` and call `tcp_done_with_error`), fatal or not; an open connection keeps it as a
    /// soft error (`sk_err_soft`, as its socket has no `IPV6_RECVERR`), after 6.1 and later checked a
    /// destination unreachable (no route) for a backoff to revert (`tcp_ld_RTO_revert`).
    func tcp_v6_err(_ skb: inout SKBuff, quoted: IPv6Packet, offset: Int, type: UInt8, code: UInt8, info: UInt32) {
        traced(tcp_ipv6.tcp_v6_err) {
            let t = FourTuple(local6: quoted.source, localPort: skb.bytes.u16be(at: offset),
                              remote6: quoted.destination, remotePort: skb.bytes.u16be(at: offset + 2))
            guard let c = __inet6_lookup_established(t) else {
                tracer.note("no TCP socket for \(t): the error concerns nobody")
                count("Icmp6InErrors")
                return
            }
            guard c.state != .TCP_TIME_WAIT else {
                tracer.note("a time-wait socket: the error is ignored")
                return
            }
            let seq = skb.bytes.u32be(at: offset + 4)
            let conversion = icmpv6_err_convert(type: type, code: code)
            if c.state == .TCP_NEW_SYN_RECV {
                tcp_req_err(tuple: t, seq: seq, abort: conversion.fatal)
                return
            }
            guard c.state != .TCP_CLOSE else {
                tracer.note("a closed socket: the error is ignored")
                return
            }
            // A connection attempt has its SYN in flight: snd_una is its sequence number, snd_nxt one past.
            let una = c.state == .TCP_SYN_SENT ? c.sntISN : c.sndUna
            let nxt = c.state == .TCP_SYN_SENT ? c.sntISN.map { $0 &+ 1 } : c.sndNxt
            if c.state != .TCP_LISTEN, let una, let nxt,
               Int32(bitPattern: seq &- una) < 0 || Int32(bitPattern: nxt &- seq) < 0 {
                tracer.note("quoted sequence \(seq) outside snd_una \(una) .. snd_nxt \(nxt): out of window")
                count("TcpExtOutOfWindowIcmps")
                return
            }
            if type == ICMPv6Type.NDISC_REDIRECT {
                tracer.notModeled("a redirect applied to the connection's cached route (dst->ops->redirect)")
                return
            }
            if type == ICMPv6Type.ICMPV6_PKT_TOOBIG {
                guard c.state != .TCP_LISTEN else { return }
                guard Int(info) >= Self.IPV6_MIN_MTU else {
                    tracer.note("MTU \(info) below 1280: ignored")
                    return
                }
                tcp_v6_mtu_reduced(tuple: t, mtu: Int(info), dev: skb.dev)
                return
            }
            switch c.state {
            case .TCP_SYN_SENT, .TCP_SYN_RECV:
                if profile.version >= .v6_1 {
                    ipv6_icmp_error(tcp: t)
                    tcp_done_with_error(tuple: t, errno: conversion.errno)
                } else {
                    tracer.note("sk_err = \(conversion.errno), reported (sk_error_report)")
                    tcp_done(tuple: t)
                }
                return
            case .TCP_LISTEN:
                break
            default:
                if profile.version >= .v6_1, type == ICMPv6Type.ICMPV6_DEST_UNREACH, code == ICMPv6Type.ICMPV6_NOROUTE {
                    tcp_ld_RTO_revert(tuple: t, seq: seq)
                }
            }
            tracer.note("no IPV6_RECVERR: \(conversion.errno) kept as the socket's soft error (sk_err_soft)")
        }
    }

    /// Builds the SYN-ACK of a request socket (`tcp_make_synack` counts it in `TcpOutSegs`: with the
    /// SYN it answers, or, for one the capture shows without its SYN, here) and sends it with
    /// `ip6_xmit` on the route `tcp_v6_route_req` found.
    func tcp_v6_send_synack(tuple t: FourTuple) {
        traced(tcp_ipv6.tcp_v6_send_synack) {
            if var out = transmitSKB {
                if outcome.causedBy == nil { count("TcpOutSegs") }
                _ = ip6_xmit(&out)
                transmitSKB = out
            } else {
                expectAnswer(.tcpSynAck(t), "SYN-ACK", on: t)
            }
        }
    }

    /// Fills a new request socket from the SYN (`tcp_v6_init_req`, inline) and routes its SYN-ACK.
    func tcp_v6_route_req(tuple t: FourTuple, dev: NetDevice) {
        traced(tcp_ipv6.tcp_v6_route_req) { inet6_csk_route_req(tuple: t, dev: dev) }
    }

    /// Builds a reset or acknowledgment on the per-namespace control socket, routes it
    /// (`ip6_dst_lookup_flow`) and sends it with `ip6_xmit`.
    func tcp_v6_send_response(_ skb: inout SKBuff) {
        traced(tcp_ipv6.tcp_v6_send_response) {
            guard let daddr = skb.ipv6_hdr()?.destination else { return }
            guard ip6_dst_lookup_flow(daddr, dev: skb.dev).type != .unreachable else { return }
            _ = ip6_xmit(&skb)
        }
    }

    /// Answers a segment no socket takes with a reset (never a reset to a reset, nor to a multicast
    /// destination). The reset leaves as a frame of its own.
    func tcp_v6_send_reset(_ skb: inout SKBuff) {
        traced(tcp_ipv6.tcp_v6_send_reset) {
            if sendsCapturedAnswer({ tcp_v6_send_response(&$0) }) { return }
            guard let th = skb.tcp_hdr(), !th.flags.contains(.rst), let t = receivedTuple(skb) else {
                tracer.note("no reset in answer to a reset")
                return
            }
            guard !t.local6.isMulticast else { return }
            expectAnswer(.tcpReset(t), "RST", on: t)
        }
    }

    /// Sends an ACK that belongs to no full socket (a time-wait or request socket's) through the
    /// control socket (counted in `TcpOutSegs` when it is built).
    func tcp_v6_send_ack(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_ipv6.tcp_v6_send_ack) {
            if sendsCapturedAnswer({ tcp_v6_send_response(&$0) }) { return }
            expectAnswer(.tcpTimewaitAck(t), "ACK", on: t)
        }
    }

    /// Acknowledges a segment for a time-wait socket again, with the sequence numbers it remembers.
    func tcp_v6_timewait_ack(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_ipv6.tcp_v6_timewait_ack) { tcp_v6_send_ack(&skb, tuple: t) }
    }

    /// The IPv6 listener's `conn_request`: an IPv4 SYN (the listener takes IPv4 too) goes to
    /// `tcp_v4_conn_request`; a SYN to a multicast address is dropped and counted (`tcp_listendrop`),
    /// one from an IPv4-mapped source counted as a header error (`Ip6InHdrErrors`); else a request
    /// socket is created.
    func tcp_v6_conn_request(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_ipv6.tcp_v6_conn_request) {
            guard t.isIPv6 else {
                _ = tcp_v4_conn_request(&skb, tuple: t)
                return
            }
            if skb.dst?.type != .local {
                tracer.note("SYN to a multicast address: ignored")
                count("TcpExtListenDrops")
                return
            }
            if t.remote6.isV4Mapped {
                tracer.note("SYN from an IPv4-mapped address: ignored")
                count("Ip6InHdrErrors")
                return
            }
            tcp_conn_request(&skb, tuple: t)
        }
    }

    /// The IPv6 listener's `syn_recv_sock`: makes the child socket of a completed handshake. An IPv4
    /// segment's child is made by `tcp_v4_syn_recv_sock` (an IPv4-mapped socket); an IPv6 one's is
    /// routed again (`inet6_csk_route_req`, as `tcp_check_req` passes no route) and created
    /// (`tcp_create_openreq_child`, not recorded).
    func tcp_v6_syn_recv_sock(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_ipv6.tcp_v6_syn_recv_sock) {
            guard t.isIPv6 else {
                tcp_v4_syn_recv_sock(&skb, tuple: t)
                return
            }
            inet6_csk_route_req(tuple: t, dev: skb.dev)
        }
    }

    /// Processes a segment for a socket that is not handled by a request socket: the established fast
    /// path, or the state machine (an IPv4 segment never reaches it in the model: `tcp_v4_rcv` calls
    /// `tcp_v4_do_rcv` for IPv4-mapped sockets).
    func tcp_v6_do_rcv(_ skb: inout SKBuff, tuple t: FourTuple, state: TCPState) {
        traced(tcp_ipv6.tcp_v6_do_rcv) { tcpDoRcvCommon(&skb, tuple: t, state: state) }
    }

    /// Copies header fields into the skb's control block (`TCP_SKB_CB`).
    func tcp_v6_fill_cb(_ skb: inout SKBuff) {
        traced(tcp_ipv6.tcp_v6_fill_cb) {}
    }

    /// The TCP handler (`inet6_protos[IPPROTO_TCP]`): header checks, then the socket lookup (the
    /// established table, then the IPv6 listeners, `__inet6_lookup_skb`), and the segment to the socket
    /// found; a segment for no socket is answered with a reset and dropped (`NO_SOCKET`).
    func tcp_v6_rcv(_ skb: inout SKBuff) -> Inet6HandlerResult {
        traced(tcp_ipv6.tcp_v6_rcv) {
            guard tcpRcvHeaderChecks(&skb) != nil, let t = receivedTuple(skb) else { return .done }
            tcpRcvSocket(&skb, tuple: t, established: __inet6_lookup_established) { self.inet6_lookup_listener($0.localPort) }
            return .done
        }
    }

    /// Early demux: finds the established socket of a segment before routing and reuses its cached
    /// input route (`sk_rx_dst`, checked with `ip6_dst_check`).
    func tcp_v6_early_demux(_ skb: inout SKBuff) {
        traced(tcp_ipv6.tcp_v6_early_demux) {
            guard skb.pkt_type == .PACKET_HOST, let t = receivedTuple(skb) else { return }
            guard let c = __inet6_lookup_established(t) else { return }
            if c.hasRxDst, c.state != .TCP_NEW_SYN_RECV, c.state != .TCP_TIME_WAIT {
                skb.dst = DstEntry(type: .local, dev: skb.dev)
                tracer.note("early demux: socket \(c.state.rawValue) has a cached input route (sk_rx_dst)")
            }
        }
    }
}
