import Testing

/// `functions`, `explain` and `graph` as a user runs them, under each kernel version.
@Suite("pktpath functions, explain and graph")
struct TeachingCLITests {
    @Test("functions lists what each version records, under the file that defines it there")
    func functions() throws {
        let old = try CLITests.pktpath(["functions", "--kernel", "4.14"])
        #expect(old.status == 0, "\(old)")
        #expect(old.lines.contains("  dev_forward_skb") && !old.lines.contains("  ip_rcv_core"))
        let dev = try #require(old.lines.firstIndex(of: "net/core/dev.c"))
        let devFunctions = old.lines[(dev + 1)...].prefix { $0.hasPrefix("  ") }
        #expect(devFunctions.contains("  napi_gro_receive") && devFunctions.contains("  dev_queue_xmit"),
                "4.14 defines GRO and dev_queue_xmit in dev.c")
        let new = try CLITests.pktpath(["functions", "--kernel", "6.12"])
        let skbuffH = try #require(new.lines.firstIndex(of: "include/linux/skbuff.h"))
        #expect(new.lines[skbuffH + 1] == "  kfree_skb_reason (inline)")
        #expect(new.lines.contains("  sk_skb_reason_drop") && !new.lines.contains("  kfree_skb"))
    }

    @Test("explain says how versions differ and links the version's source")
    func explain() throws {
        let old = try CLITests.pktpath(["explain", "ip_rcv_core", "--kernel", "4.14"])
        #expect(old.status == 0, "\(old)")
        #expect(old.out.contains("Linux 4.14 does not take it"))
        #expect(old.lines.contains("in 6.1: on its paths") && old.lines.contains("in 6.12: on its paths"))
        let new = try CLITests.pktpath(["explain", "ip_rcv_core", "--kernel", "6.12"])
        #expect(new.out.contains("called by:  ip_list_rcv, ip_rcv"))
        #expect(new.out.contains("drops with: ") && new.out.contains("SKB_DROP_REASON_IP_CSUM"))
        #expect(new.lines.last == "source:     https://elixir.bootlin.com/linux/v6.12/C/ident/ip_rcv_core")
        let moved = try CLITests.pktpath(["explain", "dev_queue_xmit", "--kernel", "4.14"])
        #expect(moved.lines.first == "dev_queue_xmit  (net/core/dev.c, Linux 4.14)")
        #expect(moved.lines.contains("in 6.1: defined in include/linux/netdevice.h"))
        let unknown = try CLITests.pktpath(["explain", "no_such_function"])
        #expect(unknown.status == 2 && unknown.messages.count == 1, "\(unknown)")
    }

    @Test("graph draws each version's edges; an unknown version is a usage error")
    func graph() throws {
        let old = try CLITests.pktpath(["graph", "--kernel", "4.14", "--format", "dot"])
        #expect(old.status == 0, "\(old)")
        #expect(old.out.contains("\"veth_xmit\" -> \"dev_forward_skb\""))
        #expect(!old.out.contains("\"ip_rcv_core\""))
        let new = try CLITests.pktpath(["graph", "--kernel", "6.12", "--format", "mermaid"])
        #expect(new.out.contains("ieee80211_xmit_fast") && new.out.contains("__ieee80211_xmit_fast"))
        for command in [["graph"], ["functions"], ["explain", "ip_rcv"]] {
            let bad = try CLITests.pktpath(command + ["--kernel", "5.4"])
            #expect(bad.status == 2 && bad.stderr.contains("4.14, 6.1, 6.12"), "\(bad)")
        }
    }
}
