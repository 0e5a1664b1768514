import Foundation
import Testing
import TestSupport

/// Whether `pktpath verify` can run here: root, iproute2 and tracefs (always under CI, which runs as
/// root: there a missing piece fails the suite instead of skipping it).
enum VerifyMachine {
    static let usable: Bool = Namespaces.usable && FileManager.default.fileExists(atPath: "/sys/kernel/tracing/instances")
        || ProcessInfo.processInfo.environment["CI"] == "true"
    static let skipReason = "skipped: pktpath verify needs root, iproute2 (ip) and tracefs at /sys/kernel/tracing"
    /// Whether this kernel offers the `function_graph` tracer, which verify's path comparison needs.
    static let functionGraph = ((try? String(contentsOfFile: "/sys/kernel/tracing/available_tracers", encoding: .utf8)) ?? "")
        .split(whereSeparator: \.isWhitespace).contains("function_graph")
    /// A kernel capability, not a fault: the only skip of this suite that CI allows.
    static let noFunctionGraph = "skipped: this kernel has no function_graph tracer (CONFIG_FUNCTION_GRAPH_TRACER, no lockdown), "
        + "so verify cannot record function paths here; under CI too this skips only the path comparison"
}

/// `pktpath verify` on this machine's kernel: the project's fixtures agree with it, a wrong host
/// profile shows where it parts, and nothing verify made is left behind.
@Suite("pktpath verify on this machine's kernel", .serialized, .enabled(if: VerifyMachine.usable, Comment(rawValue: VerifyMachine.skipReason)))
struct VerifyCLITests {
    /// A prefix of this test process's own, so that parallel runs and other helpers do not collide.
    static func prefix(_ n: Int) -> String { "pvf\(getpid() % 10_000)x\(n)" }

    /// Runs verify with `--format json` and returns the exit status and the parsed lines.
    static func verify(_ fixture: String, host: String? = nil, prefix: String) throws -> (Int32, [[String: Any]]) {
        let run = try CLITests.pktpath(["verify", Repository.path("Fixtures/\(fixture).pcap"),
                                        "--host", host ?? Repository.path("Fixtures/\(fixture).host.json"),
                                        "--format", "json", "--prefix", prefix])
        let lines = run.lines.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        return (run.status, lines)
    }

    /// A run that parts on some frame (exit 1) and leaves nothing behind: its agreement figures (each
    /// aspect's agreeing and compared frames) and its frame lines by frame number.
    static func parting(_ fixture: String, _ n: Int) throws -> (agreement: [String: [String: Int]], frames: [Int: [String: Any]]) {
        let prefix = Self.prefix(n)
        let (status, lines) = try Self.verify(fixture, prefix: prefix)
        Self.expectRemoved(prefix)
        #expect(status == 1)
        let agreement = try #require(lines.last?["agreement"] as? [String: Any]).compactMapValues { $0 as? [String: Int] }
        var frames: [Int: [String: Any]] = [:]
        for line in lines where line["type"] as? String == "frame" { if let f = line["frame"] as? Int { frames[f] = line } }
        return (agreement, frames)
    }

    /// Checks that the namespaces and the tracefs instance of `prefix` are gone.
    static func expectRemoved(_ prefix: String) {
        for ns in ["\(prefix)-host", "\(prefix)-peer"] {
            #expect(!FileManager.default.fileExists(atPath: "/run/netns/\(ns)"), "namespace \(ns) left behind")
        }
        for instance in [prefix, prefix + "-graph"] {
            #expect(!FileManager.default.fileExists(atPath: "/sys/kernel/tracing/instances/\(instance)"),
                    "tracefs instance \(instance) left behind")
        }
    }

    /// Where the kernel has function_graph: udp_ports's paths are recorded and compared, and the
    /// recording instance is gone afterwards. (Never run on the machine verify was written on: its
    /// kernel has no function_graph; the chain after the recorder is tested on the 6.1 oracle's
    /// recordings in VerifyTests.)
    @Test("function paths recorded with function_graph and compared",
          .enabled(if: VerifyMachine.functionGraph, Comment(rawValue: VerifyMachine.noFunctionGraph)))
    func functionPaths() throws {
        let prefix = "pvp\(getpid() % 10_000)"
        let (_, lines) = try Self.verify("udp_ports", prefix: prefix)
        Self.expectRemoved(prefix)
        let header = try #require(lines.first)
        #expect(header["function_graph_instance"] as? String != nil, "\(header)")
        let agreement = try #require(lines.last?["agreement"] as? [String: Any])
        let path = try #require(agreement["path"] as? [String: Int], "\(agreement)")
        #expect(path["compared"] == 2)
        for line in lines where line["type"] as? String == "frame" {
            #expect(line["path"] is [String: Any], "\(line)")
        }
    }

    /// Fixtures whose every received frame the model and this kernel treat alike (verdict, drop reason,
    /// dropping function, packets sent), as measured on 6.18 (docs/verify.md has the table). ctr_forward
    /// is a cooked capture (`-i any`, SLL2) of a router: its 14 received frames are rebuilt as Ethernet and
    /// all forwarded alike. The suite runs its tests one at a time: two replays at once would count each
    /// other's packets on veth-dut.
    @Test("fixtures agree with the running kernel frame by frame",
          arguments: ["udp_ports", "tcp_syn_closed", "bad_ip_checksum", "otherhost", "ping_fragmented", "s_rp_filter", "ctr_forward"])
    func agrees(_ fixture: String) throws {
        let prefix = Self.prefix(fixture.utf8.count)
        let (status, lines) = try Self.verify(fixture, prefix: prefix)
        Self.expectRemoved(prefix)
        #expect(status == 0)
        let summary = try #require(lines.last)
        let agreement = try #require(summary["agreement"] as? [String: Any])
        let frames = try #require(agreement["frames"] as? [String: Int])
        #expect(frames["compared"] ?? 0 > 0)
        #expect(frames["agreeing"] == frames["compared"], "\(lines)")
        let header = try #require(lines.first)
        #expect(header["namespaces"] as? [String] == ["\(prefix)-host", "\(prefix)-peer"])
    }

    /// IPv6 on the scratch host: the profile's addresses without duplicate address detection, its
    /// sockets, and the capture's IPv6 frames replayed. v6_exthdr (extension headers, unknown options,
    /// fragments) on 6.18 against the model's 6.12: every verdict, drop reason and packet sent agrees;
    /// 5 of the 14 drops part in the dropping function only: the model frees in `icmpv6_param_prob_reason`,
    /// 6.18's location names its callers (`ip6_tlvopt_unknown`, `ip6_parse_tlv`, `ipv6_rthdr_rcv`).
    @Test("IPv6 frames replay into the profile's IPv6 host")
    func ipv6() throws {
        let (agreement, _) = try Self.parting("v6_exthdr", 6)
        #expect(agreement["verdict"] == ["agreeing": 18, "compared": 18], "\(agreement)")
        #expect(agreement["drop_reason"] == ["agreeing": 14, "compared": 14])
        #expect(agreement["transmissions"] == ["agreeing": 18, "compared": 18])
        #expect(agreement["frames"] == ["agreeing": 13, "compared": 18])
    }

    /// A bridge with veth ports, the capture taken on a port: built as the profile says (bridge br0
    /// with its address, veth1 and veth2 its ports). On 6.18 against the model's 6.12 the verdicts
    /// agree (an ARP request answered, a ping answered, a ping to another host bridged to veth2);
    /// the packets sent part on #1 and #5: the kernel also floods the ARP request to veth2 and sends
    /// the bridged ping on, which the model's count of packets sent leaves out.
    @Test("a bridge with veth ports is built, and its frames replay")
    func bridge() throws {
        let (agreement, frames) = try Self.parting("bridge_rx", 8)
        #expect(agreement["verdict"] == ["agreeing": 3, "compared": 3], "\(agreement)")
        #expect(agreement["transmissions"] == ["agreeing": 1, "compared": 3])
        let bridged = try #require(frames[5]?["kernel"] as? [String: Any])
        #expect(bridged["fate"] as? String == "forwarded")
        #expect(bridged["dev"] as? String == "veth2")
    }

    /// A capture on `lo`: its frames are sent into the scratch host's own `lo`, their TCP/UDP checksums
    /// completed (the capture shows them unfinished). On 6.18 against the model's 6.12: the ping is
    /// answered, the stray echo reply dropped for NO_SOCKET (6.18 in `ping_rcv`, the model in `icmp_rcv`),
    /// the datagram to a closed port dropped for NO_SOCKET in `__udp4_lib_rcv` by both; the TCP
    /// conversation is the host's own and cannot be replayed (the replay's limit: no client socket,
    /// other sequence numbers), so 5 of 14 verdicts agree.
    @Test("a loopback capture replays into lo")
    func loopback() throws {
        let (agreement, frames) = try Self.parting("loopback_lo", 9)
        #expect(frames.count == 14)
        #expect(agreement["verdict"] == ["agreeing": 5, "compared": 14], "\(agreement)")
        #expect(agreement["drop_reason"] == ["agreeing": 2, "compared": 2])
        let udp = try #require(frames[13]?["kernel"] as? [String: Any])
        #expect(udp["drop_reason"] as? String == "SKB_DROP_REASON_NO_SOCKET")
        #expect(udp["function"] as? String == "__udp4_lib_rcv")
        #expect((frames[1]?["kernel"] as? [String: Any])?["fate"] as? String == "consumed")
    }

    /// A profile claiming `arp_ignore` 8 (never answer ARP), which the model does not read: the kernel
    /// follows it and stays silent, the model answers. The difference shows on that frame only.
    @Test("a wrong host profile shows the difference it makes")
    func wrongProfile() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/arp_resolution.host.json")))
        var profile = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var sysctl = profile["sysctl"] as? [String: Any] ?? [:]
        sysctl["net.ipv4.conf.all.arp_ignore"] = 8
        profile["sysctl"] = sysctl
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pktpath-verify-wrong-\(getpid()).json")
        try JSONSerialization.data(withJSONObject: profile).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let prefix = Self.prefix(99)
        let (status, lines) = try Self.verify("arp_resolution", host: path.path, prefix: prefix)
        Self.expectRemoved(prefix)
        #expect(status == 1)
        let frames = lines.filter { $0["type"] as? String == "frame" }
        let first = try #require(frames.first { $0["frame"] as? Int == 1 })
        #expect(first["parting"] as? [String] == ["transmissions"])
        #expect((first["model"] as? [String: Any])?["transmissions"] as? Int == 1)
        #expect((first["kernel"] as? [String: Any])?["transmissions"] as? Int == 0)
        #expect(frames.first { $0["frame"] as? Int == 3 }?["agrees"] as? Bool == true)
    }

    /// Two runs at once would read each other's frames (the tracepoints name devices, not namespaces):
    /// while another holds the machine's lock, a run says it waits and builds nothing; it goes on, and
    /// agrees, once the lock is free.
    @Test("a second run waits for the one holding the machine's lock")
    func oneRunAtATime() throws {
        let lock = open("/run/lock/pktpath-verify.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        try #require(lock >= 0 && flock(lock, LOCK_EX) == 0)
        var held = true
        defer { if held { close(lock) } }
        let prefix = Self.prefix(98)
        let err = CLITests.temporaryPath(".err")
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: err) }
        let process = Process()
        process.executableURL = try #require(CLITests.executable)
        process.arguments = ["verify", Repository.path("Fixtures/bad_ip_checksum.pcap"),
                             "--host", Repository.path("Fixtures/bad_ip_checksum.host.json"), "--prefix", prefix]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        let waiting = "waiting for another verify run on this machine to finish"
        for _ in 0..<600 where !((try? String(contentsOfFile: err, encoding: .utf8)) ?? "").contains(waiting) {
            usleep(50_000)
        }
        #expect(((try? String(contentsOfFile: err, encoding: .utf8)) ?? "").contains(waiting))
        #expect(process.isRunning)
        #expect(!FileManager.default.fileExists(atPath: "/run/netns/\(prefix)-host"), "built while another run held the lock")
        close(lock)
        held = false
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        Self.expectRemoved(prefix)
    }

    @Test("without root it refuses, saying why, and makes nothing")
    func refusesWithoutRoot() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return }
        let exe = try #require(CLITests.executable)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", exe.path, "verify",
                       Repository.path("Fixtures/udp_ports.pcap"), "--prefix", Self.prefix(7)]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 2)
        #expect(said.contains("verify needs root"))
        Self.expectRemoved(Self.prefix(7))
    }


    /// `--host-mac` picks the end of a veth that took the capture, as it does for trace: the host verify
    /// builds and models is the named end.
    @Test("--host-mac chooses the inferred host's end of the link")
    func hostMAC() throws {
        let prefix = Self.prefix(55)
        let run = try CLITests.pktpath(["verify", Repository.path("Fixtures/ends_client.pcap"), "--host-mac", "02:00:00:00:71:01",
                                        "--format", "json", "--prefix", prefix])
        Self.expectRemoved(prefix)
        #expect(run.stderr.contains("taken to be the capturing host because --host-mac names it"), "\(run.stderr)")
        #expect(!run.stderr.contains("cannot tell which end"))
        #expect([0, 1].contains(run.status), "\(run.stderr)")
    }

    /// Hosts and captures verify cannot build or send, each refused with what it cannot do before
    /// anything is made: a VLAN interface, a capture taken on a bridge itself (not on a port), a capture
    /// with raw IP frames (a tun device).
    @Test("what verify cannot build is refused, naming it, before anything is made", arguments: [
        ("vlan_rx", "vlan_rx.pcap", 42, "is a VLAN"),
        ("bridge_br0", "bridge_br0.pcap", 43, "the capture was taken on bridge br0"),
        ("multi_if", "multi_if.pcapng", 44, "is DLT_RAW, neither Ethernet nor a cooked capture"),
    ])
    func refuses(_ fixture: String, _ capture: String, _ n: Int, _ message: String) throws {
        let prefix = Self.prefix(n)
        let run = try CLITests.pktpath(["verify", Repository.path("Fixtures/\(capture)"),
                                        "--host", Repository.path("Fixtures/\(fixture).host.json"), "--prefix", prefix])
        #expect(run.status == 2)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        Self.expectRemoved(prefix)
    }
}
