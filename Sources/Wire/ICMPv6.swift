/// ICMPv6 (RFC 4443): a view over the message at `start`, whose length the IPv6 header gave.
///
/// Two kinds of short input are kept apart: a message the capture cut (`captured < length`: the
/// sender's message may be fine, the bytes are just not here) is *truncated*; a message whose own
/// length is too small for its type, or whose options do not add up, is *malformed*, and the kernel
/// drops it.
public struct ICMPv6Packet: Sendable {
    public enum Field {
        public static let type = 0
        public static let code = 1
        public static let checksum = 2
        /// Echo identifier, MTU of packet too big, pointer of parameter problem, MLD max response code.
        public static let body = 4
    }

    /// `struct icmp6hdr`: type, code, checksum and the 4-byte body every message has.
    public static let headerLength = 8

    public let bytes: [UInt8]
    public let start: Int
    /// The message's length: the IPv6 payload left for it.
    public let length: Int
    /// Bytes of it the capture holds (at most `length`).
    public let captured: Int

    /// A view at `start` of a `length`-byte message, or `nil` when fewer than 8 bytes of it were captured
    /// or the message itself is shorter than 8.
    public init?(_ bytes: [UInt8], at start: Int, length: Int) {
        guard start >= 0, length >= Self.headerLength, bytes.count - start >= Self.headerLength else { return nil }
        self.bytes = bytes
        self.start = start
        self.length = length
        self.captured = min(length, bytes.count - start)
    }

    public var type: UInt8 { bytes.u8(at: start + Field.type) }
    public var code: UInt8 { bytes.u8(at: start + Field.code) }
    public var checksum: UInt16 { bytes.u16be(at: start + Field.checksum) }
    public var identifier: UInt16 { bytes.u16be(at: start + Field.body) }
    public var sequence: UInt16 { bytes.u16be(at: start + Field.body + 2) }
    /// The MTU of a packet too big message.
    public var mtu: UInt32 { bytes.u32be(at: start + Field.body) }
    /// The offset a parameter problem points at.
    public var pointer: UInt32 { bytes.u32be(at: start + Field.body) }

    public static let destinationUnreachable: UInt8 = 1
    public static let packetTooBig: UInt8 = 2
    public static let timeExceeded: UInt8 = 3
    public static let parameterProblem: UInt8 = 4
    public static let echoRequest: UInt8 = 128
    public static let echoReply: UInt8 = 129
    public static let mldQuery: UInt8 = 130
    public static let mldReport: UInt8 = 131
    public static let mldDone: UInt8 = 132
    public static let routerSolicitation: UInt8 = 133
    public static let routerAdvertisement: UInt8 = 134
    public static let neighbourSolicitation: UInt8 = 135
    public static let neighbourAdvertisement: UInt8 = 136
    public static let redirect: UInt8 = 137
    public static let mld2Report: UInt8 = 143

    /// Errors are types 0-127 (RFC 4443 §2.1); they quote the datagram they are about.
    public var isError: Bool { type < 128 }

    /// The first byte of the quoted datagram of an error.
    public var quotedStart: Int { start + Self.headerLength }

    /// tcpdump-style name of the message.
    public var name: String {
        switch (type, code) {
        case (1, 0): "unreachable route"
        case (1, 1): "unreachable prohibited"
        case (1, 3): "unreachable address"
        case (1, 4): "unreachable port"
        case (1, _): "unreachable code \(code)"
        case (2, _): "packet too big"
        case (3, 0): "time exceeded in-transit"
        case (3, 1): "time exceeded reassembly"
        case (4, 0): "parameter problem erroneous header"
        case (4, 1): "parameter problem next header"
        case (4, 2): "parameter problem option"
        case (4, _): "parameter problem code \(code)"
        case (128, _): "echo request"
        case (129, _): "echo reply"
        case (130, _): length >= MLDQuery.v2Length ? "multicast listener query v2" : "multicast listener query"
        case (131, _): "multicast listener report"
        case (132, _): "multicast listener done"
        case (133, _): "router solicitation"
        case (134, _): "router advertisement"
        case (135, _): "neighbor solicitation"
        case (136, _): "neighbor advertisement"
        case (137, _): "redirect"
        case (143, _): "multicast listener report v2"
        default: "type \(type) code \(code)"
        }
    }
}

// MARK: - Neighbour discovery (RFC 4861)

/// A neighbour discovery option (RFC 4861 §4.6): type, length in units of 8 octets, and where it is.
public struct NDOption: Sendable, Equatable {
    public let type: UInt8
    /// Length in bytes (the field × 8).
    public let length: Int
    /// Offset of the option's first byte in the frame.
    public let offset: Int

    public init(type: UInt8, length: Int, offset: Int) {
        self.type = type
        self.length = length
        self.offset = offset
    }

    public static let sourceLinkLayerAddress: UInt8 = 1
    public static let targetLinkLayerAddress: UInt8 = 2
    public static let prefixInformation: UInt8 = 3
    public static let redirectedHeader: UInt8 = 4
    public static let mtu: UInt8 = 5
    public static let nonce: UInt8 = 14
    public static let routeInformation: UInt8 = 24
    public static let recursiveDNSServer: UInt8 = 25
    public static let dnsSearchList: UInt8 = 31
    public static let captivePortal: UInt8 = 37
    public static let pref64: UInt8 = 38
}

/// The options of a neighbour discovery message, as `ndisc_parse_options` (net/ipv6/ndisc.c) reads them.
public struct NDOptions: Sendable, Equatable {
    /// Every option in order, duplicates included.
    public let all: [NDOption]

    /// No options.
    public init() { all = [] }

    /// Reads the options in `bytes[start..<start+length]`. Throws `.invalidField` when an option has length
    /// 0 or runs past the end of the message (the kernel then refuses the whole message), `.truncated` when
    /// the capture ends inside them. A single trailing byte, too short for an option header, is ignored.
    public init(parsing bytes: [UInt8], at start: Int, length: Int) throws(WireError) {
        var options: [NDOption] = []
        var at = start
        var left = length
        while left >= 2 {
            guard bytes.count - at >= 2 else { throw .truncated(layer: .icmpv6, need: at + 2, have: bytes.count) }
            let l = Int(bytes.u8(at: at + 1)) * 8
            guard l != 0 else { throw .invalidField(layer: .icmpv6, field: "nd option length", value: 0) }
            guard l <= left else { throw .invalidField(layer: .icmpv6, field: "nd option length", value: l) }
            guard bytes.count - at >= l else { throw .truncated(layer: .icmpv6, need: at + l, have: bytes.count) }
            options.append(NDOption(type: bytes.u8(at: at), length: l, offset: at))
            at += l
            left -= l
        }
        all = options
    }

    /// The first option of `type` (the kernel keeps the first of duplicated link-layer, MTU and nonce
    /// options and ignores the rest).
    public func first(_ type: UInt8) -> NDOption? { all.first { $0.type == type } }

    /// The link-layer address an option of `type` carries, when it is long enough for one of `size` bytes.
    public func linkLayerAddress(_ type: UInt8, in bytes: [UInt8], size: Int = 6) -> [UInt8]? {
        guard let o = first(type), o.length >= 2 + size else { return nil }
        return Array(bytes[(o.offset + 2)..<(o.offset + 2 + size)])
    }
}

/// A router advertisement's prefix information option (RFC 4861 §4.6.2).
public struct NDPrefixInformation: Sendable, Equatable {
    public let prefixLength: UInt8
    /// L: the prefix is on-link.
    public let onLink: Bool
    /// A: addresses may be formed from it (SLAAC).
    public let autonomous: Bool
    /// P: the router prefers that hosts get addresses from it by DHCPv6 prefix delegation (RFC 9762).
    public let preferPD: Bool
    public let validLifetime: UInt32
    public let preferredLifetime: UInt32
    public let prefix: IPv6Address

    public static let length = 32

    /// The option at `option`, or `nil` when it is shorter than 32 bytes (the kernel ignores it then).
    public init?(_ bytes: [UInt8], option: NDOption) {
        guard option.type == NDOption.prefixInformation, option.length >= Self.length else { return nil }
        let o = option.offset
        prefixLength = bytes.u8(at: o + 2)
        onLink = bytes.u8(at: o + 3) & 0x80 != 0
        autonomous = bytes.u8(at: o + 3) & 0x40 != 0
        preferPD = bytes.u8(at: o + 3) & 0x10 != 0
        validLifetime = bytes.u32be(at: o + 4)
        preferredLifetime = bytes.u32be(at: o + 8)
        prefix = IPv6Address(bytes, at: o + 16)
    }
}

/// A validated neighbour discovery message: NS, NA, RS, RA or redirect, with its options.
public struct NDMessage: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case routerSolicitation
        /// `curHopLimit`, the M and O flags, router lifetime (seconds), reachable time and retransmit
        /// timer (milliseconds).
        case routerAdvertisement(curHopLimit: UInt8, managed: Bool, other: Bool, routerLifetime: UInt16,
                                 reachableTime: UInt32, retransTimer: UInt32)
        case neighbourSolicitation(target: IPv6Address)
        case neighbourAdvertisement(target: IPv6Address, router: Bool, solicited: Bool, override: Bool)
        case redirect(target: IPv6Address, destination: IPv6Address)
    }

    public let kind: Kind
    public let options: NDOptions

    /// The fixed part of each message before its options (`struct rs_msg`, `ra_msg`, `nd_msg`, `rd_msg`).
    public static func fixedLength(type: UInt8) -> Int? {
        switch type {
        case ICMPv6Packet.routerSolicitation: 8
        case ICMPv6Packet.routerAdvertisement: 16
        case ICMPv6Packet.neighbourSolicitation, ICMPv6Packet.neighbourAdvertisement: 24
        case ICMPv6Packet.redirect: 40
        default: nil
        }
    }

    /// Decodes the message `packet` holds. Throws `.invalidField` for a message too short for its type
    /// or with bad options (what the kernel drops), `.truncated` when the capture cut it.
    public init(_ packet: ICMPv6Packet) throws(WireError) {
        guard let fixed = Self.fixedLength(type: packet.type) else {
            throw .invalidField(layer: .icmpv6, field: "nd type", value: Int(packet.type))
        }
        guard packet.length >= fixed else { throw .invalidField(layer: .icmpv6, field: "nd length", value: packet.length) }
        guard packet.captured >= fixed else { throw .truncated(layer: .icmpv6, need: fixed, have: packet.captured) }
        let b = packet.bytes, s = packet.start
        switch packet.type {
        case ICMPv6Packet.routerSolicitation:
            kind = .routerSolicitation
        case ICMPv6Packet.routerAdvertisement:
            kind = .routerAdvertisement(curHopLimit: b.u8(at: s + 4), managed: b.u8(at: s + 5) & 0x80 != 0,
                                        other: b.u8(at: s + 5) & 0x40 != 0, routerLifetime: b.u16be(at: s + 6),
                                        reachableTime: b.u32be(at: s + 8), retransTimer: b.u32be(at: s + 12))
        case ICMPv6Packet.neighbourSolicitation:
            kind = .neighbourSolicitation(target: IPv6Address(b, at: s + 8))
        case ICMPv6Packet.neighbourAdvertisement:
            let flags = b.u8(at: s + 4)
            kind = .neighbourAdvertisement(target: IPv6Address(b, at: s + 8), router: flags & 0x80 != 0,
                                           solicited: flags & 0x40 != 0, override: flags & 0x20 != 0)
        default:
            kind = .redirect(target: IPv6Address(b, at: s + 8), destination: IPv6Address(b, at: s + 24))
        }
        options = try NDOptions(parsing: b, at: s + fixed, length: packet.length - fixed)
    }
}

// MARK: - Multicast listener discovery (RFC 2710, RFC 3810)

/// An MLD query: version 1 (24 bytes) or version 2 (28 bytes and more, RFC 3810 §5.1).
public struct MLDQuery: Sendable, Equatable {
    public static let v1Length = 24
    public static let v2Length = 28

    /// The group asked about; `::` for a general query.
    public let group: IPv6Address
    /// Maximum response delay in milliseconds (v2: decoded from the exponential code).
    public let maxResponseDelay: UInt32
    /// 1 or 2, by the message length as `igmp6_event_query` tells them apart.
    public let version: Int
    /// v2 only: S flag, robustness variable, querier's query interval code, the source addresses.
    public let suppressRouterProcessing: Bool
    public let robustness: UInt8
    public let queryIntervalCode: UInt8
    public let sources: [IPv6Address]

    /// Decodes a query. Lengths between 25 and 27 are neither version (the kernel drops them) and
    /// report `.invalidField`; a v2 query listing more sources than its length holds is `.invalidField`
    /// too; a capture that ends early is `.truncated`.
    public init(_ packet: ICMPv6Packet) throws(WireError) {
        guard packet.type == ICMPv6Packet.mldQuery else {
            throw .invalidField(layer: .icmpv6, field: "mld type", value: Int(packet.type))
        }
        let len = packet.length
        guard len == Self.v1Length || len >= Self.v2Length else {
            throw .invalidField(layer: .icmpv6, field: "mld query length", value: len)
        }
        let need = len == Self.v1Length ? Self.v1Length : Self.v2Length
        guard packet.captured >= need else { throw .truncated(layer: .icmpv6, need: need, have: packet.captured) }
        let b = packet.bytes, s = packet.start
        group = IPv6Address(b, at: s + 8)
        let code = b.u16be(at: s + 4)
        guard len >= Self.v2Length else {
            version = 1
            maxResponseDelay = UInt32(code)
            suppressRouterProcessing = false
            robustness = 0
            queryIntervalCode = 0
            sources = []
            return
        }
        version = 2
        maxResponseDelay = Self.decodeMaxResponseCode(code)
        suppressRouterProcessing = b.u8(at: s + 24) & 0x08 != 0
        robustness = b.u8(at: s + 24) & 0x07
        queryIntervalCode = b.u8(at: s + 25)
        let n = Int(b.u16be(at: s + 26))
        guard Self.v2Length + 16 * n <= len else { throw .invalidField(layer: .icmpv6, field: "mld sources", value: n) }
        guard Self.v2Length + 16 * n <= packet.captured else {
            throw .truncated(layer: .icmpv6, need: Self.v2Length + 16 * n, have: packet.captured)
        }
        sources = (0..<n).map { IPv6Address(b, at: s + Self.v2Length + 16 * $0) }
    }

    /// RFC 3810 §5.1.3: codes from 32768 up are a 3-bit exponent and a 12-bit mantissa.
    public static func decodeMaxResponseCode(_ code: UInt16) -> UInt32 {
        guard code >= 0x8000 else { return UInt32(code) }
        let exponent = UInt32(code >> 12) & 0x7
        let mantissa = UInt32(code) & 0x0fff
        return (mantissa | 0x1000) << (exponent + 3)
    }
}

/// An MLDv1 report or done message (RFC 2710 §3): the group it is about.
public struct MLDv1Message: Sendable, Equatable {
    public let group: IPv6Address

    public init(_ packet: ICMPv6Packet) throws(WireError) {
        guard packet.type == ICMPv6Packet.mldReport || packet.type == ICMPv6Packet.mldDone else {
            throw .invalidField(layer: .icmpv6, field: "mld type", value: Int(packet.type))
        }
        guard packet.length >= MLDQuery.v1Length else {
            throw .invalidField(layer: .icmpv6, field: "mld length", value: packet.length)
        }
        guard packet.captured >= MLDQuery.v1Length else {
            throw .truncated(layer: .icmpv6, need: MLDQuery.v1Length, have: packet.captured)
        }
        group = IPv6Address(packet.bytes, at: packet.start + 8)
    }
}

/// An MLDv2 report (RFC 3810 §5.2): its multicast address records.
public struct MLDv2Report: Sendable, Equatable {
    public struct Record: Sendable, Equatable {
        /// 1 MODE_IS_INCLUDE ... 6 BLOCK_OLD_SOURCES.
        public let type: UInt8
        public let group: IPv6Address
        public let sources: [IPv6Address]
    }

    public let records: [Record]

    public init(_ packet: ICMPv6Packet) throws(WireError) {
        guard packet.type == ICMPv6Packet.mld2Report else {
            throw .invalidField(layer: .icmpv6, field: "mld type", value: Int(packet.type))
        }
        let b = packet.bytes
        let count = Int(b.u16be(at: packet.start + 6))
        var at = packet.start + ICMPv6Packet.headerLength
        let end = packet.start + packet.length
        var records: [Record] = []
        for _ in 0..<count {
            guard end - at >= 20 else { throw .invalidField(layer: .icmpv6, field: "mld2 records", value: count) }
            let sourceCount = Int(b.u16be(at: at + 2))
            let size = 20 + 16 * sourceCount + 4 * Int(b.u8(at: at + 1))
            guard end - at >= size else { throw .invalidField(layer: .icmpv6, field: "mld2 record length", value: size) }
            guard b.count - at >= size else { throw .truncated(layer: .icmpv6, need: at + size - packet.start, have: packet.captured) }
            records.append(Record(type: b.u8(at: at), group: IPv6Address(b, at: at + 4),
                                  sources: (0..<sourceCount).map { IPv6Address(b, at: at + 20 + 16 * $0) }))
            at += size
        }
        self.records = records
    }
}
