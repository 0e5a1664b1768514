import Capture
import Replay
import Testing
import TestSupport
import Trace

/// Counters the three versions keep in different places, on the counter fixtures (whose truth is
/// 6.18's, compared under 6.12 by `CounterTruthTests`): what 6.1 and 4.14 make of the same traffic,
/// from their sources.
@Suite("counters that differ between versions")
struct VersionCounterTests {
    /// `IPSTATS_MIB_OUTPKTS` is 4.14's and 6.1's `IpOutRequests`, counted in `ip_output` for every
    /// packet that passes it, forwarded ones included (net/ipv4/ip_output.c); 6.12 names it
    /// `IpOutTransmits` and counts it in `ip_finish_output2`, and its new `IpOutRequests` counts only
    /// local packets, in `__ip_local_out`, which a forwarded packet never reaches.
    @Test("a forwarded packet is an IpOutRequest in 4.14 and 6.1, an IpOutTransmit in 6.12")
    func forwardedOutput() throws {
        for version in ["4.14", "6.1"] {
            let counters = try ReplayCounters.of("ctr_forward", kernel: version)
            #expect(counters["IpOutRequests"] == 14, "\(version)")
            #expect(counters["IpOutTransmits"] == nil, "\(version)")
            #expect(counters["IpForwDatagrams"] == 14, "\(version)")
        }
        let counters = try ReplayCounters.of("ctr_forward", kernel: "6.12")
        #expect(counters["IpOutRequests"] == nil)
        #expect(counters["IpOutTransmits"] == 14)
    }

    /// A TCP socket builds GSO skbs whatever the device from 6.1 (`sk_setup_caps` adds `NETIF_F_GSO`
    /// for TCP, net/core/sock.c); 4.14's `sk_setup_caps` does so only when the device has GSO, which
    /// these captures' devices did not (offloads off), so there each of the 5 segments is an skb.
    @Test("the five segments of one write count once at IP from 6.1, five times in 4.14")
    func gso() throws {
        let on61 = try ReplayCounters.of("ctr_transfer", kernel: "6.1")
        let on414 = try ReplayCounters.of("ctr_transfer", kernel: "4.14")
        #expect(on61["TcpOutSegs"] == 20)
        #expect(on414["TcpOutSegs"] == 20)
        #expect(on61["IpOutRequests"] == 16)
        #expect(on414["IpOutRequests"] == 20)
        #expect((on414["IpExtOutOctets"] ?? 0) - (on61["IpExtOutOctets"] ?? 0) == 4 * 52, "four more IP and TCP headers")
    }

    /// `__inet_twsk_schedule` counts `TcpExtTW` when a time-wait socket's timer is armed from 6.1
    /// (net/ipv4/inet_timewait_sock.c); 4.14 counts it in `tw_timer_handler` when the timer ends, a
    /// minute after the capture.
    @Test("TcpExtTW when the connection enters TIME_WAIT from 6.1, at its end in 4.14")
    func timeWait() throws {
        #expect(try ReplayCounters.of("tcp_handshake", kernel: "6.1")["TcpExtTW"] == 1)
        #expect(try ReplayCounters.of("tcp_handshake", kernel: "6.12")["TcpExtTW"] == 1)
        #expect(try ReplayCounters.of("tcp_handshake", kernel: "4.14")["TcpExtTW"] == nil)
    }

    /// The time-wait timer (TCP_TIMEWAIT_LEN, 60 s) ends the time-wait socket in every version
    /// (`tw_timer_handler → inet_twsk_kill`, net/ipv4/inet_timewait_sock.c): tcp_handshake's last
    /// frame from the peer (its ACK of the host's FIN) replayed once inside the minute finds the
    /// time-wait socket, once after it finds none and is answered with a reset. 4.14 counts
    /// `TcpExtTW` as the timer ends, so only then; at the capture's end the timer still runs, after it.
    @Test("the time-wait timer ends the socket after 60 s in every version; 4.14 counts TcpExtTW then", arguments: ["4.14", "6.1", "6.12"])
    func timeWaitTimer(_ version: String) throws {
        let host = try HostProfile.load(path: Repository.path("Fixtures/tcp_handshake.host.json"))
        let file = try PcapFile(path: Repository.path("Fixtures/tcp_handshake.pcap"))
        var frames: [CapturedFrame] = []
        var frame = CapturedFrame()
        while try file.read(into: &frame) { frames.append(frame) }
        let finAck = frames[10]  // #11, the peer's FIN that moved the host into TIME_WAIT
        func replay(after delay: Int64) throws -> (traces: [PacketTrace], summary: TraceSummary) {
            var late = finAck
            late.index = frames.count + 1
            late.timestampNanoseconds = finAck.timestampNanoseconds + delay
            let session = try ReplaySession(frames: frames + [late], captureName: "tcp_handshake", host: host, kernelVersion: version)
            var traces: [PacketTrace] = []
            let summary = try session.run { traces.append($0) }
            return (traces, summary)
        }
        let inside = try replay(after: 59_000_000_000)
        #expect(inside.traces.last?.timers.isEmpty == true)
        #expect(inside.traces.last?.functions.contains("tcp_timewait_state_process") == true)
        #expect(inside.summary.timersAfterCapture.map(\.function) == ["tw_timer_handler"])
        #expect(inside.summary.counters["TcpExtTW"] == (version == "4.14" ? nil : 1))
        let after = try replay(after: 61_000_000_000)
        let last = try #require(after.traces.last)
        #expect(last.timers.map(\.function) == ["tw_timer_handler"])
        #expect(last.timers.first?.armedBy == 11)
        #expect(last.timers.first?.events.contains { $0.symbol?.function == "inet_twsk_kill" } == true)
        #expect(!last.functions.contains("tcp_timewait_state_process") && last.functions.contains("tcp_v4_send_reset"))
        #expect(after.summary.timersAfterCapture.isEmpty)
        #expect(after.summary.counters["TcpExtTW"] == 1)
    }

    /// `tcp_newly_delivered` counts the segments each ACK covers for the first time (6.1 and 6.12's
    /// net/ipv4/tcp_input.c); 4.14's MIB has no `TCPDelivered`. The client's SYN counts too: the
    /// capturing kernel delivered one segment more than it sent as new data in client_browse.
    @Test("TcpExtTCPDelivered counts acknowledged segments from 6.1, the SYN included")
    func delivered() throws {
        #expect(try ReplayCounters.of("tcp_handshake", kernel: "6.1")["TcpExtTCPDelivered"] == 2)
        #expect(try ReplayCounters.of("tcp_handshake", kernel: "4.14")["TcpExtTCPDelivered"] == nil)
        let client = try ReplayCounters.of("client_browse", kernel: "6.12")
        #expect(client["TcpExtTCPDelivered"] == (client["TcpExtTCPOrigDataSent"] ?? 0) + (client["TcpActiveOpens"] ?? 0))
    }

    /// `tcp_check_req` counts `TcpAttemptFails` for a RST and, unlinking the request socket,
    /// `TcpExtEmbryonicRsts`, in all three versions (net/ipv4/tcp_minisocks.c).
    @Test("a RST to a request socket ends the attempt in every version")
    func embryonicReset() throws {
        for version in ["4.14", "6.1", "6.12"] {
            let counters = try ReplayCounters.of("ctr_embryonic", kernel: version)
            #expect(counters["TcpAttemptFails"] == 1, "\(version)")
            #expect(counters["TcpExtEmbryonicRsts"] == 1, "\(version)")
        }
    }

    /// With IPv6 disabled every version counts what reached IPv6 as received and discarded (6.1 and
    /// 6.12 in `ip6_rcv_core`, 4.14 in `ipv6_rcv`); a frame for another host's MAC goes first, into
    /// the device's `rx_otherhost_dropped` where the version has it (6.1 on).
    @Test("IPv6 on a host with IPv6 disabled: Ip6InReceives and Ip6InDiscards in every version")
    func ipv6Disabled() throws {
        for version in ["4.14", "6.1", "6.12"] {
            let counters = try ReplayCounters.of("ctr_ipv6_off", kernel: version)
            #expect(counters["Ip6InReceives"] == 2, "\(version)")
            #expect(counters["Ip6InDiscards"] == 2, "\(version)")
        }
        #expect(try DeviceCounterTruthTests.model("ctr_ipv6_off", kernel: "4.14")["veth-dut"]?.rxOtherHost == 0)
        #expect(try DeviceCounterTruthTests.model("ctr_ipv6_off", kernel: "6.1")["veth-dut"]?.rxOtherHost == 1)
    }

    /// The SYN the retransmission timer sends again (ctr_synretrans): one active open in every version,
    /// one retransmitted segment, a SYN (`__tcp_retransmit_skb`), one timeout (`tcp_retransmit_timer`:
    /// the first of its run in 4.14, every expiry from 6.1); the new flow hash of `tcp_write_timeout`
    /// (`TcpExtTcpTimeoutRehash`) exists from 6.1 only.
    /// The SYN-ACK a request socket's timer sends again (ctr_synackretrans): `tcp_syn_ack_timeout` counts the
    /// timeout and `tcp_rtx_synack` the retransmission, the same in every version.
    @Test("a SYN-ACK sent again by the request socket's timer counts a timeout and a SYN retransmission in every version")
    func synackRetransmission() throws {
        for version in ["4.14", "6.1", "6.12"] {
            let counters = try ReplayCounters.of("ctr_synackretrans", kernel: version)
            #expect(counters["TcpPassiveOpens"] == 1, "\(version)")
            #expect(counters["TcpRetransSegs"] == 1, "\(version)")
            #expect(counters["TcpExtTCPSynRetrans"] == 1, "\(version)")
            #expect(counters["TcpExtTCPTimeouts"] == 1, "\(version)")
            #expect(counters["TcpExtTcpTimeoutRehash"] == nil, "\(version)")
        }
    }

    /// ctr_twreuse: the host's second connect from the port whose first connection is in time-wait takes it
    /// over in every version (`__inet_check_established`: `TcpExtTWRecycled`), ending it early; 6.1 and 6.12
    /// count `TcpExtTW` as each connection enters TIME_WAIT, 4.14 when a time-wait timer ends: the first
    /// connection's never does, the second's a minute after the capture, when nstat has been read.
    @Test("a connect from a port in time-wait takes the time-wait socket over in every version")
    func timeWaitRecycled() throws {
        for version in ["4.14", "6.1", "6.12"] {
            let counters = try ReplayCounters.of("ctr_twreuse", kernel: version)
            #expect(counters["TcpExtTWRecycled"] == 1, "\(version)")
            #expect(counters["TcpExtTW"] == (version == "4.14" ? nil : 2), "\(version)")
            #expect(counters["TcpActiveOpens"] == 2, "\(version)")
            let traces = try KernelTruthTests.traces("ctr_twreuse", kernel: version)
            let path = traces[10].functions
            #expect(Array(path.drop { $0 != "inet_hash_connect" }.prefix(5))
                == ["inet_hash_connect", "__inet_hash_connect", "__inet_check_established", "inet_twsk_deschedule_put", "inet_twsk_kill"],
                "\(version)")
            #expect(!traces[0].functions.contains("inet_hash_connect"), "the first connect finds no time-wait socket")
        }
    }

    @Test("a SYN sent again by the retransmission timer counts a timeout and a SYN retransmission in every version")
    func synRetransmission() throws {
        for version in ["4.14", "6.1", "6.12"] {
            let counters = try ReplayCounters.of("ctr_synretrans", kernel: version)
            #expect(counters["TcpActiveOpens"] == 1, "\(version)")
            #expect(counters["TcpRetransSegs"] == 1, "\(version)")
            #expect(counters["TcpExtTCPSynRetrans"] == 1, "\(version)")
            #expect(counters["TcpExtTCPTimeouts"] == 1, "\(version)")
            #expect(counters["TcpExtTcpTimeoutRehash"] == (version == "4.14" ? nil : 1), "\(version)")
        }
    }
}
