#if os(Linux)
import Foundation
import Glibc

/// One verify run at a time on a machine. The tracepoints verify reads name devices, not namespaces:
/// two runs building the same host would each see the other's frames on `veth-dut`. A run holds an
/// exclusive `flock` on a file in `/run/lock` (or the temporary directory) from before it builds its
/// scratch host until it has removed it; the kernel releases the lock when the process ends, however
/// it ends.
struct MachineLock {
    /// The lock file's path.
    static var path: String {
        let dir = FileManager.default.fileExists(atPath: "/run/lock") ? "/run/lock" : NSTemporaryDirectory()
        return dir + "/pktpath-verify.lock"
    }

    private let fd: Int32

    /// Takes the lock, calling `waiting` once if another run holds it and then asking `shouldStop` every
    /// tenth of a second until the lock is free (nil when it said stop).
    static func acquire(waiting: () -> Void, shouldStop: () -> Bool) throws(VerifyError) -> MachineLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw VerifyError("cannot open the lock file \(path): \(String(cString: strerror(errno)))") }
        var told = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw VerifyError("cannot lock \(path): \(reason)")
            }
            if !told { waiting(); told = true }
            if shouldStop() { close(fd); return nil }
            usleep(100_000)
        }
        return MachineLock(fd: fd)
    }

    /// Lets the next run go.
    func release() { close(fd) }
}
#endif
