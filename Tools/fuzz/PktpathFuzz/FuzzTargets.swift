import Capture
import Foundation
import KernelNet
import Replay
import Trace
import TraceDiff
import TraceRender
import Wire

#if canImport(Glibc)
import Glibc
#endif

/// The ways arbitrary bytes reach pktpath, as fuzz entry points: a whole capture file, one Ethernet frame
/// replayed through the kernel model, a host profile, `--set` overrides, a trace file for `pktpath diff`
/// and a pcap-filter expression. Each is total: any input must return, never trap.
///
/// `LLVMFuzzerTestOneInput` (below) calls one of them, chosen by `PKTPATH_FUZZ_TARGET` (``FuzzTarget``);
/// `Tests/EndToEndTests/FuzzRegressionTests.swift` replays each target's regression corpus through it.
public enum FuzzTargets {
    /// The host a single frame is replayed on: one interface with a listener, a UDP socket, a gateway
    /// and a neighbour, so that frames built for it reach deep into the model.
    static let hostMAC = "02:00:00:00:0d:00"

    /// One such host per modeled Ethernet driver and kernel version, and one per version whose captured
    /// interface is a port of a bridge that holds the address (frames then go through the bridge).
    static let hosts: [HostProfile] = HostProfile.ethernetDrivers.flatMap { d in knownKernels.compactMap { host(driver: d, kernel: $0) } }
        + knownKernels.compactMap(bridgedHost(kernel:))

    /// The host on one interface with the address, on `driver`.
    static func host(driver: String, kernel: String) -> HostProfile? {
        host(kernel: kernel, device: "dut0", interfaces: """
            { "name": "dut0", "driver": "\(driver)", "mac": "\(hostMAC)", "mtu": 1500, "addresses": ["10.77.0.1/24"], "captured": true }
            """)
    }

    /// The host whose captured interface is a port of the bridge that has the address.
    static func bridgedHost(kernel: String) -> HostProfile? {
        host(kernel: kernel, device: "br0", interfaces: """
            { "name": "dut0", "driver": "veth", "mac": "02:00:00:00:0d:10", "mtu": 1500, "master": "br0", "captured": true },
            { "name": "dut1", "driver": "veth", "mac": "02:00:00:00:0d:11", "mtu": 1500, "master": "br0" },
            { "name": "br0", "driver": "bridge", "mac": "\(hostMAC)", "mtu": 1500, "addresses": ["10.77.0.1/24"] }
            """)
    }

    /// A host with `interfaces` (JSON objects), and a gateway, a neighbour, a listener and a UDP socket
    /// on `device`, the one with the address.
    static func host(kernel: String, device: String, interfaces: String) -> HostProfile? {
        let json = """
            { "kernel": "\(kernel)",
              "interfaces": [ \(interfaces) ],
              "routes": [ { "dst": "0.0.0.0/0", "via": "10.77.0.254", "dev": "\(device)" } ],
              "neighbours": [ { "ip": "10.77.0.2", "mac": "02:00:00:00:0e:00", "dev": "\(device)", "state": "permanent" } ],
              "sockets": [ { "proto": "tcp", "addr": "0.0.0.0", "port": 80, "state": "listen" },
                           { "proto": "udp", "addr": "0.0.0.0", "port": 53 } ],
              "sysctl": { "net.ipv4.icmp_ratelimit": 0 } }
            """
        return try? HostProfile.parse(Data(json.utf8))
    }

    /// Replays `bytes` as a capture file (pcap or pcapng) on the host inferred from it, as
    /// `pktpath trace FILE` does, rendering every trace in every format.
    ///
    /// - Returns: the frames traced, or `nil` when the bytes are refused as a capture (a clean error).
    @discardableResult
    public static func capture(_ bytes: [UInt8]) -> Int? {
        guard let file = ScratchFile(bytes) else { return nil }
        defer { file.close() }
        var traced: Int?
        for driver in HostProfile.ethernetDrivers {
            do {
                let inferred = try HostInference.infer(path: file.path, driver: driver)
                let session = try ReplaySession(capture: try PcapFile(path: file.path), captureName: "fuzz",
                                                host: inferred.profile, assumptions: inferred.assumptions)
                let renderers: [any TraceRenderer] = [TextRenderer(), ChainRenderer(), JSONRenderer(), PerfettoRenderer(),
                                                      HTMLRenderer()]
                var rendered = renderers.reduce(0) { $0 + $1.header(session.header).utf8.count }
                // The capture written again (`--format pcapng`), with the comments of each frame.
                var pcapng = PcapngWriter()
                var written = PcapngWriter.sectionHeader(PcapngWriter.Section(comments: [session.header.capture]))
                var n = 0
                do {
                    let summary = try session.run(withFrames: { trace, frame in
                        n += 1
                        for r in renderers { rendered += r.frame(trace).utf8.count }
                        pcapng.appendPacket(frame, device: trace.device, direction: .inbound,
                                            comments: FrameComments().comments(for: trace), to: &written)
                    })
                    rendered += written.count
                    for r in renderers { rendered += r.summary(summary).utf8.count }
                } catch is CaptureError {
                    // A capture truncated mid-record: the traces before the break stand.
                }
                traced = n
                blackHole(rendered)
            } catch {
                return nil
            }
        }
        return traced
    }

    /// Replays `bytes` as one Ethernet frame received (or sent, when its source is the host's MAC) on
    /// each modeled driver and kernel version, twice (the second time meets the state the first left), then forces the
    /// other direction through `Kernel.receive` / `Kernel.transmit`.
    public static func frame(_ bytes: [UInt8]) {
        guard let empty = emptyEthernetCapture else { return }
        let frame = CapturedFrame(index: 1, timestampNanoseconds: 1_700_000_000_000_000_000, bytes: bytes)
        var second = frame
        second.index = 2
        second.timestampNanoseconds += 1_000_000
        for host in hosts {
            guard let capture = try? PcapFile(path: empty),
                  let session = try? ReplaySession(capture: capture, captureName: "fuzz", host: host)
            else { continue }
            var rendered = 0
            let renderers: [any TraceRenderer] = [TextRenderer(), ChainRenderer(), JSONRenderer()]
            for f in [frame, second] {
                let trace = session.trace(f)
                for r in renderers { rendered += r.frame(trace).utf8.count }
            }
            let link = LinkHeader(bytes, encapsulation: .ethernet)
            let kernel = session.kernel
            let device = kernel.devices[0]
            let r1 = kernel.transmit(frame: 3, time: second.timestampNanoseconds + 1, bytes: bytes,
                                     wireLength: bytes.count, link: link, device: device)
            let r2 = kernel.receive(frame: 4, time: second.timestampNanoseconds + 2, bytes: bytes,
                                    wireLength: bytes.count, link: link, device: device)
            blackHole(rendered + r1.events.count + r2.events.count)
        }
    }

    /// Parses `bytes` as a host profile (`--host FILE`); one that parses replays a few frames of every
    /// fixture (``FuzzFixtures/mixedFrames``) with the timers left at the end, and renders the trace
    /// header that shows the profile.
    ///
    /// - Returns: whether the bytes parsed as a profile.
    @discardableResult
    public static func host(_ bytes: [UInt8]) -> Bool {
        guard let profile = try? HostProfile.parse(Data(bytes)) else { return false }
        replay(FuzzFixtures.mixedFrames, on: profile)
        return true
    }

    /// The fixtures whose profiles the set target changes, and whose frames it replays on the result:
    /// two interfaces and forwarding, reverse-path filtering, fragments.
    static let overrideFixtures = ["s_forward", "s_rp_filter", "s_frag"].compactMap(FuzzFixtures.named)

    /// Parses each line of `bytes` as a `--set KEY=VALUE` override; when all parse, applies them to each
    /// of ``overrideFixtures``' profiles and replays that fixture on the result.
    ///
    /// - Returns: the fixtures replayed (0 when an override was refused).
    @discardableResult
    public static func overrides(_ bytes: [UInt8]) -> Int {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        var parsed: [HostOverride] = []
        for line in lines {
            guard let o = try? HostOverride(parsing: String(line)) else { return 0 }
            parsed.append(o)
        }
        var replayed = 0
        for fixture in overrideFixtures {
            guard let profile = try? fixture.profile.applying(parsed) else { continue }
            replay(fixture.frames, on: profile)
            replayed += 1
        }
        return replayed
    }

    /// Replays `frames` on `profile` to the end (the timers left after the last frame included),
    /// rendering the header and every trace as text and JSON.
    static func replay(_ frames: [CapturedFrame], on profile: HostProfile) {
        guard let session = try? ReplaySession(frames: frames, captureName: "fuzz", host: profile) else { return }
        let renderers: [any TraceRenderer] = [TextRenderer(), JSONRenderer()]
        var rendered = renderers.reduce(0) { $0 + $1.header(session.header).utf8.count }
        if let summary = try? session.run({ trace in for r in renderers { rendered += r.frame(trace).utf8.count } }) {
            for r in renderers { rendered += r.summary(summary).utf8.count }
        }
        blackHole(rendered)
    }

    /// Reads `bytes` as a trace file given to `pktpath diff` and, when it reads, diffs it against a real
    /// trace (``FuzzFixtures/baselineTrace``) on both sides, with each alignment, rendered as text and
    /// JSON.
    ///
    /// - Returns: whether the bytes read as a trace file.
    @discardableResult
    public static func diff(_ bytes: [UInt8]) -> Bool {
        guard let fuzzed = try? TraceFile.parse(Data(bytes), path: "fuzz.jsonl"),
              let real = FuzzFixtures.baselineTrace
        else { return false }
        let renderers: [any DiffRenderer] = [DiffTextRenderer(), DiffJSONRenderer()]
        var rendered = 0
        for (a, b) in [(fuzzed, real), (real, fuzzed), (fuzzed, fuzzed)] {
            let side = { (t: TraceFile) in DiffSide(source: t.path, kernel: t.kernel, capture: t.capture, overrides: t.overrides) }
            let chosen = Alignment.choose(a, b)
            for alignment in [chosen] + Alignment.allCases.filter({ $0 != chosen }) {
                var differ = TraceDiffer(context: 3)
                for r in renderers { rendered += r.header(a: side(a), b: side(b), alignment: alignment, context: 3).utf8.count }
                for (fa, fb) in alignment.pairs(a.frames, b.frames) {
                    let d = differ.compare(fa, fb)
                    for r in renderers { rendered += r.frame(d, alignment: alignment).utf8.count }
                }
                for r in renderers { rendered += r.summary(differ.summary).utf8.count }
            }
        }
        blackHole(rendered)
        return true
    }

    /// Compiles `bytes` as a pcap-filter expression (as `pktpath trace CAPTURE EXPRESSION` does) for a
    /// capture of each link type pktpath reads (``FuzzFixtures/linkTypeCaptures``), and reads each to
    /// its end through the filter.
    ///
    /// - Returns: the captures the expression compiled for.
    @discardableResult
    public static func filter(_ bytes: [UInt8]) -> Int {
        let expression = String(decoding: bytes, as: UTF8.self)
        var compiled = 0
        for path in FuzzFixtures.linkTypeCaptures {
            guard let file = try? PcapFile(path: path), (try? file.setFilter(expression)) != nil else { continue }
            compiled += 1
            var frame = CapturedFrame()
            var kept = 0
            while (try? file.read(into: &frame)) == true { kept += frame.bytes.count }
            blackHole(kept)
        }
        return compiled
    }

    /// A capture with no records and link type Ethernet, for sessions that trace frames handed to them.
    static let emptyEthernetCapture: String? = {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("pktpath-fuzz-empty-\(getpid()).pcap").path
        do {
            _ = try PcapWriter(path: path, linkType: .DLT_EN10MB)
        } catch {
            return nil
        }
        atexit { if let p = FuzzTargets.emptyEthernetCapture { unlink(p) } }
        return path
    }()

    @inline(never)
    static func blackHole(_ value: Int) {
        if value == -1 { print("") }
    }
}

/// A per-process scratch file (in `/dev/shm` when there is one, so nothing touches the disk) that
/// holds one input at a time, for the readers that take a path.
struct ScratchFile {
    let path: String

    private static let shared: (fd: Int32, path: String)? = {
        let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = (dir as NSString).appendingPathComponent("pktpath-fuzz-\(getpid()).bin")
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return nil }
        atexit { if let p = ScratchFile.shared?.path { unlink(p) } }
        return (fd, path)
    }()

    init?(_ bytes: [UInt8]) {
        guard let (fd, path) = Self.shared, ftruncate(fd, 0) == 0 else { return nil }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(written)) }
            guard n > 0 else { return nil }
            written += n
        }
        self.path = path
    }

    func close() {}
}

/// libFuzzer's entry point: the bytes go to the target `PKTPATH_FUZZ_TARGET` names.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTarget.current.run(bytes)
    return 0
}

/// libFuzzer's start-up hook: with `PKTPATH_FUZZ_SEEDS=DIR` in the environment, writes the seeds of
/// the target `PKTPATH_FUZZ_TARGET` names into `DIR` (``FuzzSeeds``) and exits instead of fuzzing.
@_cdecl("LLVMFuzzerInitialize")
public func LLVMFuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>?,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    guard let dir = ProcessInfo.processInfo.environment["PKTPATH_FUZZ_SEEDS"] else { return 0 }
    do {
        let n = try FuzzSeeds.write(FuzzTarget.current, to: dir)
        FileHandle.standardError.write(Data("fuzz: \(n) \(FuzzTarget.current.rawValue) seeds written\n".utf8))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("fuzz: cannot write seeds to \(dir): \(error)\n".utf8))
        exit(2)
    }
}

/// The fuzz entry points by the name `PKTPATH_FUZZ_TARGET`, `Tools/fuzz/run.sh` and the regression
/// corpus's folders give them.
public enum FuzzTarget: String, CaseIterable, Sendable, Codable {
    case capture, frame, host, set, diff, filter

    /// Hands `bytes` to the target's entry point in ``FuzzTargets``.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .capture: FuzzTargets.capture(bytes)
        case .frame: FuzzTargets.frame(bytes)
        case .host: FuzzTargets.host(bytes)
        case .set: FuzzTargets.overrides(bytes)
        case .diff: FuzzTargets.diff(bytes)
        case .filter: FuzzTargets.filter(bytes)
        }
    }

    /// The target `PKTPATH_FUZZ_TARGET` names; `capture` when it names none.
    static let current = ProcessInfo.processInfo.environment["PKTPATH_FUZZ_TARGET"].flatMap(FuzzTarget.init) ?? .capture
}
