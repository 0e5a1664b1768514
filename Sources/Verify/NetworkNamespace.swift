#if os(Linux)
import CNetns
import Foundation
import Glibc

/// A named network namespace (`ip netns add NAME`, bound at `/run/netns/NAME`), and code run inside it.
///
/// Sockets belong to the namespace they were created in for their whole life, so `pktpath verify`
/// creates its sockets inside the scratch namespaces from its own thread (`setns`) and goes back: no
/// helper process is needed to hold them, and they close when verify ends, however it ends.
public enum NetworkNamespace {
    /// Runs `body` with the calling thread in namespace `name`, then returns the thread to its own.
    public static func run<T>(in name: String, _ body: () throws(VerifyError) -> T) throws(VerifyError) -> T {
        let own = open("/proc/thread-self/ns/net", O_RDONLY)
        let target = open("/run/netns/" + name, O_RDONLY)
        defer {
            if own >= 0 { close(own) }
            if target >= 0 { close(target) }
        }
        guard own >= 0, target >= 0, cnetns_enter(target) == 0 else {
            throw VerifyError("cannot enter network namespace \(name): \(String(cString: strerror(errno)))")
        }
        defer { cnetns_enter(own) }
        return try body()
    }
}

/// An `AF_PACKET` socket bound to one device: frames written to it leave by that device as they are.
public final class FrameInjector {
    private let fd: Int32
    public let device: String

    /// Opens the socket on `device` of namespace `namespace`. Protocol 0: it receives nothing.
    public init(namespace: String, device: String) throws(VerifyError) {
        self.device = device
        fd = try NetworkNamespace.run(in: namespace) { () throws(VerifyError) -> Int32 in
            let fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), 0)
            guard fd >= 0 else { throw VerifyError("cannot open an AF_PACKET socket: \(String(cString: strerror(errno)))") }
            let index = Int32(if_nametoindex(device))
            guard index > 0, cnetns_bind_packet(fd, index) == 0 else {
                close(fd)
                throw VerifyError("cannot bind an AF_PACKET socket to \(device): \(String(cString: strerror(errno)))")
            }
            return fd
        }
    }

    /// Sends one frame (link-layer header included); false when the kernel refused it.
    public func send(_ bytes: [UInt8]) -> Bool {
        Glibc.send(fd, bytes, bytes.count, 0) == bytes.count
    }

    deinit { close(fd) }
}
#endif
