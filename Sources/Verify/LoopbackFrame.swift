import Wire

/// A frame captured on `lo` made ready to send into `lo` again.
///
/// The host's own packets cross `lo` with their TCP and UDP checksums unfinished (`CHECKSUM_PARTIAL`:
/// loopback offers checksum offload, so the stack leaves the sum to a device that never computes it),
/// and the kernel trusts them on receipt. A frame sent from a packet socket carries no such mark and
/// is checked: its checksum is completed first, as the kernel would have left it had it finished it.
enum LoopbackFrame {
    /// `frame` (Ethernet) with the checksum of an unfragmented IPv4 TCP or UDP packet completed; any
    /// other frame as it is.
    static func completingChecksum(_ frame: [UInt8]) -> [UInt8] {
        let ip = 14
        guard frame.count >= ip + 20, frame[12] == 0x08, frame[13] == 0x00, frame[ip] >> 4 == 4 else { return frame }
        let headerLength = Int(frame[ip] & 0x0f) * 4
        let total = Int(frame[ip + 2]) << 8 | Int(frame[ip + 3])
        let fragment = (Int(frame[ip + 6]) << 8 | Int(frame[ip + 7])) & 0x3fff
        let proto = IPProtocol(rawValue: frame[ip + 9])
        guard fragment == 0, proto == .tcp || proto == .udp, headerLength >= 20, total >= headerLength,
            ip + total <= frame.count
        else { return frame }
        var transport = Array(frame[(ip + headerLength)..<(ip + total)])
        FrameBuilder.fillChecksum(&transport, proto, IPv4Address(frame, at: ip + 12), IPv4Address(frame, at: ip + 16))
        var out = frame
        out.replaceSubrange((ip + headerLength)..<(ip + total), with: transport)
        return out
    }
}
