import Capture
import Foundation
import KernelNet
import Replay
import Testing
import TestSupport
import Trace
import Wire

/// Duplicate address detection (RFC 4862 §5.4; net/ipv6/addrconf.c, ndisc.c) on the real capture `v6_dad`:
/// the host's probes leave from `addrconf_dad_work`, another node's advertisement of an address in DAD
/// (`ndisc_recv_na`) or its own probe for it (`ndisc_recv_ns`) fails DAD, and the addresses end as
/// `ip -6 addr` showed them after the capture; the profile's flags as `ip -6 addr` writes them.
@Suite("duplicate address detection")
struct DADTests {
    /// The replay of `v6_dad` under `version`: its session (for the devices' state after it) and traces.
    static func replay(_ version: String) throws -> (ReplaySession, [PacketTrace]) {
        let host = try HostProfile.load(path: Repository.path("Fixtures/v6_dad.host.json"))
        let session = try ReplaySession(capture: try PcapFile(path: Repository.path("Fixtures/v6_dad.pcap")),
                                        captureName: "v6_dad", host: host, kernelVersion: version)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return (session, out)
    }

    /// The frames of `v6_dad`, 1-based as the capture numbers them.
    static let frames: [CapturedFrame] = {
        guard let file = try? PcapFile(path: Repository.path("Fixtures/v6_dad.pcap")) else { return [] }
        var out: [CapturedFrame] = []
        var f = CapturedFrame()
        while (try? file.read(into: &f)) == true { out.append(f) }
        return out
    }()

    /// The traces of `frames` replayed on `host` (default: v6_dad's profile) under `version`.
    static func replay(_ version: String, frames: [CapturedFrame], host: HostProfile? = nil) throws -> [PacketTrace] {
        let profile = try host ?? HostProfile.load(path: Repository.path("Fixtures/v6_dad.host.json"))
        let session = try ReplaySession(frames: frames, captureName: "v6_dad", host: profile, kernelVersion: version)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    /// Every string in a JSON value.
    static func strings(_ v: JSONValue) -> [String] {
        switch v {
        case let .string(s): [s]
        case let .array(a): a.flatMap(strings)
        case let .object(o): o.flatMap { strings($0.1) }
        default: []
        }
    }

    /// The flags `ip -6 addr` printed for each address after the capture (Fixtures/truth/v6_dad.addr.txt).
    static func truthFlags() throws -> [IPv6Address: [String]] {
        let text = try String(contentsOfFile: Repository.path("Fixtures/truth/v6_dad.addr.txt"), encoding: .utf8)
        var out: [IPv6Address: [String]] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            guard words.first == "inet6", words.count > 1, let p = IPv6Prefix(words[1]) else { continue }
            out[p.address] = words.filter { w in IPv6AddressFlags.names.contains { $0.0 == w } }
        }
        return out
    }

    @Test("the probes leave from addrconf_dad_work; the peer's NA and its probe fail DAD; flags end as ip -6 addr showed",
          arguments: ["4.14", "6.1", "6.12"])
    func failures(_ version: String) throws {
        let (session, t) = try Self.replay(version)
        for i in [0, 4] {
            #expect(t[i].functions.starts(with: ["addrconf_dad_work", "ndisc_send_ns", "ndisc_send_skb"]), "frame \(i + 1)")
            #expect(t[i].verdict == .transmit)
        }
        #expect(t[1].functions.contains("ndisc_recv_na") && t[1].functions.contains("addrconf_dad_failure"))
        #expect(t[6].functions.contains("ndisc_recv_ns") && t[6].functions.contains("addrconf_dad_failure"))
        // Neither is answered: the host sends no advertisement for an address it lost.
        #expect(!t.contains { $0.functions.contains("ndisc_send_na") })
        let dev = try #require(session.kernel.devices.first { $0.name == "pm1-dut" })
        let truth = try Self.truthFlags()
        #expect(truth.count == 4)
        for (address, words) in truth {
            #expect((dev.addressFlags6[address] ?? []).words == words, "\(address)")
        }
    }

    @Test("a probe for an address past DAD is defended: the host's DAD of fd77::6 over before the peer's probe")
    func defendedAfterDAD() throws {
        // The peer's probe for fd77::6 (frame 7) moved 1.5 s later: the host's DAD (one probe, 1 s) has
        // ended unanswered by then, so the address is valid and the host defends it.
        var frames = Self.frames
        frames[6] = CapturedFrame(index: 7, timestampNanoseconds: frames[6].timestampNanoseconds + 1_500_000_000, bytes: frames[6].bytes)
        let t = try Self.replay("6.12", frames: Array(frames.prefix(7)))
        #expect(!t[6].functions.contains("addrconf_dad_failure"))
        #expect(t[6].functions.contains("ndisc_send_na"))
    }

    @Test("the profile's flags: a tentative address fails on another's probe, one failed already is left, an optimistic one is answered")
    func profileFlags() throws {
        // Only the peer's probe for fd77::6 (frame 7): the host's own probe is not in the capture.
        for (written, failed, answered) in [("tentative", true, false), ("dadfailed tentative", false, false), ("", false, true)] {
            var host = try HostProfile.load(path: Repository.path("Fixtures/v6_dad.host.json"))
            let text = #"{"interfaces": [{"name": "pm1-dut", "driver": "veth", "mac": "02:00:00:00:0d:00", "captured": true, "#
                + #""addresses": ["fd77::1/64", "fe80::ff:fe00:d00/64", "fd77::6/64 \#(written)"]}]}"#
            let parsed = try HostProfile.parse(Data(text.replacingOccurrences(of: " \"]", with: "\"]").utf8))
            host.interfaces = parsed.interfaces
            let t = try Self.replay("6.1", frames: [Self.frames[6]], host: host)
            #expect(t[0].functions.contains("addrconf_dad_failure") == (failed || written == "dadfailed tentative"), "\(written)")
            #expect(t[0].functions.contains("ndisc_send_na") == answered, "\(written)")
            let dev = try #require(host.interfaces.first)
            #expect((dev.ipv6Flags[IPv6Address("fd77::6")!] ?? []).words.joined(separator: " ") == written)
            // The profile writes the flags back as it read them.
            #expect(Self.strings(host.json).contains("fd77::6/64" + (written.isEmpty ? "" : " " + written)))
        }
    }

    @Test("inference takes the targets of the host's DAD probes as its addresses (it is adding them)")
    func inferred() throws {
        let inferred = try HostInference.infer(path: Repository.path("Fixtures/v6_dad.pcap"), driver: "veth")
        let addresses = try #require(inferred.profile.interfaces.first).ipv6Addresses
        #expect(addresses.contains("fd77::5/64") && addresses.contains("fd77::6/64"))
    }
}
