/// One-line, tcpdump-like descriptions of frames, built from validated headers.
///
/// Problems show in parentheses (`IPv4 (ihl=3 invalid)`), in the style of smoltcp's pretty printer.
public enum FrameSummary {
    /// Describes the network layer at `offset` of protocol `etherType`.
    public static func describe(_ bytes: [UInt8], networkOffset offset: Int, etherType: EtherType) -> String {
        var out: [UInt8] = []
        write(bytes, networkOffset: offset, etherType: etherType, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes the description ``describe(_:networkOffset:etherType:)`` returns, as UTF-8, to the end of
    /// `out`: the common frames (valid IPv4 with TCP, UDP or ICMP) without building strings.
    public static func write(_ bytes: [UInt8], networkOffset offset: Int, etherType: EtherType,
                             into out: inout [UInt8]) {
        switch etherType {
        case .ipv4:
            var line = SummaryLine()
            if let error = writeIPv4(bytes, at: offset, into: &line) {
                out.append(contentsOf: "IPv4 (\(error))".utf8)
            } else {
                line.withBytes { out.append(contentsOf: $0) }
            }
        case .arp: out.append(contentsOf: describeARP(bytes, at: offset).utf8)
        case .ipv6:
            var line = SummaryLine()
            guard writeIPv6(bytes, at: offset, into: &line) else { return out.append(contentsOf: "IPv6 (truncated)".utf8) }
            line.withBytes { out.append(contentsOf: $0) }
        default: out.append(contentsOf: etherType.description.utf8)
        }
    }

    /// How many bytes from `offset` an IPv4 packet's description reads: its header (as long as its `ihl`
    /// says, at least the minimum) and the first 20 bytes after it, which hold every transport field it
    /// writes (a TCP header parses from its first 20 bytes, UDP's and ICMP's from 8). A copy of that
    /// many bytes, or of the whole packet when it is shorter, is described as the whole packet is.
    public static func ipv4BytesRead(_ bytes: [UInt8], at offset: Int) -> Int {
        max(IPv4Packet.minimumHeaderLength, Int(bytes.u8(at: offset) & 0x0f) * 4) + TCPPacket.minimumHeaderLength
    }

    /// How many bytes from `offset` the description of a packet of type `etherType` reads (IPv4 and
    /// IPv6: ``ipv4BytesRead(_:at:)``, ``ipv6BytesRead(_:at:)``); nil for other types, whose description
    /// may read any of it.
    public static func bytesRead(_ bytes: [UInt8], at offset: Int, etherType: EtherType) -> Int? {
        switch etherType {
        case .ipv4: ipv4BytesRead(bytes, at: offset)
        case .ipv6: ipv6BytesRead(bytes, at: offset)
        default: nil
        }
    }

    /// How many bytes from `offset` an IPv6 packet's description reads: its fixed header, its extension
    /// headers and the first 20 bytes after them (the rule of ``ipv4BytesRead(_:at:)``).
    public static func ipv6BytesRead(_ bytes: [UInt8], at offset: Int) -> Int {
        let upper = ipv6UpperLayer(bytes, at: offset)?.offset ?? offset + IPv6Packet.headerLength
        return upper - offset + TCPPacket.minimumHeaderLength
    }

    /// The upper layer of the IPv6 packet at `offset`, past its hop-by-hop, routing, fragment,
    /// destination-options and authentication headers (eight at most): its protocol, where it starts
    /// and, after a fragment header, that header's identification, fragment offset and more-fragments
    /// flag. A later fragment holds no upper-layer header: `offset` is then where its data starts. nil
    /// when the fixed header or an extension header is cut short.
    static func ipv6UpperLayer(_ bytes: [UInt8], at offset: Int)
        -> (proto: IPProtocol, offset: Int, fragment: (id: UInt32, offset: Int, more: Bool)?)?
    {
        guard let p = IPv6Packet(bytes, at: offset) else { return nil }
        var proto = p.nextHeader
        var at = offset + IPv6Packet.headerLength
        var fragment: (id: UInt32, offset: Int, more: Bool)?
        for _ in 0..<8 {
            let length: Int
            switch proto {
            case .hopopts, .routing, .dstopts: length = (Int(bytes.u8(at: at + 1)) + 1) * 8
            case .ah: length = (Int(bytes.u8(at: at + 1)) + 2) * 4
            case .ipv6Fragment: length = 8
            default: return (proto, at, fragment)
            }
            guard at + length <= bytes.count else { return nil }
            if proto == .ipv6Fragment {
                let field = bytes.u16be(at: at + 2)
                fragment = (bytes.u32be(at: at + 4), Int(field >> 3) * 8, field & 1 != 0)
            }
            proto = IPProtocol(rawValue: bytes[at])
            at += length
            if let fragment, fragment.offset != 0 { break }
        }
        return (proto, at, fragment)
    }

    static func describeARP(_ bytes: [UInt8], at offset: Int) -> String {
        do {
            let a = try ARPHeader(parsing: bytes, at: offset)
            switch a.operation {
            case ARPPacket.request:
                if a.senderProtocol == a.targetProtocol { return "ARP gratuitous \(a.senderProtocol) is-at \(a.senderHardware)" }
                return "ARP who-has \(a.targetProtocol) tell \(a.senderProtocol)"
            case ARPPacket.reply: return "ARP reply \(a.senderProtocol) is-at \(a.senderHardware)"
            default: return "ARP op \(a.operation) \(a.senderProtocol) > \(a.targetProtocol)"
            }
        } catch {
            return "ARP (\(error))"
        }
    }

    /// Writes the summary of a valid IPv4 packet to `out`; returns the header's problem instead when
    /// it is not valid.
    static func writeIPv4(_ bytes: [UInt8], at offset: Int, into out: inout SummaryLine) -> WireError? {
        let ip: IPv4Header
        do { ip = try IPv4Header(parsing: bytes, at: offset) } catch {
            return error
        }
        // "SRC > DST"
        func hosts(_ out: inout SummaryLine) {
            out.appendDecimal(ip.source)
            out.appendASCII(" > ")
            out.appendDecimal(ip.destination)
        }
        // " frag id=N off=N" and "+" when more fragments follow
        let isFragment = ip.moreFragments || ip.fragmentOffset != 0
        func frag(_ out: inout SummaryLine) {
            guard isFragment else { return }
            out.appendASCII(" frag id=")
            out.appendDecimal(UInt64(ip.identification))
            out.appendASCII(" off=")
            out.appendDecimal(Int(ip.fragmentOffset))
            if ip.moreFragments { out.appendASCII("+") }
        }
        let payloadLength = ip.totalLength - ip.headerLength
        // "IPv4 PROTO a > b len=N": later fragments and protocols without a summary of their own.
        func plain(_ out: inout SummaryLine) {
            out.appendASCII("IPv4 ")
            out.append(ip.proto.description)
            out.appendASCII(" ")
            hosts(&out)
            frag(&out)
            out.appendASCII(" len=")
            out.appendDecimal(payloadLength)
        }
        if ip.fragmentOffset != 0 {
            plain(&out)
            return nil
        }
        let l4 = offset + ip.headerLength
        switch ip.proto {
        case .tcp, .udp:
            writeTransport(ip.proto, bytes, at: l4, length: payloadLength, hosts: hosts, frag: frag,
                           endpoint: { source, out in out.appendDecimal(source ? ip.source : ip.destination) }, into: &out)
        case .icmp:
            let p = ICMPv4Packet(bytes, at: l4)
            let echo = p.map { $0.type == ICMPv4Packet.echoRequest || $0.type == ICMPv4Packet.echoReply } ?? false
            writeICMP("ICMP ", p.map { ($0.name, echo ? ($0.identifier, $0.sequence) : nil) }, hosts: hosts, frag: frag, into: &out)
        default:
            plain(&out)
        }
        return nil
    }

    /// Writes "TCP a:p > b:q [flags] seq=… ack=… win=… len=…" or "UDP a:p > b:q len=…" for the
    /// transport header of protocol `proto` at `l4`, `length` bytes with its data, then the fragment
    /// note `frag` writes; "TCP a > b … (truncated)" (`hosts`, `frag`) when the header is not all there.
    /// `endpoint` writes the source's (true) or the destination's address before its port.
    private static func writeTransport(_ proto: IPProtocol, _ bytes: [UInt8], at l4: Int, length: Int,
                                       hosts: (inout SummaryLine) -> Void, frag: (inout SummaryLine) -> Void,
                                       endpoint: (Bool, inout SummaryLine) -> Void, into out: inout SummaryLine) {
        // "TCP a:p > b:q", or "TCP a > b … (truncated)" when the transport header is not all there.
        func endpoints(_ name: StaticString, _ ports: (source: UInt16, destination: UInt16)?) -> Bool {
            out.appendASCII(name)
            guard let ports else {
                hosts(&out)
                frag(&out)
                out.appendASCII(" (truncated)")
                return false
            }
            endpoint(true, &out)
            out.appendASCII(":")
            out.appendDecimal(UInt64(ports.source))
            out.appendASCII(" > ")
            endpoint(false, &out)
            out.appendASCII(":")
            out.appendDecimal(UInt64(ports.destination))
            return true
        }
        if proto == .tcp {
            let t = try? TCPHeader(parsing: bytes, at: l4)
            guard endpoints("TCP ", t.map { ($0.sourcePort, $0.destinationPort) }), let t else { return }
            out.appendASCII(" [")
            t.flags.write(into: &out)
            out.appendASCII("] seq=")
            out.appendDecimal(UInt64(t.sequence))
            if t.flags.contains(.ack) {
                out.appendASCII(" ack=")
                out.appendDecimal(UInt64(t.acknowledgment))
            }
            out.appendASCII(" win=")
            out.appendDecimal(UInt64(t.window))
            out.appendASCII(" len=")
            out.appendDecimal(max(0, length - t.headerLength))
        } else {
            let u = try? UDPHeader(parsing: bytes, at: l4)
            guard endpoints("UDP ", u.map { ($0.sourcePort, $0.destinationPort) }), let u else { return }
            out.appendASCII(" len=")
            out.appendDecimal(u.length - 8)
        }
        frag(&out)
    }

    /// Writes "ICMP a > b NAME" (`label` "ICMP " or "ICMPv6 ") with " id=… seq=…" for an echo, then the
    /// fragment note `frag` writes; " (truncated)" after them when the message is not all there (`message` nil).
    private static func writeICMP(_ label: StaticString, _ message: (name: String, echo: (id: UInt16, seq: UInt16)?)?,
                                  hosts: (inout SummaryLine) -> Void, frag: (inout SummaryLine) -> Void,
                                  into out: inout SummaryLine) {
        out.appendASCII(label)
        hosts(&out)
        guard let message else {
            frag(&out)
            out.appendASCII(" (truncated)")
            return
        }
        out.appendASCII(" ")
        out.append(message.name)
        if let echo = message.echo {
            out.appendASCII(" id=")
            out.appendDecimal(UInt64(echo.id))
            out.appendASCII(" seq=")
            out.appendDecimal(UInt64(echo.seq))
        }
        frag(&out)
    }

    /// Writes the summary of an IPv6 packet as that of IPv4 reads, addresses in brackets before a
    /// port: "TCP [a]:p > [b]:q [S] seq=…", "UDP …", "ICMPv6 a > b neighbor solicitation"; a later
    /// fragment, or another upper layer, as "IPv6 next=PROTO a > b len=N"; " frag id=N off=N" (and "+"
    /// when more follow) after a fragment header. False when the fixed header is cut short.
    static func writeIPv6(_ bytes: [UInt8], at offset: Int, into out: inout SummaryLine) -> Bool {
        guard let p = IPv6Packet(bytes, at: offset) else { return false }
        let source = p.source, destination = p.destination
        let upper = ipv6UpperLayer(bytes, at: offset)
        func hosts(_ out: inout SummaryLine) {
            out.append(source)
            out.appendASCII(" > ")
            out.append(destination)
        }
        func frag(_ out: inout SummaryLine) {
            guard let f = upper?.fragment else { return }
            out.appendASCII(" frag id=")
            out.appendDecimal(UInt64(f.id))
            out.appendASCII(" off=")
            out.appendDecimal(f.offset)
            if f.more { out.appendASCII("+") }
        }
        // What the payload length leaves for the upper layer (nothing for a jumbogram's zero).
        let length = max(0, p.payloadLength - ((upper?.offset ?? offset) - offset - IPv6Packet.headerLength))
        // "IPv6 next=PROTO a > b len=N": later fragments, upper layers without a summary of their own, and
        // packets whose extension headers are cut short.
        func plain(_ proto: IPProtocol, _ out: inout SummaryLine) {
            out.appendASCII("IPv6 next=")
            out.append(proto.description)
            out.appendASCII(" ")
            hosts(&out)
            frag(&out)
            if upper == nil { return out.appendASCII(" (extension header truncated)") }
            out.appendASCII(" len=")
            out.appendDecimal(length)
        }
        guard let upper, upper.fragment.map({ $0.offset == 0 }) ?? true else {
            plain(upper?.proto ?? p.nextHeader, &out)
            return true
        }
        switch upper.proto {
        case .tcp, .udp:
            writeTransport(upper.proto, bytes, at: upper.offset, length: length, hosts: hosts, frag: frag, endpoint: { isSource, out in
                out.append(UInt8(ascii: "["))
                out.append(isSource ? source : destination)
                out.append(UInt8(ascii: "]"))
            }, into: &out)
        case .icmpv6:
            let m = ICMPv6Packet(bytes, at: upper.offset, length: length)
            let echo = m.map { $0.type == ICMPv6Packet.echoRequest || $0.type == ICMPv6Packet.echoReply } ?? false
            writeICMP("ICMPv6 ", m.map { ($0.name, echo ? ($0.identifier, $0.sequence) : nil) }, hosts: hosts, frag: frag, into: &out)
        default:
            plain(upper.proto, &out)
        }
        return true
    }
}

extension TCPFlags {
    /// Writes ``description`` as UTF-8.
    func write(into out: inout SummaryLine) {
        let start = out.count
        if contains(.syn) { out.append(UInt8(ascii: "S")) }
        if contains(.fin) { out.append(UInt8(ascii: "F")) }
        if contains(.rst) { out.append(UInt8(ascii: "R")) }
        if contains(.psh) { out.append(UInt8(ascii: "P")) }
        if contains(.urg) { out.append(UInt8(ascii: "U")) }
        if contains(.ece) { out.append(UInt8(ascii: "E")) }
        if contains(.cwr) { out.append(UInt8(ascii: "W")) }
        if contains(.ack) { out.append(UInt8(ascii: ".")) }
        if out.count == start { out.appendASCII("none") }
    }
}

/// The line a summary is written into: 256 bytes on the stack, more than the longest IPv4 summary
/// (about 140 bytes), so writing one allocates nothing until it is copied out.
struct SummaryLine {
    private var storage: (SIMD64<UInt8>, SIMD64<UInt8>, SIMD64<UInt8>, SIMD64<UInt8>) = (.zero, .zero, .zero, .zero)
    private(set) var count = 0
    private static let capacity = 256

    /// Appends one byte (a byte past the capacity is dropped; no summary comes near it).
    @inline(__always)
    mutating func append(_ byte: UInt8) {
        guard count < Self.capacity else { return }
        let i = count
        withUnsafeMutableBytes(of: &storage) { $0[i] = byte }
        count += 1
    }

    /// Appends `bytes`.
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        for b in bytes { append(b) }
    }

    /// Appends ASCII text.
    @inline(__always)
    mutating func appendASCII(_ s: StaticString) {
        append(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Appends an IPv6 address's text.
    mutating func append(_ a: IPv6Address) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: IPv6Address.maximumTextLength) { buffer in
            let n = a.write(to: buffer.baseAddress!)
            append(UnsafeBufferPointer(rebasing: buffer[..<n]))
        }
    }

    /// Appends the UTF-8 of `s`.
    mutating func append(_ s: String) {
        for b in s.utf8 { append(b) }
    }

    /// Appends `v` in decimal, as `"\(v)"` writes it.
    mutating func appendDecimal(_ v: UInt64) {
        let digits = DecimalDigits.digitCount(v)
        guard count + digits <= Self.capacity else { return }
        let at = count
        withUnsafeMutableBytes(of: &storage) {
            DecimalDigits.write(v, at: $0.baseAddress!.assumingMemoryBound(to: UInt8.self) + at, digits: digits)
        }
        count += digits
    }

    /// Appends `v` in decimal, with a minus sign when negative.
    mutating func appendDecimal(_ v: Int) {
        if v < 0 { append(UInt8(ascii: "-")) }
        appendDecimal(UInt64(v.magnitude))
    }

    /// Appends an IPv4 address in dotted-quad notation.
    mutating func appendDecimal(_ a: IPv4Address) {
        let r = a.rawValue
        appendDecimal(UInt64(r >> 24))
        append(UInt8(ascii: "."))
        appendDecimal(UInt64(r >> 16 & 0xff))
        append(UInt8(ascii: "."))
        appendDecimal(UInt64(r >> 8 & 0xff))
        append(UInt8(ascii: "."))
        appendDecimal(UInt64(r & 0xff))
    }

    /// Calls `body` with the bytes written.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var copy = storage
        let n = count
        return Swift.withUnsafeBytes(of: &copy) { body(UnsafeBufferPointer(rebasing: $0.bindMemory(to: UInt8.self)[0..<n])) }
    }
}
