import Capture
import Foundation
import Wire

/// The protected part of the tour's Wi-Fi: a station with keys, its frames decrypted by the device,
/// and 802.11 fragments.
extension ModelTour {
    /// A Wi-Fi station associated with the tour's access point, its port open and keys of `cipher`
    /// installed (the 4-way handshake done before the capture); with `pmf`, management frame protection
    /// agreed; without `authorized`, the port still closed and no keys yet.
    public static func wifiCryptoHost(cipher: String, pmf: Bool = false, authorized: Bool = true) -> HostProfile {
        let json = """
            { "interfaces": [ { "name": "wlan0", "driver": "iwlwifi", "mac": "\(hostMAC)", "addresses": ["\(hostIP)/24"],
                                "captured": true, "wifi": { "bssid": "\(apMAC)", "cipher": "\(cipher)", "pmf": \(pmf),
                                                            "authorized": \(authorized) } } ] }
            """
        // The text above is fixed and valid: parsing cannot fail.
        return (try? HostProfile.parse(Data(json.utf8))) ?? HostProfile(kernel: nil, interfaces: [])
    }

    /// Protected 802.11 frames from the AP as a monitor interface on the station itself records them
    /// (decrypted by the device: the cipher's header kept, the MIC gone), and as another radio hears
    /// them (ciphertext), for a station with CCMP keys: a unicast echo request (fast RX, the driver
    /// checked its packet number), the same packet number again (the driver drops the replay), a
    /// broadcast ARP request under group key 1 (the RX handlers decrypt it), the same again (mac80211
    /// drops the replay), a group frame under key 2 (no such key), unprotected data (not allowed on
    /// a link with a key); an echo request in two protected fragments (held, then reassembled and
    /// delivered), a second fragment without its first, a group-addressed fragment, two fragments
    /// whose packet numbers do not follow; last a unicast frame as another radio hears it.
    public static var wifiCryptoFrames: [CapturedFrame] {
        let ping = Array(FrameBuilder(source: peerMAC, destination: hostMAC).ipv4(
            peerIP, hostIP, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0, 5, 0, 1])).dropFirst(14))
        let arp = Array(FrameBuilder(source: peerMAC, destination: .broadcast).arp(
            operation: ARPPacket.request, senderIP: peerIP, targetMAC: .zero, targetIP: hostIP).dropFirst(14))
        let pingMSDU = LLCSNAP.rfc1042 + [0x08, 0x00] + ping, arpMSDU = LLCSNAP.rfc1042 + [0x08, 0x06] + arp
        let half = pingMSDU.count / 2
        let list: [[UInt8]] = [
            protectedData(to: hostMAC, seq: 1, pn: 1, pingMSDU),
            protectedData(to: hostMAC, seq: 2, pn: 1, pingMSDU),
            protectedData(to: .broadcast, seq: 3, pn: 1, keyid: 1, arpMSDU),
            protectedData(to: .broadcast, seq: 4, pn: 1, keyid: 1, arpMSDU),
            protectedData(to: .broadcast, seq: 5, pn: 2, keyid: 2, arpMSDU),
            wifiData(to: hostMAC, seq: 6, flags: 0x02, pingMSDU),
            protectedData(to: hostMAC, seq: 7, pn: 3, moreFragments: true, Array(pingMSDU[..<half])),
            protectedData(to: hostMAC, seq: 7, frag: 1, pn: 4, Array(pingMSDU[half...])),
            protectedData(to: hostMAC, seq: 8, frag: 1, pn: 5, Array(pingMSDU[half...])),
            protectedData(to: .broadcast, seq: 9, pn: 2, keyid: 1, moreFragments: true, arpMSDU),
            protectedData(to: hostMAC, seq: 10, pn: 6, moreFragments: true, Array(pingMSDU[..<half])),
            protectedData(to: hostMAC, seq: 10, frag: 1, pn: 8, Array(pingMSDU[half...])),
            protectedData(to: hostMAC, seq: 11, pn: 9, ciphertext: true, pingMSDU),
        ]
        return radiotapFrames(list)
    }

    /// A protected group frame under each of the other ciphers' keys, as the station records it: a
    /// broadcast ARP request (TKIP's IV, or GCMP's header like CCMP's).
    public static var wifiOtherCipherFrames: [CapturedFrame] {
        let arp = Array(FrameBuilder(source: peerMAC, destination: .broadcast).arp(
            operation: ARPPacket.request, senderIP: peerIP, targetMAC: .zero, targetIP: hostIP).dropFirst(14))
        // With TKIP the device leaves the Michael MIC (8 bytes) after the payload for mac80211.
        return radiotapFrames([protectedData(to: .broadcast, seq: 1, pn: 1, keyid: 1,
                                             LLCSNAP.rfc1042 + [0x08, 0x06] + arp + [UInt8](repeating: 0x4d, count: 8))])
    }

    /// WEP frames from the AP as a monitor interface on the station records them (decrypted by the device:
    /// the IV kept, the ICV gone), for a station with a static WEP key: a unicast echo request under key
    /// index 0 (the key mac80211 learns the index of), a broadcast ARP request under the same key, a
    /// unicast echo request under index 1 (no such key), and unprotected unicast data.
    public static var wifiWEPFrames: [CapturedFrame] {
        let ping = Array(FrameBuilder(source: peerMAC, destination: hostMAC).ipv4(
            peerIP, hostIP, .icmp, FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0, 6, 0, 1])).dropFirst(14))
        let arp = Array(FrameBuilder(source: peerMAC, destination: .broadcast).arp(
            operation: ARPPacket.request, senderIP: peerIP, targetMAC: .zero, targetIP: hostIP).dropFirst(14))
        let pingMSDU = LLCSNAP.rfc1042 + [0x08, 0x00] + ping, arpMSDU = LLCSNAP.rfc1042 + [0x08, 0x06] + arp
        // The WEP IV: three bytes of initialization vector, then the key index in the top two bits.
        func iv(_ n: UInt8, keyid: UInt8) -> [UInt8] { [n, 0x11, 0x22, keyid << 6] }
        return radiotapFrames([
            wifiData(to: hostMAC, seq: 1, flags: 0x42, iv(1, keyid: 0) + pingMSDU),
            wifiData(to: .broadcast, seq: 2, flags: 0x42, iv(2, keyid: 0) + arpMSDU),
            wifiData(to: hostMAC, seq: 3, flags: 0x42, iv(3, keyid: 1) + pingMSDU),
            wifiData(to: hostMAC, seq: 4, flags: 0x02, pingMSDU),
        ])
    }

    /// Unprotected management frames from the AP to a station with management frame protection: a unicast
    /// SA Query request, a unicast deauthentication, a broadcast deauthentication without an MMIE, a
    /// unicast frame of the protected-dual category, a unicast HT action frame (not robust).
    public static var wifiPMFFrames: [CapturedFrame] {
        radiotapFrames([
            managementFrame(13, to: hostMAC, seq: 1, [8, 0, 0x12, 0x34]),
            managementFrame(12, to: hostMAC, seq: 2, [7, 0]),
            managementFrame(12, to: .broadcast, seq: 3, [7, 0]),
            managementFrame(13, to: hostMAC, seq: 4, [9, 0, 0x12, 0x34]),
            managementFrame(13, to: hostMAC, seq: 5, [7, 1, 0x01]),
        ])
    }

    /// The station's association request with an RSN element (CCMP, SAE) whose capabilities have MFPC and
    /// MFPR set, or (without `mfpc`) neither; then an unprotected unicast SA Query request from the AP.
    public static func wifiPMFAssociationFrames(mfpc: Bool) -> [CapturedFrame] {
        func mac(_ m: MACAddress) -> [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: m.rawValue >> UInt64(40 - 8 * $0)) } }
        let rsn: [UInt8] = [48, 20, 1, 0, 0x00, 0x0f, 0xac, 4, 1, 0, 0x00, 0x0f, 0xac, 4, 1, 0, 0x00, 0x0f, 0xac, 8,
                            mfpc ? 0xc0 : 0x00, 0x00]
        let request: [UInt8] = [0x00, 0, 0, 0] + mac(apMAC) + mac(hostMAC) + mac(apMAC) + [0x10, 0x00]
            + [0x11, 0x00, 0x0a, 0x00] + [0, 4] + Array("tour".utf8) + rsn
        return radiotapFrames([request, managementFrame(13, to: hostMAC, seq: 2, [8, 0, 0x12, 0x34])])
    }

    /// A management frame of `subtype` from the tour's AP in its BSS.
    private static func managementFrame(_ subtype: UInt8, to receiver: MACAddress, seq: UInt16, _ body: [UInt8]) -> [UInt8] {
        func mac(_ m: MACAddress) -> [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: m.rawValue >> UInt64(40 - 8 * $0)) } }
        return [subtype << 4, 0, 0, 0] + mac(receiver) + mac(apMAC) + mac(apMAC) + [UInt8(seq << 4 & 0xff), UInt8(seq >> 4)] + body
    }

    /// QoS data (TID 0) FromDS from the tour's AP, with `flags` as the frame control's second byte,
    /// sequence number `seq` and fragment number `frag`, the source the tour's peer.
    private static func wifiData(to receiver: MACAddress, seq: UInt16, frag: UInt16 = 0, flags: UInt8, _ body: [UInt8]) -> [UInt8] {
        func mac(_ m: MACAddress) -> [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: m.rawValue >> UInt64(40 - 8 * $0)) } }
        let control = seq << 4 | frag
        return [0x88, flags, 0, 0] + mac(receiver) + mac(apMAC) + mac(peerMAC)
            + [UInt8(control & 0xff), UInt8(control >> 8), 0x00, 0x00] + body
    }

    /// A protected data frame: the CCMP (or GCMP, or TKIP-like) header with packet number `pn` and key
    /// index `keyid`, then the `msdu` as the device decrypted it or, with `ciphertext`, as bytes no
    /// LLC header starts with, followed by an 8-byte MIC.
    private static func protectedData(to receiver: MACAddress, seq: UInt16, frag: UInt16 = 0, pn: UInt64, keyid: UInt8 = 0,
                                      moreFragments: Bool = false, ciphertext: Bool = false, _ msdu: [UInt8]) -> [UInt8] {
        let header: [UInt8] = [UInt8(pn & 0xff), UInt8(pn >> 8 & 0xff), 0x00, 0x20 | keyid << 6,
                               UInt8(pn >> 16 & 0xff), UInt8(pn >> 24 & 0xff), UInt8(pn >> 32 & 0xff), UInt8(pn >> 40 & 0xff)]
        let body = ciphertext ? msdu.map { $0 ^ 0x5a } + [UInt8](repeating: 0x3c, count: 8) : msdu
        return wifiData(to: receiver, seq: seq, frag: frag, flags: 0x42 | (moreFragments ? 0x04 : 0), header + body)
    }

    /// `frames` behind the tour's radiotap header, a millisecond apart.
    private static func radiotapFrames(_ frames: [[UInt8]]) -> [CapturedFrame] {
        frames.enumerated().map { i, frame in
            CapturedFrame(index: i + 1, timestampNanoseconds: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000,
                          bytes: [0, 0, 9, 0, 0x02, 0, 0, 0, 0] + frame, linkType: .DLT_IEEE802_11_RADIO)
        }
    }
}
