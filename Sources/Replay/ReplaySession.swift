import Capture
import KernelIwlMvm
import KernelMac80211
import KernelNet
import KernelVeth
import Trace
import Wire

/// Replays a capture through the kernel model: reads frames (streaming), decides each one's
/// direction, runs the model and hands back one `PacketTrace` per frame.
public final class ReplaySession {
    public let kernel: Kernel
    public let host: HostProfile
    public let header: TraceHeader
    private let capture: PcapFile?
    /// The capture whose interfaces the frames' ``CapturedFrame/interface`` numbers (read here or by the caller).
    private let interfaceSource: PcapFile?
    private let device: NetDevice
    /// The devices of a capture of several interfaces, by the interface index its frames carry.
    private let devicesByIndex: [UInt32: NetDevice]
    /// The devices by name, for the interfaces of a pcapng.
    private let devicesByName: [String: NetDevice]
    /// The device of each pcapng interface met so far, by its number (found by name once).
    private var devicesByCaptureInterface: [NetDevice?] = []
    /// The MAC addresses of the host's interfaces (a few: searched in order, cheaper than hashing).
    private let hostMACs: [MACAddress]
    /// The host's IPv6 addresses, 16 bytes each, for the direction of IPv6 frames without a link-layer header.
    private let hostIPv6: [[UInt8]]
    /// Frames given in memory instead of a capture file.
    private var inMemory: [CapturedFrame] = []

    /// Sets up the model for `host` (kernel profile `kernelVersion`, default the profile's or the newest) to
    /// replay `capture`.
    public convenience init(capture: PcapFile, captureName: String, host: HostProfile, assumptions: [String] = [],
                            kernelVersion: String? = nil) throws(ReplayError) {
        try self.init(source: capture, interfaces: capture, captureName: captureName, host: host,
                      assumptions: assumptions, kernelVersion: kernelVersion)
    }

    /// Sets up the model to replay Ethernet `frames` held in memory (`run` takes them as `buffered`).
    public convenience init(frames: [CapturedFrame], captureName: String, host: HostProfile,
                            kernelVersion: String? = nil) throws(ReplayError) {
        try self.init(source: nil, interfaces: nil, captureName: captureName, host: host, assumptions: [],
                      kernelVersion: kernelVersion)
        inMemory = frames
    }

    /// Sets up the model for a caller that reads the frames of `capture` itself and hands each to
    /// ``trace(_:)`` (two replays of one capture in step, as `pktpath diff` runs them).
    public convenience init(framesOf capture: PcapFile, captureName: String, host: HostProfile, assumptions: [String] = [],
                            kernelVersion: String? = nil) throws(ReplayError) {
        try self.init(source: nil, interfaces: capture, captureName: captureName, host: host, assumptions: assumptions,
                      kernelVersion: kernelVersion)
    }

    private init(source capture: PcapFile?, interfaces: PcapFile?, captureName: String, host: HostProfile,
                 assumptions: [String], kernelVersion: String?) throws(ReplayError) {
        let version = kernelVersion ?? host.kernel ?? KernelProfile.default.version.rawValue
        guard let profile = KernelProfile.all[version] else { throw .unknownKernel(version) }
        // VLAN devices are made after the devices below them, which they hold; ifindex is profile order.
        var byName: [String: NetDevice] = [:]
        for (i, iface) in host.interfaces.enumerated() where iface.vlan == nil {
            let ops: any NetDeviceOps =
                switch iface.driver {
                case "veth": VethDriver()
                case "loopback": LoopbackDriver()
                case "tun": TunDriver()
                case "bridge": BridgeDevice()
                default: Mac80211Device(hw: IwlMvm())
                }
            (ops as? Mac80211Device)?.u_mgd = iface.wifi
            byName[iface.name] = NetDevice(name: iface.name, ifindex: i + 1, dev_addr: iface.mac, mtu: iface.mtu,
                                           addresses: iface.addresses, ops: ops, hasTap: iface.captured)
        }
        for (i, iface) in host.interfaces.enumerated() {
            guard let vlan = iface.vlan, let real = byName[vlan.parent] else { continue }
            byName[iface.name] = NetDevice(name: iface.name, ifindex: i + 1, dev_addr: iface.mac, mtu: iface.mtu,
                                           addresses: iface.addresses, ops: VLANDevice(), hasTap: iface.captured,
                                           vlan: vlan_dev_priv(real_dev: real, vlan_id: UInt16(vlan.id)))
        }
        let devices = host.interfaces.compactMap { byName[$0.name] }
        for iface in host.interfaces {
            byName[iface.name]?.addresses6 = iface.ipv6Addresses.compactMap(IPv6Prefix.init)
            byName[iface.name]?.addressFlags6 = iface.ipv6Flags
            byName[iface.name]?.groups6 = iface.groups6
        }
        // The IPv6 groups sockets joined: on every device with IPv6 (as a service joining on each
        // interface does), after those the profile names.
        for group in host.sockets.flatMap(\.groups6) {
            for dev in devices where !dev.isLoopback && !dev.addresses6.isEmpty && !dev.groups6.contains(group) {
                dev.groups6.append(group)
            }
        }
        // Bridges, then their ports in profile order (br_add_if); the bridge is promiscuous when a
        // capture of it alone is replayed (tcpdump without -p), not under -i any.
        let captured = host.interfaces.filter(\.captured)
        for iface in host.interfaces where iface.driver == "bridge" {
            guard let dev = byName[iface.name] else { continue }
            let br = net_bridge(dev: dev)
            br.promisc = captured.count == 1 && captured[0].name == iface.name
            dev.bridge = br
        }
        for iface in host.interfaces {
            guard let master = iface.master, let br = byName[master]?.bridge, let port = byName[iface.name] else { continue }
            br.br_add_if(port)
        }
        kernel = Kernel(profile: profile, devices: devices, routes: host.routes, neighbours: host.neighbours, neighbours6: host.ipv6Neighbours,
                        sockets: host.sockets, sysctl: host.sysctl, sysctlText: host.sysctlText, netfilterRules: host.netfilter)
        kernel.routes6 = host.routes6
        kernel.coldNeighbours = host.coldNeighbours
        kernel.driverTimers = devices.compactMap { $0.ops as? Mac80211Device }
        kernel.modules = Set(host.modules + (host.interfaces.contains { $0.vlan != nil } ? ["8021q"] : [])
            + (host.interfaces.contains { $0.driver == "bridge" } ? ["bridge"] : []))
        self.host = host
        self.capture = capture
        self.interfaceSource = interfaces
        let capturedIndex = host.interfaces.firstIndex { $0.captured } ?? 0
        self.device = devices[capturedIndex]
        var byIndex: [UInt32: NetDevice] = [:]
        for (i, iface) in host.interfaces.enumerated() { if let n = iface.ifindex { byIndex[UInt32(n)] = devices[i] } }
        self.devicesByIndex = byIndex
        self.devicesByName = Dictionary(zip(host.interfaces.map(\.name), devices)) { first, _ in first }
        self.hostMACs = host.interfaces.map(\.mac)
        self.hostIPv6 = host.interfaces.flatMap { $0.ipv6Addresses.compactMap(HostProfile.ipv6Bytes) }
        var notes = assumptions
        let unmodeled = (Array(host.sysctl.keys) + Array(host.sysctlText.keys))
            .filter { !Sysctl.isModeled($0) && !$0.hasPrefix("net.ipv6.conf") }.sorted()
        if !unmodeled.isEmpty { notes.append("sysctls accepted but not modeled: \(unmodeled.joined(separator: ", "))") }
        if !host.ipv6OnlySockets.isEmpty {
            notes.append("IPv6-only sockets (IPV6_V6ONLY) not modeled: \(host.ipv6OnlySockets.joined(separator: ", "))")
        }
        header = TraceHeader(kernel: version, capture: captureName, host: host.json, assumptions: notes,
                             overrides: host.overrides.map(\.description))
    }

    /// How frames of a link type are wrapped.
    public static func encapsulation(of type: LinkType) -> LinkEncapsulation {
        switch type {
        case .DLT_LINUX_SLL: .linuxSLL
        case .DLT_LINUX_SLL2: .linuxSLL2
        case .DLT_RAW, .DLT_RAW_OPENBSD, .DLT_IPV4, .DLT_IPV6: .rawIP
        case .DLT_NULL: .bsdLoopback(bigEndian: false)
        case .DLT_LOOP: .bsdLoopback(bigEndian: true)
        default: .ethernet
        }
    }

    /// Whether the host sent this frame.
    private func isOutgoing(_ bytes: [UInt8], _ link: LinkHeader) -> Bool {
        if let t = link.sllPacketType { return t == .outgoing }
        if let mac = link.macOffset, let eth = EthernetPacket(bytes, at: mac) { return hostMACs.contains(eth.source) }
        switch link.etherType {
        case .ipv4: return IPv4Packet(bytes, at: link.networkOffset).map { kernel.isLocal($0.source) } ?? false
        case .ipv6:
            guard let ip = IPv6Packet(bytes, at: link.networkOffset) else { return false }
            let source = ip.start + IPv6Packet.Field.source
            return hostIPv6.contains { a in (0..<16).allSatisfy { bytes.u8(at: source + $0) == a[$0] } }
        default: return false
        }
    }

    /// How much of each path the model records (`.calls` for output that shows only the functions).
    public var detail: TraceDetail {
        get { kernel.tracer.detail }
        set { kernel.tracer.detail = newValue }
    }

    /// Whether traces carry a summary of their frame (`stats` shows none, and skips making them).
    public var writesSummaries = true

    /// Writes the summary of an IPv4 packet from the bytes a ``DeferredSummary`` kept.
    private static let summaryWriter: DeferredSummary.Writer = { bytes, offset, kind, out in
        FrameSummary.write(bytes, networkOffset: offset, etherType: EtherType(rawValue: kind), into: &out)
    }

    /// The radio headers a deferred 802.11 summary's `kind` names, by position.
    private static let radioEncapsulations: [RadioEncapsulation] = [.none, .radiotap, .ppi]

    /// Writes the summary of an 802.11 frame from its first bytes, which a ``DeferredSummary`` kept.
    private static let wirelessSummaryWriter: DeferredSummary.Writer = { bytes, _, kind, out in
        WirelessFrame(bytes, encapsulation: radioEncapsulations[Int(kind)]).describe(bytes, into: &out)
    }

    /// The summary of an 802.11 frame carrying IPv4 or IPv6, written on the output thread from a copy of
    /// the frame's first bytes when they fit in a ``DeferredSummary``: the radio, MAC and LLC headers and
    /// what the IP description reads (``FrameSummary/bytesRead(_:at:etherType:)``). Any other frame's is
    /// written now.
    private func wirelessSummary(_ frame: CapturedFrame, _ wireless: WirelessFrame,
                                 _ encapsulation: RadioEncapsulation) -> PacketTrace.Summary {
        guard wireless.failure == nil, let etherType = wireless.etherType,
              let read = FrameSummary.bytesRead(frame.bytes, at: wireless.networkOffset, etherType: etherType),
              case let needed = min(frame.bytes.count, wireless.networkOffset + read), needed <= DeferredSummary.capacity,
              let kind = Self.radioEncapsulations.firstIndex(of: encapsulation)
        else { return .text(wireless.describe(frame.bytes)) }
        return .deferred(DeferredSummary(bytes: frame.bytes[0..<needed], offset: 0, kind: UInt16(kind),
                                         writer: Self.wirelessSummaryWriter))
    }

    /// The summary of `frame`'s trace: none when ``writesSummaries`` is off, the headers to write it
    /// from for IPv4 and IPv6 when they fit in a ``DeferredSummary`` (written only for frames that are
    /// output), else written now.
    private func summary(of frame: CapturedFrame, link: LinkHeader) -> PacketTrace.Summary {
        guard writesSummaries else { return .text("") }
        let start = min(max(0, link.networkOffset), frame.bytes.count)
        if link.failure == nil, let read = FrameSummary.bytesRead(frame.bytes, at: start, etherType: link.etherType),
           case let end = min(frame.bytes.count, start + read), end - start <= DeferredSummary.capacity
        {
            // A copy of the headers, so that a kept trace does not hold the capture reader's buffer.
            return .deferred(DeferredSummary(bytes: frame.bytes[start..<end], offset: 0,
                                             kind: link.etherType.rawValue, writer: Self.summaryWriter))
        }
        return .text(link.failure.map { "(\($0))" }
            ?? FrameSummary.describe(frame.bytes, networkOffset: link.networkOffset, etherType: link.etherType))
    }

    /// The device `frame` was captured on: the one whose `ifindex` its cooked v2 header records, else
    /// the one named as its pcapng interface (``PcapngMetadata/Interface/deviceName(number:)``), else
    /// the captured interface.
    private func device(of frame: CapturedFrame, _ link: LinkHeader) -> NetDevice {
        if let index = link.interfaceIndex, let d = devicesByIndex[index] { return d }
        let number = frame.interface
        if number < devicesByCaptureInterface.count, let d = devicesByCaptureInterface[number] { return d }
        guard number > 0 || devicesByName.count > 1, let interfaces = interfaceSource?.metadata.interfaces,
              interfaces.indices.contains(number) else { return device }
        let d = devicesByName[interfaces[number].deviceName(number: number)] ?? device
        if devicesByCaptureInterface.count <= number {
            devicesByCaptureInterface += repeatElement(nil, count: number + 1 - devicesByCaptureInterface.count)
        }
        devicesByCaptureInterface[number] = d
        return d
    }

    /// The name of the pcapng interface `frame` was captured on (the captured device's without one).
    private func interfaceName(of frame: CapturedFrame) -> String {
        let interfaces = interfaceSource?.metadata.interfaces ?? []
        return interfaces.indices.contains(frame.interface) ? interfaces[frame.interface].deviceName(number: frame.interface)
            : device.name
    }

    /// The trace of a frame of a link type pktpath does not replay, or of an interface without a device
    /// in the host (`why`): it is counted, on its pcapng interface, and says why it goes no further.
    private func unreplayed(_ frame: CapturedFrame, why: String? = nil) -> PacketTrace {
        let name = interfaceName(of: frame)
        kernel.tracer.notModeled("frames of link type \(frame.linkType.described) (interface \(name)): \(why ?? frame.linkType.advice)")
        return PacketTrace(frame: frame.index, timeNanoseconds: frame.timestampNanoseconds, length: frame.originalLength,
                           capturedLength: frame.capturedLength, direction: .rx, device: name,
                           summary: .text("(link type \(frame.linkType.name), not replayed)"), events: kernel.tracer.take())
    }

    /// Traces one 802.11 frame of a monitor-mode capture, as the host station's Wi-Fi interface
    /// receives it. A frame whose radio or MAC header cannot be read is not replayed, and says why.
    private func traceWireless(_ frame: CapturedFrame, _ encapsulation: RadioEncapsulation) -> PacketTrace {
        // In a capture of several interfaces, the frames of a monitor interface need a Wi-Fi device of its name.
        if (interfaceSource?.metadata.interfaces.count ?? 0) > 1, devicesByName[interfaceName(of: frame)] == nil {
            return unreplayed(frame, why: "the host has no Wi-Fi interface of that name to replay them on")
        }
        let device = devicesByName[interfaceName(of: frame)] ?? device
        guard device.ops is Mac80211Device else {
            return unreplayed(frame, why: "802.11 frames are replayed on a Wi-Fi interface (driver iwlwifi), not on \(device.ops.driverName)")
        }
        let wireless = WirelessFrame(frame.bytes, encapsulation: encapsulation)
        let time = frame.unrepresentableTimestamp == nil ? frame.timestampNanoseconds : kernel.now
        let summary: PacketTrace.Summary = writesSummaries ? wirelessSummary(frame, wireless, encapsulation) : .text("")
        var direction = Direction.rx
        var result: FrameResult?
        if let header = wireless.header, header.address2 == device.dev_addr, let mac80211 = device.ops as? Mac80211Device {
            direction = .tx
            if let eth = mac80211.stackFrame(wireless, frame.bytes) {
                // Data from the stack: found as on an Ethernet device, from the 802.3 frame mac80211 was given.
                result = kernel.transmit(frame: frame.index, time: time, bytes: eth, wireLength: eth.count,
                                         link: LinkHeader(eth, encapsulation: .ethernet), device: device)
            } else {
                result = kernel.transmit(frame: frame.index, time: time, bytes: frame.bytes, wireless: wireless, device: device) {
                    mac80211.transmitSent(kernel, &$0, wireless)
                }
            }
        } else if wireless.header != nil {
            result = kernel.receive(frame: frame.index, time: time, bytes: frame.bytes, wireless: wireless, device: device)
        } else {
            kernel.tracer.notModeled("this frame: \(wireless.failure.map(\.description) ?? "no 802.11 header"), so the capture "
                + "does not show the frame the driver received")
        }
        return PacketTrace(frame: frame.index, timeNanoseconds: time, length: frame.originalLength,
                           capturedLength: frame.capturedLength, direction: direction, device: device.name, summary: summary,
                           verdict: result?.verdict ?? .unknown, proto: result?.proto, dropReason: result?.dropReason,
                           dropFunction: result?.dropFunction, causedBy: result?.causedBy,
                           causedByTimer: result?.causedByTimer, reassembled: result?.reassembled ?? false,
                           timers: result?.timers ?? [], events: result?.events ?? kernel.tracer.take())
    }

    /// Traces one frame.
    public func trace(_ frame: CapturedFrame) -> PacketTrace {
        guard frame.linkType.isSupported else { return unreplayed(frame) }
        if let radio = StationInference.encapsulation(of: frame.linkType) { return traceWireless(frame, radio) }
        return traceLinkLayer(frame)
    }

    /// Traces one frame of an Ethernet, cooked or raw-IP capture. (One function with one return, so
    /// that the trace is built where the caller wants it instead of being copied there.)
    private func traceLinkLayer(_ frame: CapturedFrame) -> PacketTrace {
        let link = LinkHeader(frame.bytes, encapsulation: Self.encapsulation(of: frame.linkType))
        let device = device(of: frame, link)
        // On lo the host sent every frame it received: the replay sends it and follows it back in.
        let onLoopback = device.ops is LoopbackDriver
        let outgoing = link.failure == nil && (onLoopback || isOutgoing(frame.bytes, link))
        // A timestamp 64-bit nanoseconds cannot hold leaves the clock where the previous frame put it.
        let time = frame.unrepresentableTimestamp == nil ? frame.timestampNanoseconds : kernel.now
        let timeNote = frame.unrepresentableTimestamp.map { ts in
            "capture timestamp \(ts.seconds) s + \(ts.nanoseconds) ns since 1970 is outside what 64-bit nanoseconds hold "
                + "(1677-09-21 to 2262-04-11): the frame is processed at the previous frame's time"
        }
        let result =
            outgoing
            ? kernel.transmit(frame: frame.index, time: time, timeNote: timeNote, bytes: frame.bytes,
                              wireLength: frame.originalLength, link: link, device: device)
            : kernel.receive(frame: frame.index, time: time, timeNote: timeNote, bytes: frame.bytes,
                             wireLength: frame.originalLength, link: link, device: device)
        return PacketTrace(frame: frame.index, timeNanoseconds: time,
                           length: frame.originalLength, capturedLength: frame.capturedLength,
                           direction: outgoing && !onLoopback ? .tx : .rx, device: device.name, summary: summary(of: frame, link: link),
                           result: result)
    }

    /// Reads the capture to its end, tracing the frames in `frames` (all when nil) and handing each
    /// trace to `body`. Frames outside the range still run through the model, so its state is right.
    /// Throws when the capture breaks; every trace before the break has been handed over.
    public func run(frames range: ClosedRange<Int>? = nil, buffered: [CapturedFrame] = [],
                    _ body: (consuming PacketTrace) throws -> Void) throws -> TraceSummary {
        try run(frames: range, buffered: buffered, withFrames: { trace, _ in try body(consume trace) })
    }

    /// ``run(frames:buffered:_:)`` handing `body` each trace with the captured frame it traced (for
    /// output that writes the capture again).
    public func run(frames range: ClosedRange<Int>? = nil, buffered: [CapturedFrame] = [],
                    withFrames body: (consuming PacketTrace, CapturedFrame) throws -> Void) throws -> TraceSummary {
        var summary = TraceSummary()
        func handle(_ f: CapturedFrame) throws {
            if let range, f.index > range.upperBound { return }
            let t = trace(f)
            if range.map({ $0.contains(f.index) }) ?? true {
                summary.add(t)
                try body(consume t, f)
            }
        }
        var last = 0
        for f in buffered + inMemory {
            last = f.index
            try handle(f)
        }
        var reachedEnd = true
        if let capture {
            var frame = CapturedFrame()
            while try capture.read(into: &frame) {
                if let range, frame.index > range.upperBound {
                    reachedEnd = false
                    break
                }
                last = frame.index
                try handle(frame)
            }
        }
        // Counters as they stood when the capture ended (as nstat read then shows them); then the timers
        // still pending run to their end. A range stopped early has no end to run them from.
        summary.counters = kernel.counters
        summary.devices = Self.deviceCounters(kernel)
        summary.agreement = kernel.agreement
        if reachedEnd {
            summary.lastFrameOfCapture = last
            summary.timersAfterCapture = kernel.runTimersAfterCapture()
        }
        return summary
    }
}

extension ReplaySession {
    /// Every device of the host with the counters the model moved on it (`dev_get_stats`).
    static func deviceCounters(_ kernel: Kernel) -> [String: DeviceCounters] {
        var out: [String: DeviceCounters] = [:]
        for dev in kernel.devices where !dev.isRemote {
            let s = kernel.dev_get_stats(dev)
            var d = DeviceCounters()
            d.rxPackets = s.rx_packets
            d.rxBytes = s.rx_bytes
            d.txPackets = s.tx_packets
            d.txBytes = s.tx_bytes
            d.rxDropped = s.rx_dropped
            d.txDropped = s.tx_dropped
            d.rxNoHandler = s.rx_nohandler
            d.rxOtherHost = s.rx_otherhost_dropped
            out[dev.name] = d
        }
        return out
    }
}

/// Why a replay could not start.
public enum ReplayError: Error, Equatable, CustomStringConvertible {
    case unknownKernel(String)

    public var description: String {
        switch self {
        case .unknownKernel(let v):
            "kernel '\(v)' is not modeled (have: \(KernelProfile.all.keys.sorted().joined(separator: ", ")))"
        }
    }
}
