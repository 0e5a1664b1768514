// Mirrors net/core/rtnetlink.c (Linux 6.1): routing-netlink notifications.
import Trace

/// Functions modeled from `net/core/rtnetlink.c`.
public enum rtnetlink: String, KernelSourceFile {
    public static let path = "net/core/rtnetlink.c"
    case rtnl_notify
}

extension Kernel {
    /// Sends a notification to the rtnetlink group listeners (none in the model).
    func rtnl_notify() {
        traced(rtnetlink.rtnl_notify) { nlmsg_notify() }
    }
}
