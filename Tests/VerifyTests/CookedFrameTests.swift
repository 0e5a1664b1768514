import Capture
import Testing
import Wire
@testable import Verify

/// Frames of `tcpdump -i any` captures rebuilt as the Ethernet frames verify sends.
@Suite("cooked frames as Ethernet")
struct CookedFrameTests {
    static let device = MACAddress("02:00:00:00:0d:00")!
    static let sender: [UInt8] = [0x02, 0, 0, 0, 0x0e, 0]
    /// An IPv4 header (20 bytes) to `destination`, then 4 payload bytes.
    static func ipv4(to destination: [UInt8]) -> [UInt8] {
        [0x45, 0, 0, 24, 0, 0, 0, 0, 64, 17, 0, 0, 10, 77, 0, 2] + destination + [1, 2, 3, 4]
    }

    /// An SLL (v1) header: packet type, ARPHRD_ETHER, address length 6, the sender's MAC, protocol.
    static func sll(_ type: UInt8, _ payload: [UInt8], protocol p: UInt16 = 0x0800) -> [UInt8] {
        [0, type, 0, 1, 0, 6] + sender + [0, 0] + [UInt8(p >> 8), UInt8(p & 0xff)] + payload
    }

    /// An SLL2 header: protocol, reserved, ifindex 2, ARPHRD_ETHER, packet type, address length, address.
    static func sll2(_ type: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, type, 6] + sender + [0, 0] + payload
    }

    static func header(_ frame: [UInt8]?) -> (MACAddress, MACAddress, UInt16)? {
        guard let f = frame, f.count >= 14 else { return nil }
        return (MACAddress(f, at: 0), MACAddress(f, at: 6), UInt16(f[12]) << 8 | UInt16(f[13]))
    }

    @Test("to the host, broadcast, multicast and another host: the destination the packet type implies")
    func destinations() throws {
        let unicast = Self.ipv4(to: [10, 77, 0, 1])
        let host = CookedFrame.ethernet(Self.sll(0, unicast), linkType: .DLT_LINUX_SLL, device: Self.device)
        let (dst, src, type) = try #require(Self.header(host))
        #expect(dst == Self.device)
        #expect(src == MACAddress("02:00:00:00:0e:00"))
        #expect(type == 0x0800)
        #expect(Array(try #require(host).dropFirst(14)) == unicast)
        let broadcast = CookedFrame.ethernet(Self.sll2(1, Self.ipv4(to: [255, 255, 255, 255])), linkType: .DLT_LINUX_SLL2, device: Self.device)
        #expect(Self.header(broadcast)?.0 == .broadcast)
        let group = CookedFrame.ethernet(Self.sll2(2, Self.ipv4(to: [239, 129, 2, 3])), linkType: .DLT_LINUX_SLL2, device: Self.device)
        #expect(Self.header(group)?.0 == MACAddress("01:00:5e:01:02:03"))
        let other = CookedFrame.ethernet(Self.sll(3, unicast), linkType: .DLT_LINUX_SLL, device: Self.device)
        let otherMAC = try #require(Self.header(other)?.0)
        #expect(otherMAC != Self.device && otherMAC.rawValue & 0x01_00_00_00_00_00 == 0)
    }

    @Test("an IPv6 group maps to 33:33 and its last four bytes")
    func ipv6Group() {
        let packet = [UInt8](repeating: 0, count: 24) + [0xff, 0x02] + [UInt8](repeating: 0, count: 9) + [1, 0xff, 0, 0, 1]
        #expect(CookedFrame.multicastMAC(packet, etherType: .ipv6) == MACAddress("33:33:ff:00:00:01"))
    }

    @Test("Ethernet passes as it is; sent, cut-short and other link types give none")
    func others() {
        let eth: [UInt8] = Array(repeating: 0xaa, count: 60)
        #expect(CookedFrame.ethernet(eth, linkType: .DLT_EN10MB, device: Self.device) == eth)
        #expect(CookedFrame.ethernet(Self.sll(4, Self.ipv4(to: [10, 77, 0, 2])), linkType: .DLT_LINUX_SLL, device: Self.device) == nil)
        #expect(CookedFrame.ethernet([0, 0, 0, 1], linkType: .DLT_LINUX_SLL, device: Self.device) == nil)
        #expect(CookedFrame.ethernet(Self.sll(2, [0x45, 0]), linkType: .DLT_LINUX_SLL, device: Self.device) == nil)
        #expect(CookedFrame.ethernet(Self.ipv4(to: [10, 77, 0, 1]), linkType: .DLT_RAW, device: Self.device) == nil)
    }
}
