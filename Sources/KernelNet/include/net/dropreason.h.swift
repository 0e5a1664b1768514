// Mirrors include/net/dropreason.h (Linux 6.1): `enum skb_drop_reason`, the reasons the model raises.

/// Models `enum skb_drop_reason`; raw values are the names the kernel's tracepoint prints.
public enum SKBDropReason: String, Sendable, CaseIterable {
    case NOT_SPECIFIED = "SKB_DROP_REASON_NOT_SPECIFIED"
    /// 6.12's mac80211 reasons (net/mac80211/drop.h, the `SKB_DROP_REASON_SUBSYS_MAC80211_*` subsystems):
    /// a frame dropped for monitor interfaces only, a data frame that would not convert to 802.3.
    case RX_DROP_MONITOR = "RX_DROP_MONITOR"
    case RX_DROP_U_INVALID_8023 = "RX_DROP_U_INVALID_8023"
    /// 6.12's reasons for action frames: shorter than a category, from no station, a returned frame,
    /// and one returned to its sender.
    case RX_DROP_U_RUNT_ACTION = "RX_DROP_U_RUNT_ACTION"
    /// 6.12's reasons for unprotected management frames (`ieee80211_drop_unencrypted_mgmt`): an
    /// unprotected dual of a protected action, a unicast robust frame under management frame protection,
    /// a group robust frame without an MMIE, a robust action frame before keys or before the association.
    case RX_DROP_U_UNPROT_DUAL = "RX_DROP_U_UNPROT_DUAL"
    case RX_DROP_U_UNPROT_UCAST_MGMT = "RX_DROP_U_UNPROT_UCAST_MGMT"
    case RX_DROP_U_UNPROT_MCAST_MGMT = "RX_DROP_U_UNPROT_MCAST_MGMT"
    case RX_DROP_U_UNPROT_ACTION = "RX_DROP_U_UNPROT_ACTION"
    case RX_DROP_U_UNPROT_ROBUST_ACTION = "RX_DROP_U_UNPROT_ROBUST_ACTION"
    case RX_DROP_U_ACTION_UNKNOWN_SRC = "RX_DROP_U_ACTION_UNKNOWN_SRC"
    case RX_DROP_U_REJECTED_ACTION_RESPONSE = "RX_DROP_U_REJECTED_ACTION_RESPONSE"
    case RX_DROP_U_UNKNOWN_ACTION_REJECTED = "RX_DROP_U_UNKNOWN_ACTION_REJECTED"
    /// 6.12's reasons for protected frames and fragments: no room for the key index, a packet number
    /// not above the last one (or, in a fragment, not the next one), too short for the cipher's header,
    /// a fragment that is not CCMP or GCMP after one that was, an unprotected fragment after a protected one.
    case RX_DROP_U_NO_KEY_ID = "RX_DROP_U_NO_KEY_ID"
    case RX_DROP_U_REPLAY = "RX_DROP_U_REPLAY"
    case RX_DROP_U_SHORT_CCMP = "RX_DROP_U_SHORT_CCMP"
    case RX_DROP_U_SHORT_GCMP = "RX_DROP_U_SHORT_GCMP"
    case RX_DROP_U_NONSEQ_PN = "RX_DROP_U_NONSEQ_PN"
    case RX_DROP_U_EXPECT_DEFRAG_PROT = "RX_DROP_U_EXPECT_DEFRAG_PROT"
    /// 6.12's TKIP reasons: too short for the IV and ICV, an IV that fails the check, too short for the
    /// Michael MIC.
    case RX_DROP_U_SHORT_TKIP = "RX_DROP_U_SHORT_TKIP"
    case RX_DROP_U_TKIP_FAIL = "RX_DROP_U_TKIP_FAIL"
    case RX_DROP_U_SHORT_MMIC = "RX_DROP_U_SHORT_MMIC"
    /// 6.12's reason for a WEP frame too short for its IV.
    case RX_DROP_U_NO_IV = "RX_DROP_U_NO_IV"
    /// Not in 6.1; 6.12 has it (include/net/dropreason-core.h).
    case DUP_FRAG = "SKB_DROP_REASON_DUP_FRAG"
    /// Not in 6.1; 6.12 has it (ip_expire and the fragments of a timed-out queue).
    case FRAG_REASM_TIMEOUT = "SKB_DROP_REASON_FRAG_REASM_TIMEOUT"
    /// Not in 6.1; 6.12 has it (the fragments of a queue restarted by ip_frag_reinit).
    case FRAG_TOO_FAR = "SKB_DROP_REASON_FRAG_TOO_FAR"
    /// Not in 6.1 (its `ndisc_rcv` returns no reason); 6.12 has them: a neighbour discovery message
    /// with a hop limit other than 255, a code other than 0, options that do not parse, an NS for an
    /// address that is not the host's.
    case IPV6_NDISC_HOP_LIMIT = "SKB_DROP_REASON_IPV6_NDISC_HOP_LIMIT"
    case IPV6_NDISC_BAD_CODE = "SKB_DROP_REASON_IPV6_NDISC_BAD_CODE"
    case IPV6_NDISC_BAD_OPTIONS = "SKB_DROP_REASON_IPV6_NDISC_BAD_OPTIONS"
    case IPV6_NDISC_NS_OTHERHOST = "SKB_DROP_REASON_IPV6_NDISC_NS_OTHERHOST"
    /// Not in 6.1; 6.12 has it (an ICMPv6 error whose quoted extension headers run out, icmpv6_notify).
    case IPV6_BAD_EXTHDR = "SKB_DROP_REASON_IPV6_BAD_EXTHDR"
    case NO_SOCKET = "SKB_DROP_REASON_NO_SOCKET"
    case PKT_TOO_SMALL = "SKB_DROP_REASON_PKT_TOO_SMALL"
    case TCP_CSUM = "SKB_DROP_REASON_TCP_CSUM"
    case UDP_CSUM = "SKB_DROP_REASON_UDP_CSUM"
    case NETFILTER_DROP = "SKB_DROP_REASON_NETFILTER_DROP"
    case OTHERHOST = "SKB_DROP_REASON_OTHERHOST"
    case IP_CSUM = "SKB_DROP_REASON_IP_CSUM"
    case IP_INHDR = "SKB_DROP_REASON_IP_INHDR"
    case IP_RPFILTER = "SKB_DROP_REASON_IP_RPFILTER"
    case UNICAST_IN_L2_MULTICAST = "SKB_DROP_REASON_UNICAST_IN_L2_MULTICAST"
    case IP_NOPROTO = "SKB_DROP_REASON_IP_NOPROTO"
    case SOCKET_RCVBUFF = "SKB_DROP_REASON_SOCKET_RCVBUFF"
    case TCP_FLAGS = "SKB_DROP_REASON_TCP_FLAGS"
    case TCP_INVALID_SEQUENCE = "SKB_DROP_REASON_TCP_INVALID_SEQUENCE"
    case TCP_RESET = "SKB_DROP_REASON_TCP_RESET"
    /// A segment wholly before the receive window; not in 6.1, which names it `TCP_INVALID_SEQUENCE`.
    case TCP_OLD_SEQUENCE = "SKB_DROP_REASON_TCP_OLD_SEQUENCE"
    case TCP_INVALID_SYN = "SKB_DROP_REASON_TCP_INVALID_SYN"
    case TCP_CLOSE = "SKB_DROP_REASON_TCP_CLOSE"
    case TCP_OLD_DATA = "SKB_DROP_REASON_TCP_OLD_DATA"
    case UNHANDLED_PROTO = "SKB_DROP_REASON_UNHANDLED_PROTO"
    case ICMP_CSUM = "SKB_DROP_REASON_ICMP_CSUM"
    case INVALID_PROTO = "SKB_DROP_REASON_INVALID_PROTO"
    case IP_INADDRERRORS = "SKB_DROP_REASON_IP_INADDRERRORS"
    case IP_INNOROUTES = "SKB_DROP_REASON_IP_INNOROUTES"
    case PKT_TOO_BIG = "SKB_DROP_REASON_PKT_TOO_BIG"
    case NEIGH_FAILED = "SKB_DROP_REASON_NEIGH_FAILED"
    case IPV6DISABLED = "SKB_DROP_REASON_IPV6DISABLED"
}
