// Mirrors net/ipv4/inetpeer.c (Linux 6.1): long-lived per-remote-host state (`struct inet_peer`),
// used here for the fragment id distance (`ipfrag_max_dist`), the per-host ICMP rate limit and the
// rate limit of IPv6 redirects (IPv6 peers, `net->ipv6.peers`, through `inet_getpeer_v6`).
// Not modeled: the peer tree's garbage collection (peers live as long as the replay), l3mdev (vif) keys.
import Trace
import Wire

/// Functions modeled from `net/ipv4/inetpeer.c`.
public enum inetpeer: String, KernelSourceFile {
    public static let path = "net/ipv4/inetpeer.c"
    case inet_getpeer, inet_peer_xrlim_allow
}

/// The key of an `inet_peer`: an IPv4 address (`net->ipv4.peers`) or an IPv6 one (`net->ipv6.peers`).
enum InetPeerKey: Hashable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    var description: String {
        switch self {
        case let .v4(address): "\(address)"
        case let .v6(address): "\(address)"
        }
    }
}

/// Models `struct inet_peer` (include/net/inetpeer.h): what the host remembers about one remote
/// address. Times are jiffies of the capture clock.
struct InetPeer {
    /// `rid`: fragments received from this peer so far (for `ip_frag_too_far`).
    var rid: UInt32 = 0
    /// `rate_tokens`: jiffies of ICMP credit (token bucket of `inet_peer_xrlim_allow`).
    var rate_tokens: Int64 = 0
    /// `rate_last`: when the credit was last topped up.
    var rate_last: Int64
}

extension Kernel {
    /// `HZ` of the modeled build (Debian's 6.1 is `CONFIG_HZ_250`).
    static let HZ: Int64 = 250
    /// The capture clock in jiffies.
    var jiffies: Int64 { now / (1_000_000_000 / Self.HZ) }
    /// `msecs_to_jiffies`.
    static func msecs_to_jiffies(_ ms: Int) -> Int64 { Int64(ms).clampedMultiplied(by: HZ).clampedAdding(999) / 1000 }

    /// Finds the peer entry of `daddr`, creating it (with a full minute of ICMP credit behind it)
    /// when the host has none.
    func inet_getpeer(_ daddr: InetPeerKey) {
        traced(inetpeer.inet_getpeer) {
            if peers[daddr] == nil {
                peers[daddr] = InetPeer(rate_last: jiffies - 60 * Self.HZ)
                tracer.state("inet_peer \(daddr) created")
            }
        }
    }

    /// Whether `inet_peer_xrlim_allow` would let a message to `daddr` go now (without taking credit).
    func inetPeerWouldAllow(_ daddr: InetPeerKey) -> Bool {
        guard let p = peers[daddr] else { return true }
        return min(p.rate_tokens + jiffies - p.rate_last, 6 * icmpRatelimit) >= icmpRatelimit
    }

    /// The per-peer token bucket: credit grows by one jiffy per jiffy, up to six times `timeout`; a
    /// message costs `timeout`. Returns whether one may be sent now.
    func inet_peer_xrlim_allow(_ daddr: InetPeerKey, timeout: Int64) -> Bool {
        traced(inetpeer.inet_peer_xrlim_allow) {
            // Tracing a transmission the capture shows: it was allowed, and its credit already taken.
            guard var p = peers[daddr], !tracingTransmit else { return true }
            let burstFactor: Int64 = 6  // XRLIM_BURST_FACTOR
            var token = p.rate_tokens + jiffies - p.rate_last
            p.rate_last = jiffies
            token = min(token, burstFactor * timeout)
            let allowed = token >= timeout
            if allowed { token -= timeout }
            p.rate_tokens = token
            peers[daddr] = p
            tracer.note("peer \(daddr): \(allowed ? "allowed" : "rate limited"), \(token) jiffies of credit left (costs \(timeout))")
            return allowed
        }
    }
}
