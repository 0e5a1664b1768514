import KernelNet
import Wire

/// Which end of a link took a capture when the frames of both ends look alike (a veth, whose receiving
/// end's capture shows the sender's unfinished checksums and GSO sizes too, or a link without offload).
///
/// A packet socket sees a host's own segments when they leave (`dev_queue_xmit_nit`, before the
/// driver) and its peer's when they arrive (`__netif_receive_skb_core`, after the crossing). Where
/// the sender's capture was taken, a burst it sent is in the capture before the receiver could have
/// acknowledged any of it, so the receiver's acknowledgments arrive behind data the capture already
/// shows sent. Where the receiver's capture was taken, each segment is there before the acknowledgment
/// that answers it, and an acknowledgment falls behind only when segments were waiting in the socket's
/// backlog. That asymmetry is what ``inFlightEvidence(among:)`` measures; when the capture shows
/// none, ``indistinguishableEndsNote(host:senders:)`` says that the capture cannot tell, and how to
/// choose the other end.
extension HostInference {
    /// One direction of a TCP connection between two MACs.
    struct TCPDirection: Hashable {
        var from: MACAddress
        var to: MACAddress
        var v4: FourTuple
        var v6source: V6
        var v6destination: V6
    }

    /// A MAC's acknowledgments of another MAC's data, and how many came behind data of that MAC the
    /// capture already showed.
    struct AcknowledgmentCount {
        var acks = 0
        var lagging = 0
    }

    /// The fewest lagging acknowledgments that count as evidence, and the share of its acknowledgments
    /// that must lag (one in `laggingShare`).
    static let laggingMinimum = 3
    static let laggingShare = 4

    /// Per pair of MACs (acknowledging, acknowledged), their acknowledgments in TCP connections.
    func acknowledgmentCounts() -> [MACPair: AcknowledgmentCount] {
        var sentEnd: [TCPDirection: UInt32] = [:]
        var counts: [MACPair: AcknowledgmentCount] = [:]
        for f in facts where f.proto == .tcp && !f.copy && (f.family == .ipv4 || f.family == .ipv6) {
            guard let src = f.src, let dst = f.dst, !dst.isMulticast, src != dst else { continue }
            let v4 = FourTuple(local: f.v4src, localPort: f.sport, remote: f.v4dst, remotePort: f.dport)
            let direction = TCPDirection(from: src, to: dst, v4: v4, v6source: f.v6src, v6destination: f.v6dst)
            let reverse = TCPDirection(from: dst, to: src, v4: FourTuple(local: f.v4dst, localPort: f.dport, remote: f.v4src,
                                                                       remotePort: f.sport), v6source: f.v6dst, v6destination: f.v6src)
            if f.tcpFlags.contains(.ack), !f.tcpFlags.contains(.rst), let end = sentEnd[reverse] {
                let behind = end &- f.tcpAcknowledgment
                counts[MACPair(acknowledging: src, acknowledged: dst), default: AcknowledgmentCount()].acks += 1
                if behind != 0, behind < 0x8000_0000 {
                    counts[MACPair(acknowledging: src, acknowledged: dst), default: AcknowledgmentCount()].lagging += 1
                }
            }
            let length = UInt32(truncatingIfNeeded: f.tcpPayload) &+ (f.tcpFlags.contains(.syn) ? 1 : 0)
                &+ (f.tcpFlags.contains(.fin) ? 1 : 0)
            guard length > 0 else { continue }
            let end = f.tcpSequence &+ length
            if let known = sentEnd[direction] {
                if end &- known < 0x8000_0000 { sentEnd[direction] = end }
            } else if sentEnd.count < 2 * Self.connectionLimit {
                sentEnd[direction] = end
            }
        }
        return counts
    }

    /// Two MACs, one acknowledging the other's data.
    struct MACPair: Hashable {
        var acknowledging: MACAddress
        var acknowledged: MACAddress
    }

    /// Per MAC among `senders`, how many of a peer's acknowledgments came behind data it had already sent,
    /// where that peer's acknowledgments lag often (at least ``laggingMinimum``, one in ``laggingShare``)
    /// and several times as often as its own: the capture was taken where it sent.
    func inFlightEvidence(among senders: Set<MACAddress>) -> [MACAddress: Int] {
        let counts = acknowledgmentCounts()
        var evidence: [MACAddress: Int] = [:]
        for (pair, far) in counts where senders.contains(pair.acknowledged) {
            let near = counts[MACPair(acknowledging: pair.acknowledged, acknowledged: pair.acknowledging)]?.lagging ?? 0
            if far.lagging >= Self.laggingMinimum, far.lagging * Self.laggingShare >= far.acks,
               near * Self.laggingShare < far.lagging {
                evidence[pair.acknowledged, default: 0] += far.lagging
            }
        }
        return evidence
    }

    /// When the evidence cannot tell the chosen host from the peer it talks to (the same score, neither a
    /// router), a note saying so: why the two look alike, why `host` was taken, and the option that
    /// takes the other.
    func indistinguishableEndsNote(host: MACAddress, senders: [MACAddress: Sender]) -> String? {
        guard let chosen = senders[host], !chosen.isRouterLike else { return nil }
        var toPeer: [MACAddress: Int] = [:]
        var fromPeer: Set<MACAddress> = []
        for f in facts {
            guard let src = f.src, let dst = f.dst, !dst.isMulticast else { continue }
            if src == host { toPeer[dst, default: 0] += 1 } else if dst == host { fromPeer.insert(src) }
        }
        let peers = toPeer.keys.filter { fromPeer.contains($0) && senders[$0].map { $0.score == chosen.score && !$0.isRouterLike } == true }
        guard let other = peers.max(by: { (toPeer[$0] ?? 0, $1.rawValue) < (toPeer[$1] ?? 0, $0.rawValue) }),
              let peer = senders[other] else { return nil }
        let alike = chosen.offload > 0 && peer.offload > 0
            ? "both ends' frames carry offload marks, as on a veth, whose receiving end sees the sender's unfinished checksums too"
            : "both send with initial TTLs, and neither's frames show where they were captured (no offload marks, no acknowledgment behind data in flight)"
        let why: String
        if chosen.unicast + chosen.received != peer.unicast + peer.received {
            why = "more of the capture's frames are its"
        } else if chosen.answers != peer.answers {
            why = "it answered more (SYN-ACKs, echo and ARP replies): the server's end"
        } else {
            why = "of the two, its MAC is the lower"
        }
        // Taken at the other end, frames neither end of the pair sent or received there would make it a
        // promiscuous capture: a bridge's (passing up what it forwards) as well as a NIC's.
        let others = facts.filter { f in
            guard let src = f.src, let dst = f.dst, !dst.isMulticast else { return false }
            return src != other && dst != other && !f.copy
        }.count
        let promiscuous = others == 0 ? "" : " (then the \(others) frame\(others == 1 ? "" : "s") not from or to it make it a promiscuous "
            + "capture, as of a bridge that passes up what it forwards, and a note says what to pass for a bridge)"
        return "the capture cannot tell which end of the link took it: \(host) and \(other) look alike from either end (\(alike)), "
            + "and \(host) is taken because \(why). If the capture was taken on \(other), pass --host-mac \(other)\(promiscuous) "
            + "or describe the host with --host"
    }
}
