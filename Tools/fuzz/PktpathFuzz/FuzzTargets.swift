import Capture
import Foundation
import KernelNet
import Replay
import Trace
import TraceRender
import Wire

#if canImport(Glibc)
import Glibc
#endif

/// The two ways arbitrary bytes reach pktpath, as fuzz entry points: a whole capture file, and one
/// Ethernet frame replayed through the kernel model. Both are total: any input must return, never trap.
///
/// `LLVMFuzzerTestOneInput` (below) calls one of them, chosen by `PKTPATH_FUZZ_TARGET`
/// (`capture`, the default, or `frame`); `Tests/EndToEndTests/FuzzRegressionTests.swift` replays the
/// regression corpus through both.
public enum FuzzTargets {
    /// The host a single frame is replayed on: one interface with a listener, a UDP socket, a gateway
    /// and a neighbour, so that frames built for it reach deep into the model.
    static let hostMAC = "02:00:00:00:0d:00"

    static let hosts: [String: HostProfile] = Dictionary(uniqueKeysWithValues: HostProfile.ethernetDrivers.compactMap { d in
        host(driver: d).map { (d, $0) }
    })

    static func host(driver: String) -> HostProfile? {
        let json = """
            { "kernel": "6.1",
              "interfaces": [ { "name": "dut0", "driver": "\(driver)", "mac": "\(hostMAC)", "mtu": 1500,
                                "addresses": ["10.77.0.1/24"], "captured": true } ],
              "routes": [ { "dst": "0.0.0.0/0", "via": "10.77.0.254", "dev": "dut0" } ],
              "neighbours": [ { "ip": "10.77.0.2", "mac": "02:00:00:00:0e:00", "dev": "dut0", "state": "permanent" } ],
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
                let renderers: [any TraceRenderer] = [TextRenderer(), ChainRenderer(), JSONRenderer()]
                var rendered = renderers.reduce(0) { $0 + $1.header(session.header).utf8.count }
                var n = 0
                do {
                    let summary = try session.run { trace in
                        n += 1
                        for r in renderers { rendered += r.frame(trace).utf8.count }
                    }
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
    /// each modeled driver, twice (the second time meets the state the first left), then forces the
    /// other direction through `Kernel.receive` / `Kernel.transmit`.
    public static func frame(_ bytes: [UInt8]) {
        guard let empty = emptyEthernetCapture else { return }
        let frame = CapturedFrame(index: 1, timestampNanoseconds: 1_700_000_000_000_000_000, bytes: bytes)
        var second = frame
        second.index = 2
        second.timestampNanoseconds += 1_000_000
        for driver in HostProfile.ethernetDrivers {
            guard let host = hosts[driver], let capture = try? PcapFile(path: empty),
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

/// libFuzzer's entry point. `PKTPATH_FUZZ_TARGET=frame` fuzzes single frames; anything else, captures.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    switch FuzzMode.current {
    case .frame: FuzzTargets.frame(bytes)
    case .capture: FuzzTargets.capture(bytes)
    }
    return 0
}

/// Which entry point `LLVMFuzzerTestOneInput` drives.
enum FuzzMode {
    case capture, frame

    static let current: FuzzMode = ProcessInfo.processInfo.environment["PKTPATH_FUZZ_TARGET"] == "frame" ? .frame : .capture
}
