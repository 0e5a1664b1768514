import Testing
@testable import TraceImport

/// The tracepoint text shared by `import ftrace` and `verify`, with locations printed as symbols (6.3 on)
/// and as addresses (earlier kernels).
@Suite("tracepoint text")
struct TracepointTextTests {
    @Test("key=value words, the reason after 'reason:', numbers")
    func fields() {
        let text = TracepointText("skbaddr=00000000cfe4b660 rx_sk=0000000000000000 protocol=2048 location=__udp4_lib_rcv+0x4bc/0xd00 reason: NO_SOCKET")
        #expect(text["skbaddr"] == "00000000cfe4b660")
        #expect(text["reason"] == "NO_SOCKET")
        #expect(text.number("protocol") == 2048)
        #expect(text.number("skbaddr") == nil)
        #expect(text["dev"] == nil)
        #expect(text.function("location") == "__udp4_lib_rcv")
    }

    @Test("a location's function loses offset, module and compiler suffix; an address names none")
    func locations() {
        #expect(TracepointText("location=nft_do_chain+0x4a1/0x6d0 [nf_tables]").function("location") == "nft_do_chain")
        #expect(TracepointText("location=ip_rcv_finish_core.isra.0+0x1a/0x300").function("location") == "ip_rcv_finish_core")
        #expect(TracepointText("location=ffffffff81a2b3c4").function("location") == nil)
        #expect(TracepointText("location=0xffffffff81a2b3c4").function("location") == nil)
        #expect(TracepointText("skbaddr=1").function("location") == nil)
    }

    @Test("a trailing 'reason:' without a word and broken words are ignored")
    func broken() {
        let text = TracepointText("=x len= reason:")
        #expect(text["reason"] == nil)
        #expect(text.number("len") == nil)
        #expect(text[""] == "x")
    }
}
