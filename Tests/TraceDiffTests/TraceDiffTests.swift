import Foundation
import Testing
import Trace
import TraceDiff

/// The diff on its own frame type: packet keys, divergence, totals, alignment and the trace-file adapter.
@Suite("TraceDiff")
struct TraceDiffTests {
    static func steps(_ spec: String) -> [DiffStep] {
        // "a b.c" → a at depth 0, b at depth 1, c at depth 2 (dots count the depth).
        spec.split(separator: " ").map { word in
            let depth = word.prefix { $0 == "." }.count
            return DiffStep(function: String(word.dropFirst(depth)), depth: depth)
        }
    }

    static func frame(_ n: Int, _ summary: String = "ICMP 10.0.0.2 > 10.0.0.1 echo request id=1 seq=1",
                      verdict: String = "deliver", reason: String? = nil, in function: String? = nil,
                      path: String = "rx .ip_rcv ..ip_local_deliver") -> DiffFrame {
        DiffFrame(frame: n, direction: "rx", summary: summary, verdict: verdict, proto: verdict == "deliver" ? "icmp" : nil,
                  dropReason: reason, dropFunction: function, steps: steps(path))
    }

    // MARK: - Packet keys

    @Test("packet keys: flow and identity from the summary", arguments: [
        ("TCP 10.0.0.2:40000 > 10.0.0.1:80 [S] seq=7 win=64240 len=0", "TCP 10.0.0.2:40000 > 10.0.0.1:80", "[S] seq=7 len=0"),
        ("TCP 10.0.0.2:40000 > 10.0.0.1:80 [P.] seq=8 ack=9 win=502 len=14", "TCP 10.0.0.2:40000 > 10.0.0.1:80", "[P.] seq=8 len=14"),
        ("ICMP 10.0.0.2 > 10.0.0.1 echo request id=5 seq=2", "ICMP 10.0.0.2 > 10.0.0.1", "echo request id=5 seq=2"),
        ("ICMP 10.0.0.2 > 10.0.0.1 echo reply id=5 seq=2 frag id=77 off=0+", "ICMP 10.0.0.2 > 10.0.0.1", "ip id=77 off=0+"),
        ("IPv4 ICMP 10.0.0.2 > 10.0.0.1 frag id=77 off=1480 len=8", "ICMP 10.0.0.2 > 10.0.0.1", "ip id=77 off=1480"),
        ("UDP 10.0.0.2:5 > 10.0.0.1:7 len=18", "UDP 10.0.0.2:5 > 10.0.0.1:7", "len=18"),
        ("ARP who-has 10.0.0.1 tell 10.0.0.2", "ARP who-has 10.0.0.1 tell 10.0.0.2", ""),
        ("TCP [fd00::2]:40000 > [fd00::1]:80 [S] seq=7 win=64800 len=0", "TCP [fd00::2]:40000 > [fd00::1]:80", "[S] seq=7 len=0"),
        ("ICMPv6 fd00::2 > fd00::1 echo request id=5 seq=2 frag id=9 off=0+", "ICMPv6 fd00::2 > fd00::1", "ip id=9 off=0+"),
        ("IPv6 next=ICMPv6 fd00::2 > fd00::1 frag id=9 off=1448 len=8", "ICMPv6 fd00::2 > fd00::1", "ip id=9 off=1448"),
        ("ICMPv6 fd00::2 > fd00::1 echo reply id=5 seq=2", "ICMPv6 fd00::2 > fd00::1", "echo reply id=5 seq=2"),
        ("ICMPv6 fe80::1 > ff02::1:ff00:1 neighbor solicitation", "ICMPv6 fe80::1 > ff02::1:ff00:1", "neighbor solicitation"),
    ])
    func packetKey(_ summary: String, _ flow: String, _ identity: String) {
        let k = PacketKey(summary: summary)
        #expect(k.flow == flow)
        #expect(k.identity == identity)
    }

    @Test("a retransmission and a new ACK on one flow are different packets; ack and window do not matter")
    func tcpIdentity() {
        let a = PacketKey(summary: "TCP 1.1.1.1:1 > 2.2.2.2:2 [.] seq=1 ack=5 win=100 len=0")
        let b = PacketKey(summary: "TCP 1.1.1.1:1 > 2.2.2.2:2 [.] seq=1 ack=9 win=300 len=0")
        let c = PacketKey(summary: "TCP 1.1.1.1:1 > 2.2.2.2:2 [P.] seq=1 ack=5 win=100 len=10")
        #expect(a == b)
        #expect(a != c)
    }

    // MARK: - Divergence

    @Test("the first divergence with context: common steps before, each side's steps from there")
    func divergence() throws {
        let a = Self.steps("a .b ..c ...d ..e f")
        let b = Self.steps("a .b ..c ...x ...y")
        let d = try #require(Divergence.find(a, b, context: 2))
        #expect(d.index == 3)
        #expect(d.before.map(\.function) == ["b", "c"])
        #expect(d.a.map(\.function) == ["d", "e"])
        #expect(d.b.map(\.function) == ["x", "y"])
        #expect((d.countA, d.countB) == (6, 5))
        #expect(Divergence.find(a, a, context: 3) == nil)
    }

    @Test("a path that is a prefix of the other parts where it ends; depth and inline count")
    func prefixAndDepth() throws {
        let d = try #require(Divergence.find(Self.steps("a .b"), Self.steps("a .b ..c"), context: 3))
        #expect(d.index == 2)
        #expect(d.a.isEmpty)
        #expect(d.b.map(\.function) == ["c"])
        #expect(Divergence.find(Self.steps("a .b"), Self.steps("a ..b"), context: 3)?.index == 1)
        let inline = [DiffStep(function: "a", depth: 0, inline: true)]
        #expect(Divergence.find(inline, [DiffStep(function: "a", depth: 0)], context: 3)?.index == 0)
    }

    // MARK: - Totals

    @Test("verdict, drop reason and function changes, same and changed frames, one-sided frames")
    func summary() {
        var differ = TraceDiffer(context: 3)
        let same = differ.compare(Self.frame(1), Self.frame(1))
        #expect(same.status == .same)
        let changed = differ.compare(Self.frame(2), Self.frame(2, verdict: "drop", reason: "SKB_DROP_REASON_IP_RPFILTER",
                                                                in: "ip_rcv_finish_core", path: "rx .ip_rcv ..kfree_skb_reason"))
        #expect(changed.status == .changed)
        #expect(changed.changes == [.verdict, .proto, .dropReason, .dropFunction, .path])
        #expect(changed.divergence?.index == 2)
        let reason = differ.compare(Self.frame(3, verdict: "drop", reason: "R1", in: "f"), Self.frame(3, verdict: "drop", reason: "R2", in: "f"))
        #expect(reason.changes == [.dropReason])
        #expect(differ.compare(Self.frame(4), nil).status == .onlyA)
        #expect(differ.compare(nil, Self.frame(5)).status == .onlyB)
        let s = differ.summary
        #expect((s.compared, s.same, s.changed, s.onlyA, s.onlyB) == (3, 1, 2, 1, 1))
        #expect(s.verdictChanges == [Transition(from: "deliver", to: "drop"): 1])
        #expect(s.dropReasonChanges == [Transition(from: "none", to: "SKB_DROP_REASON_IP_RPFILTER"): 1,
                                        Transition(from: "R1", to: "R2"): 1])
        #expect(s.dropFunctionChanges == [Transition(from: "none", to: "ip_rcv_finish_core"): 1])
        #expect(s.hasDifferences)
    }

    @Test("path classes: the direction and visible functions; gained on B only, lost from A only")
    func pathClasses() {
        var differ = TraceDiffer()
        let hidden = DiffFrame(frame: 1, direction: "rx", summary: "x", verdict: "deliver",
                               steps: [DiffStep(function: "a", depth: 0), DiffStep(function: "h", depth: 1, inline: true)])
        #expect(hidden.pathClass == "rx a")
        _ = differ.compare(Self.frame(1, path: "a .b"), Self.frame(1, path: "a .c"))
        _ = differ.compare(Self.frame(2, path: "a .b"), Self.frame(2, path: "a .b"))
        _ = differ.compare(Self.frame(3, path: "a .d"), Self.frame(3, path: "a .c"))
        let s = differ.summary
        #expect(s.classesGained.map(\.pathClass) == ["rx a → c"])
        #expect(s.classesGained.map(\.frames) == [2])
        #expect(s.classesLost.map(\.pathClass) == ["rx a → d"])
    }

    // MARK: - Alignment

    @Test("by flow: frames pair by packet whatever their numbers; repeats pair in order; the rest is one-sided")
    func flowAlignment() {
        let s1 = "UDP 1.1.1.1:1 > 2.2.2.2:2 len=5"
        let s2 = "ICMP 1.1.1.1 > 2.2.2.2 echo request id=1 seq=9"
        let s3 = "TCP 1.1.1.1:1 > 2.2.2.2:2 [S] seq=1 win=1 len=0"
        let a = [Self.frame(1, s1), Self.frame(2, s2), Self.frame(3, s1)]
        let b = [Self.frame(7, s3), Self.frame(8, s1), Self.frame(9, s1), Self.frame(10, s2)]
        let pairs = Alignment.flow.pairs(a, b).map { [$0.a?.frame ?? 0, $0.b?.frame ?? 0] }
        #expect(pairs == [[0, 7], [1, 8], [2, 10], [3, 9]])
        let byFrame = Alignment.frame.pairs([Self.frame(1), Self.frame(2)], [Self.frame(2), Self.frame(3)])
        #expect(byFrame.map { [$0.a?.frame ?? 0, $0.b?.frame ?? 0] } == [[1, 0], [2, 2], [0, 3]])
    }

    @Test("auto alignment: by frame for the same capture name and frames, else by flow")
    func chooseAlignment() {
        func file(_ capture: String, _ frames: [Int]) -> TraceFile {
            TraceFile(path: "x", kernel: "6.1", capture: capture, overrides: [], frames: frames.map { Self.frame($0) })
        }
        #expect(Alignment.choose(file("a/x.pcap", [1, 2]), file("b/x.pcap", [1, 2])) == .frame)
        #expect(Alignment.choose(file("x.pcap", [1, 2]), file("y.pcap", [1, 2])) == .flow)
        #expect(Alignment.choose(file("x.pcap", [1, 2]), file("x.pcap", [1, 3])) == .flow)
        #expect(Alignment.choose(file("-", [1]), file("-", [1])) == .flow)
    }

    // MARK: - Adapters

    @Test("a trace file's packet line and the PacketTrace it was written from make the same frame")
    func adaptersAgree() throws {
        let trace = PacketTrace(
            frame: 3, timeNanoseconds: 0, length: 60, capturedLength: 60, direction: .rx, device: "veth0",
            summary: "ICMP 10.0.0.2 > 10.0.0.1 echo request id=1 seq=1", verdict: .drop, dropReason: "SKB_DROP_REASON_IP_CSUM",
            dropFunction: "ip_rcv_core",
            events: [.note("sent by the peer", depth: 0), .call(KernelSymbol(function: "ip_rcv", file: "net/ipv4/ip_input.c"), depth: 0, inline: false),
                     .call(KernelSymbol(function: "ip_rcv_core", file: "net/ipv4/ip_input.c"), depth: 1, inline: true),
                     .drop(reason: "SKB_DROP_REASON_IP_CSUM", function: KernelSymbol(function: "ip_rcv", file: "net/ipv4/ip_input.c"), depth: 2)])
        let header = #"{"type":"header","schema":"pktpath-trace/1","kernel":"6.1","capture":"c.pcap","host":{},"assumptions":[],"overrides":["mtu=1400"]}"#
        let line = #"{"type":"packet","frame":3,"time":"x","len":60,"caplen":60,"direction":"rx","dev":"veth0","summary":"ICMP 10.0.0.2 > 10.0.0.1 echo request id=1 seq=1","verdict":"drop","proto":null,"drop_reason":"SKB_DROP_REASON_IP_CSUM","drop_function":"ip_rcv_core","caused_by":null,"events":[{"depth":0,"note":"sent by the peer"},{"depth":0,"func":"ip_rcv","file":"net/ipv4/ip_input.c"},{"depth":1,"func":"ip_rcv_core","file":"net/ipv4/ip_input.c","inline":true},{"depth":2,"drop":"SKB_DROP_REASON_IP_CSUM","drop_function":"ip_rcv"}]}"#
        let file = try TraceFile.parse(Data((header + "\n" + line + "\n").utf8), path: "t.jsonl")
        #expect(file.frames == [DiffFrame(trace)])
        #expect(file.capture == "c.pcap")
        #expect(file.overrides == ["mtu=1400"])
        #expect(DiffFrame(trace).steps == [DiffStep(function: "ip_rcv", depth: 0), DiffStep(function: "ip_rcv_core", depth: 1, inline: true)])
    }

    @Test("a file that is not a pktpath trace, or breaks off, is an error naming the file and line", arguments: [
        ("", nil as Int?, "empty"),
        ("GET / HTTP/1.1\n", 1, "not a pktpath trace"),
        (#"{"interfaces":[]}"# + "\n", 1, "not a pktpath trace"),
        (#"{"type":"header","schema":"pktpath-trace/2"}"# + "\n", 1, "pktpath-trace/2"),
        (#"{"type":"header","schema":"pktpath-trace/1"}"# + "\n" + #"{"type":"packet","frame":1"# + "\n", 2, "not JSON"),
        (#"{"type":"header","schema":"pktpath-trace/1"}"# + "\n" + #"{"type":"packet","frame":1,"direction":"up"}"# + "\n", 2, "direction"),
        (#"{"type":"header","schema":"pktpath-trace/1"}"# + "\n" + #"{"type":"trailer"}"# + "\n", 2, "trailer"),
    ])
    func badFile(_ text: String, _ line: Int?, _ says: String) {
        do {
            _ = try TraceFile.parse(Data(text.utf8), path: "t.jsonl")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.path == "t.jsonl")
            #expect(error.line == line)
            #expect(error.description.contains(says), "\(error)")
        }
    }
}
