/// What the running kernel did with one replayed frame, as its tracepoints showed it.
public struct KernelOutcome: Equatable, Sendable {
    /// What became of the frame's skb.
    public enum Fate: Equatable, Sendable {
        /// No event showed the frame entering the host's device (nor its skb being freed).
        case notReceived
        /// Freed as a drop (`skb:kfree_skb`): the reason without `SKB_DROP_REASON_`, and the function
        /// the tracepoint's location names.
        case dropped(reason: String, function: String)
        /// Freed after use (`skb:consume_skb`), by `function`; also a fragment's skb freed with the
        /// datagram it was reassembled into (`kfree_skb` in `skb_release_data` for `NOT_SPECIFIED`).
        case consumed(function: String)
        /// Sent out again, unchanged, on the host's device `dev`: forwarded.
        case forwarded(dev: String)
        /// Received and still held when the replay ended: queued on a socket, in a reassembly queue or
        /// on a neighbour waiting for resolution.
        case held
    }

    public var fate: Fate = .notReceived
    /// Packets the host's devices sent while this frame was the last one replayed (IPv4, ARP and IPv6:
    /// the protocols the model follows).
    public var transmissions = 0
    /// The ICMP errors (`type/code`) the kernel sent about the frame (`icmp:icmp_send`).
    public var icmpErrors: [String] = []

    public init(fate: Fate = .notReceived, transmissions: Int = 0, icmpErrors: [String] = []) {
        self.fate = fate
        self.transmissions = transmissions
        self.icmpErrors = icmpErrors
    }

    /// The kernel's reason for a fragment freed along with the datagram it completed, and where.
    static let reassembledFree = (reason: "NOT_SPECIFIED", function: "skb_release_data")
}

/// Follows the replayed frames through a tracefs instance's events and says per frame what became of
/// it (``KernelOutcome``).
///
/// A frame's skb is recognised by its address from the moment the injecting device hands it to the
/// veth (`net_dev_start_xmit` on the peer side; veth passes the same skb to its other end) until it is
/// freed or forwarded; an address is only reused after its skb is freed, so the first free after that
/// is the frame's. Transmissions are counted for the frame whose marker came last. The frame is the
/// first transmit on an injecting device after its marker: on `lo`, which injects and is the host's
/// too, the transmits after it are the host's own.
public struct OutcomeCollector {
    /// The host's devices, as built (the profile's names).
    let hostDevices: Set<String>
    /// The peer ends the frames are sent from.
    let injectingDevices: Set<String>
    /// The frame replayed last.
    private var current: Int?
    /// Whether the current frame's own transmit on its injecting device is still to come.
    private var awaitingFrame = false
    /// Skbs of replayed frames not freed yet, by address.
    private var tracked: [String: Int] = [:]
    /// Each replayed frame's outcome so far.
    public private(set) var outcomes: [Int: KernelOutcome] = [:]

    public init(hostDevices: Set<String>, injectingDevices: Set<String>) {
        self.hostDevices = hostDevices
        self.injectingDevices = injectingDevices
    }

    /// The EtherTypes whose transmissions are counted: IPv4, ARP and IPv6.
    static let modeledProtocols: Set<Int> = [0x0800, 0x0806, 0x86DD]

    /// Takes the next event in the order tracefs gave them.
    public mutating func add(_ event: TracefsEvent) {
        switch event {
        case .marker(let frame):
            current = frame
            awaitingFrame = true
            outcomes[frame] = KernelOutcome()
        case .transmit(let dev, let skb, _, _) where awaitingFrame && injectingDevices.contains(dev):
            awaitingFrame = false
            if let current { tracked[skb] = current }
        case .transmit(let dev, let skb, let proto, _) where hostDevices.contains(dev):
            if let frame = tracked[skb], outcomes[frame]?.fate == .held {
                tracked[skb] = nil
                outcomes[frame]?.fate = .forwarded(dev: dev)
            }
            if let current, Self.modeledProtocols.contains(proto) { outcomes[current]?.transmissions += 1 }
        case .transmit:
            break
        case .receive(let dev, let skb, _):
            guard hostDevices.contains(dev), let frame = tracked[skb], outcomes[frame]?.fate == .notReceived else { return }
            outcomes[frame]?.fate = .held
        case .drop(let skb, let reason, let function):
            guard let frame = tracked.removeValue(forKey: skb) else { return }
            let withDatagram = (reason, function) == KernelOutcome.reassembledFree
            outcomes[frame]?.fate = withDatagram ? .consumed(function: function) : .dropped(reason: reason, function: function)
        case .consume(let skb, let function):
            guard let frame = tracked.removeValue(forKey: skb) else { return }
            outcomes[frame]?.fate = .consumed(function: function)
        case .icmpSend(let skb, let type, let code):
            guard let frame = tracked[skb] else { return }
            outcomes[frame]?.icmpErrors.append("\(type)/\(code)")
        }
    }
}
