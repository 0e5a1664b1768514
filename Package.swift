// swift-tools-version: 6.0
import PackageDescription

// Release builds check exclusive access statically only: the dynamic checks on class properties
// (the model's `Kernel`, the trace recorder) were a third of the instructions of a replay
// (docs/performance.md). Debug builds, and so `swift test`, keep every check.
// They also optimize across modules: the model calls the wire formats' small accessors and constants
// (`TCPFlags.syn`, `IPv4Packet(_:at:)`) on every frame, and without it each was a call, and an option
// set literal an allocation (model thread 18.5k -> 16.8k instructions a frame).
let releaseSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked", "-cross-module-optimization"], .when(configuration: .release))
]

let package = Package(
    name: "pktpath",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pktpath", targets: ["pktpath"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        .systemLibrary(
            name: "CPcap", pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]),
        .target(name: "Capture", dependencies: ["CPcap"], swiftSettings: releaseSettings),
        .target(name: "Wire", swiftSettings: releaseSettings),
        .target(name: "Trace", swiftSettings: releaseSettings),
        .target(name: "KernelNet", dependencies: ["Wire", "Trace"], swiftSettings: releaseSettings),
        .target(name: "KernelVeth", dependencies: ["KernelNet", "Trace"], swiftSettings: releaseSettings),
        .target(name: "KernelMac80211", dependencies: ["KernelNet", "Wire", "Trace"], swiftSettings: releaseSettings),
        .target(name: "KernelIwlMvm", dependencies: ["KernelMac80211", "KernelNet", "Trace"], swiftSettings: releaseSettings),
        .target(
            name: "Replay",
            dependencies: ["Capture", "Wire", "Trace", "KernelNet", "KernelVeth", "KernelMac80211", "KernelIwlMvm"],
            swiftSettings: releaseSettings),
        .target(name: "TraceRender", dependencies: ["Trace", "Wire"], swiftSettings: releaseSettings),
        // Diff logic on its own frame type; rendering reuses TraceRender's JSON writer.
        .target(name: "TraceDiff", dependencies: ["Trace", "TraceRender"], swiftSettings: releaseSettings),
        // `pktpath import`: real tracers' output (ftrace, pwru, retis) as pktpath traces.
        .target(name: "TraceImport", dependencies: ["Trace", "Capture", "Wire"]),
        // `pktpath verify`: the model against the running kernel (Linux, root: namespaces and tracefs).
        .target(name: "CNetns"),
        .target(name: "Verify", dependencies: ["CNetns", "Replay", "Capture", "KernelNet", "Trace", "TraceDiff", "TraceImport", "Wire"]),
        .executableTarget(
            name: "pktpath",
            dependencies: [
                "Replay", "TraceRender", "TraceDiff", "TraceImport", "Capture", "Trace", "Verify",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: releaseSettings),
        .target(name: "TestSupport", dependencies: ["Wire", "Capture"]),
        .testTarget(name: "WireTests", dependencies: ["Wire"]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "TestSupport"]),
        .testTarget(
            name: "ReplayTests",
            dependencies: ["Replay", "KernelNet", "Wire", "Capture", "Trace", "TestSupport"]),
        .testTarget(name: "TraceDiffTests", dependencies: ["TraceDiff", "Trace"]),
        .testTarget(name: "TraceTests", dependencies: ["Trace"]),
        .testTarget(name: "ImportTests", dependencies: ["TraceImport", "Trace", "Capture", "Wire", "TestSupport"]),
        .testTarget(name: "VerifyTests", dependencies: ["Verify", "Trace", "KernelNet", "Wire", "Capture", "Replay", "TraceImport", "TestSupport"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["Replay", "Capture", "CPcap", "KernelNet", "TraceRender", "Trace", "TestSupport", "PktpathFuzz"],
            exclude: ["Snapshots", "FuzzCorpus", "Browser"]),
        // libFuzzer entry points (Tools/fuzz/run.sh links them with -sanitize=fuzzer); a plain library otherwise.
        .target(
            name: "PktpathFuzz",
            dependencies: ["Capture", "Replay", "KernelNet", "Trace", "TraceRender", "TraceDiff", "Wire", "TestSupport"],
            path: "Tools/fuzz/PktpathFuzz"),
    ]
)
