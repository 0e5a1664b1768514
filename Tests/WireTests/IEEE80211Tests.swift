import Testing
import Wire

@Suite("802.11 and radiotap")
struct IEEE80211Tests {
    /// A radiotap header with flags (FCS at end), rate 24 Mb/s and channel 2412 MHz:
    /// 00 00 0e 00 0e 00 00 00 10 30 6c 09 a0 00
    static let radiotap: [UInt8] = [0x00, 0x00, 0x0e, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x10, 0x30, 0x6c, 0x09, 0xa0, 0x00]

    /// A QoS data frame FromDS (AP 02:..:aa to station 02:..:01, source 02:..:bb), seq 5, TID 6, then
    /// RFC 1042 LLC/SNAP with EtherType IPv4 and 4 payload bytes.
    static let qosData: [UInt8] = [0x88, 0x02, 0x2c, 0x00] + [2, 0, 0, 0, 0, 1] + [2, 0, 0, 0, 0, 0xaa]
        + [2, 0, 0, 0, 0, 0xbb] + [0x50, 0x00] + [0x06, 0x00] + LLCSNAP.rfc1042 + [0x08, 0x00] + [0x45, 0, 0, 4]

    @Test func deconstructRadiotap() throws {
        let r = try RadiotapHeader(parsing: Self.radiotap + Self.qosData)
        #expect(r.length == 14)
        #expect(r.info.flags == .fcsAtEnd)
        #expect(r.info.rate == 48)
        #expect(r.info.frequency == 2412)
        #expect(r.info.unknownField == nil)
    }

    @Test func deconstructQoSData() throws {
        let h = try IEEE80211Header(parsing: Self.qosData)
        #expect(h.frameControl.type == .data)
        #expect(h.frameControl.isQoSData && h.frameControl.fromDS && !h.frameControl.toDS)
        #expect(h.length == 26)
        #expect(h.sequenceNumber == 5 && h.fragmentNumber == 0)
        #expect(h.tid == 6 && !h.isAMSDU)
        #expect(h.bssid == MACAddress("02:00:00:00:00:aa"))
        #expect(h.sourceAddress == MACAddress("02:00:00:00:00:bb"))
        #expect(h.destinationAddress == MACAddress("02:00:00:00:00:01"))
    }

    @Test("a trailing FCS is left out and the payload's EtherType found")
    func wirelessFrame() {
        let bytes = Self.radiotap + Self.qosData + [1, 2, 3, 4]
        let w = WirelessFrame(bytes, encapsulation: .radiotap)
        #expect(w.failure == nil)
        #expect(w.end == bytes.count - 4)
        #expect(w.etherType == .ipv4)
        #expect(w.networkOffset == 14 + 26 + 8)
    }

    @Test("A-MPDU status and MCS are read after alignment padding")
    func alignment() throws {
        // present: flags (1), MCS (19), A-MPDU status (20); flags at 8, MCS at 9-11, A-MPDU aligned to 12.
        let present: UInt32 = 1 << 1 | 1 << 19 | 1 << 20
        var b: [UInt8] = [0, 0, 20, 0] + (0..<4).map { UInt8(truncatingIfNeeded: present >> (8 * UInt32($0))) }
        b += [0x00, 0x07, 0x00, 0x05] + [0x2a, 0, 0, 0, 0x0c, 0x00, 0, 0]
        let r = try RadiotapHeader(parsing: b)
        #expect(r.info.mcs?.index == 5)
        #expect(r.info.ampdu?.reference == 42)
        #expect(r.info.ampdu?.isLast == true)
    }

    @Test("an extended bitmap in a vendor namespace is skipped by its length")
    func vendorNamespace() throws {
        // word 0: rate + vendor namespace next + extended; word 1: vendor field bit 0; then rate at 12,
        // the vendor header (aligned to 14: OUI, sub-namespace, skip length 2) and 2 bytes.
        let w0: UInt32 = 1 << 2 | 1 << 30 | 1 << 31
        let w1: UInt32 = 1
        var b: [UInt8] = [0, 0, 22, 0]
        for w in [w0, w1] { b += (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt32($0))) } }
        b += [0x16, 0x00] + [0x00, 0x11, 0x22, 0x01, 0x02, 0x00] + [0xee, 0xee]
        let r = try RadiotapHeader(parsing: b)
        #expect(r.length == 22)
        #expect(r.info.rate == 0x16)
    }

    @Test("truncated, malformed and unsupported headers are told apart", arguments: [
        ("radiotap shorter than 8", [0, 0, 8, 0] as [UInt8], WireError.truncated(layer: .radiotap, need: 8, have: 4)),
        ("radiotap length past the capture", [0, 0, 40, 0, 0, 0, 0, 0], WireError.truncated(layer: .radiotap, need: 40, have: 8)),
        ("radiotap length below 8", [0, 0, 4, 0, 0, 0, 0, 0], WireError.invalidField(layer: .radiotap, field: "length", value: 4)),
        ("radiotap field past its length", [0, 0, 8, 0, 0x08, 0, 0, 0, 0, 0, 0, 0], WireError.invalidField(layer: .radiotap, field: "length", value: 8)),
        ("radiotap version 1", [1, 0, 8, 0, 0, 0, 0, 0], WireError.unsupported(layer: .radiotap, what: "version 1")),
    ])
    func malformedRadiotap(_ name: String, _ bytes: [UInt8], _ expected: WireError) {
        do throws(WireError) {
            _ = try RadiotapHeader(parsing: bytes)
            Issue.record("accepted")
        } catch {
            #expect(error == expected)
        }
    }

    @Test("802.11 header problems", arguments: [
        ("shorter than an ACK", [0xd4, 0x00, 0, 0] as [UInt8], WireError.truncated(layer: .ieee80211, need: 10, have: 4)),
        ("data header cut", [0x08, 0x00] + [UInt8](repeating: 0, count: 18), WireError.truncated(layer: .ieee80211, need: 24, have: 20)),
        ("protocol version 1", [0x01, 0x00] + [UInt8](repeating: 0, count: 22), WireError.unsupported(layer: .ieee80211, what: "protocol version 1")),
        ("extension frame", [0x0c, 0x00] + [UInt8](repeating: 0, count: 22), WireError.unsupported(layer: .ieee80211, what: "extension frame (subtype 0)")),
    ])
    func malformedHeader(_ name: String, _ bytes: [UInt8], _ expected: WireError) {
        do throws(WireError) {
            _ = try IEEE80211Header(parsing: bytes)
            Issue.record("accepted")
        } catch {
            #expect(error == expected)
        }
    }

    @Test("an unknown radiotap field stops field decoding, not the frame")
    func unknownField() throws {
        let present: UInt32 = 1 << 2 | 1 << 31
        let ext: UInt32 = 1 << 3
        var b: [UInt8] = [0, 0, 16, 0]
        for w in [present, ext] { b += (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt32($0))) } }
        b += [0x02, 0, 0, 0]
        let r = try RadiotapHeader(parsing: b + Self.qosData)
        #expect(r.info.rate == 2)
        #expect(r.info.unknownField == 35)
        #expect(WirelessFrame(b + Self.qosData, encapsulation: .radiotap).header?.sequenceNumber == 5)
    }

    @Test func ppiCommonField() throws {
        // PPI header (8) + field header (type 2, length 20) + 802.11-Common with FCS-present and 2437 MHz.
        var common = [UInt8](repeating: 0, count: 20)
        common[8] = 0x01
        common[10] = 0x6c
        common[12] = 0x85
        common[13] = 0x09
        let b: [UInt8] = [0, 0, 32, 0, 105, 0, 0, 0, 2, 0, 20, 0] + common
        let p = try PPIHeader(parsing: b + Self.qosData)
        #expect(p.length == 32)
        #expect(p.info.flags.contains(.fcsAtEnd))
        #expect(p.info.frequency == 2437)
        do throws(WireError) {
            _ = try PPIHeader(parsing: [0, 0, 8, 0, 1, 0, 0, 0])
            Issue.record("accepted")
        } catch {
            #expect(error == .unsupported(layer: .ppi, what: "wrapped link type 1"))
        }
    }
}
