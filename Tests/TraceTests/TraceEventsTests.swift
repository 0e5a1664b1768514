import Testing
import Trace

@Suite("TraceEvents")
struct TraceEventsTests {
    static let a = KernelSymbol(function: "ip_rcv", file: "net/ipv4/ip_input.c")
    static let b = KernelSymbol(function: "ip_rcv_core", file: "net/ipv4/ip_input.c")
    static let c = KernelSymbol(function: "tcp_v4_rcv", file: "net/ipv4/tcp_ipv4.c")

    /// Records `n`'s path: a, then b inlined in it, then c, each left again, and a note at the end.
    static func record(_ tracer: Tracer, _ n: Int) -> TraceEvents {
        tracer.enter(a)
        tracer.enter(b, inline: true)
        tracer.leave()
        tracer.enter(c)
        tracer.note("path \(n)")
        tracer.leave()
        tracer.leave()
        return tracer.take()
    }

    static func expected(_ n: Int) -> TraceEvents {
        [.call(a, depth: 0, inline: false), .call(b, depth: 1, inline: true), .call(c, depth: 1, inline: false),
         .note("path \(n)", depth: 2)]
    }

    /// Paths recorded one after another share the recorder's chunks, across the change to a new chunk,
    /// and each reads back as it was recorded.
    @Test func recordedPathsReadBackAcrossChunks() {
        let tracer = Tracer()
        var paths: [TraceEvents] = []
        for n in 0..<20_000 { paths.append(Self.record(tracer, n)) }
        for (n, p) in paths.enumerated() {
            #expect(p == Self.expected(n), "path \(n)")
            #expect(Array(p) == Array(Self.expected(n)), "path \(n)")
        }
        #expect(paths[7].visibleFunctions == ["ip_rcv", "tcp_v4_rcv"])
    }

    /// Appending to a recorded path changes that path alone: neither the paths recorded after it in the
    /// same chunk nor a copy of it.
    @Test func appendingToASharedPathCopiesIt() {
        let tracer = Tracer()
        let first = Self.record(tracer, 1)
        var grown = first
        grown.append(.call(Self.a, depth: 0, inline: false))
        let second = Self.record(tracer, 2)
        #expect(first == Self.expected(1))
        #expect(second == Self.expected(2))
        #expect(grown.count == 5)
        #expect(Array(grown.prefix(4)) == Array(Self.expected(1)))
        #expect(grown.last == .call(Self.a, depth: 0, inline: false))
        var again = grown
        again.append(.note("more", depth: 0))
        grown.append(.note("other", depth: 0))
        #expect(again.last == .note("more", depth: 0))
        #expect(grown.last == .note("other", depth: 0))
        #expect(first != grown)
    }
}
