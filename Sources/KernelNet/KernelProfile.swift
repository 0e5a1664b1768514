/// A kernel version the model can run as: which functions its build inlines and which drop reasons
/// it names.
public struct KernelProfile: Sendable, Equatable {
    /// The version as users name it (`6.1`).
    public let version: String
    /// Functions that the version's build (Debian's, for 6.1) inlines into their callers: real traces
    /// (ftrace, eBPF) cannot see them, so traces flag them `inline`.
    public let inlined: Set<String>

    /// Linux 6.1 (Debian bookworm's 6.1.x), the profile checked against the oracle.
    public static let v6_1 = KernelProfile(
        version: "6.1",
        inlined: [
            // static inline in headers, or macros
            "NF_HOOK", "NF_HOOK_COND", "NF_HOOK_LIST", "nf_hook", "dst_input", "dst_output", "neigh_output",
            "neigh_hh_output", "neigh_event_send", "dev_queue_xmit", "netdev_start_xmit", "__netdev_start_xmit",
            "deliver_skb", "gro_normal_one", "gro_normal_list", "__ip_route_output_key", "ip_route_connect",
            "fib_lookup", "drv_wake_tx_queue", "drv_tx", "icmp_send", "__inet_lookup_skb",
            "__netif_receive_skb_list_ptype",
            // static functions the Debian 6.1 build folds into their callers (no symbol, or inlined at
            // the call sites the model follows; checked against the oracle kernel's symbols)
            "ip_rcv_finish", "ip_rcv_options", "ip_route_input_rcu", "ip_route_output_key_hash", "xmit_one",
            "ip_local_out", "ip_send_skb", "veth_forward_skb", "__netif_receive_skb_list", "ip_list_rcv_finish",
            "ip_find", "ip_frag_queue", "ip_frag_reasm", "arp_xmit_finish", "tcp_transmit_skb",
            "tcp_v4_cookie_check", "__mkroute_input", "__mkroute_output", "__udp4_lib_mcast_deliver", "ping_v4_push_pending_frames", "___neigh_create", "napi_skb_finish", "__ieee80211_rx_handle_packet", "ieee80211_invoke_fast_rx",
            "ieee80211_xmit_fast", "iwl_mvm_pass_packet_to_mac80211", "iwl_mvm_rx_pass_to_mac80211",
            "ip_frag_too_far", "ip_frag_reinit", "icmpv4_mask_allow",
        ])

    /// The profiles pktpath knows, by version.
    public static let all: [String: KernelProfile] = ["6.1": .v6_1]

    /// The default profile.
    public static let `default` = KernelProfile.v6_1
}
