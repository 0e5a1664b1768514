import Testing
@testable import Verify

/// Lines of `trace_pipe` as this machine's 6.18 kernel printed them (udp_ports replayed by `pktpath verify`).
@Suite("tracefs event lines")
struct TracefsEventTests {
    @Test("each event verify enables parses to its fields")
    func parses() {
        let lines: [(String, TracefsEvent)] = [
            ("         pktpath-29980   [001] ...1. 24960.982436: tracing_mark_write: pktpath-verify frame 2",
             .marker(frame: 2)),
            ("         pktpath-29980   [001] ..s1. 24961.035273: netif_receive_skb: dev=veth-dut skbaddr=00000000cfe4b660 len=48",
             .receive(dev: "veth-dut", skb: "00000000cfe4b660", length: 48)),
            ("         pktpath-29980   [001] b.s2. 24961.035293: icmp_send: icmp_send: type=3, code=3. From 10.77.0.2:40001 to 10.77.0.1:7001 ulen=28 skbaddr=00000000cfe4b660",
             .icmpSend(skb: "00000000cfe4b660", type: 3, code: 3)),
            ("         pktpath-29980   [001] b.s2. 24961.035362: net_dev_start_xmit: dev=veth-dut queue_mapping=0 skbaddr=000000004b26a7d9 vlan_tagged=0 vlan_proto=0x0000 vlan_tci=0x0000 protocol=0x0800 ip_summed=0 len=90 data_len=0 network_offset=14 transport_offset_valid=1 transport_offset=34 tx_flags=0 gso_size=0 gso_segs=0 gso_type=0",
             .transmit(dev: "veth-dut", skb: "000000004b26a7d9", protocol: 0x0800, length: 90)),
            ("         pktpath-29980   [001] ..s1. 24961.035363: kfree_skb: skbaddr=00000000cfe4b660 rx_sk=0000000000000000 protocol=2048 location=__udp4_lib_rcv+0x4bc/0xd00 reason: NO_SOCKET",
             .drop(skb: "00000000cfe4b660", reason: "NO_SOCKET", function: "__udp4_lib_rcv")),
            ("         pktpath-30123   [000] ..s2. 24964.572675: consume_skb: skbaddr=0000000082058687 location=inet_frag_reasm_prepare+0xeb/0x340",
             .consume(skb: "0000000082058687", function: "inet_frag_reasm_prepare")),
        ]
        for (line, event) in lines { #expect(TracefsEvent(line: line[...]) == event, "\(line)") }
    }

    @Test("other events, other markers and broken lines are none")
    func ignores() {
        for line in ["  kworker/1:2-23723 [001] ..... 24918.077: sched_switch: prev_comm=x",
                     "  python3-1 [000] ...1. 1.0: tracing_mark_write: something else",
                     "  python3-1 [000] ..s1. 1.0: netif_receive_skb: dev=veth-dut len=48",
                     "# tracer: nop", ""] {
            #expect(TracefsEvent(line: line[...]) == nil, "\(line)")
        }
    }

    @Test("a drop in a module names the function without module and offset")
    func moduleSymbol() {
        let line = "  pktpath-1 [000] ..s1. 1.000001: kfree_skb: skbaddr=00000000cfe4b660 rx_sk=0000000000000000 protocol=2048 location=nft_do_chain+0x4a1/0x6d0 [nf_tables] reason: NETFILTER_DROP"
        #expect(TracefsEvent(line: line[...]) == .drop(skb: "00000000cfe4b660", reason: "NETFILTER_DROP", function: "nft_do_chain"))
    }
}
