#!/usr/bin/python3
"""The frames of Fixtures/ipv6_rx.pcap: IPv6 sent by a peer (02:00:00:00:6a:02, fd00:6a::2) to the
host (02:00:00:00:6a:01, fd00:6a::1), one per receive-path case; the comment on each says which.

usage: craft-ipv6.py OUT.pcap      (Debian python3 + python3-scapy)
"""
import sys
from scapy.all import Ether, IPv6, ICMPv6EchoRequest, UDP, TCP, IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, \
    IPv6ExtHdrRouting, RouterAlert, HBHOptUnknown, PadN, Raw, wrpcap
D, P = "02:00:00:00:6a:01", "02:00:00:00:6a:02"
A, B = "fd00:6a::1", "fd00:6a::2"
def e(pkt, dst=D): return Ether(src=P, dst=dst) / pkt
frames = [
    e(IPv6(src=B, dst=A) / ICMPv6EchoRequest(id=1, seq=1, data=b"x" * 16)),                       # 1 echo
    e(IPv6(src=B, dst=A) / UDP(sport=5000, dport=4000) / b"hi"),                                  # 2 udp closed
    e(IPv6(src=B, dst=A) / TCP(sport=5001, dport=4001, flags="S", seq=1000)),                     # 3 tcp closed
    e(IPv6(src=B, dst="ff02::1") / ICMPv6EchoRequest(id=1, seq=2), dst="33:33:00:00:00:01"),      # 4 multicast echo
    e(IPv6(src=B, dst=A) / IPv6ExtHdrHopByHop(options=[HBHOptUnknown(otype=0x87, optdata=b"\0\0\0\0")]) / ICMPv6EchoRequest(id=1, seq=3)),  # 5 unknown opt action 10
    e(IPv6(src=B, dst=A) / IPv6ExtHdrHopByHop(options=[HBHOptUnknown(otype=0x1e, optdata=b"\0\0\0\0")]) / ICMPv6EchoRequest(id=1, seq=4)),  # 6 unknown opt skip
    e(IPv6(src=B, dst=A) / IPv6ExtHdrRouting(type=0, segleft=1, addresses=["fd00:6a::3"]) / ICMPv6EchoRequest(id=1, seq=5)),  # 7 RH0
    e(IPv6(src=B, dst=A) / IPv6ExtHdrRouting(type=0, segleft=0, addresses=["fd00:6a::3"]) / ICMPv6EchoRequest(id=1, seq=6)),  # 8 RH0 no segs left
    e(IPv6(src=B, dst=A) / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0\0\0\0")]) / ICMPv6EchoRequest(id=1, seq=7)),  # 9 dest opts
    e(IPv6(src=B, dst=A, nh=253) / Raw(b"\0" * 8)),                                               # 10 unknown next header
    e(IPv6(src="::1", dst=A) / ICMPv6EchoRequest(id=1, seq=8)),                                   # 11 loopback source
    e(IPv6(src="ff02::5", dst=A) / ICMPv6EchoRequest(id=1, seq=9)),                               # 12 multicast source
    e(IPv6(src=B, dst=A, plen=200) / ICMPv6EchoRequest(id=1, seq=10)),                           # 13 truncated
    e(IPv6(src=B, dst=A) / UDP(sport=5000, dport=4000, chksum=0x1234) / b"hi"),                  # 14 udp bad csum
    e(IPv6(src=B, dst=A) / ICMPv6EchoRequest(id=1, seq=11, cksum=0x1234)),                       # 15 icmp bad csum
    e(IPv6(src=B, dst="fd00:99::1") / ICMPv6EchoRequest(id=1, seq=12)),                          # 16 not local, no route
    e(IPv6(src=B, dst="ff01::1") / ICMPv6EchoRequest(id=1, seq=13), dst="33:33:00:00:00:01"),     # 17 interface-local mcast
    e(IPv6(version=4, src=B, dst=A) / ICMPv6EchoRequest(id=1, seq=14)),                           # 18 version 4 in ipv6 ethertype
    e(IPv6(src=B, dst="ff02::1:ff00:1") / ICMPv6EchoRequest(id=1, seq=15), dst="33:33:ff:00:00:01"),  # 19 solicited-node group
    e(IPv6(src=B, dst=A) / UDP(sport=5000, dport=4002) / b"hi"),                                  # 20 udp to open port
    e(IPv6(src=B, dst="ff02::16") / IPv6ExtHdrHopByHop(nh=58, options=[RouterAlert(value=0)]) / Raw(bytes([143,0,0,0,0,0,0,0])), dst="33:33:00:00:00:16"),  # 21 HBH RA to unjoined group
    e(IPv6(src=B, dst=A) / ICMPv6EchoRequest(id=1, seq=16), dst="02:00:00:00:6a:99"),             # 22 other host
]
# Fixed timestamps, 10 ms apart, so the file is the same on every run.
for i, f in enumerate(frames):
    f.time = 1_767_225_600 + i / 100
wrpcap(sys.argv[1], frames)
