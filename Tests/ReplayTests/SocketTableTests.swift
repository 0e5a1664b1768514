@testable import KernelNet
import Testing
import Wire

@Suite("socket table")
struct SocketTableTests {
    static func tuple(_ n: Int) -> FourTuple {
        FourTuple(local: IPv4Address("10.77.0.1")!, localPort: 8080,
                  remote: IPv4Address(rawValue: 0x0A4E_0000 &+ UInt32(n >> 16)), remotePort: UInt16(truncatingIfNeeded: n))
    }

    /// Connections that come and go (short connections ending in a reset or TIME_WAIT's timer) leave
    /// no trace behind: the eviction order holds about as many entries as there are connections, not
    /// one for every connection ever opened.
    @Test func endedConnectionsLeaveNothingBehind() {
        var table = SocketTable([])
        for n in 0..<100_000 {
            table.setConnection(Self.tuple(n), TCPConnection(state: .TCP_ESTABLISHED))
            if n >= 10 { table.removeConnection(Self.tuple(n - 10)) }
        }
        #expect(table.tcp.count == 10)
        #expect(table.order.count - table.orderStart <= 2 * 10 + 4096)
    }

    /// Past the limit the oldest connection still open goes first; one opened again counts from its
    /// latest opening.
    @Test func oldestOpenConnectionEvictedFirst() {
        var table = SocketTable([])
        for n in 0..<SocketTable.connectionLimit { table.setConnection(Self.tuple(n), TCPConnection(state: .TCP_ESTABLISHED)) }
        // Connection 0 ends and opens again: now the newest. Ended connections make the order compact itself.
        table.removeConnection(Self.tuple(0))
        for n in 0..<5_000 {
            table.setConnection(Self.tuple(1_000_000 + n), TCPConnection(state: .TCP_ESTABLISHED))
            table.removeConnection(Self.tuple(1_000_000 + n))
        }
        table.setConnection(Self.tuple(0), TCPConnection(state: .TCP_ESTABLISHED))
        table.setConnection(Self.tuple(2_000_000), TCPConnection(state: .TCP_ESTABLISHED))
        #expect(table.tcp.count == SocketTable.connectionLimit)
        #expect(table.tcp[Self.tuple(0)] != nil)
        #expect(table.tcp[Self.tuple(1)] == nil)
        #expect(table.tcp[Self.tuple(2)] != nil)
    }
}
