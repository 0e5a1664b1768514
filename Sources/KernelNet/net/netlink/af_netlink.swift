// Mirrors net/netlink/af_netlink.c (Linux 6.1): delivery of netlink messages to groups.
import Trace

/// Functions modeled from `net/netlink/af_netlink.c`.
public enum af_netlink: String, KernelSourceFile {
    public static let path = "net/netlink/af_netlink.c"
    case netlink_broadcast, nlmsg_notify
}

extension Kernel {
    /// Delivers a message to every socket of a group; with no listener, the message and its clone
    /// are freed.
    func netlink_broadcast() {
        traced(af_netlink.netlink_broadcast) {
            var message = alloc_skb(frame: currentFrame, bytes: [], wireLength: 0, dev: devices[0])
            consume_skb(&message)
            consume_skb(&message)
        }
    }

    /// Sends a notification to a netlink group (and to the requester when it asked for an echo).
    func nlmsg_notify() {
        traced(af_netlink.nlmsg_notify) { netlink_broadcast() }
    }
}
