// Mirrors include/net/dst.h (Linux 6.1): the route attached to a packet and the inline helpers that
// follow it.
import Trace
import Wire

/// Functions modeled from `include/net/dst.h` (all `static inline`).
public enum dst_h: String, KernelSourceFile {
    public static let path = "include/net/dst.h"
    case dst_input, dst_output
}

/// What a route does with a packet: `dst->input` and `rt_type` folded into one value.
public enum RouteType: String, Sendable {
    /// `RTN_LOCAL`: for this host (`ip_local_deliver`).
    case local
    /// `RTN_BROADCAST`: a broadcast this host accepts (`ip_local_deliver`).
    case broadcast
    /// `RTN_MULTICAST` for a joined group.
    case multicast
    /// `RTN_UNICAST` through another interface or gateway (`ip_forward`).
    case unicast
    /// No route, or forwarding off: `ip_error`.
    case unreachable
}

/// Models the parts of `struct dst_entry` / `struct rtable` the model uses.
public struct DstEntry {
    public var type: RouteType
    /// The output device for unicast routes (not reference-counted, as ``SKBuff/dev``).
    public var dev: NetDevice? {
        get { device?.takeUnretainedValue() }
        set { device = newValue.map { Unmanaged.passUnretained($0) } }
    }
    /// ``dev``'s storage. Not `unowned(unsafe) var dev: NetDevice?`: Swift 6.3 without optimization
    /// lays an `Optional` of a struct holding one out wrongly (`Optional.map` returning such a struct
    /// gave a value for `nil`), so a `DstEntry?` could read as a route that is not there.
    private var device: Unmanaged<NetDevice>?
    /// The gateway, when the route has one (`rt_gw4`).
    public var gateway: IPv4Address?
    /// The errno `ip_error` reports (`EHOSTUNREACH`, `ENETUNREACH`).
    public var error: RouteError?
    /// The limited broadcast 255.255.255.255, which no FIB entry describes.
    public var isLimitedBroadcast = false

    public init(type: RouteType, dev: NetDevice? = nil, gateway: IPv4Address? = nil, error: RouteError? = nil) {
        self.type = type
        self.dev = dev
        self.gateway = gateway
        self.error = error
    }
}

/// The errno a failed input route carries.
public enum RouteError: String, Sendable {
    case EHOSTUNREACH, ENETUNREACH
}

extension Kernel {
    /// Follows the input route: `ip_local_deliver`, `ip_forward` or `ip_error`; for IPv6
    /// `ip6_input`, `ip6_mc_input`, `ip6_forward` or `ip6_pkt_discard`.
    @discardableResult
    func dst_input(_ skb: inout SKBuff) -> NetRxResult {
        traced(dst_h.dst_input) {
            if skb.protocol == .ipv6 { return ip6DstInput(&skb) }
            switch skb.dst?.type ?? .unreachable {
            case .local, .broadcast, .multicast: return ip_local_deliver(&skb)
            case .unicast: return ip_forward(&skb)
            case .unreachable: return ip_error(&skb)
            }
        }
    }

    /// Whether the output route to `daddr` is a broadcast or multicast one (`RTCF_BROADCAST`,
    /// `RTCF_MULTICAST`), whose output function `ip_mc_output` loops a copy back to this host.
    func outputsThroughMulticast(_ daddr: IPv4Address) -> Bool {
        daddr.isMulticast || routeLookup(daddr)?.type == .broadcast
    }

    /// Follows the output route: `ip_mc_output` for broadcast and multicast destinations, `ip_output`
    /// for unicast.
    @discardableResult
    func dst_output(_ skb: inout SKBuff) -> NetdevTx {
        traced(dst_h.dst_output) {
            if skb.protocol == .ipv6 { return ip6_output(&skb) }
            if let daddr = skb.ip_hdr()?.destination, outputsThroughMulticast(daddr) { return ip_mc_output(&skb) }
            return ip_output(&skb)
        }
    }
}
