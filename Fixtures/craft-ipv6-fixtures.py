#!/usr/bin/python3
"""Frames and programs for make-fixtures-ipv6.sh (IPv6 fixtures, issue 11).

Usage: craft-ipv6-fixtures.py COMMAND [ARG...]   (run inside p6b-peer unless noted)

scapy frames, sent from p6b-peer on the interface p6b-peer with sendp():
  exthdr       extension-header oddities: RH0, unknown options with each action pair, truncated
               headers, hop-by-hop not first, jumbo, unknown next header, bad IPv6 headers
  ndisc        neighbour solicitations and advertisements, valid and not (hop limit, code, options),
               DAD probes, a router solicitation, a redirect
  ra           router advertisements: a valid one (prefix, MTU, source link-layer address) and
               invalid ones (hop limit, global source, MTU below 1280)
  ra-route on|off|no-mtu  a router advertisement that makes the peer the default router (on: lifetime
               1800, MTU 1400, the on-link prefix fd79::/64 without autoconf; no-mtu: the same without
               the MTU option) or withdraws it (off: router and prefix lifetimes 0)
  ra-rio on|off  router advertisements with route information options (RFC 4191) from a router that is
               not a default router (lifetime 0); on: fd98::/48 (high preference, 600 s), fd97:1::/64 with the
               reserved preference (invalid), fd96::/96 (longer than accept_ra_rt_info_max_plen 64);
               off: fd98::/48 with lifetime 0
  redirect     a redirect from the router (fe80::ff:fe00:e00) to fd77::1: fd99::5 is better reached
               through fe80::99 (link-layer address 02:00:00:00:0e:99), quoting the host's echo request
  mld          MLDv2 and MLDv1 queries, reports of other members, a query from a global source
  frag         fragments: overlap (RFC 5722), atomic fragment, bad fragment length, a lone first
               fragment left to time out
  nft          segments and datagrams for the host's nftables rules (make-fixtures-ipv6.sh nft): SYNs to
               81, 82, 83 (behind hop-by-hop and destination options), 8080; datagrams to 7001 ... 7008; a
               datagram to 7007 in two fragments; to fd78::2 (forwarded): UDP to 9, a SYN to 80, an echo
socket programs:
  tcp-server   (p6b-dut) listener on [::]:8080: accepts one connection, reads 14 bytes, answers, closes
  tcp-client   the connection from [fd77::2]:40000
  tcp-mapped-client  the connection from 10.77.0.2:40000 to 10.77.0.1:8080 (an IPv4-mapped socket
               on the listener)
  tcp-mid-server  (p6b-dut) listener on [::]:8080: one connection, answers each request until EOF
  tcp-mid-client PREFIX  connects from [fd77::2]:40000 and makes a request; creates PREFIX.ready and
               waits for PREFIX.go (the capture started), makes another request and closes
  udp-server   (p6b-dut) UDP [::]:7000, reads for a few seconds
  udp-client   a datagram to 7000 (open) and one to 7001 (closed)
  mdns-responder  (p6b-dut) UDP [::]:5353 joined to ff02::fb on p6b-dut: answers each datagram with
               one to [ff02::fb]:5353, for a few seconds
  mdns-query   from [::]:5353 on p6b-peer two datagrams to [ff02::fb]:5353, 0.5 s apart
  mcloop-sender  (p6b-dut) from [::]:7400 (joined to ff02::7400) datagrams to ff02::7400 and ff02::7401, then
               from [::]:7401 (multicast loop off) one to ff02::7400, 0.3 s apart, 4.5 s after the join
  pmtu-server  (p6b-far) TCP listener on [::]:8080 reading until EOF, UDP [::]:7000, for a few seconds
  tcp-err-server  (p6b-dut) listener on [::]:8080: one connection, reads 14 bytes, answers, reads until
               EOF; the listener stays open for 12 s
  tcp-err-connect  (p6b-dut) connects from [fd77::1]:40300 to [fd77::9]:9 (sent to the peer's MAC, which
               never answers), then a datagram from a UDP socket [fd77::1]:7002 connected to [fd77::2]:7001
  tcp-err      ICMPv6 errors about the host's TCP segments (sniffed): for an open connection (time
               exceeded, no route, port unreachable, parameter problem, one out of window), for the
               host's SYN to fd77::9 (address unreachable), for a SYN-ACK of a request socket made by a
               SYN from fd77::7 (time exceeded, one out of window, administratively prohibited, then the
               ACK that would complete it); an address unreachable about the host's UDP datagram
  pmtu-client  (p6b-dut) from [::]:7001 two datagrams of 1400 bytes to [fd78::2]:7000, 0.5 s apart, then
               6000 bytes over TCP to [fd78::3]:8080 and a close
truth:
  oracle-scenario HOST_JSON [GROUP@DEV...]   scenario.json for the shared oracle (stdout); each
               GROUP@DEV is a multicast group the host had joined there
"""
import json
import os
import socket
import sys
import time

DUT_MAC, PEER_MAC = "02:00:00:00:0d:00", "02:00:00:00:0e:00"
DUT_IP, PEER_IP = "fd77::1", "fd77::2"
DUT_LL, PEER_LL = "fe80::ff:fe00:d00", "fe80::ff:fe00:e00"
DUT_SNMC = "ff02::1:ff00:1"          # solicited-node group of fd77::1
DUT_LL_SNMC = "ff02::1:ff00:d00"     # ... of the link-local address
PEER_IF = os.environ.get("FIXTURE_PREFIX", "p6b") + "-peer"
GAP = 0.2


def S():
    import scapy.all as s
    return s


def mc_mac(group):
    b = socket.inet_pton(socket.AF_INET6, group)
    return "33:33:" + ":".join("%02x" % x for x in b[12:])


def frame(l3, dst_mac=DUT_MAC):
    s = S()
    return s.Ether(bytes(s.Ether(src=PEER_MAC, dst=dst_mac, type=0x86dd) / l3))   # lengths, checksums filled in


def send(frames, gap=GAP):
    s = S()
    for f in frames:
        s.sendp(f, iface=PEER_IF, verbose=False)
        time.sleep(gap)


def ip6(dst=DUT_IP, src=PEER_IP, hlim=64, **kw):
    return S().IPv6(src=src, dst=dst, hlim=hlim, **kw)


def echo(seq, ident=0x7070):
    s = S()
    return s.ICMPv6EchoRequest(id=ident, seq=seq, data=b"pktpath-fixture-%02d" % seq)


def opt(otype, data=b"\x00\x00"):
    """A destination/hop-by-hop option TLV of type otype, padded by the header itself."""
    return S().HBHOptUnknown(otype=otype, optlen=len(data), optdata=data)


# ---- scapy scenarios ---------------------------------------------------------------------------

def exthdr():
    s = S()
    good_hbh = ip6() / s.IPv6ExtHdrHopByHop(options=[s.PadN(optdata=b"\x00\x00\x00\x00")]) / echo(1)
    frames = [
        frame(good_hbh),                                                               # 1 delivered
        frame(ip6() / s.IPv6ExtHdrDestOpt(options=[opt(0x1e)]) / echo(2)),             # 2 action 00: skipped
        frame(ip6() / s.IPv6ExtHdrDestOpt(options=[opt(0x5e)]) / echo(3)),             # 3 action 01: discard
        frame(ip6() / s.IPv6ExtHdrDestOpt(options=[opt(0x9e)]) / echo(4)),             # 4 action 10: param problem
        frame(ip6() / s.IPv6ExtHdrDestOpt(options=[opt(0xde)]) / echo(5)),             # 5 action 11: param problem
        frame(ip6(dst="ff02::1") / s.IPv6ExtHdrDestOpt(options=[opt(0xde)]) / echo(6),  # 6 11 to multicast: silent
              dst_mac=mc_mac("ff02::1")),
        frame(ip6() / s.IPv6ExtHdrRouting(type=0, segleft=1, addresses=["fd77::99"]) / echo(7)),  # 7 RH0
        frame(ip6() / s.IPv6ExtHdrRouting(type=0, segleft=0, addresses=["fd77::99"]) / echo(8)),  # 8 RH0 spent
        frame(ip6() / s.IPv6ExtHdrDestOpt() / s.IPv6ExtHdrHopByHop() / echo(9)),       # 9 HBH not first
        frame(ip6(plen=0) / s.IPv6ExtHdrHopByHop(options=[s.Jumbo(jumboplen=100)]) / echo(10)),    # 10 jumbo < 64k
        frame(ip6() / s.IPv6ExtHdrHopByHop(options=[s.Jumbo(jumboplen=70000)]) / echo(11)),        # 11 jumbo, plen != 0
        frame(ip6(nh=253) / s.Raw(b"pktpath-fixture-12")),                             # 12 unknown next header
    ]
    # 13 a destination-options header claiming 40 bytes, of which the frame holds 8
    trunc = bytes(ip6(nh=60, plen=8)) + bytes([58, 4, 1, 4, 0, 0, 0, 0])
    frames.append(frame(s.IPv6(trunc)))
    # 14 payload length beyond the frame
    big = bytearray(bytes(ip6() / echo(14))); big[4:6] = (400).to_bytes(2, "big")
    frames.append(frame(s.IPv6(bytes(big))))
    # 15 version 4 in an IPv6 header
    v4 = bytearray(bytes(ip6() / echo(15))); v4[0] = 0x40 | (v4[0] & 0x0f)
    frames.append(frame(s.Raw(bytes(v4))))
    frames.append(frame(ip6(src="ff02::5") / echo(16)))                                # 16 multicast source
    frames.append(frame(ip6(dst="::1") / echo(17)))                                    # 17 loopback destination
    frames.append(frame(ip6() / echo(18)))                                             # 18 good
    send(frames)


def ns(target, dst, src=PEER_LL, hlim=255, code=0, lladdr=PEER_MAC, extra=None):
    s = S()
    p = ip6(dst=dst, src=src, hlim=hlim) / s.ICMPv6ND_NS(tgt=target, code=code)
    if lladdr:
        p = p / s.ICMPv6NDOptSrcLLAddr(lladdr=lladdr)
    if extra is not None:
        p = p / extra
    return p


def ndisc():
    s = S()
    snmc = DUT_SNMC
    frames = [
        frame(ns(DUT_IP, dst=snmc), dst_mac=mc_mac(snmc)),                             # 1 NS -> NA
        frame(ns(DUT_IP, dst=snmc, hlim=64), dst_mac=mc_mac(snmc)),                    # 2 hop limit 64
        frame(ns(DUT_IP, dst=snmc, code=1), dst_mac=mc_mac(snmc)),                     # 3 code 1
        frame(ns("ff02::1", dst=DUT_IP)),                                              # 4 multicast target
        frame(ns(DUT_IP, dst=snmc, lladdr=None, extra=s.Raw(b"\x01\x00\x00\x00\x00\x00\x00\x00")),
              dst_mac=mc_mac(snmc)),                                                   # 5 option length 0
        frame(ns(DUT_IP, src="::", dst=snmc, lladdr=None), dst_mac=mc_mac(snmc)),      # 6 DAD probe for ours
        frame(ns("fd77::55", src="::", dst="ff02::1:ff00:55", lladdr=None),
              dst_mac=mc_mac("ff02::1:ff00:55")),                                      # 7 DAD probe, not ours
        frame(ns(DUT_IP, src="::", dst=snmc), dst_mac=mc_mac(snmc)),                   # 8 DAD probe with SLLAO
        frame(ip6(dst="ff02::1", src=PEER_LL, hlim=255) / s.ICMPv6ND_NA(tgt=PEER_IP, R=0, S=0, O=1)
              / s.ICMPv6NDOptDstLLAddr(lladdr=PEER_MAC), dst_mac=mc_mac("ff02::1")),   # 9 unsolicited NA
        frame(ip6(dst="ff02::1", src=PEER_LL, hlim=255) / s.ICMPv6ND_NA(tgt=PEER_IP, R=0, S=1, O=1)
              / s.ICMPv6NDOptDstLLAddr(lladdr=PEER_MAC), dst_mac=mc_mac("ff02::1")),   # 10 solicited NA to mcast
        frame(ip6(dst="ff02::2", src=PEER_LL, hlim=255) / s.ICMPv6ND_RS()
              / s.ICMPv6NDOptSrcLLAddr(lladdr=PEER_MAC), dst_mac=mc_mac("ff02::2")),   # 11 RS to a host
        frame(ip6(dst=DUT_LL, src=PEER_LL, hlim=255) / s.ICMPv6ND_Redirect(tgt=PEER_LL, dst="fd99::1")
              / s.ICMPv6NDOptDstLLAddr(lladdr=PEER_MAC)),                              # 12 redirect, no route via us
        frame(ns(DUT_IP, dst=DUT_IP)),                                                 # 13 unicast NS -> NA
        frame(ip6(dst=DUT_IP, src=PEER_LL, hlim=255) / s.ICMPv6ND_NA(tgt=DUT_IP, R=0, S=1, O=1)
              / s.ICMPv6NDOptDstLLAddr(lladdr=PEER_MAC)),                              # 14 NA for our own address
    ]
    send(frames)


def ra_pkt(src=PEER_LL, hlim=255, mtu=1400, lifetime=1800):
    s = S()
    return (ip6(dst="ff02::1", src=src, hlim=hlim) / s.ICMPv6ND_RA(chlim=64, routerlifetime=lifetime)
            / s.ICMPv6NDOptSrcLLAddr(lladdr=PEER_MAC) / s.ICMPv6NDOptMTU(mtu=mtu)
            / s.ICMPv6NDOptPrefixInfo(prefixlen=64, L=1, A=1, validlifetime=86400, preferredlifetime=14400,
                                      prefix="fd78::"))


def ra():
    all_nodes = mc_mac("ff02::1")
    send([frame(ra_pkt(hlim=64), dst_mac=all_nodes),                # 1 hop limit 64: invalid
          frame(ra_pkt(src=PEER_IP), dst_mac=all_nodes),            # 2 global source: invalid
          frame(ra_pkt(mtu=1000), dst_mac=all_nodes),               # 3 valid, MTU option below 1280 ignored
          frame(ra_pkt(), dst_mac=all_nodes)], gap=1.5)             # 4 valid again (refresh), MTU 1400


def ra_route(mode):
    s = S()
    on = mode != "off"
    mtu = s.ICMPv6NDOptMTU(mtu=1400) if mode != "no-mtu" else s.Raw()
    ra = (ip6(dst="ff02::1", src=PEER_LL, hlim=255) / s.ICMPv6ND_RA(chlim=64, routerlifetime=1800 if on else 0)
          / s.ICMPv6NDOptSrcLLAddr(lladdr=PEER_MAC) / mtu
          / s.ICMPv6NDOptPrefixInfo(prefixlen=64, L=1, A=0, validlifetime=86400 if on else 0,
                                    preferredlifetime=14400 if on else 0, prefix="fd79::"))
    send([frame(ra, dst_mac=mc_mac("ff02::1"))])


def ra_rio(mode):
    s = S()
    ra = (ip6(dst="ff02::1", src=PEER_LL, hlim=255) / s.ICMPv6ND_RA(chlim=64, routerlifetime=0)
          / s.ICMPv6NDOptSrcLLAddr(lladdr=PEER_MAC))
    if mode == "on":
        ra = (ra / s.ICMPv6NDOptRouteInfo(plen=48, prf=1, rtlifetime=600, prefix="fd98::", len=2)
              / s.ICMPv6NDOptRouteInfo(plen=64, prf=2, rtlifetime=600, prefix="fd97:1::", len=2)
              / s.ICMPv6NDOptRouteInfo(plen=96, prf=0, rtlifetime=600, prefix="fd96::", len=3))
    else:
        ra = ra / s.ICMPv6NDOptRouteInfo(plen=48, prf=1, rtlifetime=0, prefix="fd98::", len=2)
    send([frame(ra, dst_mac=mc_mac("ff02::1"))])


def redirect():
    s = S()
    quoted = bytes(s.IPv6(src=DUT_IP, dst="fd99::5", hlim=64) / s.ICMPv6EchoRequest(id=1, seq=1))
    rd = (ip6(dst=DUT_IP, src=PEER_LL, hlim=255) / s.ICMPv6ND_Redirect(tgt="fe80::99", dst="fd99::5")
          / s.ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:0e:99") / s.ICMPv6NDOptRedirectedHdr(pkt=quoted))
    send([frame(rd)])


def mld():
    s = S()
    rtr_alert = s.IPv6ExtHdrHopByHop(options=[s.RouterAlert(value=0), s.PadN(optdata=b"")])
    q2 = lambda src, mrd: (ip6(dst="ff02::1", src=src, hlim=1) / rtr_alert
                           / s.ICMPv6MLQuery2(mrd=mrd))
    frames = [
        frame(q2(PEER_LL, 100), dst_mac=mc_mac("ff02::1")),                                     # 1 v2 general query
        frame(ip6(dst="ff02::16", src=PEER_LL, hlim=1) / rtr_alert
              / s.ICMPv6MLReport2(records=[s.ICMPv6MLDMultAddrRec(rtype=4, dst="ff12::8888")]),
              dst_mac=mc_mac("ff02::16")),                                                      # 2 v2 report (peer)
        frame(ip6(dst="ff12::7777", src=PEER_LL, hlim=1) / rtr_alert
              / s.ICMPv6MLReport(mladdr="ff12::7777"), dst_mac=mc_mac("ff12::7777")),          # 3 v1 report, our group
        frame(q2(PEER_IP, 100), dst_mac=mc_mac("ff02::1")),                                     # 4 query, global source
        frame(ip6(dst="ff02::1", src=PEER_LL, hlim=1) / rtr_alert
              / s.ICMPv6MLQuery(mrd=100, mladdr="::"), dst_mac=mc_mac("ff02::1")),             # 5 v1 general query
        frame(ip6(dst="ff12::7777", src=PEER_LL, hlim=1) / rtr_alert
              / s.ICMPv6MLQuery(mrd=100, mladdr="ff12::7777"), dst_mac=mc_mac("ff12::7777")),  # 6 v1 specific query
    ]
    send(frames, gap=0.5)


def frag():
    s = S()
    msg = s.ICMPv6EchoRequest(id=0x7070, seq=1, data=b"pktpath-fixture-01" + b"x" * 302)
    full = bytes(ip6() / msg)[40:]                       # ICMPv6 message with its checksum

    def fr(ident, off, data, m, nh=58):
        return frame(ip6() / s.IPv6ExtHdrFragment(nh=nh, id=ident, offset=off // 8, m=m) / s.Raw(data))
    frames = [
        fr(0x101, 0, full[:160], 1), fr(0x101, 80, full[80:], 0),          # 1-2 overlap: both dropped
        fr(0x102, 0, full, 0),                                              # 3 atomic fragment: reply
        fr(0x103, 0, full[:100], 1),                                        # 4 length not a multiple of 8
        fr(0x104, 0, full[:160], 1), fr(0x104, 160, full[160:], 0),         # 5-6 normal pair: reply
        fr(0x105, 0, full[:160], 1),                                        # 7 lone first fragment: times out
    ]
    send(frames)
    time.sleep(1.5)


def nft():
    s = S()
    def syn(dport, sport, ext=None):
        l4 = s.TCP(sport=sport, dport=dport, flags="S", seq=1000 + dport, window=8192)
        return frame(ip6() / ext / l4 if ext is not None else ip6() / l4)
    def dgram(dport, dst=DUT_IP, data=b"pktpath-nft"):
        return frame(ip6(dst=dst) / s.UDP(sport=41000, dport=dport) / s.Raw(data))
    udp = bytes(ip6() / s.UDP(sport=41000, dport=7007) / s.Raw(b"y" * 200))[40:]
    def fr(off, data, m):
        return frame(ip6() / s.IPv6ExtHdrFragment(nh=17, id=0x707, offset=off // 8, m=m) / s.Raw(data))
    frames = [
        syn(81, 40081),                                                     # 1 reject with tcp reset
        dgram(7001),                                                        # 2 icmpv6 admin-prohibited
        dgram(7002),                                                        # 3 icmpx port-unreachable
        dgram(7003),                                                        # 4 icmpv6 addr-unreachable
        dgram(7005),                                                        # 5 icmpv6 no-route
        syn(82, 40082),                                                     # 6 ip6 saddr ... drop
        syn(83, 40083, s.IPv6ExtHdrHopByHop() / s.IPv6ExtHdrDestOpt()),     # 7 drop past two options headers
        dgram(7004),                                                        # 8 the ip6 table's drop
        dgram(7006),                                                        # 9 an ip saddr rule: no match (port unreachable)
        dgram(7008),                                                        # 10 reject with icmp: IPv4 only (port unreachable)
        fr(0, udp[:104], 1), fr(104, udp[104:], 0),                         # 11-12 first fragment dropped, the second kept
        syn(8080, 40080),                                                   # 13 no rule: no listener, tcp_v6_send_reset
        dgram(9, dst="fd78::2"),                                            # 14 forward: dropped
        frame(ip6(dst="fd78::2") / s.TCP(sport=40080, dport=80, flags="S", seq=80, window=8192)),  # 15 forward: reset
        frame(ip6(dst="fd78::2") / echo(1)),                                # 16 forwarded
    ]
    send(frames)
    time.sleep(0.5)


# ---- socket programs ---------------------------------------------------------------------------

def accept_one(timeout):
    """The listener on [::]:8080 (dual-stack) and the one connection it accepts."""
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", 8080)); s.listen(4); s.settimeout(20)
    c, _ = s.accept()
    c.settimeout(timeout)
    return s, c


def answer_request(c):
    """Reads the client's 14-byte request and answers it."""
    got = b""
    while len(got) < 14:
        d = c.recv(100)
        if not d:
            break
        got += d
    c.sendall(b"ok\n")


def tcp_server():
    s, c = accept_one(5)
    answer_request(c); c.close()
    time.sleep(2); s.close()


def tcp_client():
    c = socket.socket(socket.AF_INET6)
    c.bind((PEER_IP, 40000)); c.settimeout(5)
    c.connect((DUT_IP, 8080))
    c.sendall(b"hello pktpath\n")
    while c.recv(100):
        pass
    c.close()
    time.sleep(0.3)
    r = socket.socket(socket.AF_INET6)
    r.bind((PEER_IP, 40002)); r.settimeout(2)
    try:
        r.connect((DUT_IP, 81))
    except OSError:
        pass
    r.close()


def tcp_mapped_client():
    c = socket.socket(socket.AF_INET)
    c.bind(("10.77.0.2", 40000)); c.settimeout(5)
    c.connect(("10.77.0.1", 8080))
    c.sendall(b"hello pktpath\n")
    while c.recv(100):
        pass
    c.close()
    time.sleep(0.3)


def tcp_mid_server():
    s, c = accept_one(20)
    while c.recv(100):
        c.sendall(b"ok\n")
    c.close()
    time.sleep(2); s.close()


def tcp_mid_client(prefix):
    import os
    c = socket.socket(socket.AF_INET6)
    c.bind((PEER_IP, 40000)); c.settimeout(20)
    c.connect((DUT_IP, 8080))
    c.sendall(b"hello pktpath\n"); c.recv(100)
    open(prefix + ".ready", "w").close()
    while not os.path.exists(prefix + ".go"):
        time.sleep(0.05)
    time.sleep(0.2)
    c.sendall(b"again pktpath\n"); c.recv(100)
    c.shutdown(socket.SHUT_WR)
    while c.recv(100):
        pass
    c.close()
    time.sleep(0.3)


def udp_server():
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.bind(("::", 7000)); u.settimeout(6)
    try:
        while True:
            u.recv(100)
    except socket.timeout:
        pass


def udp_client():
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.bind((PEER_IP, 40001))
    u.sendto(b"pktpath-udp-open\n", (DUT_IP, 7000)); time.sleep(0.2)
    u.sendto(b"pktpath-udp-closed\n", (DUT_IP, 7001)); time.sleep(0.3)


def mdns_socket(interface):
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    u.bind(("::", 5353))
    index = socket.if_nametoindex(interface)
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
    # Its own datagrams to the group not looped back to it (each would be answered again).
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
    return u, index


def mdns_responder():
    u, index = mdns_socket(os.environ.get("FIXTURE_PREFIX", "p6b") + "-dut")
    mreq = socket.inet_pton(socket.AF_INET6, "ff02::fb") + index.to_bytes(4, sys.byteorder)
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
    u.settimeout(6)
    try:
        while True:
            u.recv(2000)
            u.sendto(b"pktpath-mdns-answer\n", ("ff02::fb", 5353, 0, index))
    except (socket.timeout, OSError):
        pass  # the time is up, or the namespace went


def mcloop_sender():
    """The host's two UDP sockets sending to link-local groups: [::]:7400 joined to ff02::7400, multicast
    loop on (the default), sends to its own group (looped back to it) and to ff02::7401 (not joined);
    [::]:7401, multicast loop off, sends to ff02::7400 (no copy for the host)."""
    index = socket.if_nametoindex(os.environ.get("FIXTURE_PREFIX", "p6b") + "-dut")
    a = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    a.bind(("::", 7400))
    a.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
    mreq = socket.inet_pton(socket.AF_INET6, "ff02::7400") + index.to_bytes(4, sys.byteorder)
    a.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
    b = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    b.bind(("::", 7401))
    b.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
    b.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
    time.sleep(4.5)  # the join's change reports are over; the capture starts meanwhile
    a.sendto(b"pktpath-mcloop-own-group\n", ("ff02::7400", 7400, 0, index)); time.sleep(0.3)
    a.sendto(b"pktpath-mcloop-other-group\n", ("ff02::7401", 7400, 0, index)); time.sleep(0.3)
    b.sendto(b"pktpath-mcloop-loop-off\n", ("ff02::7400", 7400, 0, index)); time.sleep(0.3)
    a.settimeout(0.2)
    try:
        print("received:", a.recv(2000))  # the looped-back copy of the first
    except socket.timeout:
        print("received nothing")


def mdns_query():
    u, index = mdns_socket(PEER_IF)
    for _ in range(2):
        u.sendto(b"pktpath-mdns-query\n", ("ff02::fb", 5353, 0, index)); time.sleep(0.5)


def pmtu_server():
    import threading
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.bind(("::", 7000)); u.settimeout(8)

    def drain():
        try:
            while True:
                u.recv(4000)
        except socket.timeout:
            pass
    threading.Thread(target=drain, daemon=True).start()
    s, c = accept_one(8)
    try:
        while c.recv(4000):
            pass
    except socket.timeout:
        pass
    c.close()
    time.sleep(1); s.close()


def pmtu_client():
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.bind(("::", 7001))
    for _ in range(2):
        u.sendto(b"u" * 1400, ("fd78::2", 7000)); time.sleep(0.5)
    c = socket.socket(socket.AF_INET6)
    c.settimeout(5)
    c.connect(("fd78::3", 8080))
    c.sendall(b"t" * 6000)
    time.sleep(0.5)
    c.close()
    time.sleep(0.5)


# ---- truth -------------------------------------------------------------------------------------

def tcp_err_server():
    s, c = accept_one(15)
    answer_request(c)
    try:
        while c.recv(100):
            pass
    except OSError:
        pass
    c.close()
    time.sleep(6); s.close()


def tcp_err_connect():
    t = socket.socket(socket.AF_INET6)
    t.bind((DUT_IP, 40300)); t.settimeout(3)
    try:
        t.connect(("fd77::9", 9))
    except OSError as e:
        print("connect to [fd77::9]:9:", e, file=sys.stderr)
    t.close()
    time.sleep(0.5)
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.bind((DUT_IP, 7002)); u.connect((PEER_IP, 7001)); u.settimeout(1)
    u.send(b"pktpath-udp-closed\n")
    try:
        u.recv(100)
    except OSError as e:
        print("UDP to [fd77::2]:7001:", e, file=sys.stderr)
    time.sleep(1)
    u.close()


def tcp_err():
    s = S()
    got = []
    sn = s.AsyncSniffer(iface=PEER_IF, filter="ip6 and src host %s and (tcp or udp)" % DUT_IP, prn=got.append,
                        store=False)
    sn.start()
    time.sleep(0.5)

    def seen(cond, timeout=8):
        for _ in range(int(timeout / 0.05)):
            for p in list(got):
                if cond(p):
                    return p
            time.sleep(0.05)
        raise SystemExit("tcp-err: the host's segment was not seen (%d sniffed)" % len(got))

    def quote(src, dst, sport, dport, seq, flags="A"):
        return bytes(ip6(dst=dst, src=src) / s.TCP(sport=sport, dport=dport, seq=seq, flags=flags))

    def error(kind, code, quoted):
        return frame(ip6() / kind(code=code) / s.Raw(quoted))

    unreach, exceeded, problem = s.ICMPv6DestUnreach, s.ICMPv6TimeExceeded, s.ICMPv6ParamProblem
    # An open connection: its next sequence number is snd_una = snd_nxt once the answer is acknowledged.
    c = socket.socket(socket.AF_INET6)
    c.bind((PEER_IP, 40000)); c.settimeout(5)
    c.connect((DUT_IP, 8080))
    c.sendall(b"hello pktpath\n"); c.recv(100)
    time.sleep(0.3)
    ok = seen(lambda p: s.TCP in p and p[s.TCP].sport == 8080 and len(p[s.TCP].payload) == 3)
    una = (ok[s.TCP].seq + 3) & 0xffffffff
    q = quote(DUT_IP, PEER_IP, 8080, 40000, una)
    send([error(exceeded, 0, q), error(unreach, 0, q), error(unreach, 4, q), error(problem, 0, q),
          error(unreach, 1, quote(DUT_IP, PEER_IP, 8080, 40000, (una + 100000) & 0xffffffff))])
    c.close()
    time.sleep(0.5)
    # The host's connection attempt to fd77::9 (tcp-err-connect): an address unreachable about its SYN.
    syn = seen(lambda p: s.TCP in p and p[s.IPv6].dst == "fd77::9")
    send([error(unreach, 3, bytes(syn[s.IPv6]))])
    # The connected UDP socket's datagram: the peer's kernel answers port unreachable, then an address
    # unreachable (not fatal) about it.
    dgram = seen(lambda p: s.UDP in p and p[s.UDP].sport == 7002)
    time.sleep(0.3)
    send([error(unreach, 3, bytes(dgram[s.IPv6]))])
    # A request socket: a SYN from fd77::7 (the host reaches it through the peer's MAC).
    send([frame(ip6(src="fd77::7") / s.TCP(sport=40100, dport=8080, seq=1000, flags="S"))], gap=0.05)
    synack = seen(lambda p: s.TCP in p and p[s.IPv6].dst == "fd77::7")
    isn = synack[s.TCP].seq
    q = quote(DUT_IP, "fd77::7", 8080, 40100, isn, "SA")
    send([error(exceeded, 0, q), error(unreach, 1, quote(DUT_IP, "fd77::7", 8080, 40100, isn + 5, "SA")),
          error(unreach, 1, q),
          frame(ip6(src="fd77::7") / s.TCP(sport=40100, dport=8080, seq=1001, ack=(isn + 1) & 0xffffffff, flags="A"))],
         gap=0.1)
    time.sleep(0.5)
    sn.stop()


def oracle_scenario(host_json, *groups):
    """The oracle's scenario for a host profile: its interfaces, sysctls, routes and neighbours, IPv6 on,
    IPv6 listeners through busybox nc (the oracle's own listener is IPv4 only), the trace filter widened
    to the IPv6 functions, the root-namespace injection ends kept quiet (IPv6 off there)."""
    h = json.load(open(host_json))
    ifs = []
    for i, itf in enumerate(h["interfaces"]):
        d = {"name": itf["name"], "ip": [a for a in itf["addresses"] if not a.startswith("fe80:")],
             "mac": itf["mac"], "mtu": itf["mtu"], "offload": {"tx": "off", "rx": "off"}}
        nb = [n for n in h.get("neighbours", []) if n.get("dev") == itf["name"]]
        if i > 0 and nb:
            d["peer_mac"] = nb[0]["mac"]
        d["peer"] = "p6p%d" % i
        ifs.append(d)
    socks = h.get("sockets", [])
    sysctl = dict(h.get("sysctl", {}))
    cmds = ["nsenter -t 1 -n sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % i["peer"] for i in ifs]
    for sk in socks:
        if sk["proto"] == "tcp" and sk.get("state") == "listen":
            cmds.append("(sleep 1000 | nc -l -p %d >/dev/null 2>&1 &)" % sk["port"])
        elif sk["proto"] == "udp":
            cmds.append("(sleep 1000 | nc -u -l -p %d >/dev/null 2>&1 &)" % sk["port"])
    for g in groups:
        cmds.append("ip addr add %s/128 dev %s autojoin" % tuple(g.split("@")))
    sc = {"ipv6": True, "interfaces": ifs, "sysctl": sysctl,
          "routes": ["%s via %s dev %s" % (r["dst"], r["via"], r["dev"]) for r in h.get("routes", []) if r.get("via")],
          "neigh": [{"ip": n["ip"], "mac": n["mac"], "dev": n["dev"], "nud": n["state"]}
                    for n in h.get("neighbours", [])],
          "auto_neigh": False, "dut_commands": cmds, "settle_s": 3,
          "filter_extra": ["tcp_v6_*", "tcp6_*", "udpv6_*", "__udp6_*", "udp6_*", "ipv6_*", "icmp6_*",
                           "igmp6_*", "mld_*", "addrconf_*", "inet6_*", "rt6_*", "fib6_*", "ip6frag_*",
                           "rawv6_*", "raw6_*", "pingv6_*", "ping_v6_*", "nf_ct_frag6_*", "__ip6_*", "ndisc*",
                           "ipv6_chk_*", "dst_*"]}
    print(json.dumps(sc, indent=1))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    table = {"exthdr": exthdr, "ndisc": ndisc, "ra": ra, "ra-route": ra_route, "ra-rio": ra_rio, "redirect": redirect, "mld": mld, "frag": frag, "nft": nft,
             "tcp-server": tcp_server, "tcp-client": tcp_client, "tcp-mapped-client": tcp_mapped_client,
             "tcp-mid-server": tcp_mid_server, "tcp-mid-client": tcp_mid_client, "udp-server": udp_server,
             "udp-client": udp_client, "mdns-responder": mdns_responder, "mdns-query": mdns_query,
             "mcloop-sender": mcloop_sender,
             "pmtu-server": pmtu_server, "pmtu-client": pmtu_client,
             "tcp-err-server": tcp_err_server, "tcp-err-connect": tcp_err_connect, "tcp-err": tcp_err,
             "oracle-scenario": oracle_scenario}
    if cmd not in table:
        sys.exit(__doc__)
    table[cmd](*args)
