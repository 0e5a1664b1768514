import Testing
import Wire

/// The text of MAC and IPv4 addresses, written byte by byte, against the same text built the plain way
/// (octets formatted one by one and joined).
@Suite("Address text")
struct AddressTextTests {
    /// Octet values that exercise every digit count and both hex digits: 0, 9, 10, 15, 16, 99, 100, 255 and more.
    static let octets: [UInt8] = [0, 1, 9, 10, 15, 16, 99, 100, 127, 128, 160, 199, 200, 254, 255]

    @Test func macAddresses() {
        for a in Self.octets {
            for b in Self.octets {
                let bytes: [UInt8] = [a, b, b, a, 0x0f, 0xf0]
                let mac = MACAddress(bytes, at: 0)
                let plain = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
                #expect(mac.description == plain)
            }
        }
        #expect(MACAddress.broadcast.description == "ff:ff:ff:ff:ff:ff")
    }

    @Test func ipv4Addresses() {
        for a in Self.octets {
            for b in Self.octets {
                let bytes: [UInt8] = [a, b, 255 - b, 255 - a]
                let address = IPv4Address(bytes, at: 0)
                #expect(address.description == bytes.map(String.init).joined(separator: "."))
            }
        }
        #expect(IPv4Address(rawValue: 0).description == "0.0.0.0")
        #expect(IPv4Address(rawValue: .max).description == "255.255.255.255")
    }
}
