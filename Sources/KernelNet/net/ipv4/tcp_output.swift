// Mirrors net/ipv4/tcp_output.c (Linux 6.1): how TCP segments leave a socket.
// Not modeled: segmentation, pacing, TSO autosizing, TCP options building; the captured segment is
// taken as the one built.
import Trace
import Wire

/// Functions modeled from `net/ipv4/tcp_output.c`, in the file's order.
public enum tcp_output: String, KernelSourceFile {
    public static let path = "net/ipv4/tcp_output.c"
    case __tcp_transmit_skb, tcp_transmit_skb, tcp_mtu_to_mss, tcp_sync_mss, tcp_write_xmit, __tcp_push_pending_frames, tcp_send_fin,
        tcp_send_active_reset, tcp_send_loss_probe, tcp_rtx_synack, __tcp_retransmit_skb, tcp_retransmit_skb, tcp_xmit_retransmit_queue, tcp_connect, __tcp_send_ack,
        tcp_send_ack, tcp_fragment
}

extension Kernel {
    /// Records the receive window a segment the host sent advertised, as the capture shows it (what
    /// `tcp_select_window` chose in `__tcp_transmit_skb`): `rcv_wup` is its acknowledgment, `rcv_wnd`
    /// its window shifted by the host's scale. A SYN or SYN-ACK carries the scale and an unscaled window
    /// (RFC 7323 §2.2); without the handshake in the capture the scale, and so the window, is unknown.
    func tcpAdvertisedWindow(_ th: TCPPacket, tuple t: FourTuple) {
        let flags = th.flags
        sockets.tcp.update(t) { c in
            if flags.contains(.syn) {
                c.rcvWscale = th.windowScale ?? 0
                if flags.contains(.ack) {
                    c.rcvWnd = UInt32(th.window)
                    c.rcvWup = th.acknowledgment
                }
            } else {
                guard flags.contains(.ack) else { return }
                c.rcvWup = th.acknowledgment
                // The acknowledgment is rcv_nxt when the segment was built: the first one a capture started
                // in mid-stream shows is where the connection's receiving stands.
                if c.rcvNxt == nil { c.rcvNxt = th.acknowledgment }
                guard let scale = c.rcvWscale else { return }
                c.rcvWnd = UInt32(th.window) << UInt32(scale)
            }
        }
    }

    /// Builds the TCP header and hands the segment to IP (`icsk_af_ops->queue_xmit`: `ip_queue_xmit`
    /// or `inet6_csk_xmit`). `TcpOutSegs`
    /// counts new segments and empty ones, not `retransmission`s of data sent before.
    func __tcp_transmit_skb(_ skb: inout SKBuff, retransmission: Bool = false) {
        traced(tcp_output.__tcp_transmit_skb) {
            if !retransmission { count("TcpOutSegs") }
            tcpQueueXmit(&skb)
        }
    }

    /// Clones a queued segment and transmits it.
    func tcp_transmit_skb(_ skb: inout SKBuff, retransmission: Bool = false) {
        traced(tcp_output.tcp_transmit_skb) { __tcp_transmit_skb(&skb, retransmission: retransmission) }
    }

    /// Sends what the window allows from the write queue. Each skb sent for the first time is new
    /// data (`tcp_event_new_data_sent`, static in tcp_output.c and counted here:
    /// `TcpExtTCPOrigDataSent` by the skb's segments, a FIN's included).
    func tcp_write_xmit(_ skb: inout SKBuff) {
        traced(tcp_output.tcp_write_xmit) {
            tcp_transmit_skb(&skb)
            count("TcpExtTCPOrigDataSent")
        }
    }

    /// Pushes pending segments (after a write or a FIN is queued).
    func __tcp_push_pending_frames(_ skb: inout SKBuff) {
        traced(tcp_output.__tcp_push_pending_frames) { tcp_write_xmit(&skb) }
    }

    /// Queues a FIN on close or shutdown and pushes it.
    func tcp_send_fin(_ skb: inout SKBuff) {
        traced(tcp_output.tcp_send_fin) { __tcp_push_pending_frames(&skb) }
    }

    /// The MSS a path MTU allows: the MTU less the network and TCP headers and the options every segment
    /// carries, within what the peer announced (the model does not keep the MSS, only the MTU it follows).
    func tcp_mtu_to_mss() {
        traced(tcp_output.tcp_mtu_to_mss) {}
    }

    /// Sizes a connection's segments for the path MTU `pmtu` (`mss_cache`, `icsk_pmtu_cookie`).
    func tcp_sync_mss(tuple t: FourTuple, pmtu: Int) {
        traced(tcp_output.tcp_sync_mss) {
            tcp_mtu_to_mss()
            sockets.tcp[t]?.pmtuCookie = pmtu
            tracer.note("segments of \(t) sized for path MTU \(pmtu)")
        }
    }

    /// Sends again the segments marked lost, each through `tcp_retransmit_skb`: the frame traced is one of
    /// them. In `TCP_CA_Loss` (after the retransmission timer, or `tcp_simple_retransmit`'s
    /// `tcp_non_congestion_loss_retransmit`, inline in 4.14) each counts as a slow-start retransmission
    /// (`TcpExtTCPSlowStartRetrans`), in fast recovery as a fast retransmission (`TcpExtTCPFastRetrans`).
    func tcp_xmit_retransmit_queue(_ skb: inout SKBuff, mib: StaticString) {
        traced(tcp_output.tcp_xmit_retransmit_queue) {
            tcp_retransmit_skb(&skb)
            count(mib)
        }
    }

    /// Sends a RST from a full socket (abort, or close with unread data).
    func tcp_send_active_reset(_ skb: inout SKBuff) {
        traced(tcp_output.tcp_send_active_reset) { tcp_transmit_skb(&skb) }
    }

    /// The loss-probe timer fired (`tcp_write_timer_handler`): with no new data to send, the last segment
    /// in flight leaves again as a tail loss probe (RFC 8985 §7), counted in `TcpExtTCPLossProbes`;
    /// `tlp_high_seq` remembers `snd_nxt` until an acknowledgment settles the probe.
    func tcp_send_loss_probe(_ skb: inout SKBuff, tuple t: FourTuple) {
        traced(tcp_output.tcp_send_loss_probe) {
            __tcp_retransmit_skb(&skb)
            let sndNxt = sockets.tcp[t]?.sndNxt
            sockets.tcp[t]?.tlpHighSeq = sndNxt
            count("TcpExtTCPLossProbes")
        }
    }

    /// Sends a request socket's SYN-ACK again (`af_ops->send_synack`), counted in `TcpRetransSegs` and
    /// `TcpExtTCPSynRetrans` once it left.
    func tcp_rtx_synack(tuple t: FourTuple) {
        traced(tcp_output.tcp_rtx_synack) {
            tcpSendSynack(tuple: t)
            count("TcpRetransSegs")
            count("TcpExtTCPSynRetrans")
        }
    }

    /// Retransmits a segment, counted in `TcpRetransSegs`; a SYN's retransmission also counts
    /// `TcpExtTCPSynRetrans`.
    func __tcp_retransmit_skb(_ skb: inout SKBuff) {
        traced(tcp_output.__tcp_retransmit_skb) {
            if skb.tcp_hdr()?.flags.contains(.syn) == true { count("TcpExtTCPSynRetrans") }
            count("TcpRetransSegs")
            tcp_transmit_skb(&skb, retransmission: true)
        }
    }

    /// Retransmits a segment (its count is `__tcp_retransmit_skb`'s).
    func tcp_retransmit_skb(_ skb: inout SKBuff) {
        traced(tcp_output.tcp_retransmit_skb) { __tcp_retransmit_skb(&skb) }
    }

    /// Sends the SYN of an active open.
    func tcp_connect(_ skb: inout SKBuff) {
        traced(tcp_output.tcp_connect) {
            count("TcpActiveOpens")
            tcp_transmit_skb(&skb)
        }
    }

    /// Sends a pure ACK.
    func __tcp_send_ack(_ skb: inout SKBuff) {
        traced(tcp_output.__tcp_send_ack) { __tcp_transmit_skb(&skb) }
    }

    /// Sends a pure ACK now (immediate, or from the delayed-ACK timer).
    func tcp_send_ack(_ skb: inout SKBuff) {
        traced(tcp_output.tcp_send_ack) { __tcp_send_ack(&skb) }
    }
}
