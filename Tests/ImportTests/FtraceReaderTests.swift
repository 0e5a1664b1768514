import Foundation
import Testing
import Trace
@testable import TraceImport

/// ftrace text, recorded: the oracle's function_graph traces (Debian 6.1 in qemu) and the tracepoints
/// of this project's own namespaces (Fixtures/import/, Fixtures/README.md).
@Suite("ftrace import")
struct FtraceReaderTests {
    /// udp_ports through the 6.1 oracle: a datagram to an open port, one to a closed port, the ICMP
    /// port unreachable the host sent.
    @Test("oracle function_graph trace: paths, drop reason and dropping function")
    func oracleFunctionGraph() throws {
        let text = String(decoding: try fixture("Fixtures/import/oracle_udp_ports.function_graph.txt"), as: UTF8.self)
        let reader = try FtraceReader.read(text, path: "t")
        let frames = try captureFrames("Fixtures/udp_ports.pcap", directions: [.rx, .rx, .tx])
        let result = Importer.run(packets: reader.packets, frames: frames)
        #expect(result.unmatchedFrames.isEmpty)
        let t = result.traces
        #expect(t[0].verdict == .deliver && t[0].proto == "udp")
        #expect(t[1].verdict == .drop)
        #expect(t[1].dropReason == "SKB_DROP_REASON_NO_SOCKET")
        // The location is an address in 6.1's tracepoint: the function comes from the call graph.
        #expect(t[1].dropFunction == "__udp4_lib_rcv")
        #expect(t[2].verdict == .transmit)
        // The received datagram's path, as the kernel ran it: veth hand-over, the backlog, IPv4, UDP.
        let rx = functions(t[0])
        for f in ["veth_xmit", "__netif_receive_skb_core", "ip_rcv", "ip_local_deliver", "udp_rcv", "__udp4_lib_rcv"] {
            #expect(rx.contains(f), "\(f) missing from \(rx)")
        }
        #expect(rx.firstIndex(of: "ip_rcv")! < rx.firstIndex(of: "udp_rcv")!)
        // The reply's path ends where the peer's device takes it: nothing of the peer's receive.
        #expect(functions(t[2]).contains("dev_hard_start_xmit"))
        #expect(!functions(t[2]).contains("ip_rcv"))
        // Depths come from the graph: ip_rcv is deeper than __netif_receive_skb_core's caller.
        let depths = Dictionary(t[0].events.compactMap { e in e.symbol.map { ($0.function, e.depth) } }, uniquingKeysWith: { a, _ in a })
        #expect(depths["ip_rcv"]! > depths["process_backlog"]!)
    }

    @Test("oracle function_graph trace of a SYN to a closed port")
    func oracleSynClosed() throws {
        let text = String(decoding: try fixture("Fixtures/import/oracle_tcp_syn_closed.function_graph.txt"), as: UTF8.self)
        let frames = try captureFrames("Fixtures/tcp_syn_closed.pcap", directions: [.rx, .tx])
        let result = Importer.run(packets: try FtraceReader.read(text, path: "t").packets, frames: frames)
        #expect(result.traces[0].verdict == .drop)
        #expect(result.traces[0].dropReason == "SKB_DROP_REASON_NO_SOCKET")
        #expect(result.traces[0].dropFunction == "tcp_v4_rcv")
        #expect(result.traces[0].proto == "tcp")
        #expect(functions(result.traces[0]).contains("tcp_v4_send_reset"))
        #expect(result.traces[1].verdict == .transmit)
    }

    /// This machine's kernel (6.18; the function tracer is refused here): tracepoints only, so paths
    /// are empty and verdicts come from the frees, with their `location` symbols.
    @Test("tracepoints recorded here: verdicts from kfree_skb and consume_skb, no invented functions")
    func tracepointsOnly() throws {
        let text = String(decoding: try fixture("Fixtures/import/tracepoints.ftrace.txt"), as: UTF8.self)
        let reader = try FtraceReader.read(text, path: "t")
        // ping ×2 (request, reply), UDP to 7000 and 7001, the port unreachable, SYN to 81, the reset.
        let directions: [Direction] = [.rx, .tx, .rx, .tx, .rx, .rx, .tx, .rx, .tx]
        let frames = try captureFrames("Fixtures/import/tracepoints.pcap", directions: directions)
        let result = Importer.run(packets: reader.packets, frames: frames)
        #expect(result.unmatchedFrames.isEmpty)
        let t = result.traces
        #expect(t.allSatisfy { $0.functions.isEmpty })
        #expect(t[0].verdict == .deliver && t[0].proto == "icmp")  // consumed in icmp_rcv
        #expect(t[5].verdict == .drop && t[5].dropReason == "SKB_DROP_REASON_NO_SOCKET" && t[5].dropFunction == "__udp4_lib_rcv")
        #expect(t[7].verdict == .drop && t[7].dropFunction == "tcp_v4_rcv" && t[7].proto == "tcp")
        // Still on the socket's queue when the trace ended: the tracer saw no more, nothing is made up.
        #expect(t[4].verdict == .unknown)
        for i in [1, 3, 6, 8] { #expect(t[i].verdict == .transmit) }
        // Skbs only seen freed (AF_PACKET clones for tcpdump, the sender's own socket buffers) are
        // reported, not paired.
        #expect(result.unmatchedPackets.contains { $0.why == Importer.unidentifiable })
    }

    @Test("function tracer and trace-cmd report lines")
    func functionTracerLines() throws {
        let text = """
            # tracer: function
                ping-80  [001] b.... 100.000010: net_dev_queue: dev=p0 skbaddr=00000000aa len=98
                ping-80  [001] ..s1. 100.000020: netif_receive_skb: dev=d0 skbaddr=00000000aa len=84
                ping-80  [001] ..s1. 100.000021: ip_rcv <-__netif_receive_skb_one_core
                ping-80  [001] ..s1. 100.000022: icmp_rcv.part.0 <-ip_protocol_deliver_rcu
                ping-80  [001] ..s1. 100.000023: kfree_skb_reason <-icmp_rcv
                ping-80  [001] ..s1. 100.000024: kfree_skb: skbaddr=00000000aa protocol=2048 location=0xffffffff81000000 reason: ICMP_CSUM
                ping-81 [000]  200.000001: netif_receive_skb:    dev=d0 skbaddr=0xbb len=40
                ping-81 [000]  200.000002: function:             tcp_v4_rcv <-- ip_protocol_deliver_rcu
                ping-81 [000]  200.000003: consume_skb:          skbaddr=0xbb
            """
        let reader = try FtraceReader.read(text, path: "t")
        #expect(reader.packets.count == 2)
        let a = reader.packets[0]
        #expect(a.records.contains(.call("icmp_rcv", depth: nil)))
        #expect(a.records.last == .drop(reason: "SKB_DROP_REASON_ICMP_CSUM", function: "icmp_rcv"))
        #expect(a.networkLengths == [84] && a.frameLengths == [98])
        #expect(a.time == 100_000_010_000)
        #expect(reader.packets[1].records.contains(.call("tcp_v4_rcv", depth: nil)))
        #expect(reader.packets[1].records.last == .consume(function: nil))
    }

    @Test("bad input is refused with a message", arguments: [
        ("", "no ftrace lines"),
        ("{\"skb\":\"0x1\",\"func\":\"ip_rcv\"}\n", "no ftrace lines"),
        ("   ping-1 [000] ..... 1.000001: ip_rcv <-__netif_receive_skb_one_core\n", "no skb tracepoints"),
    ])
    func badInput(text: String, message: String) {
        #expect {
            _ = try FtraceReader.read(text, path: "x.txt")
        } throws: { ($0 as? ImportError)?.message.contains(message) == true }
    }
}
