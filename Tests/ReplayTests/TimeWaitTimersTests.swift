@testable import KernelNet
import Testing
import Wire

@Suite("time-wait timers")
struct TimeWaitTimersTests {
    static func tuple(_ port: UInt16) -> FourTuple {
        FourTuple(local: IPv4Address(rawValue: 0x7F00_0001), localPort: port, remote: IPv4Address(rawValue: 0x7F00_0001), remotePort: 8080)
    }

    /// Timers expire in the order they were armed, each once, and the horizon is the next one's time.
    @Test func expiryOrder() {
        var timers = TimeWaitTimers()
        #expect(timers.horizon == .max)
        for (n, port) in [40001, 40002, 40003].enumerated() {
            timers.arm(Self.tuple(UInt16(port)), expires: 100 + Int64(n / 2) * 10, armedBy: n + 1)
        }
        #expect(timers.horizon == 100)
        let none = timers.expired(by: 99)
        #expect(none.isEmpty)
        let first = timers.expired(by: 100)
        #expect(first.map(\.tuple.localPort) == [40001, 40002] && first.map(\.armedBy) == [1, 2])
        #expect(timers.horizon == 110 && timers.count == 1)
        let last = timers.expired(by: 200)
        #expect(last.map(\.tuple.localPort) == [40003])
        let after = timers.expired(by: .max)
        #expect(after.isEmpty && timers.count == 0)
    }

    /// A stopped timer never expires; one armed again expires at its new time only.
    @Test func stoppedAndArmedAgain() {
        var timers = TimeWaitTimers()
        timers.arm(Self.tuple(1), expires: 100, armedBy: 1)
        timers.arm(Self.tuple(2), expires: 100, armedBy: 1)
        let stopped = timers.stop(Self.tuple(1))
        let again = timers.stop(Self.tuple(1))
        #expect(stopped && !again)
        timers.arm(Self.tuple(2), expires: 150, armedBy: 5)
        let early = timers.expired(by: 140)
        #expect(early.isEmpty)
        let later = timers.expired(by: 150)
        #expect(later.count == 1 && later.first?.tuple == Self.tuple(2) && later.first?.armedBy == 5)
    }

    /// Arming and stopping without end keeps the queue within a bound of the timers running, however
    /// long it goes on before any expires.
    @Test func queueStaysBounded() {
        var timers = TimeWaitTimers()
        timers.arm(Self.tuple(1), expires: 1_000_000, armedBy: 0)
        for n in 0..<100_000 {
            timers.arm(Self.tuple(2), expires: 1_000_000 + Int64(n), armedBy: n)
            timers.arm(Self.tuple(2), expires: 1_000_001 + Int64(n), armedBy: n)
            _ = timers.stop(Self.tuple(2))
        }
        #expect(timers.count == 1)
        #expect(timers.queued <= 2 * timers.count + 65)
        let expired = timers.expired(by: .max)
        #expect(expired.map(\.tuple) == [Self.tuple(1)])
    }
}
