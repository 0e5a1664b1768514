// Models the socket state the receive path looks up (include/net/sock.h, include/net/tcp_states.h,
// include/net/inet_hashtables.h, Linux 6.1), reduced to what decides a packet's path.
import Wire

/// Models the `TCP_*` connection states (include/net/tcp_states.h).
public enum TCPState: String, Sendable {
    case TCP_ESTABLISHED, TCP_SYN_SENT, TCP_SYN_RECV, TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_TIME_WAIT, TCP_CLOSE,
        TCP_CLOSE_WAIT, TCP_LAST_ACK, TCP_LISTEN, TCP_CLOSING, TCP_NEW_SYN_RECV
}

/// A TCP sender's congestion state (`icsk_ca_state`, include/net/tcp.h `tcp_ca_state`), as far as the
/// retransmissions a capture shows tell it: `TCP_CA_Disorder` and `TCP_CA_CWR` change no counter the
/// model keeps and are taken as open.
public enum TCPCAState: String, Sendable {
    /// No loss being repaired.
    case TCP_CA_Open
    /// Fast recovery (`tcp_enter_recovery`): segments the peer's SACKs showed lost are sent again.
    case TCP_CA_Recovery
    /// Recovery after the retransmission timer expired (`tcp_enter_loss`).
    case TCP_CA_Loss
}

/// A socket the host starts with (from a host profile or inferred from the capture).
public struct SocketConfig: Sendable, Equatable {
    public enum Proto: String, Sendable { case tcp, udp }
    public var proto: Proto
    public var address: IPv4Address
    public var port: UInt16
    /// For TCP: `TCP_LISTEN` or a connection state (then `remote`/`remotePort` are set).
    public var state: TCPState?
    public var remote: IPv4Address?
    public var remotePort: UInt16?
    /// Multicast groups a UDP socket joined.
    public var groups: [IPv4Address]
    /// IPv6 multicast groups an IPv6 UDP socket joined (`IPV6_JOIN_GROUP`, `ipv6_sock_mc_join`): each
    /// joins the device too (`__ipv6_dev_mc_inc`), so packets to it pass `ip6_mc_input`.
    public var groups6: [IPv6Address] = []
    /// Whether the socket takes IPv6 too (`sk_family == AF_INET6`: bound to `::`, `ipv6only` off).
    public var ipv6 = false
    /// Whether the IPv6 socket takes IPv6 only (`IPV6_V6ONLY`, set at bind by `net.ipv6.bindv6only` 1):
    /// IPv4's listener lookup passes it by (`compute_score` refuses `ipv6_only_sock`).
    public var ipv6Only = false
    /// An IPv6 connection's local and remote addresses (then `address` and `remote` are unused).
    public var address6: IPv6Address?
    public var remote6: IPv6Address?
    /// Whether the socket's multicast comes back to the host's own listeners (`IP_MULTICAST_LOOP`,
    /// `IPV6_MULTICAST_LOOP` for a socket on `::`; on by default: `inet_create`, `inet6_create`).
    public var multicastLoop = true

    public init(proto: Proto, address: IPv4Address, port: UInt16, state: TCPState? = nil,
                remote: IPv4Address? = nil, remotePort: UInt16? = nil, groups: [IPv4Address] = []) {
        self.proto = proto
        self.address = address
        self.port = port
        self.state = state
        self.remote = remote
        self.remotePort = remotePort
        self.groups = groups
    }
}

/// A TCP connection the host holds (full socket, request socket or time-wait socket).
public struct TCPConnection: Sendable {
    public var state: TCPState
    /// Whether the socket has a cached input route (`sk->sk_rx_dst`), set once it received on the
    /// established path; early demux then skips the route lookup.
    public var hasRxDst = false
    /// Whether the socket has a cached output route (`sk_dst_cache`).
    public var hasDst = true
    /// The highest sequence number the host has sent (end of data), to tell retransmissions.
    public var sndNxt: UInt32?
    /// `snd_una`: the oldest sequence number the peer has not acknowledged, once the capture showed the
    /// host's first segment and the acknowledgments since.
    public var sndUna: UInt32?
    /// The highest sequence number received from the peer (end of data).
    public var rcvNxt: UInt32?
    /// `rcv_wup`: the acknowledgment the host last advertised its window with.
    public var rcvWup: UInt32?
    /// `rcv_wnd`: the receive window the host last advertised, in bytes (its window field scaled).
    public var rcvWnd: UInt32?
    /// The host's receive window scale (`rcv_wscale`): the shift in its SYN or SYN-ACK when both ends
    /// offered the option, else 0; `nil` when the capture did not show the handshake.
    public var rcvWscale: UInt8?
    /// When the host last answered a segment outside the window (`last_oow_ack_time`), capture clock.
    public var lastOowAck: Int64?
    /// Header prediction (`pred_flags`): which in-order segments take `tcp_rcv_established`'s fast path.
    public var prediction: HeaderPrediction = .unknown
    /// Whether both ends agreed on timestamps (`tstamp_ok`), which makes every header 32 bytes
    /// (`tcp_header_len`); `nil` when the capture did not show the handshake.
    public var tstampOK: Bool?
    /// Whether both ends agreed on SACK (`rx_opt.sack_ok`, `tcp_is_sack`): the peer's SYN or SYN-ACK
    /// offered it and the host's `net.ipv4.tcp_sack` is on; `nil` when the capture did not show the
    /// handshake.
    public var sackOK: Bool?
    /// The peer's window scale (`snd_wscale`): its shift when both ends offered the option, else 0.
    public var sndWscale: UInt8 = 0
    /// `snd_wnd`: the peer's window in bytes, and `snd_wl1`: the sequence number of the segment that
    /// last updated it.
    public var sndWnd: UInt32?
    public var sndWl1: UInt32?
    /// Retransmissions by the timer since `snd_una` last advanced (`icsk_retransmits`).
    public var icskRetransmits = 0
    /// The path MTU the connection last sized its segments for (`icsk_pmtu_cookie`, set by `tcp_sync_mss`);
    /// nil: its route's MTU.
    public var pmtuCookie: Int?
    /// The frame whose packet too big made the connection mark segments lost (`tcp_simple_retransmit`):
    /// its retransmissions leave from `tcp_xmit_retransmit_queue` until it sends new data.
    public var lostBy: Int?
    /// When the last data (or FIN) went to the receive queue: the application is taken to have read it
    /// once ``Kernel/readLatency`` has passed (its reads are not in a capture).
    public var lastQueued: Int64?
    /// Whether a request socket's SYN-ACK was seen leaving: another one unanswered is its timer's.
    public var synackSent = false
    /// The sequence number of the host's SYN or SYN-ACK (`snt_isn` of a request socket; `snd_una` while
    /// `SYN_SENT`), once the capture showed it leave.
    public var sntISN: UInt32?
    /// `tlp_high_seq`: `snd_nxt` when the host sent a tail loss probe, until an acknowledgment settles it
    /// (`tcp_process_tlp_ack`); nil when no probe is outstanding.
    public var tlpHighSeq: UInt32?
    /// The congestion state (`icsk_ca_state`), and `high_seq`: `snd_nxt` when recovery or loss began, which
    /// an acknowledgment must reach to end it.
    public var caState = TCPCAState.TCP_CA_Open
    public var highSeq: UInt32?
    /// `undo_marker`: `snd_una` when the current recovery or loss began (`tcp_init_undo`), until it is
    /// undone; a D-SACK below `snd_una` counts only above it (`tcp_is_sackblock_valid`).
    public var undoMarker: UInt32?
    /// The frame of the peer's ACK that reported, in SACK blocks, data above `snd_una` while a hole was left
    /// below it; nil once an ACK reports no such block. What makes a retransmission a fast one.
    public var sackedBy: Int?
    /// `retrans_stamp` as the capture shows it: the timestamp (TSval) the first retransmission of the
    /// current recovery or loss carried; an ACK echoing an older one proves the original arrived.
    public var retransStamp: UInt32?
    /// The end of the highest segment sent again since recovery or loss began: a retransmission starting
    /// below it sends a retransmission again, which the kernel found lost (`TcpExtTCPLostRetransmit`).
    public var retransHigh: UInt32?
    /// RACK (RFC 8985) as far as cumulative ACKs tell it: the end of the oldest segment sent again that
    /// is not acknowledged yet, and `snd_nxt` when it left; once an ACK covers that end, segments below
    /// that `snd_nxt` were sent before a segment delivered, and one of them sent again is one RACK found
    /// lost (`rackLostBelow`).
    public var oldestResent: (end: UInt32, sndNxt: UInt32)?
    public var rackLostBelow: UInt32?
    /// Whether an ACK advanced `snd_una` in `TCP_CA_Loss` since the last retransmission: the next one then
    /// leaves on that ACK (`tcp_xmit_retransmit_queue`), else the timer expired again.
    public var ackedInLoss = false
    /// The largest data segment the host sent (`mss_cache`), to count the segments a D-SACK reports.
    public var mssCache = 0
    /// When the table took this connection, counted in connections taken (``SocketTable``'s eviction
    /// order): an entry of the order for an earlier connection on the same four-tuple is stale.
    var opened = 0
    /// The most unacknowledged segments kept per connection (``SocketTable/unacked``).
    public static let unackedLimit = 64
}

/// Header prediction (`tp->pred_flags`, include/net/tcp.h `__tcp_fast_path_on`): the header an
/// in-order segment must carry, bit for bit, for `tcp_rcv_established` to take its fast path.
public enum HeaderPrediction: Sendable, Equatable {
    /// Not known: the capture joined the connection after its handshake. The first in-order segment
    /// with ACK alone is taken as predicted, and what it carries becomes the prediction.
    case unknown
    /// Off (`pred_flags` 0): every segment takes the slow path until `tcp_fast_path_check` turns it on.
    case off
    /// On: the data offset (`tcp_header_len`), ACK alone among the flags (PSH is ignored) and the window
    /// field (`snd_wnd >> snd_wscale`).
    case on(headerLength: Int, window: UInt16)
}

/// The host's sockets as the receive path looks them up.
public struct SocketTable: Sendable {
    /// TCP listeners by port; the address is `0.0.0.0` for a wildcard bind.
    public var tcpListeners: [UInt16: IPv4Address] = [:]
    /// TCP connections by four-tuple (local first).
    public var tcp = HashTable<FourTuple, TCPConnection>()
    /// For each connection, the end sequence numbers of the segments the host sent and the peer has
    /// not acknowledged yet, oldest first (its SYN, new data and FIN: the retransmission queue,
    /// `tcp_rtx_queue`, one entry per segment); at most ``TCPConnection/unackedLimit`` kept, the
    /// oldest forgotten. Kept beside the connection, not in it, so that a connection is a plain value
    /// that is read and copied without reference counting (several times a frame).
    public var unacked = HashTable<FourTuple, [UInt32]>()
    /// For each connection that sent data, its retransmission queue as SACK processing walks it (skbs as the
    /// host built them, with their SACK tags). Kept beside the connection for the same reason.
    public var sackScoreboards = HashTable<FourTuple, TCPSackScoreboard>()
    /// Bound UDP sockets by port.
    public var udp: [UInt16: SocketConfig] = [:]
    /// The ports of TCP listeners that take IPv6 (bound to `::`).
    public var tcpListeners6: Set<UInt16> = []
    /// The most TCP connections tracked; beyond it the oldest is forgotten (a memory bound of the model).
    public static let connectionLimit = 65_536
    /// Four-tuples in the order they were added, with the count of connections taken before each
    /// (``TCPConnection/opened``), for evicting the oldest.
    private(set) var order: [(tuple: FourTuple, opened: Int)] = []
    private(set) var orderStart = 0
    /// Connections taken so far.
    private var opened = 0
    /// Request sockets (`TCP_NEW_SYN_RECV`) held now.
    public private(set) var requestSockets = 0

    public init(_ configs: [SocketConfig]) {
        for c in configs {
            switch c.proto {
            case .udp: udp[c.port] = c
            case .tcp:
                if let local6 = c.address6, let remote6 = c.remote6, let rport = c.remotePort, let state = c.state,
                   state != .TCP_LISTEN {
                    tcp[FourTuple(local6: local6, localPort: c.port, remote6: remote6, remotePort: rport)] = TCPConnection(state: state)
                } else if let remote = c.remote, let rport = c.remotePort, let state = c.state, state != .TCP_LISTEN {
                    tcp[FourTuple(local: c.address, localPort: c.port, remote: remote, remotePort: rport)] =
                        TCPConnection(state: state)
                } else {
                    if !c.ipv6Only { tcpListeners[c.port] = c.address }
                    if c.ipv6 { tcpListeners6.insert(c.port) }
                }
            }
        }
    }

    /// The listener for `address:port`, if one is bound there or to the wildcard.
    public func listener(_ address: IPv4Address, _ port: UInt16) -> IPv4Address? {
        guard let bound = tcpListeners[port], bound == .any || bound == address else { return nil }
        return bound
    }

    /// Inserts or replaces a connection, keeping the table within its bound (oldest first out).
    public mutating func setConnection(_ t: FourTuple, _ c: TCPConnection) {
        let old = tcp[t]
        var c = c
        if let old {
            c.opened = old.opened
        } else {
            while tcp.count >= Self.connectionLimit, orderStart < order.count {
                let victim = order[orderStart]
                orderStart += 1
                guard tcp[victim.tuple]?.opened == victim.opened else { continue }  // gone, or opened again since
                unacked.removeValue(forKey: victim.tuple)
                sackScoreboards.removeValue(forKey: victim.tuple)
                if let gone = tcp.removeValue(forKey: victim.tuple), gone.state == .TCP_NEW_SYN_RECV { requestSockets -= 1 }
            }
            if orderStart > 4096, orderStart * 2 > order.count {
                order.removeFirst(orderStart)
                orderStart = 0
            }
            if order.count - orderStart >= 2 * tcp.count + 4096 { compactOrder() }
            opened += 1
            c.opened = opened
            order.append((t, opened))
        }
        if old?.state == .TCP_NEW_SYN_RECV { requestSockets -= 1 }
        if c.state == .TCP_NEW_SYN_RECV { requestSockets += 1 }
        tcp[t] = c
        unacked.removeValue(forKey: t)
        sackScoreboards.removeValue(forKey: t)
    }

    /// Keeps in ``order`` only the connections still in the table: a connection that ends (a reset,
    /// TIME_WAIT's timer) leaves its entry behind, so without this the list would grow with every
    /// connection the capture ever opened.
    private mutating func compactOrder() {
        order = order[orderStart...].filter { tcp[$0.tuple]?.opened == $0.opened }
        orderStart = 0
    }

    /// Removes a connection.
    public mutating func removeConnection(_ t: FourTuple) {
        unacked.removeValue(forKey: t)
        sackScoreboards.removeValue(forKey: t)
        if tcp.removeValue(forKey: t)?.state == .TCP_NEW_SYN_RECV { requestSockets -= 1 }
    }
}
