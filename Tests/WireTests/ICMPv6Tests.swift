import Testing
import Wire

/// ICMPv6 messages as captured in Fixtures/v6_ndisc, v6_ra and v6_mld (the ICMPv6 part of each frame).
@Suite("ICMPv6")
struct ICMPv6Tests {
    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    /// v6_ndisc frame 1: NS from fe80::ff:fe00:e00 for fd77::1 with a source link-layer address option.
    static let ns = hex("870060a400000000fd7700000000000000000000000000010101020000000e00")
    /// v6_ndisc frame 2: the host's solicited NA (S and O set) with its target link-layer address.
    static let na = hex("8800003160000000fd7700000000000000000000000000010201020000000d00")
    /// v6_ndisc frame 14: a redirect for fd99::1 to fe80::ff:fe00:e00.
    static let redirect = hex(
        "8900457600000000fe80000000000000000000fffe000e00fd9900000000000000000000000000010201020000000e00")
    /// v6_ra frame 3: RA, hop limit 64, lifetime 1800, SLLAO, MTU 1000, prefix fd78::/64 with L and A.
    static let ra = hex(
        "860043074008070800000000000000000101020000000e0005010000000003e8030440c0000151800000384000000000fd780000000000000000000000000000")
    static let mld2Query = hex("820072c0006400000000000000000000000000000000000000000000")
    static let mld1Query = hex("820072c40064000000000000000000000000000000000000")
    static let mld1Report = hex("8300851700000000ff120000000000000000000000007777")
    /// v6_mld frame 2: the host's answer to the general query, four MODE_IS_EXCLUDE records without sources.
    static let mld2Report = hex(
        "8f0069bd0000000402000000ff0200000000000000000001ff00777702000000ff12000000000000000000000000777702000000ff0200000000000000000001ff000d0002000000ff0200000000000000000001ff000001")

    static func packet(_ b: [UInt8], length: Int? = nil) throws -> ICMPv6Packet {
        try #require(ICMPv6Packet(b, at: 0, length: length ?? b.count))
    }

    @Test func neighbourSolicitation() throws {
        let p = try Self.packet(Self.ns)
        #expect(p.type == ICMPv6Packet.neighbourSolicitation && p.name == "neighbor solicitation")
        let m = try NDMessage(p)
        #expect(m.kind == .neighbourSolicitation(target: IPv6Address("fd77::1")!))
        #expect(m.options.all == [NDOption(type: NDOption.sourceLinkLayerAddress, length: 8, offset: 24)])
        #expect(m.options.linkLayerAddress(NDOption.sourceLinkLayerAddress, in: Self.ns) == [2, 0, 0, 0, 0x0e, 0])
        #expect(m.options.linkLayerAddress(NDOption.targetLinkLayerAddress, in: Self.ns) == nil)
    }

    @Test func neighbourAdvertisement() throws {
        let m = try NDMessage(Self.packet(Self.na))
        #expect(m.kind == .neighbourAdvertisement(target: IPv6Address("fd77::1")!, router: false, solicited: true,
                                                  override: true))
        #expect(m.options.linkLayerAddress(NDOption.targetLinkLayerAddress, in: Self.na) == [2, 0, 0, 0, 0x0d, 0])
    }

    @Test func redirect() throws {
        let m = try NDMessage(Self.packet(Self.redirect))
        #expect(m.kind == .redirect(target: IPv6Address("fe80::ff:fe00:e00")!, destination: IPv6Address("fd99::1")!))
        #expect(m.options.all.map(\.type) == [NDOption.targetLinkLayerAddress])
    }

    @Test func routerAdvertisement() throws {
        let m = try NDMessage(Self.packet(Self.ra))
        #expect(m.kind == .routerAdvertisement(curHopLimit: 64, managed: false, other: false, routerLifetime: 1800,
                                               reachableTime: 0, retransTimer: 0))
        #expect(m.options.all.map(\.type) == [NDOption.sourceLinkLayerAddress, NDOption.mtu, NDOption.prefixInformation])
        let option = try #require(m.options.first(NDOption.prefixInformation))
        #expect(option == m.options.all[2] && option.length == NDPrefixInformation.length)
        let pio = try #require(NDPrefixInformation(Self.ra, option: option))
        #expect(NDPrefixInformation(Self.ra, option: m.options.all[0]) == nil)
        #expect(pio.prefix == IPv6Address("fd78::")! && pio.prefixLength == 64 && pio.onLink && pio.autonomous && !pio.preferPD)
        var withP = Self.ra
        withP[option.offset + 3] |= 0x10
        #expect(NDPrefixInformation(withP, option: option)?.preferPD == true)
        #expect(pio.validLifetime == 86400 && pio.preferredLifetime == 14400)
        let mtu = try #require(m.options.first(NDOption.mtu))
        #expect(Self.ra.u32be(at: mtu.offset + 4) == 1000)
    }

    @Test("malformed ND messages are refused, cut ones are truncated", arguments: [
        // option length 0: ndisc_parse_options gives up on the whole message
        ("option length 0", { var b = ICMPv6Tests.ns; b[25] = 0; return (b, b.count) }(),
         WireError.invalidField(layer: .icmpv6, field: "nd option length", value: 0)),
        // option running past the message's end
        ("option past the end", { var b = ICMPv6Tests.ns; b[25] = 2; return (b, b.count) }(),
         WireError.invalidField(layer: .icmpv6, field: "nd option length", value: 16)),
        // an NS of 20 bytes: shorter than struct nd_msg
        ("short NS", (Array(ICMPv6Tests.ns.prefix(20)), 20), WireError.invalidField(layer: .icmpv6, field: "nd length", value: 20)),
        // the capture holds 20 of the message's 32 bytes
        ("cut NS", (Array(ICMPv6Tests.ns.prefix(20)), 32), WireError.truncated(layer: .icmpv6, need: 24, have: 20)),
        // the capture ends inside the option
        ("cut option", (Array(ICMPv6Tests.ns.prefix(28)), 32), WireError.truncated(layer: .icmpv6, need: 32, have: 28)),
    ] as [(String, ([UInt8], Int), WireError)])
    func malformedND(_ name: String, _ input: ([UInt8], Int), _ expected: WireError) throws {
        let p = try Self.packet(input.0, length: input.1)
        #expect(throws: expected) { try NDMessage(p) }
    }

    @Test func aSingleTrailingByteIsNoOption() throws {
        let b = Self.ns + [0]
        let m = try NDMessage(Self.packet(b))
        #expect(m.options.all.count == 1)
    }

    @Test func mldQueries() throws {
        let v2 = try MLDQuery(Self.packet(Self.mld2Query))
        #expect(v2.version == 2 && v2.group == .any && v2.maxResponseDelay == 100 && v2.sources.isEmpty)
        #expect(try Self.packet(Self.mld2Query).name == "multicast listener query v2")
        let v1 = try MLDQuery(Self.packet(Self.mld1Query))
        #expect(v1.version == 1 && v1.group == .any && v1.maxResponseDelay == 100)
        #expect(throws: WireError.invalidField(layer: .icmpv6, field: "mld query length", value: 26)) {
            try MLDQuery(Self.packet(Array(Self.mld2Query.prefix(26))))
        }
        var lying = Self.mld2Query
        lying[27] = 1   // one source announced, none there
        #expect(throws: WireError.invalidField(layer: .icmpv6, field: "mld sources", value: 1)) {
            try MLDQuery(Self.packet(lying))
        }
        #expect(MLDQuery.decodeMaxResponseCode(0x8000) == 0x1000 << 3)
        #expect(MLDQuery.decodeMaxResponseCode(0xffff) == 0x1fff << 10)
        #expect(MLDQuery.decodeMaxResponseCode(32767) == 32767)
    }

    @Test func mldReports() throws {
        #expect(try MLDv1Message(Self.packet(Self.mld1Report)).group == IPv6Address("ff12::7777")!)
        let r = try MLDv2Report(Self.packet(Self.mld2Report))
        #expect(r.records.map(\.group.description) == ["ff02::1:ff00:7777", "ff12::7777", "ff02::1:ff00:d00", "ff02::1:ff00:1"])
        #expect(r.records.allSatisfy { $0.type == 2 && $0.sources.isEmpty })
        #expect(throws: WireError.invalidField(layer: .icmpv6, field: "mld2 records", value: 4)) {
            try MLDv2Report(Self.packet(Array(Self.mld2Report.prefix(60))))
        }
        #expect(throws: WireError.truncated(layer: .icmpv6, need: 68, have: 60)) {
            try MLDv2Report(Self.packet(Array(Self.mld2Report.prefix(60)), length: Self.mld2Report.count))
        }
    }

    @Test func errorsAndEcho() throws {
        let ptb: [UInt8] = [2, 0, 0, 0, 0, 0, 5, 0]
        let p = try Self.packet(ptb)
        #expect(p.isError && p.mtu == 1280 && p.name == "packet too big" && p.quotedStart == 8)
        let echo = try Self.packet([128, 0, 0, 0, 0x70, 0x70, 0, 1])
        #expect(!echo.isError && echo.identifier == 0x7070 && echo.sequence == 1)
        #expect(ICMPv6Packet([128, 0, 0, 0], at: 0, length: 8) == nil)
        #expect(ICMPv6Packet(Self.ns, at: 0, length: 4) == nil)
    }

    @Test func everyPrefixDecodesWithoutTrapping() {
        for message in [Self.ns, Self.na, Self.redirect, Self.ra, Self.mld2Query, Self.mld1Query, Self.mld1Report,
                        Self.mld2Report] {
            for n in 0...message.count {
                let cut = Array(message.prefix(n))
                guard let p = ICMPv6Packet(cut, at: 0, length: message.count) else { continue }
                _ = try? NDMessage(p)
                _ = try? MLDQuery(p)
                _ = try? MLDv1Message(p)
                _ = try? MLDv2Report(p)
            }
        }
    }
}
