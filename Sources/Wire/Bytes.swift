/// Total big- and little-endian reads from a byte array.
///
/// Every read is range-checked (in a form that cannot overflow, whatever the offset) and yields 0 past
/// the end, so no input can trap. Views check their length once when they are made, so within a view
/// these reads never run past the end in practice.
extension Array where Element == UInt8 {
    /// The byte at `offset`, or 0 past the end.
    @inline(__always)
    public func u8(at offset: Int) -> UInt8 {
        offset >= 0 && offset < count ? self[offset] : 0
    }

    /// A big-endian (network order) 16-bit value at `offset`, or 0 past the end.
    @inline(__always)
    public func u16be(at offset: Int) -> UInt16 {
        guard offset >= 0, offset <= count - 2 else { return 0 }
        return UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    /// A little-endian 16-bit value at `offset`, or 0 past the end.
    @inline(__always)
    public func u16le(at offset: Int) -> UInt16 {
        guard offset >= 0, offset <= count - 2 else { return 0 }
        return UInt16(self[offset + 1]) << 8 | UInt16(self[offset])
    }

    /// A big-endian 32-bit value at `offset`, or 0 past the end.
    @inline(__always)
    public func u32be(at offset: Int) -> UInt32 {
        guard offset >= 0, offset <= count - 4 else { return 0 }
        return UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
            | UInt32(self[offset + 3])
    }

    /// A little-endian 32-bit value at `offset`, or 0 past the end.
    @inline(__always)
    public func u32le(at offset: Int) -> UInt32 {
        guard offset >= 0, offset <= count - 4 else { return 0 }
        return UInt32(self[offset + 3]) << 24 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 1]) << 8
            | UInt32(self[offset])
    }
}
