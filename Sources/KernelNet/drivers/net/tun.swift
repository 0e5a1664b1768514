// Mirrors drivers/net/tun.c (Linux 6.1; 4.14 and 6.12 take the same path): a tun device in IFF_TUN
// mode with IFF_NO_PI, as VPN clients and container runtimes open it. Its other side is a file
// descriptor in user space: a packet the program writes there is received by the host, a packet the
// host sends on the device is queued for the program to read. The device has no link-layer header
// (captures show raw IP), no MAC address and no ARP or neighbour discovery (IFF_POINTOPOINT | IFF_NOARP).
// Not modeled: IFF_TAP, the packet-information header (IFF_PI), virtio-net headers and GSO from user
// space, NAPI mode (IFF_NAPI), XDP, multiple queues, a full queue or a detached file (the program is
// taken to read every packet the capture shows).
import Trace

/// Functions modeled from `drivers/net/tun.c`.
public enum tun: String, KernelSourceFile {
    public static let path = "drivers/net/tun.c"
    case tun_chr_write_iter, tun_get_user, tun_rx_batched, tun_net_xmit
}

/// The tun driver as the host's device sees it: the program holding the device's file writes what the
/// host receives and reads what it sends.
public final class TunDriver: NetDeviceOps {
    public let driverName = "tun"
    /// tun does not set `IFF_NO_QUEUE`: the device gets the default qdisc when it comes up.
    public func isNoQueue(in kernel: Kernel) -> Bool { false }
    /// The write hands each packet to the core itself, in the writer's process context.
    public let receiveMode = ReceiveMode.process
    /// An IFF_TUN device gets `ip_tunnel_header_ops` in 6.1 and 6.12 (`tun_net_initialize`), none in
    /// 4.14 (`tun_net_init`).
    public func headerOps(in kernel: Kernel) -> HeaderOps { kernel.profile.version >= .v6_1 ? .ipTunnel : .none }

    public init() {}

    public func receive(_ kernel: Kernel, _ skb: inout SKBuff) -> Bool {
        kernel.tracer.note("written to the file of \(skb.dev.name) by the program that holds it")
        return kernel.tun_chr_write_iter(&skb)
    }

    public func ndo_start_xmit(_ kernel: Kernel, _ skb: inout SKBuff) -> NetdevTx {
        kernel.tun_net_xmit(&skb)
    }
}

extension Kernel {
    /// The `write` of a tun device's file: takes the packet the program wrote (`tun_get_user`).
    func tun_chr_write_iter(_ skb: inout SKBuff) -> Bool {
        traced(tun.tun_chr_write_iter) { tun_get_user(&skb) }
    }

    /// Builds the skb from what was written. With IFF_NO_PI, the protocol comes from the IP version in
    /// the packet's first byte; anything but 4 or 6 (or an empty write) is dropped with the write
    /// failing (-EINVAL) and counted in the device's `rx_dropped`. The packet then goes straight into
    /// the receive core (`tun_rx_batched`, `rx_batched` 0 by default) and counts as received.
    func tun_get_user(_ skb: inout SKBuff) -> Bool {
        traced(tun.tun_get_user) {
            let version = skb.len > 0 && skb.data < skb.bytes.count ? skb.bytes[skb.data] >> 4 : nil
            switch version {
            case 4: skb.protocol = .ipv4
            case 6: skb.protocol = .ipv6
            default:
                tracer.note(version.map { "IP version \($0) in the first byte: neither 4 nor 6 (-EINVAL)" }
                    ?? "an empty write (-EINVAL)")
                countLink(skb.dev) { $0.rx_dropped += 1 }
                kfree_skb_reason(&skb, .NOT_SPECIFIED)
                return false
            }
            skb.mac_header = skb.data
            skb.network_header = skb.data
            skb.pkt_type = .PACKET_HOST
            let length = skb.len
            tun_rx_batched(&skb)
            countLink(skb.dev) { $0.rx_packets += 1; $0.rx_bytes += length }
            return true
        }
    }

    /// With batching off (`rx_batched` 0, the default), hands the packet to `netif_receive_skb` at once.
    func tun_rx_batched(_ skb: inout SKBuff) {
        traced(tun.tun_rx_batched) { _ = netif_receive_skb(&skb) }
    }

    /// The device's `ndo_start_xmit`: queues the packet on the file's ring for the program to read
    /// (`tun_put_user` counts it as sent when the program reads it; the model counts it here).
    func tun_net_xmit(_ skb: inout SKBuff) -> NetdevTx {
        traced(tun.tun_net_xmit) {
            tracer.note("queued on the file of \(skb.dev.name) for the program that holds it to read")
            let length = skb.len
            countLink(skb.dev) { $0.tx_packets += 1; $0.tx_bytes += length }
            return .NETDEV_TX_OK
        }
    }
}
