// Mirrors net/netlink/af_netlink.c (Linux 6.1): delivery of netlink messages to groups.
import Trace

/// Functions modeled from `net/netlink/af_netlink.c`.
public enum af_netlink: String, KernelSourceFile {
    public static let path = "net/netlink/af_netlink.c"
    case netlink_broadcast_filtered, netlink_broadcast, nlmsg_notify
}

extension Kernel {
    /// Delivers a message to every socket of a group that passes the filter; with no listener, the
    /// message and its clone are freed. (6.1 has this body in `netlink_broadcast`.)
    func netlink_broadcast_filtered() {
        traced(af_netlink.netlink_broadcast_filtered) {
            var message = alloc_skb(frame: currentFrame, bytes: [], wireLength: 0, dev: devices[0])
            consume_skb(&message)
            consume_skb(&message)
        }
    }

    /// Delivers a message to every socket of a group.
    func netlink_broadcast() {
        traced(af_netlink.netlink_broadcast) { netlink_broadcast_filtered() }
    }

    /// Sends a notification to a netlink group (and to the requester when it asked for an echo).
    /// 6.12's inline `nlmsg_multicast` calls `netlink_broadcast_filtered` itself.
    func nlmsg_notify() {
        traced(af_netlink.nlmsg_notify) {
            if profile.version >= .v6_12 { netlink_broadcast_filtered() } else { netlink_broadcast() }
        }
    }
}
