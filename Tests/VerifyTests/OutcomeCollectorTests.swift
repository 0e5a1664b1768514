import KernelNet
import Testing
import Trace
import Wire
@testable import Verify

/// Events as this machine's 6.18 kernel gave them for replayed fixtures (skb addresses shortened), fed
/// to the collector: each frame gets the outcome its skb had.
@Suite("outcome of replayed frames")
struct OutcomeCollectorTests {
    static func collect(_ events: [TracefsEvent]) -> [Int: KernelOutcome] {
        var c = OutcomeCollector(hostDevices: ["veth-dut", "veth-dut2"], injectingDevices: ["pv1p0", "pv1p1"])
        for e in events { c.add(e) }
        return c.outcomes
    }

    @Test("udp_ports: a datagram held by its socket, one to a closed port dropped with an ICMP error sent")
    func udpPorts() {
        let o = Self.collect([
            .marker(frame: 1), .transmit(dev: "pv1p0", skb: "a", protocol: 0x0800, length: 60),
            .receive(dev: "veth-dut", skb: "a", length: 46),
            .marker(frame: 2), .transmit(dev: "pv1p0", skb: "b", protocol: 0x0800, length: 62),
            .receive(dev: "veth-dut", skb: "b", length: 48), .icmpSend(skb: "b", type: 3, code: 3),
            .transmit(dev: "veth-dut", skb: "c", protocol: 0x0800, length: 90),
            .drop(skb: "b", reason: "NO_SOCKET", function: "__udp4_lib_rcv"),
            // The answer reaching the peer namespace: not a frame of the replay.
            .drop(skb: "c", reason: "OTHERHOST", function: "ip_rcv_core"),
        ])
        #expect(o[1] == KernelOutcome(fate: .held))
        #expect(o[2] == KernelOutcome(fate: .dropped(reason: "NO_SOCKET", function: "__udp4_lib_rcv"), transmissions: 1,
                                      icmpErrors: ["3/3"]))
    }

    @Test("ping_fragmented: fragments consumed by the reassembly, the completing one by icmp_rcv, three fragments sent")
    func fragments() {
        let o = Self.collect([
            .marker(frame: 1), .transmit(dev: "pv1p0", skb: "f1", protocol: 0x0800, length: 1514),
            .receive(dev: "veth-dut", skb: "f1", length: 1500),
            .marker(frame: 2), .transmit(dev: "pv1p0", skb: "f2", protocol: 0x0800, length: 1514),
            .receive(dev: "veth-dut", skb: "f2", length: 1500),
            .marker(frame: 3), .transmit(dev: "pv1p0", skb: "f3", protocol: 0x0800, length: 82),
            .receive(dev: "veth-dut", skb: "f3", length: 68),
            .consume(skb: "f1", function: "inet_frag_reasm_prepare"),
            // The reply reuses the first fragment's address once it was freed.
            .transmit(dev: "veth-dut", skb: "f1", protocol: 0x0800, length: 1514),
            .transmit(dev: "veth-dut", skb: "r2", protocol: 0x0800, length: 1514),
            .transmit(dev: "veth-dut", skb: "r3", protocol: 0x0800, length: 82),
            .consume(skb: "f3", function: "icmp_rcv"),
            .drop(skb: "f2", reason: "NOT_SPECIFIED", function: "skb_release_data"),
        ])
        #expect(o[1] == KernelOutcome(fate: .consumed(function: "inet_frag_reasm_prepare")))
        #expect(o[2] == KernelOutcome(fate: .consumed(function: "skb_release_data")))
        #expect(o[3] == KernelOutcome(fate: .consumed(function: "icmp_rcv"), transmissions: 3))
    }

    @Test("a forwarded frame leaves by the other device as the same skb; IPv6 transmissions count, others not")
    func forwarded() {
        let o = Self.collect([
            .marker(frame: 1), .transmit(dev: "pv1p0", skb: "a", protocol: 0x0800, length: 98),
            .receive(dev: "veth-dut", skb: "a", length: 84),
            .transmit(dev: "veth-dut2", skb: "a", protocol: 0x0800, length: 98),
            .transmit(dev: "veth-dut", skb: "n", protocol: 0x86dd, length: 90),
            .transmit(dev: "veth-dut", skb: "l", protocol: 0x88cc, length: 60),
            .drop(skb: "a", reason: "OTHERHOST", function: "ip_rcv_core"),
            .marker(frame: 2), .transmit(dev: "pv1p0", skb: "b", protocol: 0x0800, length: 98),
        ])
        #expect(o[1] == KernelOutcome(fate: .forwarded(dev: "veth-dut2"), transmissions: 2))
        #expect(o[2] == KernelOutcome(fate: .notReceived))
    }

    /// On `lo` the frame is sent and received on one device: its own transmit is the first after the
    /// marker; the host's answer, sent and received on `lo` too, counts as sent and is not the frame.
    @Test("lo: the frame is the first transmit after its marker, the host's answer a transmission")
    func loopback() {
        var c = OutcomeCollector(hostDevices: ["lo"], injectingDevices: ["lo"])
        for e: TracefsEvent in [
            .marker(frame: 1), .transmit(dev: "lo", skb: "q", protocol: 0x0800, length: 98),
            .receive(dev: "lo", skb: "q", length: 84),
            .transmit(dev: "lo", skb: "r", protocol: 0x0800, length: 98),
            .consume(skb: "q", function: "icmp_rcv"),
            .receive(dev: "lo", skb: "r", length: 84),
            .drop(skb: "r", reason: "NO_SOCKET", function: "ping_rcv"),
            .marker(frame: 2), .transmit(dev: "lo", skb: "s", protocol: 0x0800, length: 98),
            .receive(dev: "lo", skb: "s", length: 84),
            .drop(skb: "s", reason: "NO_SOCKET", function: "ping_rcv"),
        ] { c.add(e) }
        #expect(c.outcomes[1] == KernelOutcome(fate: .consumed(function: "icmp_rcv"), transmissions: 1))
        #expect(c.outcomes[2] == KernelOutcome(fate: .dropped(reason: "NO_SOCKET", function: "ping_rcv")))
    }

    @Test("events of other namespaces' devices and skbs do not touch the frames")
    func foreign() {
        let o = Self.collect([
            .marker(frame: 1), .transmit(dev: "pv1p0", skb: "a", protocol: 0x0800, length: 60),
            .receive(dev: "eth0", skb: "a", length: 46), .receive(dev: "veth-dut", skb: "x", length: 46),
            .drop(skb: "x", reason: "NO_SOCKET", function: "tcp_v4_rcv"),
            .transmit(dev: "eth0", skb: "y", protocol: 0x0800, length: 60),
        ])
        #expect(o[1] == KernelOutcome(fate: .notReceived))
    }
}

/// Where model and kernel agree, aspect by aspect.
@Suite("comparing model and kernel")
struct FrameVerificationTests {
    static func frame(_ model: ModelOutcome, _ kernel: KernelOutcome) -> FrameVerification {
        FrameVerification(frame: 1, summary: "", device: "veth-dut", model: model, kernel: kernel)
    }

    @Test("a drop agrees in verdict, and in reason and function when they are the same")
    func drops() {
        let model = ModelOutcome(verdict: .drop, dropReason: "SKB_DROP_REASON_NO_SOCKET", dropFunction: "icmp_rcv")
        let f = Self.frame(model, KernelOutcome(fate: .dropped(reason: "NO_SOCKET", function: "ping_rcv")))
        #expect(f.verdictAgrees == true)
        #expect(f.dropReasonAgrees == true)
        #expect(f.dropFunctionAgrees == false)
        #expect(!f.agrees)
        let g = Self.frame(model, KernelOutcome(fate: .dropped(reason: "NO_SOCKET", function: "icmp_rcv")))
        #expect(g.agrees)
    }

    @Test("delivered or queued agrees with held and consumed, not with a drop; reasons are compared only between drops")
    func kept() {
        for fate: KernelOutcome.Fate in [.held, .consumed(function: "icmp_rcv")] {
            #expect(Self.frame(ModelOutcome(verdict: .queue), KernelOutcome(fate: fate)).agrees)
        }
        let f = Self.frame(ModelOutcome(verdict: .deliver, proto: "udp"),
                           KernelOutcome(fate: .dropped(reason: "NO_SOCKET", function: "__udp4_lib_rcv")))
        #expect(f.verdictAgrees == false)
        #expect(f.dropReasonAgrees == nil)
        #expect(f.dropFunctionAgrees == nil)
    }

    @Test("a forward agrees with the same skb sent on, or with its fragments (consumed in ip_do_fragment)")
    func forwards() {
        let model = ModelOutcome(verdict: .forward, transmissions: 2)
        #expect(Self.frame(model, KernelOutcome(fate: .consumed(function: "ip_do_fragment"), transmissions: 2)).agrees)
        #expect(Self.frame(model, KernelOutcome(fate: .forwarded(dev: "veth-dut2"), transmissions: 2)).agrees)
        #expect(!Self.frame(model, KernelOutcome(fate: .consumed(function: "icmp_rcv"), transmissions: 2)).agrees)
        #expect(!Self.frame(model, KernelOutcome(fate: .forwarded(dev: "veth-dut2"), transmissions: 1)).agrees)
    }

    @Test("an unknown verdict is not compared; the figures count only what was compared")
    func figures() {
        let frames = [
            Self.frame(ModelOutcome(verdict: .unknown), KernelOutcome(fate: .held)),
            Self.frame(ModelOutcome(verdict: .drop, dropReason: "SKB_DROP_REASON_IP_CSUM", dropFunction: "ip_rcv_core"),
                       KernelOutcome(fate: .dropped(reason: "IP_CSUM", function: "ip_rcv_core"))),
            Self.frame(ModelOutcome(verdict: .deliver, transmissions: 1), KernelOutcome(fate: .consumed(function: "icmp_rcv"))),
        ]
        let g = VerificationFigures(frames, notReplayed: 2)
        #expect(g.frames == .init(agreeing: 2, compared: 3))
        #expect(g.verdict == .init(agreeing: 2, compared: 2))
        #expect(g.dropReason == .init(agreeing: 1, compared: 1))
        #expect(g.transmissions == .init(agreeing: 2, compared: 3))
        #expect(g.notReplayed == 2)
    }
}

/// The profile's firewall rules as nft statements.
@Suite("nft ruleset")
struct NftRulesetTests {
    @Test("a drop by port, a reject with a TCP reset, and chains only for hooks that have rules")
    func ruleset() {
        let text = NftRuleset.text([
            NetfilterRule(hook: .NF_INET_LOCAL_IN, proto: nil, saddr: nil, daddr: nil, sport: nil, dport: 2222,
                          verdict: .drop, rejectWith: nil),
            NetfilterRule(hook: .NF_INET_LOCAL_IN, proto: .tcp, saddr: IPv4Prefix("10.77.0.0/24"), daddr: nil, sport: nil,
                          dport: 23, iifname: "veth-dut", verdict: .reject, rejectWith: .tcpReset),
        ])
        #expect(text == """
            table inet pktpath_verify {
              chain input {
                type filter hook input priority 0; policy accept;
                meta l4proto { tcp, udp } th dport 2222 drop
                iifname "veth-dut" meta l4proto 6 ip saddr 10.77.0.0/24 th dport 23 reject with tcp reset
              }
            }

            """)
    }

    @Test("a table per family in the order the rules name them; IPv6 prefixes and ICMPv6 and icmpx rejects")
    func families() {
        let text = NftRuleset.text([
            NetfilterRule(family: .ip6, hook: .NF_INET_LOCAL_IN, proto: .udp, saddr: nil, daddr: nil, sport: nil, dport: 7004,
                          verdict: .reject, rejectWith: .icmpv6AdminProhibited),
            NetfilterRule(hook: .NF_INET_FORWARD, proto: .tcp, saddr: nil, daddr: nil, daddr6: IPv6Prefix("fd78::/64"), sport: nil,
                          dport: 80, verdict: .reject, rejectWith: .tcpReset),
            NetfilterRule(hook: .NF_INET_LOCAL_IN, proto: .udp, saddr: nil, daddr: nil, sport: nil, dport: 7002,
                          verdict: .reject, rejectWith: .icmpxPortUnreachable),
            NetfilterRule(family: .ip, hook: .NF_INET_LOCAL_OUT, proto: nil, saddr: nil, daddr: IPv4Prefix("10.0.0.0/8"),
                          sport: nil, dport: nil, verdict: .drop, rejectWith: nil),
        ])
        #expect(text == """
            table ip6 pktpath_verify {
              chain input {
                type filter hook input priority 0; policy accept;
                meta l4proto 17 th dport 7004 reject with icmpv6 type admin-prohibited
              }
            }
            table inet pktpath_verify {
              chain input {
                type filter hook input priority 0; policy accept;
                meta l4proto 17 th dport 7002 reject with icmpx type port-unreachable
              }
              chain forward {
                type filter hook forward priority 0; policy accept;
                meta l4proto 6 ip6 daddr fd78::/64 th dport 80 reject with tcp reset
              }
            }
            table ip pktpath_verify {
              chain output {
                type filter hook output priority 0; policy accept;
                ip daddr 10.0.0.0/8 drop
              }
            }

            """)
    }
}
