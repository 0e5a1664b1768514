#!/usr/bin/python3
"""Traffic helpers for make-fixtures.sh (run inside the pp-dut / pp-peer namespaces).

Usage: craft.py COMMAND
  tcp-server      (pp-dut)  listen on 0.0.0.0:8080, accept one connection, read the
                            request, answer b"ok\\n", close
  tcp-client      (pp-peer) connect 10.77.0.2:40000 -> 10.77.0.1:8080, send a request,
                            read the answer until EOF, close
  tcp-closed      (pp-peer) connect 10.77.0.2:40002 -> 10.77.0.1:81 (nothing listens -> RST)
  udp-server      (pp-dut)  UDP socket bound on 0.0.0.0:7000 that reads for a few seconds
  udp-client      (pp-peer) from 10.77.0.2:40001 send one datagram to :7000, one to :7001
  bad-ip-checksum (pp-peer) scapy: echo request with a wrong IPv4 header checksum,
                            then the same echo request with a correct one
  otherhost       (pp-peer) scapy: echo request + UDP datagram to MAC 02:00:00:00:0f:00
                            (IP dst 10.77.0.1), then a normal echo request
Only Debian's python3 with python3-scapy is needed (scapy only for the last two).
"""
import socket
import sys
import time

DUT_IP, PEER_IP = "10.77.0.1", "10.77.0.2"
DUT_MAC, PEER_MAC, OTHER_MAC = "02:00:00:00:0d:00", "02:00:00:00:0e:00", "02:00:00:00:0f:00"
PEER_IF = "veth-peer"


def tcp_server():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 8080))
    s.listen(4)
    s.settimeout(20)
    c, _ = s.accept()
    c.settimeout(5)
    c.recv(1024)
    c.sendall(b"ok\n")
    c.close()
    time.sleep(2)  # keep the listener until the capture is over
    s.close()


def tcp_client():
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind((PEER_IP, 40000))
    c.settimeout(5)
    c.connect((DUT_IP, 8080))
    c.sendall(b"hello pktpath\n")
    while c.recv(1024):
        pass
    c.close()


def tcp_closed():
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind((PEER_IP, 40002))
    c.settimeout(5)
    try:
        c.connect((DUT_IP, 81))
    except ConnectionRefusedError:
        print("tcp-closed: connection refused (RST), as expected")
    c.close()


def udp_server():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 7000))
    s.settimeout(0.5)
    end = time.time() + 6
    while time.time() < end:
        try:
            s.recvfrom(2048)
        except socket.timeout:
            pass
    s.close()


def udp_client():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((PEER_IP, 40001))
    s.sendto(b"to open port 7000\n", (DUT_IP, 7000))
    time.sleep(0.2)
    s.sendto(b"to closed port 7001\n", (DUT_IP, 7001))
    time.sleep(0.3)
    s.close()


def _echo(dst_mac, seq):
    from scapy.all import Ether, IP, ICMP, Raw
    p = (Ether(src=PEER_MAC, dst=dst_mac) / IP(src=PEER_IP, dst=DUT_IP, id=0x1000 + seq, flags="DF")
         / ICMP(type=8, id=0x7070, seq=seq) / Raw(b"pktpath-fixture-%02d" % seq))
    return Ether(bytes(p))  # all lengths and checksums filled in


def bad_ip_checksum():
    from scapy.all import sendp
    bad = _echo(DUT_MAC, 1)
    good_sum = bad["IP"].chksum
    bad["IP"].chksum = good_sum ^ 0x5a5a  # wrong, everything else intact
    good = _echo(DUT_MAC, 2)
    sendp(bad, iface=PEER_IF, verbose=False)
    time.sleep(0.2)
    sendp(good, iface=PEER_IF, verbose=False)
    time.sleep(0.3)


def otherhost():
    from scapy.all import Ether, IP, UDP, Raw, sendp
    udp = Ether(bytes(Ether(src=PEER_MAC, dst=OTHER_MAC) / IP(src=PEER_IP, dst=DUT_IP, id=0x2000)
                      / UDP(sport=40003, dport=7000) / Raw(b"udp to another MAC\n")))
    sendp(_echo(OTHER_MAC, 1), iface=PEER_IF, verbose=False)
    time.sleep(0.2)
    sendp(udp, iface=PEER_IF, verbose=False)
    time.sleep(0.2)
    sendp(_echo(DUT_MAC, 2), iface=PEER_IF, verbose=False)
    time.sleep(0.3)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    {"tcp-server": tcp_server, "tcp-client": tcp_client, "tcp-closed": tcp_closed,
     "udp-server": udp_server, "udp-client": udp_client,
     "bad-ip-checksum": bad_ip_checksum, "otherhost": otherhost}[sys.argv[1]]()
