import Trace
import Wire

/// The modeled host: its devices, addresses, routes, neighbours, sockets and sysctls, plus the clock
/// and the recorder its functions write their path into.
///
/// One `Kernel` replays one capture. It is single-threaded and not `Sendable` by design (like NIO's
/// `EmbeddedEventLoop`): frames are fed in capture order, and its clock is the capture's timestamps,
/// so every run is deterministic.
public final class Kernel {
    /// The kernel version being modeled.
    public let profile: KernelProfile
    /// Where modeled functions record themselves.
    public let tracer = Tracer()
    /// Trace symbols and the profile's flags for the modeled functions.
    @usableFromInline let symbols: SymbolResolver
    /// The host's interfaces, in ifindex order.
    public let devices: [NetDevice]
    /// Extra routes from the host profile (connected routes come from interface addresses).
    public let routes: [RouteConfig]
    /// The IPv4 FIB, built from ``devices`` and ``routes``.
    let fib: FIBTable
    /// IPv6 routes from the host profile (connected routes come from interface addresses).
    public var routes6: [RouteConfig6] = []
    /// `net.*` sysctls the model reads, by name.
    public let sysctl: Sysctl
    /// The per-device sysctls of each device of ``devices``, by ifindex: see ``devconf(_:)``.
    private let deviceConfs: [(dev: ObjectIdentifier, conf: DeviceConf)?]
    /// The capture clock: nanoseconds since the Unix epoch of the frame being processed.
    public internal(set) var now: Int64 = 0
    /// The neighbour table (`arp_tbl`), by IPv4 address.
    public internal(set) var neighbours = HashTable<IPv4Address, Neighbour>()
    /// The IPv6 neighbour table (`nd_tbl`), by IPv6 address: the entries neighbour discovery made
    /// during the replay.
    public internal(set) var neighbours6 = HashTable<IPv6Address, Neighbour>()
    /// Sockets: listeners, connections and bound UDP ports.
    public internal(set) var sockets: SocketTable
    /// SNMP counters, by `nstat` name.
    public var counters: [String: Int] { snmp.byName }
    /// Whether ``counterSites`` is kept (the teaching commands' tour of the model; off for replays).
    public var recordsCounterSites = false
    /// The SNMP counters each modeled function moved while ``recordsCounterSites`` was on, by function.
    public private(set) var counterSites: [String: Set<String>] = [:]
    private let snmp = SNMPCounters()
    /// Per-device counters (`ip -s link`), by ifindex: see ``dev_get_stats(_:)``.
    var linkStats = HashTable<Int, rtnl_link_stats64>()
    /// The firewall's rules (filter tables of the `inet`, `ip` and `ip6` families), in order.
    public let netfilterRules: [NetfilterRule]
    /// Routes cached on next hops (input and output).
    var routeCache: Set<RouteCacheKey> = []
    /// IPv4 reassembly queues and the memory they hold (`net->ipv4.fqdir`).
    var ip4Frags = FragmentDir<FragmentKey>()
    /// IPv6 reassembly queues and the memory they hold (`net->ipv6.fqdir`).
    var ip6Frags = FragmentDir<Frag6Key>()
    /// Path MTUs learned from ICMPv6 packets too big (net/ipv6/route.c's exceptions).
    var rt6Exceptions = RT6Exceptions()
    /// What router advertisements left on each IPv6 device (`inet6_dev`'s RA flags and `ra_mtu`), by name.
    var raState: [String: RAState] = [:]
    /// The first hops redirects set (net/ipv6/route.c's redirect clones).
    var rt6Redirects = RT6Redirects()
    /// The devices the replay saw send a router solicitation (the first comes from DAD's completion, the
    /// others from the solicitation timer).
    var routerSolicitationsSent: Set<String> = []
    /// MLD's state of each IPv6 device, by name: queries and reports waiting for the worker, the
    /// querier's timers, the reports due.
    var mld: [String: MLDDevice] = [:]
    /// When the DAD of each address whose probe the capture showed ends, if no one claims it first.
    var dadEnds: [IPv6Address: Int64] = [:]
    /// No MLD work item is due before this time (capture clock).
    var mldWorkHorizon = Int64.max
    /// The time-wait timer of each connection in TIME_WAIT.
    var timeWaitTimers = TimeWaitTimers()
    /// Long-lived state per remote address (`inet_peer`): fragment ids and ICMP rate limits.
    var peers: [InetPeerKey: InetPeer] = [:]
    /// The namespace's global ICMP rate limit.
    var icmpGlobal = ICMPGlobalLimit()
    /// The timer callback running, and the frame that armed it, while one runs.
    var runningTimer: (function: String, armedBy: Int?)?
    /// Timer callbacks that ran before the frame being processed.
    var timerRuns: [TimerRun] = []
    /// The captured frame being transmitted, carried down the output path by the origin functions.
    var transmitSKB: SKBuff?
    /// What the capture says about the packet being transmitted.
    var transmitContext = TransmitContext()
    /// Packets the host looped back to itself (`dev_loopback_xmit`) while processing the current
    /// frame, waiting on this CPU's backlog: `process_backlog` takes them after the frame.
    var backlog: [SKBuff] = []

    /// What became of the frame being processed.
    var outcome = FrameOutcome()
    /// Packets one received frame put on the NAPI receive list after the first (the MPDUs a Wi-Fi
    /// device split an A-MSDU into): the receive list hands each to the stack after it.
    public var rxListMore: [SKBuff] = []
    /// Packets a driver held and released while processing one received frame (frames of an A-MPDU
    /// reorder buffer), on the NAPI receive list after the frame's own: each goes to the stack with an
    /// outcome of its own, which does not become the frame's.
    public var rxListReleased: [SKBuff] = []
    /// Timers drivers keep (the iwlwifi reorder buffer's), run with the kernel's own.
    public var driverTimers: [any DriverTimers] = []

    /// Runs `body`, work on a packet other than the frame being processed (one a driver held), without
    /// letting it decide the frame's outcome.
    public func keepingOutcome<R>(_ body: () -> R) -> R {
        let kept = outcome
        defer { outcome = kept }
        return body()
    }

    /// Records that the frame reached its consumer (`proto` names it) outside the modeled stack, e.g. a
    /// Wi-Fi supplicant over nl80211.
    public func delivered(to proto: String) { outcome.set(.deliver, proto: proto) }
    /// Records that the frame is held for reassembly outside the modeled IP stack (an 802.11 fragment).
    public func heldForReassembly() { outcome.set(.queue) }
    /// Records that a driver holds the frame for later (an A-MPDU reorder buffer).
    public func heldByDriver() { outcome.set(.queue) }
    /// Records that the frame completed a reassembly outside the modeled IP stack (the last 802.11 fragment).
    public func completedReassembly() { outcome.reassembled = true }
    /// Transmissions the model made while processing earlier frames, waiting to be matched with the
    /// frames the capture shows leaving the host.
    var expected = ExpectedTransmits(limit: Kernel.expectedLimit)
    /// For each packet the model sent that no frame of the capture has matched yet, the frame whose
    /// processing sent it (`pktpath verify` counts them with the frame).
    public var unmatchedTransmitFrames: [Int] { expected.waitingFrames }
    /// How well the capture's transmissions agree with what the model sent.
    public internal(set) var agreement = Agreement()
    /// Set while the timers pending at the capture's end run.
    var afterCapture = false
    /// The identifiers of the ping sockets the host sent echo requests from.
    var pingSockets: Set<UInt16> = []
    /// The raw ICMP (IPv4) and ICMPv6 sockets of the pings the host ran where ping sockets are not
    /// permitted (iputils ping), oldest first: each takes a clone of every ICMP message its filter
    /// passes while it is open (``RawPingSocket``).
    var rawPingSockets: [RawPingSocket] = []
    var raw6PingSockets: [RawPingSocket] = []
    /// The capture frame being processed.
    var currentFrame = 0
    /// The capture frame being processed, for drivers that note which frame armed their work.
    public var currentFrameNumber: Int { currentFrame }
    /// Forwarded datagrams the host split for a smaller egress MTU, oldest first (bounded): their
    /// later fragments leave through `ip_do_fragment`'s loop.
    var forwardedSplits: [FragmentKey] = []
    /// Datagrams the host split, oldest first (bounded), with the frame whose processing sent them:
    /// their later fragments leave in the same `ip_do_fragment` loop, for the same cause.
    var splitCauses: [(key: FragmentKey, frame: Int)] = []
    /// The TCP data segment the previous frame showed the host sending, which the next frame may
    /// continue as a segment of the same GSO skb (``SentSegment``).
    var lastSentSegment: SentSegment?
    /// Recent packets received on a VLAN device's real device or a bridge port, or sent on a VLAN
    /// device or a bridge, newest last (bounded): a capture of several interfaces sees each again on
    /// the other device.
    var vlanSightings: [VLANSighting] = []
    /// The host started with an empty neighbour table (the what-if `neigh=cold`): a next hop without
    /// an entry is resolved with ARP when a packet leaves for it, instead of being assumed resolved
    /// before the capture began.
    public var coldNeighbours = false
    /// The loadable modules of the host's networking that the model follows when loaded (`bridge`,
    /// `8021q`, `stp`, `llc`): they register protocol handlers that change where frames go.
    public var modules: Set<String> = []
    private var nextSkbID = 1

    /// The most transmissions kept waiting for a match; older ones are forgotten.
    static let expectedLimit = 256

    public init(profile: KernelProfile, devices: [NetDevice], routes: [RouteConfig] = [],
                neighbours: [NeighbourConfig] = [], neighbours6: [IPv6NeighbourConfig] = [], sockets: [SocketConfig] = [],
                sysctl: [String: Int] = [:],
                sysctlText: [String: String] = [:], netfilterRules: [NetfilterRule] = []) {
        self.profile = profile
        self.symbols = SymbolResolver(profile: profile)
        self.netfilterRules = netfilterRules
        self.devices = devices
        self.routes = routes
        self.fib = FIBTable(devices: devices, routes: routes)
        self.sysctl = Sysctl(values: sysctl, text: sysctlText)
        var confs = [(dev: ObjectIdentifier, conf: DeviceConf)?](repeating: nil, count: (devices.map(\.ifindex).max() ?? 0) + 1)
        for dev in devices where dev.ifindex >= 0 && confs[dev.ifindex] == nil {
            confs[dev.ifindex] = (ObjectIdentifier(dev), DeviceConf(self.sysctl, dev: dev.name))
        }
        self.deviceConfs = confs
        self.sockets = SocketTable(sockets)
        for n in neighbours {
            self.neighbours[n.ip] = Neighbour(ha: n.mac, state: n.state, hh_cached: false)
        }
        for n in neighbours6 {
            self.neighbours6[n.ip] = Neighbour(ha: n.mac, state: n.state, hh_cached: false)
        }
    }

    /// Whether this kernel's version has `fn` on its paths (`KernelProfile.has`, answered from the
    /// per-function table instead of the profile's name set).
    @inlinable @inline(__always)
    public func has<F: KernelSourceFile>(_ fn: F) -> Bool { symbols.entry(fn) & SymbolResolver.absentFlag == 0 }

    /// Records `fn` around `body`: the call, its depth, and whether the profile inlines it (`inline`
    /// overrides the profile at call sites where the compiler decided otherwise). A function the
    /// profile lacks is not recorded: `body` runs as part of its caller, as it does in that version.
    @inlinable @inline(__always)
    public func traced<F: KernelSourceFile, R>(_ fn: F, inline: Bool? = nil, _ body: () -> R) -> R {
        let entry = symbols.entry(fn)
        if entry & SymbolResolver.absentFlag != 0 { return body() }
        tracer.enter(KernelSymbol(id: UInt32(truncatingIfNeeded: entry >> 32)),
                     inline: inline ?? (entry & SymbolResolver.inlineFlag != 0))
        defer { tracer.leave() }
        return body()
    }

    /// ``traced(_:inline:_:)`` for a body that works on `skb`, handed to it as a parameter of its own
    /// instead of captured: a captured `inout` variable may be reached from elsewhere, so each read
    /// of the whole skb in the body (passing it to a function) copies it first; a parameter is the
    /// body's alone and is lent as it is.
    @inlinable @inline(__always)
    public func traced<F: KernelSourceFile, R>(_ fn: F, inline: Bool? = nil, _ skb: inout SKBuff,
                                              _ body: (inout SKBuff) -> R) -> R {
        traced(fn, inline: inline) { body(&skb) }
    }

    /// The per-device sysctls of `dev` (`in_dev->cnf`, `inet6_dev->cnf`), resolved once per device
    /// instead of by name on every packet; a device the kernel was not made with is resolved now.
    @inline(__always)
    func devconf(_ dev: NetDevice) -> DeviceConf {
        let i = dev.ifindex
        if i >= 0, i < deviceConfs.count, let entry = deviceConfs[i], entry.dev == ObjectIdentifier(dev) { return entry.conf }
        return DeviceConf(sysctl, dev: dev.name)
    }

    /// A fresh skb for a frame of the capture.
    public func alloc_skb(frame: Int, bytes: [UInt8], wireLength: Int, dev: NetDevice) -> SKBuff {
        defer { nextSkbID += 1 }
        return SKBuff(id: nextSkbID, frame: frame, bytes: bytes, wireLength: wireLength, dev: dev)
    }

    /// Adds to an SNMP counter.
    @inline(__always)
    func count(_ name: StaticString, _ n: Int = 1) {
        snmp.add(name, n)
        if recordsCounterSites { noteCounterSite(name.description) }
    }

    /// Adds to an SNMP counter whose name is made at run time (an ICMP message type the MIB tables do
    /// not name): kept by its text, the slow way.
    func count(named name: String, _ n: Int = 1) {
        snmp.addNamed(name, n)
        if recordsCounterSites { noteCounterSite(name) }
    }

    /// Remembers that the function running now moved counter `name`.
    @inline(never)
    private func noteCounterSite(_ name: String) {
        guard let function = tracer.current?.function else { return }
        counterSites[function, default: []].insert(name)
    }

    /// The device that owns `address`, if it is one of the host's.
    public func localDevice(for address: IPv4Address) -> NetDevice? { fib.local[address] }

    /// Whether `address` is one of the host's addresses.
    public func isLocal(_ address: IPv4Address) -> Bool { localDevice(for: address) != nil }
}

/// A TCP data segment the host sent, and the GSO skb it belongs to as far as the capture shows it.
struct SentSegment {
    var tuple: FourTuple
    /// The frame that showed it.
    var frame: Int
    /// The first frame of its skb.
    var firstFrame: Int
    /// The sequence number after it.
    var end: UInt32
    /// The payload of a full segment of the skb (`gso_size`, the MSS).
    var size: Int
    /// The skb's payload so far.
    var total: Int
    var timestamp: UInt32?
    /// Whether it carried PSH, which only the last segment of a GSO skb carries.
    var push: Bool
    /// Whether its skb is a retransmission (sent again after a packet too big shrank the MSS, or found lost).
    var retransmission = false
    /// For a retransmission found lost, when it left: only a segment that leaves right after it, within
    /// ``Kernel/gsoBurst``, continues its skb (retransmissions in recovery are paced one skb at a time).
    var leftAt: Int64?
}

/// SNMP counters by `nstat` name, as the kernel keeps them in per-protocol MIB arrays: the model
/// names a counter by a string literal, and the counter is found by the literal's address, never by
/// hashing its text; names are read when the counters are.
final class SNMPCounters {
    private static let capacity = 256
    /// The address of each counter's name (0 for a free slot), its name and its value.
    private let keys: UnsafeMutablePointer<UInt>
    private let names: UnsafeMutablePointer<StaticString>
    private let values: UnsafeMutablePointer<Int>
    private var used = 0
    /// Counters beyond the table's capacity, by name.
    private var overflow: [String: Int] = [:]

    init() {
        keys = .allocate(capacity: Self.capacity)
        keys.initialize(repeating: 0, count: Self.capacity)
        names = .allocate(capacity: Self.capacity)
        names.initialize(repeating: "", count: Self.capacity)
        values = .allocate(capacity: Self.capacity)
        values.initialize(repeating: 0, count: Self.capacity)
    }

    deinit {
        keys.deallocate()
        names.deallocate()
        values.deallocate()
    }

    /// Adds `n` to the counter `name` (which then exists, even when `n` is 0).
    @inline(__always)
    func add(_ name: StaticString, _ n: Int) {
        guard name.hasPointerRepresentation else { return addSlowly(name, n) }
        let key = UInt(bitPattern: name.utf8Start)
        var i = Int(truncatingIfNeeded: (key >> 3) &* 0x9E37_79B9) & (Self.capacity - 1)
        while true {
            let k = keys[i]
            if k == key {
                values[i] += n
                return
            }
            if k == 0 { return addSlowly(name, n, slot: i) }
            i = (i + 1) & (Self.capacity - 1)
        }
    }

    @inline(never)
    private func addSlowly(_ name: StaticString, _ n: Int, slot: Int? = nil) {
        if let slot, used < Self.capacity * 3 / 4 {
            keys[slot] = UInt(bitPattern: name.utf8Start)
            names[slot] = name
            values[slot] = n
            used += 1
        } else {
            overflow[name.description, default: 0] += n
        }
    }

    /// Adds `n` to a counter known only by its text (kept with the overflow).
    func addNamed(_ name: String, _ n: Int) { overflow[name, default: 0] += n }

    /// Every counter by name (one name written from several places is one counter).
    var byName: [String: Int] {
        var out = overflow
        for i in 0..<Self.capacity where keys[i] != 0 { out[names[i].description, default: 0] += values[i] }
        return out
    }
}

/// What the model concluded about one frame.
struct FrameOutcome {
    var verdict: Verdict = .unknown
    var proto: String?
    var dropReason: String?
    var dropFunction: String?
    var reassembled = false
    var causedBy: Int?
    var causedByTimer: String?

    /// Sets the verdict unless a drop already decided it.
    mutating func set(_ v: Verdict, proto p: String? = nil) {
        guard verdict != .drop else { return }
        verdict = v
        if let p { proto = p }
    }

    /// Records that the frame was dropped by `function` for `reason` (none before 5.17).
    mutating func drop(reason: String?, by function: KernelSymbol?) {
        verdict = .drop
        dropReason = reason
        dropFunction = function?.function
    }
}

/// A packet the model sent while processing frame `frame`, waiting for the capture to show it.
struct ExpectedTransmit {
    var kind: TransmitKind
    var frame: Int
    /// The timer callback that made it, if a timer did.
    var timer: String? = nil
    /// Its looped-back copy (a broadcast's, through `ip_mc_output`) was received with `frame`.
    var loopedBack = false
}

/// What kind of packet the host sent, with what identifies it in the capture.
enum TransmitKind: Equatable, HashTableKey {
    case tcpReset(FourTuple)
    case netfilterReset(FourTuple)
    case tcpSynAck(FourTuple)
    case tcpAck(FourTuple)
    case tcpTimewaitAck(FourTuple)
    case icmpReply(UInt8, to: IPv4Address, id: UInt16, seq: UInt16)
    case icmpError(to: IPv4Address, type: UInt8, code: UInt8)
    case arpReply(to: IPv4Address)
    case icmpv6Reply(to: IPv6Address, id: UInt16, seq: UInt16)
    case icmpv6Error(to: IPv6Address, type: UInt8, code: UInt8)
    /// A neighbour advertisement answering a solicitation (or defending an address against a DAD probe).
    case ndiscAdvertisement(to: IPv6Address, target: IPv6Address)
    /// A redirect telling the sender of a forwarded packet of a better first hop to its destination.
    case ndiscRedirect(to: IPv6Address, target: IPv6Address, destination: IPv6Address)
    /// A packet the host forwarded, leaving on its output device (captured there too on `-i any`).
    case forwarded(FragmentKey)
    /// An IPv6 packet the host forwarded, leaving again on the captured device (or on another one, on
    /// `-i any`): its addresses and the first 8 bytes of its upper-layer header tell it.
    case forwarded6(source: IPv6Address, destination: IPv6Address, upper: UInt64)

    /// Each case's number and fields, mixed as whole words: the table of waiting packets
    /// (``ExpectedTransmits``) is looked up about once a frame, and Swift's `Hasher` cost about 500
    /// instructions a lookup.
    func hash(seed: UInt64) -> UInt64 {
        switch self {
        case .tcpReset(let t): t.hash(seed: seed ^ 1 << 56)
        case .netfilterReset(let t): t.hash(seed: seed ^ 2 << 56)
        case .tcpSynAck(let t): t.hash(seed: seed ^ 3 << 56)
        case .tcpAck(let t): t.hash(seed: seed ^ 4 << 56)
        case .tcpTimewaitAck(let t): t.hash(seed: seed ^ 5 << 56)
        case .icmpReply(let type, let to, let id, let seq):
            mix64(6 << 56 | UInt64(type) << 32 | UInt64(id) << 16 | UInt64(seq) ^ to.hash(seed: seed))
        case .icmpError(let to, let type, let code):
            mix64(7 << 56 | UInt64(type) << 8 | UInt64(code) ^ to.hash(seed: seed))
        case .arpReply(let to):
            mix64(8 << 56 ^ to.hash(seed: seed))
        case .icmpv6Reply(let to, let id, let seq):
            mix64(9 << 56 | UInt64(id) << 16 | UInt64(seq) ^ to.hash(seed: seed))
        case .icmpv6Error(let to, let type, let code):
            mix64(10 << 56 | UInt64(type) << 8 | UInt64(code) ^ to.hash(seed: seed))
        case .ndiscAdvertisement(let to, let target):
            mix64(11 << 56 ^ to.hash(seed: target.hash(seed: seed)))
        case .ndiscRedirect(let to, let target, let destination):
            mix64(12 << 56 ^ to.hash(seed: target.hash(seed: destination.hash(seed: seed))))
        case .forwarded(let key):
            mix64(13 << 56 | UInt64(key.proto) << 16 | UInt64(key.id)
                  ^ mix64(UInt64(key.saddr.rawValue) << 32 | UInt64(key.daddr.rawValue) ^ seed))
        case .forwarded6(let source, let destination, let upper):
            mix64(14 << 56 ^ source.hash(seed: destination.hash(seed: mix64(upper ^ seed))))
        }
    }

    /// The kind of answer, as the agreement check counts it (`nil` for plain acknowledgments, which
    /// the kernel delays and merges).
    var answer: String? {
        switch self {
        case .tcpReset, .netfilterReset: "tcp reset"
        case .tcpSynAck: "syn-ack"
        case .tcpAck, .tcpTimewaitAck: nil
        case .icmpReply, .icmpv6Reply: "echo reply"
        case .icmpError, .icmpv6Error: "icmp error"
        case .arpReply: "arp reply"
        case .ndiscAdvertisement: "neighbour advertisement"
        case .ndiscRedirect: "redirect"
        case .forwarded, .forwarded6: nil
        }
    }
}


/// A connection's addresses and ports, from the host's point of view.
///
/// One table holds the connections of both families, as the kernel's established hash does: the
/// addresses are kept in IPv6 form, an IPv4 connection's as IPv4-mapped (`::ffff:a.b.c.d`).
public struct FourTuple: Hashable, Sendable, CustomStringConvertible {
    public var local6: IPv6Address
    public var localPort: UInt16
    public var remote6: IPv6Address
    public var remotePort: UInt16

    /// An IPv4 connection.
    public init(local: IPv4Address, localPort: UInt16, remote: IPv4Address, remotePort: UInt16) {
        self.init(local6: IPv6Address(v4Mapped: local), localPort: localPort, remote6: IPv6Address(v4Mapped: remote),
                  remotePort: remotePort)
    }

    /// An IPv6 connection (or an IPv4 one, given IPv4-mapped addresses).
    public init(local6: IPv6Address, localPort: UInt16, remote6: IPv6Address, remotePort: UInt16) {
        self.local6 = local6
        self.localPort = localPort
        self.remote6 = remote6
        self.remotePort = remotePort
    }

    /// Whether the connection runs over IPv6 (its addresses are not IPv4-mapped).
    public var isIPv6: Bool { !local6.isV4Mapped }
    /// The local IPv4 address of an IPv4 connection.
    public var local: IPv4Address { local6.v4 }
    /// The remote IPv4 address of an IPv4 connection.
    public var remote: IPv4Address { remote6.v4 }
    /// The same connection seen from its other end.
    public var reversed: FourTuple {
        FourTuple(local6: remote6, localPort: remotePort, remote6: local6, remotePort: localPort)
    }
    /// The peer as `address:port` (`[address]:port` over IPv6).
    public var remoteEndpoint: String { isIPv6 ? "[\(remote6)]:\(remotePort)" : "\(remote):\(remotePort)" }

    public var description: String {
        isIPv6 ? "[\(local6)]:\(localPort) <-> [\(remote6)]:\(remotePort)" : "\(local):\(localPort) <-> \(remote):\(remotePort)"
    }
}

/// An extra route from the host profile.
public struct RouteConfig: Sendable {
    public var destination: IPv4Prefix
    public var gateway: IPv4Address?
    public var device: String?
    /// `onlink`: the gateway is taken as reachable on the device although no prefix of it covers it.
    public var onlink = false

    public init(destination: IPv4Prefix, gateway: IPv4Address?, device: String?, onlink: Bool = false) {
        self.destination = destination
        self.gateway = gateway
        self.device = device
        self.onlink = onlink
    }
}

/// An IPv6 route of the host profile.
public struct RouteConfig6: Sendable {
    public var destination: IPv6Prefix
    public var gateway: IPv6Address?
    public var device: String?
    /// Made by address configuration from a router advertisement (`RTF_ADDRCONF`): a default router
    /// or an on-link prefix, which later advertisements refresh or remove.
    public var addrconf = false
    /// The capture time (nanoseconds) the route expires at (`RTF_EXPIRES`); `nil`: never.
    public var expires: Int64?
    /// The route's own MTU metric (`RTAX_MTU`), which a router advertisement's MTU option sets on its
    /// default route; `nil`: none (the device's).
    public var mtu: Int?

    public init(destination: IPv6Prefix, gateway: IPv6Address?, device: String?) {
        self.destination = destination
        self.gateway = gateway
        self.device = device
    }
}

/// A neighbour entry the host starts with, in `arp_tbl` (an IPv4 address) or `nd_tbl` (IPv6).
public struct NeighbourEntryConfig<Address: Hashable & Sendable>: Sendable, Equatable {
    public var ip: Address
    public var mac: MACAddress
    public var device: String?
    public var state: NUDState

    public init(ip: Address, mac: MACAddress, device: String?, state: NUDState) {
        self.ip = ip
        self.mac = mac
        self.device = device
        self.state = state
    }
}

/// An `arp_tbl` entry the host starts with.
public typealias NeighbourConfig = NeighbourEntryConfig<IPv4Address>
/// An `nd_tbl` entry the host starts with.
public typealias IPv6NeighbourConfig = NeighbourEntryConfig<IPv6Address>

/// The per-device sysctls the receive path reads on every packet, resolved from ``Sysctl`` for one
/// device (the kernel keeps them per device too: `in_dev->cnf`, `inet6_dev->cnf`).
struct DeviceConf {
    /// `IN_DEV_MAXCONF(in_dev, RP_FILTER)`.
    var rp_filter: Int
    /// `idev->cnf.disable_ipv6`.
    var disable_ipv6: Bool
    /// `idev->cnf.drop_unicast_in_l2_multicast`.
    var drop_unicast_in_l2_multicast: Bool

    init(_ sysctl: Sysctl, dev: String) {
        rp_filter = sysctl.maxConf("rp_filter", dev: dev)
        disable_ipv6 = sysctl.disable_ipv6(dev: dev)
        drop_unicast_in_l2_multicast = sysctl.ipv6Conf("drop_unicast_in_l2_multicast", dev: dev) != 0
    }
}

/// `net.*` sysctls the model reads, with the kernel's defaults.
///
/// The ones read for packets are resolved once, when the host is made (the model never changes a
/// sysctl): a lookup by name in `values` cost about 280 instructions, and a received IPv4 packet made two.
public struct Sysctl: Sendable {
    public let values: [String: Int]
    /// The sysctls whose value is not one integer, as `sysctl -a` prints them.
    public let text: [String: String]

    /// `net.ipv4.ip_forward` (default 0).
    public let ip_forward: Bool
    /// `net.ipv4.ip_early_demux` (default 1).
    public let ip_early_demux: Bool
    /// `net.ipv4.tcp_early_demux` (default 1).
    public let tcp_early_demux: Bool
    /// `net.ipv4.udp_early_demux` (default 1).
    public let udp_early_demux: Bool
    /// Whether unprivileged ICMP datagram (ping) sockets are permitted: `net.ipv4.ping_group_range` names
    /// a group range that is not empty. The kernel's default, "1 0", permits none (ping then uses a raw
    /// socket); distributions often set "0 2147483647".
    public let pingSocketsPermitted: Bool
    /// `net.ipv4.icmp_echo_ignore_all` (default 0).
    public let icmp_echo_ignore_all: Bool
    /// `net.ipv4.icmp_echo_ignore_broadcasts` (default 1).
    public let icmp_echo_ignore_broadcasts: Bool
    /// `net.ipv4.icmp_ratelimit` in milliseconds (default 1000).
    public let icmp_ratelimit: Int
    /// `net.ipv4.icmp_ratemask` (default 0x1818: destination unreachable, source quench, time exceeded,
    /// parameter problem).
    public let icmp_ratemask: Int
    /// `net.ipv4.icmp_msgs_per_sec` (default 1000) and `net.ipv4.icmp_msgs_burst` (default 50).
    public let icmp_msgs_per_sec: Int
    public let icmp_msgs_burst: Int
    /// `net.ipv4.ipfrag_time` in seconds (default 30).
    public let ipfrag_time: Int
    /// `net.ipv4.ipfrag_high_thresh` (default 4 MiB).
    public let ipfrag_high_thresh: Int
    /// `net.ipv4.ipfrag_max_dist` (default 64).
    public let ipfrag_max_dist: Int
    /// `net.ipv4.tcp_sack` and `net.ipv4.tcp_dsack` (default 1).
    public let tcp_sack: Bool
    public let tcp_dsack: Bool
    /// `net.ipv4.tcp_early_retrans` (default 3).
    public let tcp_early_retrans: Int
    /// `net.ipv4.tcp_frto` (default 2).
    public let tcp_frto: Int
    /// `net.ipv4.tcp_syncookies` (default 1).
    public let tcp_syncookies: Int
    /// `net.ipv4.tcp_invalid_ratelimit` in milliseconds (default 500).
    public let tcp_invalid_ratelimit: Int
    /// `net.core.somaxconn` (default 4096).
    public let somaxconn: Int
    /// `net.ipv6.ip6frag_time` in seconds (default 60) and `net.ipv6.ip6frag_high_thresh` (default 4 MiB).
    public let ip6frag_time: Int
    public let ip6frag_high_thresh: Int
    /// `net.ipv6.conf.all.forwarding` (default 0).
    public let ipv6_forwarding: Bool
    /// `net.ipv6.icmp.echo_ignore_all` (default 0).
    public let icmpv6_echo_ignore_all: Bool

    public init(values: [String: Int], text: [String: String] = [:]) {
        self.values = values
        self.text = text
        ip_forward = (values["net.ipv4.ip_forward"] ?? 0) != 0
        ip_early_demux = (values["net.ipv4.ip_early_demux"] ?? 1) != 0
        tcp_early_demux = (values["net.ipv4.tcp_early_demux"] ?? 1) != 0
        udp_early_demux = (values["net.ipv4.udp_early_demux"] ?? 1) != 0
        let bounds = (text["net.ipv4.ping_group_range"] ?? "1 0").split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        pingSocketsPermitted = bounds.count == 2 && bounds[0] <= bounds[1]
        icmp_echo_ignore_all = (values["net.ipv4.icmp_echo_ignore_all"] ?? 0) != 0
        icmp_echo_ignore_broadcasts = (values["net.ipv4.icmp_echo_ignore_broadcasts"] ?? 1) != 0
        icmp_ratelimit = values["net.ipv4.icmp_ratelimit"] ?? 1000
        icmp_ratemask = values["net.ipv4.icmp_ratemask"] ?? 0x1818
        icmp_msgs_per_sec = values["net.ipv4.icmp_msgs_per_sec"] ?? 1000
        icmp_msgs_burst = values["net.ipv4.icmp_msgs_burst"] ?? 50
        ipfrag_time = values["net.ipv4.ipfrag_time"] ?? 30
        ipfrag_high_thresh = values["net.ipv4.ipfrag_high_thresh"] ?? 4 * 1024 * 1024
        ipfrag_max_dist = values["net.ipv4.ipfrag_max_dist"] ?? 64
        tcp_sack = (values["net.ipv4.tcp_sack"] ?? 1) != 0
        tcp_dsack = (values["net.ipv4.tcp_dsack"] ?? 1) != 0
        tcp_early_retrans = values["net.ipv4.tcp_early_retrans"] ?? 3
        tcp_frto = values["net.ipv4.tcp_frto"] ?? 2
        tcp_syncookies = values["net.ipv4.tcp_syncookies"] ?? 1
        tcp_invalid_ratelimit = values["net.ipv4.tcp_invalid_ratelimit"] ?? 500
        somaxconn = values["net.core.somaxconn"] ?? 4096
        ip6frag_time = values["net.ipv6.ip6frag_time"] ?? 60
        ip6frag_high_thresh = values["net.ipv6.ip6frag_high_thresh"] ?? 4 * 1024 * 1024
        ipv6_forwarding = (values["net.ipv6.conf.all.forwarding"] ?? 0) != 0
        icmpv6_echo_ignore_all = (values["net.ipv6.icmp.echo_ignore_all"] ?? 0) != 0
    }

    /// An IPv4 per-device setting as `IN_DEV_MAXCONF` reads it: the larger of `net.ipv4.conf.all.NAME`
    /// and the device's own (`rp_filter`).
    public func maxConf(_ name: String, dev: String) -> Int {
        max(values["net.ipv4.conf.all.\(name)"] ?? 0, values["net.ipv4.conf.\(dev).\(name)"] ?? 0)
    }

    /// An IPv4 per-device setting as `IN_DEV_ANDCONF` reads it: on only when both
    /// `net.ipv4.conf.all.NAME` and the device's own are (`accept_source_route`). `deviceDefault` is the
    /// device's value when the profile does not set it (`ipv4_devconf_dflt`).
    public func andConf(_ name: String, dev: String, deviceDefault: Int) -> Bool {
        (values["net.ipv4.conf.all.\(name)"] ?? 0) != 0 && (values["net.ipv4.conf.\(dev).\(name)"] ?? deviceDefault) != 0
    }

    /// An IPv6 per-device setting: the device's own `net.ipv6.conf.DEV.NAME`, else
    /// `net.ipv6.conf.default.NAME`, else `fallback` (the kernel's default).
    public func ipv6Conf(_ name: String, dev: String, fallback: Int = 0) -> Int {
        values["net.ipv6.conf.\(dev).\(name)"] ?? values["net.ipv6.conf.default.\(name)"] ?? fallback
    }

    /// Whether IPv6 is off on `dev` (`idev->cnf.disable_ipv6`): writing `all` sets every device's.
    public func disable_ipv6(dev: String) -> Bool {
        ipv6Conf("disable_ipv6", dev: dev) != 0 || (values["net.ipv6.conf.all.disable_ipv6"] ?? 0) != 0
    }

    /// The sysctls the model reads; any other is accepted and reported as not modeled.
    public static let modeled: Set<String> = [
        "net.ipv4.ip_forward", "net.ipv4.ip_early_demux", "net.ipv4.tcp_early_demux",
        "net.ipv4.udp_early_demux", "net.ipv4.icmp_echo_ignore_all", "net.ipv4.icmp_echo_ignore_broadcasts",
        "net.ipv4.icmp_ratelimit", "net.ipv4.icmp_ratemask", "net.ipv4.icmp_msgs_per_sec", "net.ipv4.icmp_msgs_burst",
        "net.ipv4.ipfrag_time", "net.ipv4.ipfrag_high_thresh", "net.ipv4.ipfrag_max_dist", "net.core.somaxconn",
        "net.ipv4.neigh.default.gc_thresh3", "net.ipv4.tcp_invalid_ratelimit", "net.ipv4.tcp_sack", "net.ipv4.tcp_dsack", "net.ipv4.tcp_early_retrans", "net.ipv4.tcp_frto",
        "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
        "net.ipv6.icmp.echo_ignore_all", "net.ipv6.icmp.echo_ignore_multicast", "net.ipv6.route.mtu_expires",
        "net.ipv6.ip6frag_time", "net.ipv6.ip6frag_high_thresh", "net.ipv6.neigh.default.gc_thresh3",
    ]

    /// The per-device IPv4 settings the model reads (`net.ipv4.conf.{all,DEVICE}.NAME`).
    public static let modeledPerDevice: Set<String> = ["rp_filter", "accept_source_route"]

    /// The per-device IPv6 settings the model reads (`net.ipv6.conf.{all,default,DEVICE}.NAME`).
    public static let modeledPerDevice6: Set<String> = [
        "disable_ipv6", "forwarding", "drop_unicast_in_l2_multicast", "accept_ra", "accept_ra_defrtr",
        "accept_ra_from_local", "accept_ra_min_hop_limit", "accept_ra_min_lft", "accept_ra_pinfo", "accept_ra_mtu",
        "autoconf", "mtu", "ra_honor_pio_pflag", "accept_redirects", "dad_transmits", "accept_ra_rtr_pref", "accept_ra_rt_info_min_plen",
        "accept_ra_rt_info_max_plen",
    ]

    /// Whether the model reads the sysctl `name` (per-device settings of any device included).
    public static func isModeled(_ name: String) -> Bool {
        if modeled.contains(name) { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count >= 5, parts[0] == "net", parts[1] == "ipv6", parts[2] == "conf" {
            return modeledPerDevice6.contains(String(parts[parts.count - 1]))
        }
        return parts.count >= 5 && parts[0] == "net" && parts[1] == "ipv4" && parts[2] == "conf"
            && modeledPerDevice.contains(String(parts[parts.count - 1]))
    }
}

/// A driver that keeps timers of its own (the iwlwifi reorder buffer's): the kernel runs them with its
/// own, in expiry order, when the capture clock passes them.
public protocol DriverTimers: AnyObject {
    /// When the first of them expires (capture clock), `Int64.max` for none.
    var timerHorizon: Int64 { get }
    /// The timers expired by `time`: the callback's name, when it expired, the frame that armed it, and
    /// the callback to run.
    func expiredTimers(_ kernel: Kernel, by time: Int64) -> [(function: String, expires: Int64, armedBy: Int?, run: () -> Void)]
}
