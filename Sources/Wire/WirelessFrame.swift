/// What comes before an 802.11 frame in a monitor-mode capture.
public enum RadioEncapsulation: Sendable, Equatable {
    /// No radio header (`DLT_IEEE802_11`).
    case none
    /// A radiotap header (`DLT_IEEE802_11_RADIO`).
    case radiotap
    /// A PPI header wrapping 802.11 (`DLT_PPI`).
    case ppi
}

/// One captured 802.11 frame decoded layer by layer: the radio header, the MAC header, and for an
/// unprotected data frame the LLC/SNAP header and the network layer after it. Decoding keeps every
/// layer that was good and stops at the first that was not (``failure``), as the Ethernet side does.
public struct WirelessFrame: Sendable, Equatable {
    /// The radio header's information, when the capture has one and it could be read.
    public var radio: RadioInfo?
    /// The offset of the 802.11 header.
    public var macOffset = 0
    /// The MAC header, when it could be decoded.
    public var header: IEEE80211Header?
    /// The offset of the frame body (after the header and any radio-driver padding).
    public var bodyOffset = 0
    /// Where the frame ends: the captured bytes less a trailing FCS.
    public var end = 0
    /// Whether the captured bytes end with the frame's FCS.
    public var hasFCS: Bool { radio?.flags.contains(.fcsAtEnd) ?? false }
    /// The EtherType of an unprotected data frame's MSDU (of the first subframe of an A-MSDU).
    public var etherType: EtherType?
    /// The offset of the network-layer header, when ``etherType`` is set.
    public var networkOffset = 0
    /// The first layer that could not be decoded, and why.
    public var failure: WireError?

    /// The length of an A-MSDU subframe header: destination, source, length.
    static let amsduSubframeHeaderLength = 14

    /// Decodes `bytes` (`caplen` of them captured) as `encapsulation` wraps them.
    public init(_ bytes: [UInt8], encapsulation: RadioEncapsulation) {
        end = bytes.count
        do throws(WireError) {
            switch encapsulation {
            case .none: break
            case .radiotap:
                let r = try RadiotapHeader(parsing: bytes)
                radio = r.info
                macOffset = r.length
            case .ppi:
                let p = try PPIHeader(parsing: bytes)
                radio = p.info
                macOffset = p.length
            }
            if hasFCS { end = max(macOffset, bytes.count - 4) }
            let h = try IEEE80211Header(parsing: bytes, at: macOffset, end: end)
            header = h
            bodyOffset = macOffset + h.length
            if radio?.flags.contains(.dataPad) ?? false { bodyOffset = macOffset + (h.length + 3) / 4 * 4 }
            guard h.frameControl.type == .data, !h.frameControl.isNullData, !h.frameControl.isProtected,
                  h.fragmentNumber == 0 else { return }
            let llc = h.isAMSDU ? bodyOffset + Self.amsduSubframeHeaderLength : bodyOffset
            guard end - llc >= LLCSNAP.headerLength else {
                throw .truncated(layer: .llc, need: LLCSNAP.headerLength, have: max(0, end - llc))
            }
            guard let type = LLCSNAP.etherType(bytes, at: llc) else {
                throw .unsupported(layer: .llc, what: "an LLC header without RFC 1042 or bridge-tunnel SNAP")
            }
            etherType = type
            networkOffset = llc + LLCSNAP.headerLength
        } catch {
            failure = error
        }
    }

    /// A one-line description: the frame type, the addresses that matter, sequence and QoS fields,
    /// the radio's channel and rate, then the network layer of a data frame or the problem. (Written
    /// as bytes into one buffer: the replay describes every 802.11 frame it traces.)
    public func describe(_ bytes: [UInt8]) -> String {
        var out = TextBytes(capacity: 256)
        defer { out.deallocate() }
        write(bytes, into: &out)
        return out.withBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// ``describe(_:)``, appended to `out` as UTF-8.
    public func describe(_ bytes: [UInt8], into out: inout [UInt8]) {
        var text = TextBytes(capacity: 256)
        defer { text.deallocate() }
        write(bytes, into: &text)
        text.withBytes { out.append(contentsOf: $0) }
    }

    /// Writes ``describe(_:)``'s line into `out`.
    private func write(_ bytes: [UInt8], into out: inout TextBytes) {
        out.appendText("802.11")
        if let h = header {
            let fc = h.frameControl
            out.append(UInt8(ascii: " "))
            out.append(fc.name)
            if fc.toDS { out.appendText(" ToDS") }
            if fc.fromDS { out.appendText(" FromDS") }
            if let sa = h.summarySource {
                out.append(UInt8(ascii: " "))
                out.appendMAC(sa)
                out.appendText(" > ")
                out.appendMAC(h.destinationAddress)
            } else {
                out.appendText(" RA ")
                out.appendMAC(h.address1)
            }
            if let bssid = h.bssid {
                out.appendText(" BSSID ")
                out.appendMAC(bssid)
            }
            if let seq = h.sequenceNumber, fc.type != .control {
                out.appendText(" seq=")
                out.appendDecimal(Int(seq))
                if h.fragmentNumber != 0 {
                    out.appendText(" frag=")
                    out.appendDecimal(Int(h.fragmentNumber ?? 0))
                }
            }
            if let tid = h.tid {
                out.appendText(" tid=")
                out.appendDecimal(Int(tid))
            }
            var flags: [String] = []
            if fc.retry { flags.append("retry") }
            if fc.moreFragments { flags.append("more-frag") }
            if fc.powerManagement { flags.append("pwr-mgt") }
            if fc.moreData { flags.append("more-data") }
            if fc.isProtected { flags.append("protected") }
            if h.isAMSDU { flags.append("A-MSDU") }
            if h.htControl != nil { flags.append("+HTC") }
            if !flags.isEmpty { out.append(" [\(flags.joined(separator: ","))]") }
        }
        if let r = radio {
            out.append(UInt8(ascii: " "))
            let first = out.count
            if let f = r.frequency {
                out.append(UInt8(ascii: "{"))
                out.appendDecimal(Int(f))
                out.appendText(" MHz")
            }
            if let m = r.mcs {
                out.append(out.count == first ? UInt8(ascii: "{") : UInt8(ascii: " "))
                out.appendText("MCS ")
                out.appendDecimal(Int(m.index))
            } else if let rate = r.rate {
                out.append(out.count == first ? UInt8(ascii: "{") : UInt8(ascii: " "))
                out.appendDecimal(Int(rate / 2))
                out.appendText(rate % 2 == 0 ? " Mb/s" : ".5 Mb/s")
            }
            if r.ampdu != nil {
                out.append(out.count == first ? UInt8(ascii: "{") : UInt8(ascii: " "))
                out.appendText("A-MPDU")
            }
            if r.flags.contains(.badFCS) {
                out.append(out.count == first ? UInt8(ascii: "{") : UInt8(ascii: " "))
                out.appendText("bad FCS")
            }
            if out.count == first { out.removeLast() } else { out.append(UInt8(ascii: "}")) }
        }
        if let failure {
            out.append(" (\(failure))")
        } else if let etherType {
            out.append(UInt8(ascii: " "))
            // A valid IPv4 packet's line as `FrameSummary.write` makes it, without an array between.
            var line = SummaryLine()
            if etherType == .ipv4, FrameSummary.writeIPv4(bytes, at: networkOffset, into: &line) == nil {
                line.withBytes { out.append($0) }
            } else {
                var rest: [UInt8] = []
                FrameSummary.write(bytes, networkOffset: networkOffset, etherType: etherType, into: &rest)
                rest.withUnsafeBufferPointer { out.append($0) }
            }
        }
    }
}

/// The bytes of a summary being written: appended in place, in storage grown as needed (an array's
/// generic appends cost about a hundred instructions each, nine a frame).
private struct TextBytes {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    func deallocate() { base.deallocate() }

    /// Makes room for `n` more bytes.
    @inline(__always)
    private mutating func reserve(_ n: Int) {
        guard count + n > capacity else { return }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: max(2 * capacity, count + n))
        grown.initialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = max(2 * capacity, count + n)
    }

    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).initialize(from: start, count: bytes.count)
        count += bytes.count
    }

    /// Appends the UTF-8 of `s` in one copy.
    mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { append($0) }
    }

    /// Appends ASCII text.
    mutating func appendText(_ s: StaticString) {
        append(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Appends `mac` as ``MACAddress/description`` writes it.
    mutating func appendMAC(_ mac: MACAddress) {
        reserve(MACAddress.textLength)
        mac.write(to: base + count)
        count += MACAddress.textLength
    }

    /// Appends a non-negative `v` in decimal.
    mutating func appendDecimal(_ v: Int) {
        let n = UInt64(v.magnitude)
        let digits = DecimalDigits.digitCount(n)
        reserve(digits)
        DecimalDigits.write(n, at: base + count, digits: digits)
        count += digits
    }

    mutating func removeLast() { count -= 1 }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        body(UnsafeBufferPointer(start: base, count: count))
    }
}

extension IEEE80211Header {
    /// The source address shown in a summary: the MSDU's source for data, the transmitter otherwise
    /// (`nil` for ACK and CTS, which name only their receiver).
    var summarySource: MACAddress? { frameControl.type == .data ? sourceAddress : address2 }
}
