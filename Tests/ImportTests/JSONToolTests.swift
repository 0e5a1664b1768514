import Foundation
import Testing
import Trace
@testable import TraceImport

/// pwru and retis, from output written after their published schemas (Fixtures/import/
/// write-schema-fixtures.py; neither tool installs here) for Fixtures/udp_ports.pcap.
@Suite("pwru and retis import")
struct JSONToolTests {
    static let directions: [Direction] = [.rx, .rx, .tx]

    @Test("pwru --output-json: paths, drop by kfree_skb_reason, pairing by tuple, length and time")
    func pwru() throws {
        let packets = try PwruReader.read(try fixture("Fixtures/import/pwru.jsonl"), path: "p")
        #expect(packets.count == 3)
        #expect(packets[0].tuple == PacketTuple(source: "10.77.0.2", destination: "10.77.0.1", sourcePort: 40001,
                                                destinationPort: 7000, proto: 17))
        let result = Importer.run(packets: packets, frames: try captureFrames("Fixtures/udp_ports.pcap", directions: Self.directions))
        #expect(result.unmatchedFrames.isEmpty && result.unmatchedPackets.isEmpty)
        let t = result.traces
        #expect(t[0].verdict == .deliver && t[0].proto == "udp")
        #expect(t[1].dropReason == "SKB_DROP_REASON_NO_SOCKET" && t[1].dropFunction == "__udp4_lib_rcv")
        #expect(functions(t[1]).last == "kfree_skb_reason")
        // The reply ends where the peer's veth end queues it; the peer's receive is not the host's.
        #expect(t[2].verdict == .transmit)
        #expect(functions(t[2]).last == "enqueue_to_backlog")
        // pwru prints no depth: every call at depth 0.
        #expect(t[0].events.allSatisfy { $0.depth == 0 })
    }

    @Test("retis events: startup clock offset, pairing by bytes, drop from skb-drop and the stack")
    func retis() throws {
        let reader = try RetisReader.read(try fixture("Fixtures/import/retis.jsonl"), path: "r")
        #expect(reader.kernelRelease == "6.1.0-57-amd64")
        let frames = try captureFrames("Fixtures/udp_ports.pcap", directions: Self.directions)
        // With the startup event's offset the monotonic timestamps are the capture's own times.
        #expect(reader.packets.map(\.time) == frames.map { Optional($0.time) })
        let result = Importer.run(packets: reader.packets, frames: frames)
        #expect(result.matched == 3)
        #expect(result.traces[1].dropReason == "SKB_DROP_REASON_NO_SOCKET")
        #expect(result.traces[1].dropFunction == "__udp4_lib_rcv")
        // Tracepoints are not functions: none in the path.
        #expect(!result.traces.flatMap(functions).contains { $0.contains(":") })
    }

    @Test("a packet whose bytes differ from every frame is reported, and its frame is left unpaired")
    func mismatchedBytes() throws {
        let reader = try RetisReader.read(try fixture("Fixtures/import/retis.jsonl"), path: "r")
        let frames = try captureFrames("Fixtures/udp_ports.pcap", directions: Self.directions)
        var packets = reader.packets
        packets[0].bytes?[40] ^= 0xff
        let result = Importer.run(packets: packets, frames: frames)
        #expect(result.unmatchedFrames == [1])
        #expect(result.unmatchedPackets.map(\.why) == ["fits no frame of the capture"])
        #expect(result.traces[0].verdict == .unknown)
        #expect(result.traces[0].events.contains(.notModeled(Importer.notRecorded, depth: 0)))
    }

    @Test("wrong or broken files are refused with the line", arguments: [
        ("pwru", "{\"common\":{\"timestamp\":1},\"kernel\":{\"symbol\":\"ip_rcv\"}}\n", "line 1: not a pwru record"),
        ("pwru", "{\"skb\":\"0x1\",\"func\":\"ip_rcv\"}\n{\"skb\":\"0x1\",\"fu", "line 2: not JSON (the file is cut short"),
        ("pwru", "0xffff 0 ping ip_rcv\n", "line 1: not JSON: not pwru"),
        ("retis", "{\"skb\":\"0x1\",\"func\":\"ip_rcv\"}\n", "line 1: not a retis event"),
        ("retis", "", "empty"),
    ])
    func badInput(tool: String, text: String, message: String) {
        #expect {
            if tool == "pwru" { _ = try PwruReader.read(Data(text.utf8), path: "x") } else { _ = try RetisReader.read(Data(text.utf8), path: "x") }
        } throws: { error in
            let text = (error as? ImportError)?.description ?? ""
            return text.contains(message)
        }
    }
}
