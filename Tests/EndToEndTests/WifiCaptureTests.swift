import Capture
import Foundation
import Replay
import Testing
import TestSupport
import Trace
import Wire

/// 802.11 monitor-mode captures: read, the station inferred, and each frame taken through the
/// iwlwifi driver's receive into mac80211 as far as the model goes.
@Suite("802.11 captures")
struct WifiCaptureTests {
    /// The model tour's Wi-Fi frames under `version`.
    static func tour(_ version: String) throws -> [PacketTrace] {
        let session = try ReplaySession(frames: ModelTour.wifiFrames, captureName: "tour", host: ModelTour.wifiHost,
                                        kernelVersion: version)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        return out
    }

    static func notModeled(_ t: PacketTrace) -> [String] {
        t.events.compactMap { if case let .notModeled(text, _) = $0 { text } else { nil } }
    }

    @Test("each frame takes mac80211's branch for it", arguments: ["4.14", "6.1", "6.12"])
    func tourPaths(_ version: String) throws {
        let t = try Self.tour(version)
        try #require(t.count == 6)
        let entry = version == "4.14" ? "ieee80211_rx_napi" : "ieee80211_rx_list"
        // Data from the AP to the station: fast RX converts it and the stack answers the ping.
        #expect(t[0].verdict == .deliver && t[0].proto == "icmp", "\(t[0].visibleFunctions)")
        #expect(t[0].events.contains { $0.symbol?.function == "ieee80211_invoke_fast_rx" })
        #expect(t[0].visibleFunctions.contains("icmp_rcv"))
        // A bad FCS: only monitor interfaces would take it.
        #expect(t[1].verdict == .drop && t[1].dropFunction == entry && t[1].dropReason == nil)
        #expect(t[1].events.contains { $0.symbol?.function == "ieee80211_rx_monitor" })
        // Data for another station of the BSS: fast RX refuses it, ieee80211_accept_frame too.
        #expect(t[2].verdict == .drop && t[2].dropFunction == entry)
        #expect(t[2].events.contains { $0.symbol?.function == "ieee80211_accept_frame" })
        #expect(!t[2].visibleFunctions.contains("ip_rcv"))
        // A beacon is accepted (group-addressed) and goes to the RX handlers, which are not modeled.
        #expect(t[3].verdict == .unknown)
        #expect(Self.notModeled(t[3]).contains { $0.contains("RX handlers") && $0.contains("Beacon") })
        // Data from a transmitter the station does not know: 6.x hands it to the interface loop.
        #expect(t[4].verdict == .drop)
        #expect(t[4].events.contains { $0.symbol?.function == "ieee80211_rx_for_interface" } == (version != "4.14"))
        // An ACK is a control frame for monitor interfaces only.
        #expect(t[5].verdict == .drop && t[5].events.contains { $0.symbol?.function == "ieee80211_rx_monitor" })
    }

    @Test("on an interface that is not Wi-Fi, an 802.11 frame is not replayed, and says why")
    func notOnVeth() throws {
        let host = ModelTour.host(driver: "veth")
        let session = try ReplaySession(frames: Array(ModelTour.wifiFrames.prefix(1)), captureName: "x", host: host)
        var out: [PacketTrace] = []
        _ = try session.run { out.append($0) }
        let t = try #require(out.first)
        #expect(t.verdict == .unknown)
        #expect(Self.notModeled(t).contains { $0.contains("Wi-Fi interface (driver iwlwifi), not on veth") }, "\(Self.notModeled(t))")
    }

    @Test("an Ethernet-framed unicast frame for another station stops in mac80211, not in ip_rcv_core")
    func ethernetOtherStation() throws {
        let host = ModelTour.wifiHost
        let other = try #require(MACAddress("02:00:00:00:0f:00"))
        let peer = try #require(MACAddress("02:00:00:00:0e:00"))
        let frame = FrameBuilder(source: peer, destination: other).ipv4(
            try #require(IPv4Address("10.77.0.2")), try #require(IPv4Address("10.77.0.1")), .icmp,
            FrameBuilder.icmp(type: ICMPv4Packet.echoRequest, rest: [0, 1, 0, 1]))
        for version in ["4.14", "6.1", "6.12"] {
            let session = try ReplaySession(frames: [CapturedFrame(index: 1, timestampNanoseconds: 1, bytes: frame)],
                                            captureName: "x", host: host, kernelVersion: version)
            var out: [PacketTrace] = []
            _ = try session.run { out.append($0) }
            let t = try #require(out.first)
            #expect(t.verdict == .drop, "\(version)")
            #expect(t.dropFunction?.contains("ieee80211") == true, "\(version): \(String(describing: t.dropFunction))")
            #expect(!t.visibleFunctions.contains("ip_rcv_core"), "\(version)")
        }
    }

    @Test("a WPA association capture: the station is inferred and every frame is traced",
          .enabled(if: SharedFolder.runs("captures/public"), Comment(rawValue: SharedFolder.skipReason("captures/public"))))
    func wpaAuthentication() throws {
        let path = SharedFolder.path("captures/public/3e80211_wpaauth.pcapng")
        let inferred = try HostInference.infer(path: path, driver: "iwlwifi")
        let wlan = try #require(inferred.profile.interfaces.first)
        #expect(wlan.mac == MACAddress("ac:cf:5c:78:6c:9c"))
        #expect(wlan.wifi?.bssid == MACAddress("28:c6:8e:ab:96:16"))
        #expect(inferred.assumptions.first?.hasPrefix("Wi-Fi station ac:cf:5c:78:6c:9c") == true, "\(inferred.assumptions)")
        let session = try ReplaySession(capture: try PcapFile(path: path), captureName: "wpa", host: inferred.profile)
        var traces: [PacketTrace] = []
        _ = try session.run { traces.append($0) }
        #expect(!traces.isEmpty)
        // What the station sent is TX; what it received starts in the iwlwifi driver.
        for t in traces {
            if t.direction == .rx {
                #expect(t.visibleFunctions.first == "iwl_mvm_rx_mpdu_mq", "frame \(t.frame)")
            }
        }
        #expect(traces.contains { $0.direction == .tx })
    }

    @Test("tcpdump's radiotap captures are all replayed, frame by frame",
          .enabled(if: SharedFolder.runs("captures/tcpdump-tests"), Comment(rawValue: SharedFolder.skipReason("captures/tcpdump-tests"))))
    func tcpdumpRadiotap() throws {
        let folder = SharedFolder.path("captures/tcpdump-tests")
        var replayed = 0
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
            guard let file = try? PcapFile(path: folder + "/" + name), file.linkType == .DLT_IEEE802_11_RADIO else { continue }
            let inferred = try HostInference.infer(path: folder + "/" + name, driver: "iwlwifi")
            let session = try ReplaySession(capture: file, captureName: name, host: inferred.profile)
            var frames = 0
            do {
                _ = try session.run { t in
                    frames += 1
                    #expect(!t.events.isEmpty, "\(name) frame \(t.frame)")
                }
            } catch is CaptureError {
                // A capture cut short mid-record: the frames before the break were traced.
            }
            #expect(frames > 0, "\(name)")
            replayed += 1
        }
        #expect(replayed >= 170)
    }
}
