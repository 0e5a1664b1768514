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
    /// the radio's channel and rate, then the network layer of a data frame or the problem.
    public func describe(_ bytes: [UInt8]) -> String {
        var parts: [String] = []
        if let h = header {
            let fc = h.frameControl
            parts.append("802.11 \(fc.name)")
            if fc.toDS { parts.append("ToDS") }
            if fc.fromDS { parts.append("FromDS") }
            if let sa = h.summarySource { parts.append("\(sa) > \(h.destinationAddress)") } else { parts.append("RA \(h.address1)") }
            if let bssid = h.bssid { parts.append("BSSID \(bssid)") }
            if let seq = h.sequenceNumber, fc.type != .control {
                parts.append(h.fragmentNumber == 0 ? "seq=\(seq)" : "seq=\(seq) frag=\(h.fragmentNumber ?? 0)")
            }
            if let tid = h.tid { parts.append("tid=\(tid)") }
            var flags: [String] = []
            if fc.retry { flags.append("retry") }
            if fc.moreFragments { flags.append("more-frag") }
            if fc.powerManagement { flags.append("pwr-mgt") }
            if fc.moreData { flags.append("more-data") }
            if fc.isProtected { flags.append("protected") }
            if h.isAMSDU { flags.append("A-MSDU") }
            if h.htControl != nil { flags.append("+HTC") }
            if !flags.isEmpty { parts.append("[\(flags.joined(separator: ","))]") }
        } else {
            parts.append("802.11")
        }
        if let r = radio {
            var radioParts: [String] = []
            if let f = r.frequency { radioParts.append("\(f) MHz") }
            if let m = r.mcs { radioParts.append("MCS \(m.index)") } else if let rate = r.rate {
                radioParts.append(rate % 2 == 0 ? "\(rate / 2) Mb/s" : "\(rate / 2).5 Mb/s")
            }
            if r.ampdu != nil { radioParts.append("A-MPDU") }
            if r.flags.contains(.badFCS) { radioParts.append("bad FCS") }
            if !radioParts.isEmpty { parts.append("{\(radioParts.joined(separator: " "))}") }
        }
        if let failure {
            parts.append("(\(failure))")
        } else if let etherType {
            parts.append(FrameSummary.describe(bytes, networkOffset: networkOffset, etherType: etherType))
        }
        return parts.joined(separator: " ")
    }
}

extension IEEE80211Header {
    /// The source address shown in a summary: the MSDU's source for data, the transmitter otherwise
    /// (`nil` for ACK and CTS, which name only their receiver).
    var summarySource: MACAddress? { frameControl.type == .data ? sourceAddress : address2 }
}
