/// What a monitor interface recorded about the radio reception of one 802.11 frame, from a radiotap
/// or a PPI header: the fields that decide the frame's path through a station's kernel.
public struct RadioInfo: Sendable, Equatable {
    /// Radiotap's Flags field (bit 1); PPI's 802.11-Common flags are mapped onto it.
    public struct Flags: OptionSet, Sendable, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Sent or received during the contention-free period.
        public static let cfp = Flags(rawValue: 0x01)
        /// Sent or received with a short preamble.
        public static let shortPreamble = Flags(rawValue: 0x02)
        /// Sent or received with WEP encryption (historic; radiotap writers set it for any protected frame).
        public static let wep = Flags(rawValue: 0x04)
        /// Sent or received as a fragment.
        public static let fragmented = Flags(rawValue: 0x08)
        /// The frame ends with its 4-byte frame check sequence.
        public static let fcsAtEnd = Flags(rawValue: 0x10)
        /// Padding sits between the 802.11 header and the payload, up to a multiple of 4 bytes.
        public static let dataPad = Flags(rawValue: 0x20)
        /// The frame failed its FCS check.
        public static let badFCS = Flags(rawValue: 0x40)
        /// HT short guard interval.
        public static let shortGI = Flags(rawValue: 0x80)
    }

    /// Radiotap's MCS field (bit 19): the HT modulation and coding scheme.
    public struct MCS: Sendable, Equatable {
        /// Which of `flags` and `index` are known.
        public var known: UInt8
        public var flags: UInt8
        public var index: UInt8
    }

    /// Radiotap's A-MPDU status field (bit 20): the frame came in an aggregate.
    public struct AMPDUStatus: Sendable, Equatable {
        /// The same for every subframe of one A-MPDU.
        public var reference: UInt32
        public var flags: UInt16
        /// Whether this subframe is the last of its A-MPDU (when the flags say that is known).
        public var isLast: Bool? { flags & 0x0004 != 0 ? flags & 0x0008 != 0 : nil }
    }

    public var flags: Flags = []
    /// The legacy rate in units of 500 kb/s.
    public var rate: UInt8?
    /// The channel's centre frequency in MHz.
    public var frequency: UInt16?
    public var channelFlags: UInt16?
    public var mcs: MCS?
    public var ampdu: AMPDUStatus?
    /// Whether VHT (802.11ac) or HE (802.11ax) reception information is present.
    public var vht = false, he = false
    /// The first field of the radiotap namespace the decoder does not know (its presence bit number):
    /// it cannot know that field's size, so the fields after it are not read.
    public var unknownField: Int?

    public init() {}
}

/// The radiotap header (https://www.radiotap.org, `DLT_IEEE802_11_RADIO`): a version, the header's
/// length, one or more presence bitmaps, then the present fields in bit order, each aligned to its
/// natural boundary from the start of the header; all little-endian. The 802.11 frame follows after
/// `length` bytes, whatever fields the decoder understood.
public struct RadiotapHeader: Sendable, Equatable {
    /// Byte offsets of the fixed part.
    public enum Field {
        public static let version = 0
        public static let length = 2
        public static let present = 4
    }

    /// The fixed part: version, pad, length, first presence bitmap.
    public static let minimumLength = 8

    /// Alignment and size of each field of the radiotap namespace, by presence bit (0: TSFT … 27: L-SIG).
    static let fieldLayout: [(align: Int, size: Int)] = [
        (8, 8), (1, 1), (1, 1), (2, 4), (1, 2), (1, 1), (1, 1), (2, 2), (2, 2), (2, 2), (1, 1), (1, 1), (1, 1), (1, 1),
        (2, 2), (2, 2), (1, 1), (1, 1), (4, 8), (1, 3), (4, 8), (2, 12), (8, 12), (2, 12), (2, 12), (2, 6), (1, 1), (2, 4),
    ]
    /// Presence bits with a meaning of their own: radiotap TLVs follow, the next bitmap is radiotap's
    /// namespace again, the next bitmap is a vendor's, another bitmap follows.
    static let tlvBit = 28, radiotapNamespaceBit = 29, vendorNamespaceBit = 30, extendedBit = 31

    /// The header's length: where the 802.11 frame starts.
    public var length: Int
    public var info: RadioInfo

    /// Decodes the radiotap header at `start`. Throws `truncated` when fewer bytes were captured than
    /// the header claims, `invalidField` when the header contradicts itself (fields past its own
    /// length), `unsupported` for a version other than 0. A field the decoder does not know is no
    /// error: ``RadioInfo/unknownField`` names it.
    public init(parsing bytes: [UInt8], at start: Int = 0) throws(WireError) {
        let have = max(0, bytes.count - start)
        guard have >= Self.minimumLength else { throw .truncated(layer: .radiotap, need: Self.minimumLength, have: have) }
        guard bytes.u8(at: start + Field.version) == 0 else {
            throw .unsupported(layer: .radiotap, what: "version \(bytes.u8(at: start + Field.version))")
        }
        length = Int(bytes.u16le(at: start + Field.length))
        guard length >= Self.minimumLength else { throw .invalidField(layer: .radiotap, field: "length", value: length) }
        guard have >= length else { throw .truncated(layer: .radiotap, need: length, have: have) }
        info = RadioInfo()
        // The presence bitmaps: each with bit 31 set is followed by another, all inside the header.
        var bitmaps: [UInt32] = []
        var offset = start + Field.present
        repeat {
            guard offset + 4 <= start + length else { throw .invalidField(layer: .radiotap, field: "length", value: length) }
            bitmaps.append(bytes.u32le(at: offset))
            offset += 4
        } while bitmaps[bitmaps.count - 1] >> UInt32(Self.extendedBit) & 1 == 1
        var inRadiotap = true, base = 0
        for bitmap in bitmaps {
            if inRadiotap {
                for bit in 0..<Self.tlvBit where bitmap >> UInt32(bit) & 1 == 1 {
                    let index = base + bit
                    guard index < Self.fieldLayout.count else {
                        info.unknownField = index
                        return
                    }
                    let (align, size) = Self.fieldLayout[index]
                    offset = start + (offset - start + align - 1) / align * align
                    guard offset + size <= start + length else {
                        throw .invalidField(layer: .radiotap, field: "length", value: length)
                    }
                    read(index, bytes, at: offset)
                    offset += size
                }
                if bitmap >> UInt32(Self.tlvBit) & 1 == 1 { return }
            }
            let toRadiotap = bitmap >> UInt32(Self.radiotapNamespaceBit) & 1 == 1
            let toVendor = bitmap >> UInt32(Self.vendorNamespaceBit) & 1 == 1
            if toRadiotap && toVendor {
                throw .invalidField(layer: .radiotap, field: "present", value: Int(bitmap))
            } else if toRadiotap {
                inRadiotap = true
                base = 0
            } else if toVendor {
                // A vendor namespace's data starts with its OUI, sub-namespace and the length to skip.
                inRadiotap = false
                offset = start + (offset - start + 1) / 2 * 2
                guard offset + 6 <= start + length else { throw .invalidField(layer: .radiotap, field: "length", value: length) }
                offset += 6 + Int(bytes.u16le(at: offset + 4))
                guard offset <= start + length else { throw .invalidField(layer: .radiotap, field: "length", value: length) }
            } else {
                base += 32
            }
        }
    }

    /// Records the field of presence bit `index` found at `offset`.
    private mutating func read(_ index: Int, _ bytes: [UInt8], at offset: Int) {
        switch index {
        case 1: info.flags = RadioInfo.Flags(rawValue: bytes.u8(at: offset))
        case 2: info.rate = bytes.u8(at: offset)
        case 3:
            info.frequency = bytes.u16le(at: offset)
            info.channelFlags = bytes.u16le(at: offset + 2)
        case 19: info.mcs = RadioInfo.MCS(known: bytes.u8(at: offset), flags: bytes.u8(at: offset + 1), index: bytes.u8(at: offset + 2))
        case 20: info.ampdu = RadioInfo.AMPDUStatus(reference: bytes.u32le(at: offset), flags: bytes.u16le(at: offset + 4))
        case 21: info.vht = true
        case 23: info.he = true
        default: break
        }
    }
}

/// The Per-Packet Information header (`DLT_PPI`, the CACE/Wireshark format): a version, flags, the
/// header's length and the link type of the frame after it, then typed fields; the 802.11-Common field
/// (type 2) carries the flags, rate and channel. All little-endian.
public struct PPIHeader: Sendable, Equatable {
    /// Byte offsets of the fixed part.
    public enum Field {
        public static let version = 0
        public static let flags = 1
        public static let length = 2
        public static let linkType = 4
        public static let fields = 8
    }

    /// The fixed part's length.
    public static let minimumLength = 8
    /// The type of the 802.11-Common field, and its length.
    static let commonType: UInt16 = 2, commonLength = 20
    /// The link type PPI wraps for 802.11 frames (`DLT_IEEE802_11`).
    public static let ieee80211LinkType: UInt32 = 105

    /// The header's length: where the wrapped frame starts.
    public var length: Int
    /// The link type of the wrapped frame.
    public var linkType: UInt32
    public var info: RadioInfo

    /// Decodes the PPI header at `start`. Throws `truncated`, `invalidField` (fields past the header's
    /// length), or `unsupported` (a version other than 0, or a wrapped frame that is not 802.11).
    public init(parsing bytes: [UInt8], at start: Int = 0) throws(WireError) {
        let have = max(0, bytes.count - start)
        guard have >= Self.minimumLength else { throw .truncated(layer: .ppi, need: Self.minimumLength, have: have) }
        guard bytes.u8(at: start + Field.version) == 0 else {
            throw .unsupported(layer: .ppi, what: "version \(bytes.u8(at: start + Field.version))")
        }
        length = Int(bytes.u16le(at: start + Field.length))
        linkType = bytes.u32le(at: start + Field.linkType)
        guard length >= Self.minimumLength else { throw .invalidField(layer: .ppi, field: "length", value: length) }
        guard have >= length else { throw .truncated(layer: .ppi, need: length, have: have) }
        guard linkType == Self.ieee80211LinkType else { throw .unsupported(layer: .ppi, what: "wrapped link type \(linkType)") }
        info = RadioInfo()
        var offset = start + Field.fields
        while offset < start + length {
            guard offset + 4 <= start + length else { throw .invalidField(layer: .ppi, field: "length", value: length) }
            let type = bytes.u16le(at: offset), size = Int(bytes.u16le(at: offset + 2))
            guard offset + 4 + size <= start + length else { throw .invalidField(layer: .ppi, field: "field length", value: size) }
            if type == Self.commonType, size >= Self.commonLength {
                readCommon(bytes, at: offset + 4)
            }
            offset += 4 + size
        }
    }

    /// Maps the 802.11-Common field at `offset` (TSFT, flags, rate, channel, …) onto ``RadioInfo``.
    private mutating func readCommon(_ bytes: [UInt8], at offset: Int) {
        let flags = bytes.u16le(at: offset + 8)
        if flags & 0x0001 != 0 { info.flags.insert(.fcsAtEnd) }
        if flags & 0x0004 != 0 { info.flags.insert(.badFCS) }
        let rate = bytes.u16le(at: offset + 10)
        if rate != 0 { info.rate = UInt8(truncatingIfNeeded: rate) }
        let frequency = bytes.u16le(at: offset + 12)
        if frequency != 0 {
            info.frequency = frequency
            info.channelFlags = bytes.u16le(at: offset + 14)
        }
    }
}
