import CPcap

/// A pcap-filter expression (as tcpdump takes it), compiled by libpcap for each link type it meets
/// (`pcap_open_dead` + `pcap_compile`) and matched with `pcap_offline_filter`: the frames of a pcapng
/// whose interfaces differ in link type are each matched by the program for their own.
final class PacketFilter {
    let expression: String
    /// One program per link type met (a few: the capture's interfaces), searched in order.
    private var programs: [(linkType: LinkType, program: bpf_program)] = []
    /// The program used last, where frames of one link type follow each other.
    private var last = 0

    init(_ expression: String) { self.expression = expression }

    deinit {
        for i in programs.indices { pcap_freecode(&programs[i].program) }
    }

    /// Compiles the expression for `linkType` unless it already is. Throws when libpcap cannot compile
    /// it for that link type.
    func prepare(for linkType: LinkType) throws(CaptureError) {
        guard !programs.contains(where: { $0.linkType == linkType }) else { return }
        guard let dead = pcap_open_dead(linkType.rawValue, Int32(PcapngReader.maximumSnapshotLength)) else {
            throw .badFilter(expression: expression, message: "libpcap could not create a handle for \(linkType.name)")
        }
        defer { pcap_close(dead) }
        var program = bpf_program()
        guard pcap_compile(dead, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            let message = String(cString: pcap_geterr(dead))
            throw .badFilter(expression: expression, message: programs.isEmpty ? message : "\(message) (for link type \(linkType.name))")
        }
        programs.append((linkType, program))
    }

    /// Whether the filter accepts the frame `header` describes (`data`: its captured bytes), compiling
    /// it for `linkType` first when that is new.
    func accepts(_ linkType: LinkType, _ header: inout pcap_pkthdr, _ data: UnsafePointer<UInt8>) throws(CaptureError) -> Bool {
        if last >= programs.count || programs[last].linkType != linkType {
            try prepare(for: linkType)
            last = programs.firstIndex { $0.linkType == linkType } ?? 0
        }
        return pcap_offline_filter(&programs[last].program, &header, data) != 0
    }
}
