/// The subframes of an A-MSDU (IEEE Std 802.11-2020 §9.3.2.2.2): each a destination, a source, a
/// big-endian length, then that many bytes of MSDU (LLC/SNAP header and payload), padded to a multiple
/// of four bytes except the last.
public struct AMSDU: Sendable, Equatable {
    /// One subframe: its addresses and where its MSDU lies in the frame's bytes.
    public struct Subframe: Sendable, Equatable {
        public var destination: MACAddress
        public var source: MACAddress
        /// The offset of the MSDU (after the 14-byte subframe header).
        public var offset: Int
        /// The MSDU's length, from the subframe header.
        public var length: Int
    }

    /// The length of a subframe header: destination, source, length.
    public static let headerLength = 14

    /// The subframes that fit, in order.
    public var subframes: [Subframe] = []
    /// Why the subframes end before the body does: a subframe header or MSDU cut short; `nil` when
    /// the last subframe ends the body.
    public var failure: WireError?

    /// Splits the A-MSDU body from `start` to `end` of `bytes`. Stops at the first subframe whose header
    /// or MSDU runs past `end`, and when 64 subframes were read (more than a 7-bit subframe index of
    /// a receiver's descriptor counts, and more than any A-MSDU of 11 454 bytes holds).
    public init(_ bytes: [UInt8], from start: Int, to end: Int) {
        let end = min(end, bytes.count)
        var offset = start
        while offset < end, subframes.count < 64 {
            let remaining = end - offset
            guard remaining >= Self.headerLength else {
                failure = .truncated(layer: .llc, need: Self.headerLength, have: remaining)
                return
            }
            let length = Int(bytes.u16be(at: offset + 12))
            guard Self.headerLength + length <= remaining else {
                failure = .truncated(layer: .llc, need: Self.headerLength + length, have: remaining)
                return
            }
            subframes.append(Subframe(destination: MACAddress(bytes, at: offset), source: MACAddress(bytes, at: offset + 6),
                                      offset: offset + Self.headerLength, length: length))
            let subframeLength = Self.headerLength + length
            offset += subframeLength + (4 - subframeLength % 4) % 4
        }
    }
}
