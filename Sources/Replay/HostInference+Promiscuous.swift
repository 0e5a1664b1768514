import Wire

/// Frames between two other machines in a capture of one Ethernet device: the capture was taken in
/// promiscuous mode, and such frames look the same whether the device was an ordinary NIC, a Linux
/// bridge (which passes up every frame it forwards while it is promiscuous: `br_handle_frame_finish`)
/// or a port of one (a port is promiscuous by being a port). The bytes cannot tell the three apart, so
/// the note says what to pass for the two the inferred profile does not describe.
extension HostInference {
    /// The most frame pairs a note names.
    static let promiscuousExamples = 2

    /// A note on the unicast frames between MACs other than `host`, or nil when there are none.
    func promiscuousNote(host: MACAddress, addresses: [IPv4Prefix]) -> String? {
        var count = 0
        var pairs: [String] = []
        for f in facts {
            guard let src = f.src, let dst = f.dst, !dst.isMulticast, src != host, dst != host, !f.copy else { continue }
            count += 1
            let pair = "\(src) → \(dst)"
            if pairs.count < Self.promiscuousExamples, !pairs.contains(pair) { pairs.append(pair) }
        }
        guard count > 0 else { return nil }
        let quoted = addresses.map { "\"\($0)\"" }.joined(separator: ", ")
        return "\(count) unicast frame\(count == 1 ? "" : "s") between other machines (\(pairs.joined(separator: ", "))) "
            + "\(count == 1 ? "is" : "are") in the capture: it was taken in promiscuous mode, and the model receives them as PACKET_OTHERHOST. "
            + "They look the same on an Ethernet device, on a Linux bridge (a promiscuous bridge passes up the frames it forwards) "
            + "and on a bridge's port. If the capture was taken on a bridge or a port of one, describe it with --host "
            + "(docs/host-profile.md), the bridge as {\"name\": \"br0\", \"driver\": \"bridge\", \"mac\": \"\(host)\", "
            + "\"addresses\": [\(quoted)]} and each port as {\"name\": \"eth0\", \"driver\": \"veth\", \"master\": \"br0\"}, "
            + "with \"captured\": true on the one the capture was taken on"
    }
}
