// Mirrors net/ipv6/ip6_fib.c (Linux 6.1; 4.14.177 and 6.12 alike here): the IPv6 routing tables as
// router advertisements reach them. The model keeps its routes in a list (`Kernel.routes6`), so these
// functions record the kernel's steps; the tree itself (`fib6_add_1`, `fib6_node_lookup`) is not
// modeled. 4.14 sets a route's metrics inline (`dst_metric_set`): it has no `fib6_metric_set`.
import Trace
import Wire

/// Functions modeled from `net/ipv6/ip6_fib.c`, in the file's order.
public enum ip6_fib_c: String, KernelSourceFile {
    public static let path = "net/ipv6/ip6_fib.c"
    case fib6_get_table, fib6_metric_set, fib6_add, fib6_locate, fib6_del
}

/// The route metrics a router advertisement sets (`RTAX_*`, include/uapi/linux/rtnetlink.h).
enum RTAX: String {
    case RTAX_MTU, RTAX_HOPLIMIT
}

extension Kernel {
    /// Finds the routing table a route goes into (the main table: the model has no policy tables).
    func fib6_get_table() {
        traced(ip6_fib_c.fib6_get_table) {}
    }

    /// Sets a metric of the default router's route (`nil`: no route, nothing to set). 4.14 sets it
    /// inline: the body runs in its caller there.
    func fib6_metric_set(_ route: RouteConfig6?, _ metric: RTAX, _ value: Int) {
        traced(ip6_fib_c.fib6_metric_set) {
            guard let route else { return }
            tracer.note("\(metric.rawValue) of the default route: \(value)")
            guard metric == .RTAX_MTU else { return }
            for i in routes6.indices where routes6[i].addrconf && routes6[i].destination == route.destination
                && routes6[i].gateway == route.gateway && routes6[i].device == route.device {
                routes6[i].mtu = value
            }
        }
    }

    /// Inserts a route into the tree and tells netlink listeners of it.
    func fib6_add() {
        traced(ip6_fib_c.fib6_add) { inet6_rt_notify() }
    }

    /// Finds the node of exactly `prefix` in the tree.
    func fib6_locate(_ prefix: IPv6Prefix) {
        traced(ip6_fib_c.fib6_locate) {}
    }

    /// Takes a route out of the tree (its exceptions flushed) and tells netlink listeners
    /// (RTM_DELROUTE).
    func fib6_del() {
        traced(ip6_fib_c.fib6_del) { inet6_rt_notify() }
    }
}
