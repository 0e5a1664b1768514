import KernelIwlMvm
import KernelMac80211
import KernelNet
import KernelVeth
import Trace

/// Every kernel source file the model mirrors, across the model's targets: the table of contents
/// behind `pktpath functions`, `explain` and `graph`.
public enum KernelModel {
    /// The per-file function lists, in the order `functions` prints them (by kernel path).
    public static let files: [any KernelSourceFile.Type] = {
        let all: [any KernelSourceFile.Type] = [
            af_packet.self, xfrm_policy.self, eth.self, ip6_input_c.self, exthdrs.self, ipv6_route_c.self, ip6_fib_c.self, ipv6_mcast_c.self, ipv6_icmp_c.self, ndisc_c.self, addrconf_c.self, icmpv6_h.self, ipv6_udp_c.self, tcp_ipv6.self, ipv6_raw_c.self, ipv6_ping_c.self, fib6_rules.self, inet6_hashtables.self, inet6_connection_sock.self, ip6_checksum.self, ip6_output_c.self, ipv6_output_core_c.self, af_inet.self, gro.self, gro_h.self, dev_c.self,
            neighbour.self, skbuff.self, fib_frontend.self, route.self, ping.self, tcp_minisocks.self,
            ip_forward_c.self, inet_hashtables.self, fib_trie.self, tcp_ipv4.self, tcp_offload.self, ip6_offload.self, tcpv6_offload.self, ip_fragment_c.self,
            inet_fragment.self, inet_timewait_sock.self, tcp_input.self, ipv4_tcp_c.self, tcp_output.self, tcp_timer.self, inet_connection_sock.self, raw.self,
            fib_semantics.self, inetpeer.self, arp.self, ip_input.self, ip_options.self, rtnetlink.self, af_netlink.self,
            netfilter_core.self, nft_chain_filter.self, nf_tables_ipv4.self, ipv4_netfilter.self, netfilter_utils.self, nf_tables_core.self, nft_reject_inet.self, nf_reject_ipv4.self, nft_reject_ipv4.self, nf_tables_ipv6.self, nft_reject_ipv6.self, nf_reject_ipv6.self, icmp.self, icmp_h.self, ip_output_c.self, udp.self,
            dst_h.self, neighbour_h.self, route_h.self, ip_fib_h.self, netdevice_h.self, netfilter_h.self,
            sch_generic.self, rxmq.self, mvm_tx.self, iwl_trans_h.self, mvm_mac80211.self, mvm_sta.self, rx.self, mlme.self, mac80211_util.self, wpa.self, wep.self, tkip.self, wireless_util.self, nl80211.self, driver_ops_h.self,
            driver_ops.self, agg_rx.self, agg_tx.self, ht.self, spectmgmt.self, tx.self, wme.self, iface.self, veth.self, loopback.self, tun.self, vlan_core.self, vlan_dev.self, llc_input.self, stp.self, br_stp_bpdu.self,
            br_input.self, br_forward_c.self, br_fdb.self, br_device.self, br_arp_nd_proxy.self,
            ipv6_reassembly_c.self, ipv6_frag_h.self, exthdrs_core.self, sock.self, filter.self, ip_sockglue.self, ipv6_datagram_c.self, syncookies.self, ipv6_syncookies_c.self,
        ]
        return all.sorted { $0.path < $1.path }
    }()

    /// Every modeled function as a trace symbol.
    public static var symbols: [KernelSymbol] { files.flatMap { $0.symbols } }

    /// The symbol of a modeled function, by its kernel name.
    public static func symbol(named name: String) -> KernelSymbol? {
        symbols.first { $0.function == name }
    }
}
