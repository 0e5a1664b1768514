import KernelNet
import Testing

/// A route's device is held without a reference count (``DstEntry/dev``); an optional route must still
/// be nil exactly when there is none. (With `unowned(unsafe) var dev: NetDevice?`, a debug build made
/// `Optional.map` of a nil device return a route, and reading its device crashed.)
@Suite("DstEntry")
struct DstEntryTests {
    @Test func optionalRoutes() {
        let lo = NetDevice(name: "lo", ifindex: 1, dev_addr: .zero, mtu: 65536, addresses: [], ops: LoopbackDriver(),
                           hasTap: false)
        let none: NetDevice? = nil
        let noRoute = none.map { DstEntry(type: .unicast, dev: $0) }
        #expect(noRoute == nil)
        #expect((noRoute ?? DstEntry(type: .unreachable)).type == .unreachable)
        let some: NetDevice? = lo
        let route = some.map { DstEntry(type: .unicast, dev: $0) }
        #expect(route?.dev === lo)
        var changed = DstEntry(type: .local)
        #expect(changed.dev == nil)
        changed.dev = lo
        #expect(changed.dev?.name == "lo")
        changed.dev = nil
        #expect(changed.dev == nil)
        withExtendedLifetime(lo) {}
    }
}
