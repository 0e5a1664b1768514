/// The kernel versions pktpath models, oldest first.
public enum KernelVersion: String, Sendable, CaseIterable, Comparable {
    /// Linux 4.14 (read from 4.14.177): no list receive, no drop reasons, iwlwifi without TXQs.
    case v4_14 = "4.14"
    /// Linux 6.1 (Debian bookworm's 6.1.x), the version the oracle boots.
    case v6_1 = "6.1"
    /// Linux 6.12 (Debian's 6.12.x).
    case v6_12 = "6.12"

    public static func < (a: Self, b: Self) -> Bool { a.age < b.age }

    /// The position in release order (the model compares versions on every frame: no search).
    private var age: Int {
        switch self {
        case .v4_14: 0
        case .v6_1: 1
        case .v6_12: 2
        }
    }
}

/// A kernel version the model can run as: which of the modeled functions it has, where it defines
/// them, which its build inlines, and whether it names drop reasons.
///
/// The model is written once; where versions differ it asks its profile (`has`), and a function the
/// profile lacks is not recorded: the code that runs in its place is the caller's in that version
/// (4.14's `ip_rcv` does the header checks 6.1 moved into `ip_rcv_core`).
public struct KernelProfile: Sendable, Equatable {
    public let version: KernelVersion
    /// Functions that the version's build inlines into their callers: real traces (ftrace, eBPF)
    /// cannot see them, so traces flag them `inline`.
    public let inlined: Set<String>
    /// Modeled functions this version never records: absent from its source, with their work done by
    /// the caller, or present but on no path this version takes.
    public let absent: Set<String>
    /// Modeled functions this version defines in another file than the model's file enum says.
    public let relocated: [String: String]
    /// Whether the version passes drop reasons to `kfree_skb` (5.17 and later); before, the dropping
    /// function is all a trace can name.
    public let namesDropReasons: Bool
    /// Functions that free their drops with `sk_skb_reason_drop` directly (or through an inlined
    /// helper such as `tcp_drop_reason`) instead of the `kfree_skb_reason` wrapper.
    public let dropsWithSocket: Set<String>
    /// Which source tree the facts of the profile were read from.
    public let source: String

    /// Whether the version has `fn` on its paths.
    @inline(__always)
    public func has<F: KernelSourceFile>(_ fn: F) -> Bool { !absent.contains(fn.rawValue) }

    /// The file that defines `function` in this version, given the model's file for it.
    @inline(__always)
    public func file(of function: String, modelFile: String) -> String { relocated[function] ?? modelFile }

    /// Functions that 6.1 and later inline on the paths the model follows.
    private static let inlined6: Set<String> = [
        // static inline in headers, or macros
        "NF_HOOK", "NF_HOOK_COND", "NF_HOOK_LIST", "nf_hook", "dst_input", "dst_output", "neigh_output",
        "neigh_hh_output", "neigh_event_send", "dev_queue_xmit", "netdev_start_xmit", "__netdev_start_xmit",
        "deliver_skb", "gro_normal_one", "gro_normal_list", "__ip_route_output_key", "ip_route_connect",
        "fib_lookup", "drv_wake_tx_queue", "drv_tx", "icmp_send", "__inet_lookup_skb",
        "__netif_receive_skb_list_ptype", "__dev_xmit_skb",
        // static with a single caller, which GCC inlines (called-once inlining); not yet confirmed
        // against the oracle kernel's symbols (no fixture sends a GSO skb through the oracle)
        "ip_finish_output_gso",
        // static functions the Debian 6.1 build folds into their callers (no symbol, or inlined at
        // the call sites the model follows; checked against the oracle kernel's symbols)
        "ip_rcv_finish", "ip_rcv_options", "ip_route_input_rcu", "ip_route_output_key_hash", "xmit_one",
        "ip_local_out", "ip_send_skb", "veth_forward_skb", "__netif_receive_skb_list", "ip_list_rcv_finish",
        "ip6_rcv_finish", "ip6_protocol_deliver_rcu", "icmpv6_send", "icmpv6_param_prob",
        "__ip6_finish_output",
        // MLD: the worker's per-packet handlers and the query's version helpers have no symbol in Debian's
        // 6.1 and 6.12 builds (available_filter_functions); 4.14 has no worker
        "__mld_query_work", "__mld_report_work", "mld_process_v1", "mld_process_v2",
        // the state-change report's builder, folded into mld_ifc_work (no symbol in Debian's 6.1 and 6.12 builds)
        "mld_send_cr",
        // raw socket delivery: static, no symbol in Debian's 6.1 and 6.12 builds (available_filter_functions)
        "raw_v4_input", "ipv6_raw_deliver", "raw_err", "rawv6_err",
        // static inline over sock_queue_rcv_skb_reason (include/net/sock.h); a function in 4.14
        "sock_queue_rcv_skb",
        "ip_find", "ip_frag_queue", "ip_frag_reasm", "fq_find", "ip6_frag_queue", "ip6_frag_reasm", "ip6frag_expire_frag_queue", "ip6_forward_finish",
        "ipv6frag_thdr_truncated", "arp_xmit_finish", "tcp_transmit_skb",
        "tcp_v4_cookie_check", "tcp_v4_timewait_ack", "__mkroute_input", "__mkroute_output", "__udp4_lib_mcast_deliver",
        "tcp_sequence",
        // static, called once (from tcp_rcv_state_process): no symbol in Debian's 6.1 build (the oracle's
        // available_filter_functions); taken as folded alike in 4.14 and 6.12
        "tcp_rcv_synsent_state_process",
        // static inline over __udp6_lib_err (net/ipv6/udp.c; the oracle's v6_pmtu shows icmpv6_notify call
        // __udp6_lib_err)
        "udpv6_err",
        // static, no symbol in Debian's 6.1 build (the oracle's available_filter_functions)
        "rawv6_push_pending_frames",
        "ping_v4_push_pending_frames", "___neigh_create", "napi_skb_finish", "__ieee80211_rx_handle_packet",
        "ieee80211_invoke_fast_rx", "ieee80211_xmit_fast", "ieee80211_accept_frame", "ieee80211_invoke_rx_handlers",
        "ieee80211_rx_monitor", "iwl_mvm_pass_packet_to_mac80211",
        // static, no symbol in Debian's 6.1 and 6.12 modules (nm of iwlmvm.ko and mac80211.ko)
        "iwl_mvm_rx_crypto", "ieee80211_reassemble_add", "ieee80211_reassemble_find",
        "iwl_mvm_is_dup", "iwl_mvm_reorder", "iwl_mvm_del_ba", "iwl_mvm_free_reorder", "iwl_mvm_sync_rxq_del_ba",
        "iwl_mvm_rx_pass_to_mac80211", "iwl_trans_tx", "ip_frag_too_far", "ip_frag_reinit", "icmpv4_mask_allow",
        // the bridge: nf_hook_bridge_pre and deliver_clone have no symbol; br_netif_receive_skb is
        // inlined where NF_HOOK calls it (the oracle's bridge run, Fixtures/oracle/bridge_rx)
        "nf_hook_bridge_pre", "deliver_clone", "br_netif_receive_skb",
        // mac80211's RX handlers: only ieee80211_rx_h_michael_mic_verify (wpa.c) keeps a symbol; the others,
        // the conversion and the port checks are folded into ieee80211_rx_handlers or ieee80211_frame_allowed
        // (the oracle-wifi examples, e.g. arp_request)
        "ieee80211_rx_h_check_dup", "ieee80211_rx_h_check", "ieee80211_rx_h_check_more_data",
        "ieee80211_rx_h_uapsd_and_pspoll", "ieee80211_rx_h_sta_process", "ieee80211_rx_h_decrypt",
        "ieee80211_rx_h_defragment", "ieee80211_rx_h_amsdu", "ieee80211_rx_h_data", "ieee80211_rx_h_ctrl",
        "ieee80211_rx_h_mgmt_check", "ieee80211_rx_h_action", "ieee80211_rx_h_userspace_mgmt",
        "ieee80211_rx_h_action_post_userspace", "ieee80211_rx_h_action_return", "ieee80211_rx_h_ext",
        "ieee80211_rx_h_mgmt", "__ieee80211_data_to_8023", "ieee80211_802_1x_port_control", "ieee80211_drop_unencrypted",
        // mac80211's TX handlers without a symbol in the Debian 6.1 and 6.12 modules (select_key, rate_ctrl,
        // encrypt and wpa.c's michael_mic_add keep one), and the association request's builder
        "ieee80211_tx_h_dynamic_ps", "ieee80211_tx_h_check_assoc", "ieee80211_tx_h_ps_buf",
        "ieee80211_tx_h_check_control_port_protocol", "ieee80211_tx_h_sequence", "ieee80211_tx_h_fragment",
        "ieee80211_tx_h_stats", "ieee80211_tx_h_calculate_duration", "ieee80211_send_assoc",
    ]

    /// Functions only 4.14 records: 6.x has them elsewhere or off the modeled paths.
    private static let only4_14: Set<String> = [
        "kfree_skb", "kfree_skb_list", "__raw_v4_lookup", "__raw_v6_lookup", "dev_forward_skb", "netif_receive_skb_internal", "netdev_pick_tx", "sch_direct_xmit",
        "__dev_xmit_skb", "validate_xmit_skb_list", "netif_rx_ni", "ieee80211_tx_frags", "drv_tx",
        "iwl_mvm_mac_tx", "__ieee80211_tx",
        // mac80211's rate control and Duration field: the model's 6.x iwlwifi does them in the firmware
        "ieee80211_tx_h_rate_ctrl", "ieee80211_tx_h_calculate_duration", "ieee80211_netdev_select_queue",
        // the LOCAL_OUT hook functions of nftables' ip and ip6 families (6.x runs nft_do_chain_ipv4 and
        // nft_do_chain_ipv6, defined in nft_chain_filter.c, on every hook)
        "nft_ipv4_output", "nft_ipv6_output",
        // 6.1 dropped VLAN passthru header_ops: every VLAN device writes its header with vlan_dev_hard_header.
        "vlan_passthru_hard_header",
        // the bridge's proxy ARP moved to br_arp_nd_proxy.c as br_do_proxy_suppress_arp
        "br_do_proxy_arp",
        // a path MTU clone goes into the tree (4.14); later versions hang it under its route as an exception
        "ip6_ins_rt",
        // MLD's report timers; 6.1 runs the same as delayed work (mld_gq_work, mld_ifc_work, mld_dad_work, mld_mca_work)
        "mld_gq_timer_expire", "mld_ifc_timer_expire", "mld_dad_timer_expire", "igmp6_timer_handler",
        // mac80211's check of unprotected management frames, folded into ieee80211_rx_h_mgmt_check, its
        // only caller (no symbol in Debian's 6.1 build: Fixtures/oracle-wifi/addba_ht20/mac80211_symbols.txt)
        "ieee80211_drop_unencrypted_mgmt",
    ]

    /// Linux 4.14, from the 4.14.177 tree. Inlining follows the source (`static inline`, macros) and,
    /// for static functions with one caller, the 6.1 build's choice; `dev_queue_xmit` and
    /// `ip_route_input_rcu` are real functions there, and `ip_rcv_finish` is the large function that
    /// routes (4.14 stack traces show it as a frame of its own).
    public static let v4_14 = KernelProfile(
        version: .v4_14,
        inlined: inlined6.union(["kfree_skb_reason", "ieee80211_tx_skb_tid", "kfree_skb_list", "iwl_mvm_check_pn"]).subtracting(["dev_queue_xmit", "ip_route_input_rcu", "ip_rcv_finish", "sock_queue_rcv_skb",
                                                                   "ip6_rcv_finish", "icmpv6_send", "icmpv6_param_prob"]),
        absent: [
            // not in 4.14.177: their work is done by the caller
            "veth_forward_skb", "__dev_forward_skb2", "__netif_rx", "__netif_receive_skb_one_core",
            "netif_receive_skb_list_internal", "netif_receive_skb_list", "__netif_receive_skb_list", "__netif_receive_skb_list_core",
            "__netif_receive_skb_list_ptype", "ip_list_rcv", "ip_list_rcv_finish", "ip_sublist_rcv",
            "ip_sublist_rcv_finish", "NF_HOOK_LIST", "gro_normal_one", "gro_normal_list", "netdev_core_pick_tx",
            "__neigh_update", "___neigh_create", "kfree_skb_reason", "ip_rcv_core", "ip_rcv_finish_core",
            "ip_protocol_deliver_rcu", "__ip_queue_xmit", "__ip_finish_output", "ip_fraglist_init",
            "ip_fraglist_prepare", "ip_frag_init", "ip_frag_next", "udp_queue_rcv_one_skb", "ip6_rcv_core", "ieee80211_rx_list",
            // iwlwifi's frame release notification releases the frames itself
            "iwl_mvm_release_frames_from_notif",
            // IPv6: ipv6_rcv validates, ip6_rcv_finish demuxes and routes, ip6_input_finish walks the
            // headers; no list receive; icmpv6_param_prob (no reason) in place of icmpv6_param_prob_reason
            "ip6_rcv_finish_core", "ip6_protocol_deliver_rcu", "ipv6_list_rcv", "ip6_sublist_rcv", "ip6_list_rcv_finish",
            // TCP: tcp_v6_err sets sk_err and calls tcp_done itself, and reverts no backoff (RFC 6069 came to
            // IPv6 later)
            "tcp_done_with_error", "tcp_ld_RTO_revert",
            "ip6_sublist_rcv_finish", "udpv6_queue_rcv_one_skb", "icmpv6_param_prob_reason", "fib6_table_lookup",
            // MLD's queries and reports are handled in the softirq: no queues, no worker
            "__mld_query_work", "mld_query_work", "__mld_report_work", "mld_report_work",
            // MLD's reports are sent from timers (mld_gq_timer_expire, ...), not delayed work
            "mld_gq_work", "mld_ifc_work", "mld_dad_work", "mld_mca_work",
            "__ip6_finish_output", "ip6_route_output_flags_noref",
            // reassembly does not check that a first fragment holds the upper-layer header
            "ipv6frag_thdr_truncated",
            // path MTU clones are added to the routing tree (ip6_ins_rt): no exceptions yet
            "rt6_insert_exception",
            // ip6_fragment walks the buffer list itself, and copies out the slow path's fragments itself
            "ip6_fraglist_init", "ip6_fraglist_prepare", "ip6_frag_init", "ip6_frag_next",
            // a router advertisement sets the default route's metrics inline (dst_metric_set)
            "fib6_metric_set",
            "ieee80211_rx_8023", "ieee80211_deliver_skb_to_local_stack", "iwl_mvm_mac_wake_tx_queue",
            "iwl_mvm_mac_itxq_xmit", "iwl_mvm_tx_skb_sta", "drv_wake_tx_queue", "ieee80211_tx_dequeue",
            "ieee80211_rx_for_interface", "ieee80211_queue_skb_to_iface", "ieee80211_iface_process_skb",
            "ieee80211_rx_h_action_post_userspace", "ieee80211_rx_h_ext", "cfg80211_rx_control_port",
            // added after 6.1
            "__ieee80211_xmit_fast", "sk_skb_reason_drop", "inet_frag_queue_flush",
            // chained buffers are freed by kfree_skb_list (no reasons)
            "kfree_skb_list_reason",
            // raw sockets are looked up with __raw_v4_lookup / __raw_v6_lookup; sockets queue without reasons
            "raw_v4_match", "raw_v6_match", "sock_queue_rcv_skb_reason",
            // not in 4.14.177 (the global ICMP limit took no credit per message)
            "icmp_global_consume",
            // the inet family's chains run the ipv4 family's hook functions
            "nft_do_chain_inet",
            // no aggregation check on transmit; the queue is chosen through ndo_select_queue
            "ieee80211_aggr_check", "__ieee80211_select_queue",
            // the supplicant sends EAPOL through a packet socket (control port over nl80211 came in 4.17)
            "ieee80211_tx_control_port",
            // arp_process reads the arp_accept sysctl itself
            "arp_accept",
            // GRO merging is not modeled for 4.14 (its callbacks are called through bare function
            // pointers; an aggregate goes on unmerged, with a not-modeled note)
            "skb_gro_receive", "napi_gro_complete", "inet_gro_receive", "inet_gro_complete", "tcp_gro_receive",
            "tcp_gro_complete", "tcp4_gro_receive", "tcp4_gro_complete", "ipv6_gro_receive", "ipv6_gro_complete",
            "tcp6_gro_receive", "tcp6_gro_complete",
            // the bridge: br_handle_frame runs NF_BR_PRE_ROUTING with NF_HOOK, and br_input.c's own
            // br_do_proxy_arp looks at ARP (4.14 has no br_arp_nd_proxy.c)
            "nf_hook_bridge_pre", "br_do_proxy_suppress_arp",
        ],
        relocated: [
            "dev_queue_xmit": "net/core/dev.c",
            "napi_gro_receive": "net/core/dev.c", "dev_gro_receive": "net/core/dev.c",
            "napi_skb_finish": "net/core/dev.c",
            "__skb_checksum_complete": "net/core/datagram.c",
            "nf_ip_checksum": "net/ipv4/netfilter.c", "nf_ip6_checksum": "net/ipv6/netfilter.c",
            "iwl_mvm_tx_skb": "drivers/net/wireless/intel/iwlwifi/mvm/tx.c",
            "ieee80211_tx_skb_tid": "net/mac80211/ieee80211_i.h",
            "icmpv6_send": "net/ipv6/ip6_icmp.c", "icmpv6_param_prob": "net/ipv6/icmp.c",
        ],
        namesDropReasons: false,
        dropsWithSocket: [],
        source: "linux-4.14.177")

    /// Linux 6.1 (Debian bookworm's 6.1.x), the profile checked against the oracle.
    public static let v6_1 = KernelProfile(
        version: .v6_1,
        // kfree_skb_list_reason: skb_release_data's call is inlined (the oracle's s_frag shows
        // kfree_skb_reason right under skb_release_data; 6.12's, marked __fix_address, is a frame)
        // mac80211's block-ack code: the oracle's ADDBA request (Fixtures/oracle-wifi/addba_ht20) shows
        // ieee80211_iface_work -> ieee80211_process_addba_request -> drv_ampdu_action and the response's
        // ieee80211_tx_skb_tid, the functions between and the response's builder folded in; the module's
        // symbols (mac80211_symbols.txt) lack the static ones and keep ieee80211_rx_h_action_return
        inlined: inlined6.union(["kfree_skb_list_reason", "ieee80211_iface_process_skb", "ieee80211_queue_skb_to_iface",
                                 "__ieee80211_start_rx_ba_session",
                                 "___ieee80211_start_rx_ba_session", "ieee80211_send_addba_resp", "ieee80211_send_addba_request",
                                 "ieee80211_send_refuse_measurement_request"]).subtracting(["ieee80211_rx_h_action_return"]),
        absent: only4_14.union(["__ieee80211_xmit_fast", "sk_skb_reason_drop", "netlink_broadcast_filtered",
                                "ieee80211_select_queue", "inet_frag_queue_flush"]),
        relocated: ["sock_queue_rcv_skb": "include/net/sock.h",
                    "nft_do_chain_ipv4": "net/netfilter/nft_chain_filter.c", "nft_do_chain_ipv6": "net/netfilter/nft_chain_filter.c"],
        namesDropReasons: true,
        dropsWithSocket: [],
        source: "Debian linux-source-6.1 (6.1.192)")

    /// Linux 6.12 (Debian's 6.12.x). `kfree_skb_reason` became a `static inline` in
    /// `include/linux/skbuff.h` over `sk_skb_reason_drop`, mac80211's fast xmit gained
    /// `__ieee80211_xmit_fast`, and iwlwifi's `iwl_trans_tx` is a function in `iwl-trans.c`.
    public static let v6_12 = KernelProfile(
        version: .v6_12,
        // iwl_mvm_check_pn: static inline, a symbol of its own in 6.1's iwlmvm.ko (constprop) but not in 6.12's
        inlined: inlined6.union(["kfree_skb_reason", "iwl_mvm_check_pn"]).subtracting(["iwl_trans_tx"]),
        // raw sockets queue through sock_queue_rcv_skb_reason directly, over IPv6 too; receive block-ack
        // sessions start and stop in the `__` functions themselves
        // iwlwifi's reorder buffer has no timer (the device's frame release notification does its work)
        absent: only4_14.union(["netlink_broadcast", "__ieee80211_select_queue", "sock_queue_rcv_skb", "iwl_mvm_reorder_timer_expired",
                                "___ieee80211_start_rx_ba_session", "___ieee80211_stop_rx_ba_session"]),
        relocated: ["kfree_skb_reason": "include/linux/skbuff.h",
                    "nft_do_chain_ipv4": "net/netfilter/nft_chain_filter.c", "nft_do_chain_ipv6": "net/netfilter/nft_chain_filter.c",
                    "iwl_trans_tx": "drivers/net/wireless/intel/iwlwifi/iwl-trans.c"],
        namesDropReasons: true,
        dropsWithSocket: [
            "tcp_v4_rcv", "tcp_v4_do_rcv", "__udp4_lib_rcv", "udp_queue_rcv_one_skb", "__udp_queue_rcv_skb", "tcp_v6_rcv", "tcp_v6_do_rcv",
            "__udp6_lib_rcv",
            "tcp_data_queue", "tcp_rcv_established", "tcp_rcv_state_process", "tcp_validate_incoming",
            "tcp_rcv_synsent_state_process",
        ],
        source: "Debian linux-source-6.12 (6.12.117)")

    /// Whether the version's build inlines `function`.
    public func isInlined(_ function: String) -> Bool { inlined.contains(function) }

    /// The profiles pktpath knows, by version name.
    public static let all: [String: KernelProfile] = Dictionary(
        uniqueKeysWithValues: [v4_14, v6_1, v6_12].map { ($0.version.rawValue, $0) })

    /// The default profile: the newest.
    public static let `default` = KernelProfile.v6_12
}
