/// The IEEE 802.11 MAC header (IEEE Std 802.11-2020 §9.2): frame control, duration, one to four
/// addresses, sequence control, and for QoS data the QoS control and optional HT control fields. All
/// multi-byte fields are little-endian.
///
/// `IEEE80211Packet` is a view over the header at `start`; `IEEE80211Header` is the validated value.
public struct IEEE80211Packet: Sendable {
    /// Byte offsets of the fields, relative to the start of the header.
    public enum Field {
        public static let frameControl = 0
        public static let duration = 2
        public static let address1 = 4
        public static let address2 = 10
        public static let address3 = 16
        public static let sequenceControl = 22
        public static let address4 = 24
    }

    /// The shortest header: an ACK or CTS (frame control, duration, receiver address).
    public static let minimumHeaderLength = 10

    public let bytes: [UInt8]
    public let start: Int

    /// A view at `start`, or `nil` when fewer than 10 bytes are there.
    public init?(_ bytes: [UInt8], at start: Int = 0) {
        guard start >= 0, bytes.count - start >= Self.minimumHeaderLength else { return nil }
        self.bytes = bytes
        self.start = start
    }

    public var frameControl: FrameControl { FrameControl(rawValue: bytes.u16le(at: start + Field.frameControl)) }
    public var duration: UInt16 { bytes.u16le(at: start + Field.duration) }
    public var address1: MACAddress { MACAddress(bytes, at: start + Field.address1) }
    public var address2: MACAddress { MACAddress(bytes, at: start + Field.address2) }
    public var address3: MACAddress { MACAddress(bytes, at: start + Field.address3) }
    public var address4: MACAddress { MACAddress(bytes, at: start + Field.address4) }
    public var sequenceControl: UInt16 { bytes.u16le(at: start + Field.sequenceControl) }
    /// The QoS control field of a QoS data frame (after the addresses).
    public var qosControl: UInt16 { bytes.u16le(at: start + (frameControl.hasAddress4 ? 30 : 24)) }
    /// The HT control field, after the QoS control field of a QoS data frame or the sequence control of
    /// a management frame.
    public var htControl: UInt32 {
        bytes.u32le(at: start + (frameControl.type == .management ? 24 : (frameControl.hasAddress4 ? 32 : 26)))
    }

    /// The header's length as the frame control field implies it (as the kernel's `ieee80211_hdrlen`
    /// computes it), or `nil` for a type it does not define (extension frames).
    public var headerLength: Int? { frameControl.headerLength }
}

/// The 802.11 frame control field: protocol version, type, subtype and flags.
public struct FrameControl: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The frame types (bits 2–3).
    public enum FrameType: UInt8, Sendable, Equatable {
        case management = 0, control = 1, data = 2, extensionFrame = 3
    }

    public var protocolVersion: UInt8 { UInt8(rawValue & 0x3) }
    public var type: FrameType { FrameType(rawValue: UInt8(rawValue >> 2 & 0x3)) ?? .extensionFrame }
    public var subtype: UInt8 { UInt8(rawValue >> 4 & 0xf) }
    public var toDS: Bool { rawValue & 0x0100 != 0 }
    public var fromDS: Bool { rawValue & 0x0200 != 0 }
    public var moreFragments: Bool { rawValue & 0x0400 != 0 }
    public var retry: Bool { rawValue & 0x0800 != 0 }
    public var powerManagement: Bool { rawValue & 0x1000 != 0 }
    public var moreData: Bool { rawValue & 0x2000 != 0 }
    public var isProtected: Bool { rawValue & 0x4000 != 0 }
    /// The +HTC/Order bit: an HT control field follows (QoS data and management frames).
    public var order: Bool { rawValue & 0x8000 != 0 }
    /// A data frame between two access points (or a mesh frame) carries a fourth address.
    public var hasAddress4: Bool { type == .data && toDS && fromDS }
    /// A QoS data subtype (bit 3 of the subtype).
    public var isQoSData: Bool { type == .data && subtype & 0x8 != 0 }
    /// A data subtype that carries no payload (Null, QoS Null and the CF variants without data).
    public var isNullData: Bool { type == .data && subtype & 0x4 != 0 }

    /// The header's length, as `ieee80211_hdrlen` (include/linux/ieee80211.h) computes it; `nil` for
    /// extension frames.
    public var headerLength: Int? {
        switch type {
        case .data:
            var n = hasAddress4 ? 30 : 24
            if isQoSData { n += order ? 6 : 2 }
            return n
        case .management: return order ? 28 : 24
        case .control: return rawValue & 0x00e0 == 0x00c0 ? 10 : 16
        case .extensionFrame: return nil
        }
    }

    /// The subtype's name (`Beacon`, `QoS Data`, `ACK`, …).
    public var name: String {
        let names: [String] =
            switch type {
            case .management: Self.managementNames
            case .control: Self.controlNames
            case .data: Self.dataNames
            case .extensionFrame: []
            }
        return names.indices.contains(Int(subtype)) ? names[Int(subtype)] : "Extension \(subtype)"
    }

    /// The names of the subtypes of each type, by subtype (made once: every 802.11 frame's summary names one).
    private static let managementNames = [
        "Assoc Request", "Assoc Response", "Reassoc Request", "Reassoc Response", "Probe Request",
        "Probe Response", "Timing Advertisement", "Management 7", "Beacon", "ATIM", "Disassoc",
        "Authentication", "Deauthentication", "Action", "Action No Ack", "Management 15",
    ]
    private static let controlNames = [
        "Control 0", "Control 1", "Trigger", "TACK", "Beamforming Report Poll", "NDP Announcement",
        "Control Frame Extension", "Control Wrapper", "BlockAck Request", "BlockAck", "PS-Poll", "RTS",
        "CTS", "ACK", "CF-End", "CF-End+CF-Ack",
    ]
    private static let dataNames = [
        "Data", "Data+CF-Ack", "Data+CF-Poll", "Data+CF-Ack+CF-Poll", "Null", "CF-Ack", "CF-Poll",
        "CF-Ack+CF-Poll", "QoS Data", "QoS Data+CF-Ack", "QoS Data+CF-Poll", "QoS Data+CF-Ack+CF-Poll",
        "QoS Null", "QoS 13", "QoS CF-Poll", "QoS CF-Ack+CF-Poll",
    ]
}

/// A validated 802.11 MAC header: the fields present in its frame type, and where its payload starts.
public struct IEEE80211Header: Sendable, Equatable {
    public var frameControl: FrameControl
    public var duration: UInt16
    /// The receiver address (every frame has it).
    public var address1: MACAddress
    /// The transmitter address (absent in ACK and CTS).
    public var address2: MACAddress?
    /// The third address: BSSID, destination or source, by the DS bits (management and data frames).
    public var address3: MACAddress?
    /// The fourth address (data frames with both DS bits set).
    public var address4: MACAddress?
    /// Sequence control (management and data frames): sequence number << 4 | fragment number.
    public var sequenceControl: UInt16?
    /// QoS control (QoS data frames).
    public var qosControl: UInt16?
    /// HT control (QoS data and management frames with the order bit set).
    public var htControl: UInt32?
    /// The header's length in bytes.
    public var length: Int

    /// The 12-bit sequence number.
    public var sequenceNumber: UInt16? { sequenceControl.map { $0 >> 4 } }
    /// The 4-bit fragment number.
    public var fragmentNumber: UInt8? { sequenceControl.map { UInt8($0 & 0xf) } }
    /// The traffic identifier of a QoS data frame (0–15; 0–7 are user priorities).
    public var tid: UInt8? { qosControl.map { UInt8($0 & 0xf) } }
    /// Whether the payload is an A-MSDU (QoS control bit 7).
    public var isAMSDU: Bool { (qosControl ?? 0) & 0x80 != 0 }

    /// The BSSID, by the DS bits: address 3 with neither set, address 1 to the DS, address 2 from it
    /// (`nil` for frames between access points, control frames other than a few, and extension frames).
    public var bssid: MACAddress? {
        switch frameControl.type {
        case .management: return address3
        case .data:
            switch (frameControl.toDS, frameControl.fromDS) {
            case (false, false): return address3
            case (true, false): return address1
            case (false, true): return address2
            case (true, true): return nil
            }
        default: return nil
        }
    }

    /// The source address of a data frame's MSDU (address 2, 3 or 4 by the DS bits).
    public var sourceAddress: MACAddress? {
        guard frameControl.type == .data else { return address2 }
        switch (frameControl.toDS, frameControl.fromDS) {
        case (false, true): return address3
        case (true, true): return address4
        default: return address2
        }
    }

    /// The destination address of a data frame's MSDU (address 1 or 3 by the DS bits).
    public var destinationAddress: MACAddress {
        frameControl.type == .data && frameControl.toDS ? address3 ?? address1 : address1
    }

    /// Decodes the header at `start` of a frame that ends at `end` (default: the end of `bytes`; less
    /// when a frame check sequence follows). Throws `truncated` when the header is cut short,
    /// `unsupported` for a protocol version other than 0 or an extension frame.
    public init(parsing bytes: [UInt8], at start: Int = 0, end: Int? = nil) throws(WireError) {
        let have = max(0, min(end ?? bytes.count, bytes.count) - start)
        guard have >= IEEE80211Packet.minimumHeaderLength, let p = IEEE80211Packet(bytes, at: start) else {
            throw .truncated(layer: .ieee80211, need: IEEE80211Packet.minimumHeaderLength, have: have)
        }
        let fc = p.frameControl
        guard fc.protocolVersion == 0 else { throw .unsupported(layer: .ieee80211, what: "protocol version \(fc.protocolVersion)") }
        guard let length = fc.headerLength else { throw .unsupported(layer: .ieee80211, what: "extension frame (subtype \(fc.subtype))") }
        guard have >= length else { throw .truncated(layer: .ieee80211, need: length, have: have) }
        frameControl = fc
        duration = p.duration
        address1 = p.address1
        self.length = length
        address2 = length >= 16 ? p.address2 : nil
        guard fc.type != .control else { return }
        address3 = p.address3
        sequenceControl = p.sequenceControl
        address4 = fc.hasAddress4 ? p.address4 : nil
        qosControl = fc.isQoSData ? p.qosControl : nil
        htControl = fc.order && (fc.isQoSData || fc.type == .management) ? p.htControl : nil
    }
}

/// The 802.2 LLC header with a SNAP extension that carries an EtherType in an 802.11 data frame
/// (RFC 1042, or 802.1H's bridge tunnel for the EtherTypes it lists).
public enum LLCSNAP {
    /// DSAP, SSAP, control and the OUI of RFC 1042 encapsulation, then the EtherType.
    public static let rfc1042: [UInt8] = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00]
    /// The same with 802.1H's bridge-tunnel OUI.
    public static let bridgeTunnel: [UInt8] = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0xf8]
    /// The header's length including the EtherType.
    public static let headerLength = 8

    /// The EtherType an LLC/SNAP header at `offset` carries, or `nil` when the bytes there are no
    /// RFC 1042 or bridge-tunnel header.
    public static func etherType(_ bytes: [UInt8], at offset: Int) -> EtherType? {
        guard offset >= 0, bytes.count - offset >= headerLength else { return nil }
        let prefix = (0..<6).map { bytes.u8(at: offset + $0) }
        guard prefix == rfc1042 || prefix == bridgeTunnel else { return nil }
        return EtherType(rawValue: bytes.u16be(at: offset + 6))
    }
}

/// An action frame's category, the first byte of its body (IEEE Std 802.11-2020 §9.4.1.11): the ones
/// a station's kernel tells apart.
public enum ActionCategory: UInt8, Sendable {
    case spectrumManagement = 0, blockAck = 3, `public` = 4, ht = 7, saQuery = 8, selfProtected = 15, vht = 21
}
