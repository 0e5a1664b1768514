// Mirrors net/ipv4/ip_options.c (Linux 6.1): validation of received IPv4 options (RFC 791 §3.1).
// Not modeled: filling record-route and timestamp slots, CIPSO validation, forwarding along a source
// route (`ip_options_rcv_srr`).
import Trace
import Wire

/// Functions modeled from `net/ipv4/ip_options.c`.
public enum ip_options: String, KernelSourceFile {
    public static let path = "net/ipv4/ip_options.c"
    case __ip_options_compile, ip_options_compile
}

/// What the options of a received header hold, as far as the receive path cares.
struct IPOptionsSummary {
    /// A loose or strict source route is present.
    var sourceRoute = false
    /// Offset of the offending byte from the start of the IP header, when the options are malformed.
    var problemAt: Int?
}

extension Kernel {
    /// Walks the options of the header at `iph` and checks each one's length and pointer, as the
    /// kernel does before acting on them (RFC 791 §3.1: record route, timestamp, source routes,
    /// router alert; other options are skipped).
    func __ip_options_compile(_ iph: IPv4Packet) -> IPOptionsSummary {
        traced(ip_options.__ip_options_compile) {
            var summary = IPOptionsSummary()
            let bytes = iph.bytes
            var at = iph.start + IPv4Packet.minimumHeaderLength
            let end = iph.start + iph.headerLength
            var seen: Set<UInt8> = []
            func fail(_ offset: Int, _ why: String) -> IPOptionsSummary {
                tracer.note("option at byte \(offset - iph.start): \(why)")
                summary.problemAt = offset - iph.start
                return summary
            }
            while at < end {
                let type = bytes.u8(at: at)
                if type == 0 { break }  // end of list
                if type == 1 {  // no operation
                    at += 1
                    continue
                }
                guard end - at >= 2 else { return fail(at, "truncated") }
                let length = Int(bytes.u8(at: at + 1))
                guard length >= 2, length <= end - at else { return fail(at, "length \(length) does not fit") }
                let pointer = Int(bytes.u8(at: at + 2))
                switch type {
                case 131, 137:  // loose, strict source route
                    guard length >= 3 else { return fail(at + 1, "source route too short") }
                    guard pointer >= 4 else { return fail(at + 2, "source route pointer \(pointer)") }
                    guard !summary.sourceRoute else { return fail(at, "second source route") }
                    summary.sourceRoute = true
                case 7:  // record route
                    guard !seen.contains(7) else { return fail(at, "second record route") }
                    guard length >= 3 else { return fail(at + 1, "record route too short") }
                    guard pointer >= 4 else { return fail(at + 2, "record route pointer \(pointer)") }
                    if pointer <= length, pointer + 3 > length { return fail(at + 2, "record route full") }
                case 68:  // timestamp
                    guard !seen.contains(68) else { return fail(at, "second timestamp") }
                    guard length >= 4 else { return fail(at + 1, "timestamp too short") }
                    guard pointer >= 5 else { return fail(at + 2, "timestamp pointer \(pointer)") }
                    let flags = bytes.u8(at: at + 3) & 0x0f
                    if pointer <= length {
                        if pointer + 3 > length { return fail(at + 2, "timestamp full") }
                        if flags == 1 || flags == 3, pointer + 7 > length { return fail(at + 2, "timestamp full") }
                    } else if flags != 3, bytes.u8(at: at + 3) >> 4 == 15 {
                        return fail(at + 3, "timestamp overflow counter full")
                    }
                case 148:  // router alert
                    guard length >= 4 else { return fail(at + 1, "router alert too short") }
                default:
                    break
                }
                seen.insert(type)
                at += length
            }
            return summary
        }
    }

    /// Validates the options of a received header; malformed options are answered with ICMP parameter
    /// problem pointing at the offending byte (RFC 1122 §3.2.2.5).
    func ip_options_compile(_ skb: inout SKBuff, _ iph: IPv4Packet) -> IPOptionsSummary {
        traced(ip_options.ip_options_compile) {
            let summary = __ip_options_compile(iph)
            if summary.problemAt != nil {
                icmp_send(&skb, type: ICMPv4Packet.parameterProblem, code: 0)
            }
            return summary
        }
    }
}
