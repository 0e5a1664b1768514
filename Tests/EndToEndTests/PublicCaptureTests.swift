import Foundation
import Replay
import Testing
import TestSupport
import Wire

/// The public captures in `../shared/captures/public` (small captures from real machines, from a
/// packet-analysis book; `SOURCES.tsv` there says where each comes from): the inferred host must be the
/// machine that took each one. The expected host of each was worked out by hand from evidence a person
/// reads in Wireshark (who sends with initial TTLs, who relays many remote addresses, checksums left to
/// the NIC, frames shorter than Ethernet's minimum, round trips between request and answer).
@Suite("public captures: the host that took them",
       .enabled(if: SharedFolder.runs("captures/public"), Comment(rawValue: SharedFolder.skipReason("captures/public"))))
struct PublicCaptureTests {
    /// Capture, the capturing host's MAC, and its IPv4 address (nil for IPv6-only captures).
    static let expected: [(String, String, String?)] = [
        ("arppoison.pcapng", "00:21:70:c0:56:f0", "172.16.0.107"),
        ("dhcp6_outlease_acquisition.pcapng", "00:0c:29:1f:a7:55", nil),
        ("dhcp_nolease_initialization.pcapng", "00:0c:29:59:fd:21", nil),
        ("http_espn.pcapng", "00:21:70:c0:56:f0", "172.16.0.122"),
        ("http_ip4and6.pcapng", "00:0c:29:1f:a7:55", "172.16.16.139"),
        ("icmp_traceroute.pcapng", "00:16:d4:b8:59:b1", "192.168.100.138"),
        ("icmpv6_neighbor_solicitation.pcapng", "00:0c:29:2f:80:31", nil),
        ("ip_frag_source.pcapng", "00:25:b3:bf:91:ee", "10.10.0.3"),
        ("ipv6_fragments.pcapng", "00:0c:29:2f:80:31", nil),
        ("synscan.pcapng", "00:25:b3:bf:91:ee", "172.16.0.8"),
        ("tcp_refuseconnection.pcapng", "00:16:d4:b8:59:b1", "192.168.100.138"),
        ("tcp_retransmissions.pcapng", "00:20:78:e1:5a:80", "10.3.30.1"),
        ("tcp_zerowindowrecovery.pcapng", "00:50:56:c0:00:01", "192.168.0.30"),
    ]

    @Test("the captures are there")
    func present() {
        for (name, _, _) in Self.expected {
            #expect(SharedFolder.has("captures/public/" + name), "missing \(name)")
        }
    }

    @Test("the inferred host is the machine that took the capture, with its reason", arguments: expected)
    func inferredHost(_ name: String, _ mac: String, _ address: String?) throws {
        let path = SharedFolder.path("captures/public/" + name)
        try #require(FileManager.default.fileExists(atPath: path))
        let inferred = try HostInference.infer(path: path, driver: "iwlwifi")
        let host = try #require(inferred.profile.capturedInterface)
        #expect(host.mac.description == mac)
        if let address {
            #expect(host.addresses.first?.address.description == address)
        }
        if let other = Self.indistinguishable[name] {
            // Two ends whose frames look alike from either end: the note says the capture cannot tell,
            // why this end is taken, and how to take the other.
            #expect(inferred.assumptions.contains {
                $0.hasPrefix("the capture cannot tell which end of the link took it: \(mac) and \(other)")
                    && $0.contains("pass --host-mac \(other)")
            }, "\(inferred.assumptions)")
        } else {
            #expect(inferred.assumptions.contains { $0.hasPrefix("taken to be the capturing host because") })
        }
    }

    /// Captures of two endpoints talking to each other where nothing in the frames tells which one took
    /// the capture (both send with initial TTLs, no offload marks, no round trip of 500 µs or more, no
    /// acknowledgment behind data in flight), with the other end's MAC. The expected host above is the
    /// one the book's author captured on, which inference takes by the tie-breaks it names.
    static let indistinguishable: [String: String] = [
        "icmpv6_neighbor_solicitation.pcapng": "78:31:c1:cb:b2:56",
        "ipv6_fragments.pcapng": "78:31:c1:cb:b2:56",
        "tcp_zerowindowrecovery.pcapng": "00:50:56:c0:00:08",
    ]

    @Test("the gateway of a client's capture is its default route, not the host")
    func gatewayIsTheRoute() throws {
        let inferred = try HostInference.infer(path: SharedFolder.path("captures/public/icmp_traceroute.pcapng"), driver: "veth")
        #expect(inferred.profile.routes.first?.gateway?.description == "192.168.100.1")
        #expect(inferred.assumptions.contains { $0.contains("9 remote addresses behind it") })
    }
}
