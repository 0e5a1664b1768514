// Mirrors net/xfrm/xfrm_policy.c (Linux 6.1): IPsec policy lookup on output routes.
// Not modeled: policies themselves (the model has none, so the route is used as it is).
import Trace

/// Functions modeled from `net/xfrm/xfrm_policy.c`.
public enum xfrm_policy: String, KernelSourceFile {
    public static let path = "net/xfrm/xfrm_policy.c"
    case xfrm_lookup, xfrm_lookup_route
}

extension Kernel {
    /// Looks up IPsec policies for a flow; none exist in the model.
    func xfrm_lookup() {
        traced(xfrm_policy.xfrm_lookup) {}
    }

    /// Looks for an IPsec policy on the route; none exists in the model.
    func xfrm_lookup_route() {
        traced(xfrm_policy.xfrm_lookup_route) {}
    }
}
