#!/usr/bin/python3
"""Traffic helpers and truth post-processing for make-fixtures-state.sh.

Usage: craft-state.py COMMAND [ARG...]   (run inside pp-dut / pp-peer as noted)

scapy frames, sent from pp-peer on veth-peer with sendp():
  rp-filter | martian | frag | frag-timeout | frag-mem | udp | udp-burst | icmp | ipopts | arp-garp | tcp-odd
  tcp-tw PCAP       segments to the TIME_WAIT socket of the s_tcp connection 40010 <-> 8080;
                    PCAP is the capture being written (its last segments give the sequence numbers)
  tcp-seq PCAP      out-of-window segments, RST and SYN to the s_tcp_seq connection 40020 <-> 8080
socket programs:
  tcp-server        (pp-dut)  listener on 0.0.0.0:8080 for s_tcp (two connections, see below)
  tcp-client        (pp-peer) the two s_tcp connections (uses nft in pp-peer for the duplicate / loss)
  tcp-sink          (pp-dut)  listener on 0.0.0.0:8080 for s_tcp_seq: reads one connection to EOF
  tcp-seq-client SECS (pp-peer) the s_tcp_seq connection: hello, SECS s open, bye, close
  udp-server SECS   (pp-dut)  UDP 0.0.0.0:7000, member of 239.1.2.3 on veth-dut, prints what it reads
  udp-connected     (pp-dut)  UDP 10.77.0.1:45000 connected to 10.77.0.2:40099: send, then recv
  nf-client         (pp-peer) the s_netfilter traffic
truth:
  kfree-report RAW PCAP FORMAT KALLSYMS OFFSET DUT_INUM [NAME=INUM...]
                    turn the bpftrace log into truth/<name>.kfree_skb.txt (stdout)
  nstat-delta BEFORE AFTER NAME [NETNS]
  link-delta BEFORE AFTER NAME NETNS  the change of 'ip -s -s -j link' per device (stdout)
  oracle-scenario HOST_JSON       scenario.json for the shared oracle (stdout)
  clock-offset                    CLOCK_REALTIME - CLOCK_MONOTONIC in ns
"""
import bisect
import json
import re
import socket
import struct
import subprocess
import sys
import time

DUT_IP, PEER_IP, PEER_IP2 = "10.77.0.1", "10.77.0.2", "10.77.0.3"
DUT_MAC, PEER_MAC = "02:00:00:00:0d:00", "02:00:00:00:0e:00"
PEER_IF = "veth-peer"
BCAST = "ff:ff:ff:ff:ff:ff"
GAP = 0.2


def S():
    import scapy.all as s
    return s


def frame(l3, dst_mac=DUT_MAC):
    s = S()
    return s.Ether(bytes(s.Ether(src=PEER_MAC, dst=dst_mac) / l3))  # lengths and checksums filled in


def echo(src=PEER_IP, dst=DUT_IP, seq=1, ipid=None, options=None, payload=None, **ipkw):
    s = S()
    ip = s.IP(src=src, dst=dst, id=ipid if ipid is not None else 0x4000 + seq, **ipkw)
    if options is not None:
        ip.options = options
    return ip / s.ICMP(type=8, id=0x7070, seq=seq) / s.Raw(payload or b"pktpath-fixture-%02d" % seq)


def send(frames, gap=GAP):
    s = S()
    for f in frames:
        s.sendp(f, iface=PEER_IF, verbose=False)
        time.sleep(gap)


def mc_mac(group):
    a = socket.inet_aton(group)
    return "01:00:5e:%02x:%02x:%02x" % (a[1] & 0x7F, a[2], a[3])


# ---- scapy scenarios ---------------------------------------------------------------------------

def rp_filter():
    send([frame(echo(src="10.78.0.9", seq=1)),   # routed back via veth-dut2, arrived on veth-dut
          frame(echo(src="10.99.0.5", seq=2)),   # no route back at all
          frame(echo(seq=3))])                   # good


def martian():
    send([frame(echo(src="0.0.0.0", seq=1)),
          frame(echo(src="0.1.2.3", seq=2)),
          frame(echo(src="127.0.0.5", seq=3)),
          frame(echo(src="224.0.0.5", seq=4)),
          frame(echo(src="255.255.255.255", seq=5)),
          frame(echo(src=DUT_IP, seq=6)),           # our own address as source
          frame(echo(src="10.77.0.255", seq=7)),    # the subnet's broadcast address as source
          frame(echo(dst="0.1.2.3", seq=8)),        # destination 0.x
          frame(echo(dst="127.0.0.1", seq=9)),      # loopback destination
          frame(echo(seq=10))])                     # good


def _frags(ipid, payload_len=600, cuts=(200, 400)):
    """Fragments of one echo request (ICMP header + payload_len bytes), cut at `cuts`."""
    s = S()
    full = bytes(s.ICMP(type=8, id=0x7070, seq=ipid & 0xFF) / s.Raw(bytes((i % 251 for i in range(payload_len)))))
    edges = [0, *cuts, len(full)]
    out = []
    for a, b in zip(edges, edges[1:]):
        mf = "MF" if b < len(full) else 0
        out.append(frame(s.IP(src=PEER_IP, dst=DUT_IP, id=ipid, proto=1, flags=mf, frag=a // 8) / s.Raw(full[a:b])))
    return out, full


def frag():
    s = S()
    f1, _ = _frags(0x3001)
    send(list(reversed(f1)))                           # reverse order -> reassembled, reply
    f2, _ = _frags(0x3002)
    send([f2[0], f2[0], f2[1], f2[2]])                 # duplicate of the first fragment
    f3, full = _frags(0x3003)
    ov = frame(s.IP(src=PEER_IP, dst=DUT_IP, id=0x3003, proto=1, flags="MF", frag=192 // 8) / s.Raw(full[192:392]))
    send([f3[0], ov])                                  # overlap: bytes 192-199 twice, different content
    f4, _ = _frags(0x3004)
    send([f4[0]], gap=3.0)                             # first fragment alone, ipfrag_time=2 -> timeout + ICMP
    send([f4[2]], gap=3.0)                             # last fragment alone -> timeout, no ICMP
    send([frame(echo(seq=5))])                         # something normal afterwards


def frag_timeout():
    """ipfrag_time=1: a queue with its first fragment expires with an ICMP, one without expires silently."""
    fa, _ = _frags(0x3101)
    fb, _ = _frags(0x3102)
    send([fa[0]], gap=1.6)                             # first fragment alone -> ip_expire + time exceeded
    send([fb[2]], gap=1.6)                             # last fragment alone -> ip_expire, no ICMP
    send([frame(echo(seq=3))])                         # something normal afterwards


def frag_mem():
    """ipfrag_max_dist (64) and a small ipfrag_high_thresh (20000 bytes)."""
    s = S()
    fx, _ = _frags(0x3201)
    fy, _ = _frags(0x3202)
    send([fx[0]])                                      # X: first fragment queued
    send([fy[0]] * 66, gap=0.01)                       # 66 fragments from the same peer to queue Y (65 duplicates)
    send([fx[2]])                                      # X: last fragment, too far behind -> queue reinitialized
    send([fx[1]])                                      # X: middle; complete only without the reinit
    send([fx[0]])                                      # X: first again -> reassembled now, reply
    for i in range(24):                                # distinct first fragments until fragment memory is full
        send([_frags(0x3300 + i)[0][0]], gap=0.01)
    send([frame(echo(seq=4))])                         # an unfragmented echo still gets through


def udp_burst():
    """Default icmp_ratelimit (1000 ms) and ratemask: port unreachables to one peer, 0.05 s apart."""
    send([udp_dgram(7001, b"burst-%02d" % i, sport=41000 + i, ipid=0x5100 + i) for i in range(10)], gap=0.05)
    time.sleep(1.2)
    send([udp_dgram(7001, b"after-pause", sport=41010, ipid=0x5110)], gap=0.3)
    send([frame(echo(seq=1 + i)) for i in range(3)], gap=0.05)   # echo replies are not rate limited


def udp_dgram(dport, payload, dst=DUT_IP, dst_mac=DUT_MAC, sport=40001, chksum=None, ulen=None, ipid=0x5000):
    s = S()
    u = s.UDP(sport=sport, dport=dport)
    if chksum is not None:
        u.chksum = chksum
    if ulen is not None:
        u.len = ulen
    return frame(s.IP(src=PEER_IP, dst=dst, id=ipid) / u / s.Raw(payload), dst_mac)


def udp():
    s = S()
    good = udp_dgram(7000, b"bad checksum to 7000", ipid=0x5008)
    bad = good.copy(); bad["UDP"].chksum ^= 0x1111
    bad = s.Ether(bytes(bad))
    good2 = udp_dgram(7001, b"bad checksum to 7001", ipid=0x5009)
    bad2 = s.Ether(bytes(good2)); bad2["UDP"].chksum ^= 0x1111
    # UDP length smaller than the IP payload: the kernel trims the datagram to ulen
    short = bytes(s.IP(src=PEER_IP, dst=DUT_IP) / s.UDP(sport=40001, dport=7000) / s.Raw(b"trimmed"))[20:]
    trimmed = frame(s.IP(src=PEER_IP, dst=DUT_IP, id=0x500b, proto=17) / s.Raw(short + b"-trailing-bytes"))
    send([udp_dgram(7000, b"unicast to 7000", ipid=0x5001),
          udp_dgram(7000, b"to 10.77.0.255:7000", dst="10.77.0.255", dst_mac=BCAST, ipid=0x5002),
          udp_dgram(7000, b"to 255.255.255.255:7000", dst="255.255.255.255", dst_mac=BCAST, ipid=0x5003),
          udp_dgram(7000, b"to 239.1.2.3:7000 (joined)", dst="239.1.2.3", dst_mac=mc_mac("239.1.2.3"), ipid=0x5004),
          udp_dgram(7001, b"to 239.1.2.3:7001 (joined, no socket)", dst="239.1.2.3", dst_mac=mc_mac("239.1.2.3"), ipid=0x5005),
          udp_dgram(7000, b"to 239.9.9.9:7000 (not joined)", dst="239.9.9.9", dst_mac=mc_mac("239.9.9.9"), ipid=0x5006),
          udp_dgram(7000, b"zero checksum to 7000", chksum=0, ipid=0x5007),
          bad, bad2,
          udp_dgram(7000, b"ulen 100 > packet", ulen=100, ipid=0x500a),
          trimmed,
          udp_dgram(7001, b"to closed port 7001", ipid=0x500c)])


def icmp():
    s = S()
    badsum = frame(echo(seq=2)); badsum["ICMP"].chksum ^= 0x2222; badsum = s.Ether(bytes(badsum))
    quote = bytes(s.IP(src=DUT_IP, dst=PEER_IP, id=0x1234) / s.UDP(sport=45001, dport=40099) / s.Raw(b"x" * 8))[:28]
    send([frame(echo(dst="10.77.0.255", seq=1), BCAST),                     # broadcast echo: ignored
          badsum,                                                            # bad ICMP checksum
          frame(echo(seq=3)),                                                # normal echo
          frame(s.IP(src=PEER_IP, dst=DUT_IP, id=0x4004, proto=253) / s.Raw(b"protocol 253 payload")),
          frame(s.IP(src=PEER_IP, dst=DUT_IP, id=0x4005) / s.ICMP(type=13, id=0x7070, seq=5, ts_ori=1000, ts_rx=0, ts_tx=0)),
          frame(s.IP(src=PEER_IP, dst=DUT_IP, id=0x4006) / s.ICMP(type=0, id=0x7171, seq=6) / s.Raw(b"unsolicited echo reply")),
          frame(s.IP(src=PEER_IP, dst=DUT_IP, id=0x4007) / s.ICMP(type=99, code=0) / s.Raw(b"unknown type 99")),
          frame(s.IP(src=PEER_IP, dst=DUT_IP, id=0x4008) / s.ICMP(type=3, code=3) / s.Raw(quote))])   # unreachable, no socket


def with_options(l3, opts):
    """The IPv4 packet l3 with the raw option bytes opts (a multiple of 4) after its header."""
    s = S()
    b = bytearray(bytes(l3))
    ihl = (b[0] & 0xF) * 4
    b = b[:ihl] + bytearray(opts) + b[ihl:]
    b[0] = 0x40 | ((ihl + len(opts)) // 4)
    b[2:4] = struct.pack("!H", len(b))
    b[10:12] = b"\0\0"
    c = sum(struct.unpack("!%dH" % ((ihl + len(opts)) // 2), bytes(b[:ihl + len(opts)])))
    while c >> 16:
        c = (c & 0xFFFF) + (c >> 16)
    b[10:12] = struct.pack("!H", ~c & 0xFFFF)
    return frame(s.IP(bytes(b)))


def ipopts():
    ip = lambda a: socket.inet_aton(a)
    rr = bytes([7, 19, 4]) + b"\0" * 16 + b"\0"                      # record route, 4 empty slots, EOL
    ts = bytes([68, 20, 5, 0]) + b"\0" * 16                          # timestamp (timestamps only), 4 slots
    ra = bytes([148, 4, 0, 0])                                       # router alert
    lsrr = bytes([131, 7, 4]) + ip("10.78.0.9") + b"\0"              # loose source route via 10.78.0.9, EOL
    ssrr = bytes([137, 7, 4]) + ip("10.78.0.9") + b"\0"              # strict source route
    bad = bytes([7, 2, 4, 0])                                        # record route with length 2: malformed
    send([with_options(echo(seq=1), rr),
          with_options(echo(seq=2), ts),
          with_options(echo(seq=3), ra),
          with_options(echo(seq=4), lsrr),
          with_options(echo(seq=5), ssrr),
          with_options(echo(seq=6), bad),
          frame(echo(seq=7))])


def arp_garp():
    s = S()
    garp_req = s.Ether(src=PEER_MAC, dst=BCAST) / s.ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_IP, hwdst="00:00:00:00:00:00", pdst=PEER_IP)
    garp_rep = s.Ether(src=PEER_MAC, dst=BCAST) / s.ARP(op=2, hwsrc=PEER_MAC, psrc=PEER_IP, hwdst=BCAST, pdst=PEER_IP)
    other = s.Ether(src=PEER_MAC, dst=BCAST) / s.ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_IP, hwdst="00:00:00:00:00:00", pdst="10.77.0.99")
    send([s.Ether(bytes(garp_req)), s.Ether(bytes(garp_rep)), s.Ether(bytes(other))])


def tcp_seg(sport, flags, seq=1000, ack=0, payload=b"", dport=8080, chksum=None):
    s = S()
    t = s.TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=8192)
    if chksum is not None:
        t.chksum = chksum
    return frame(s.IP(src=PEER_IP, dst=DUT_IP, id=0x6000 + sport % 256) / t / s.Raw(payload))


def tcp_odd():
    s = S()
    syn = tcp_seg(40012, "S", seq=12000)
    bad = s.Ether(bytes(syn)); bad["TCP"].chksum ^= 0x3333; bad = s.Ether(bytes(bad))
    send([bad,                                        # SYN with a bad TCP checksum
          tcp_seg(40013, "SF", seq=13000),            # SYN+FIN to the listener
          tcp_seg(40014, "A", seq=14000, ack=777)])   # ACK to the listener, no connection -> RST


def last_dut_segment(pcap, port, what):
    """(ack, seq) of the last segment the DUT's :8080 sent to the peer's `port` in `pcap`: the
    sequence numbers a crafted segment of that connection must use."""
    s = S()
    last = None
    for p in s.rdpcap(pcap):
        if p.haslayer(s.TCP) and p[s.IP].src == DUT_IP and p[s.TCP].dport == port and p[s.TCP].sport == 8080:
            last = p
    if last is None:
        sys.exit(f"{what}: no DUT segment of the {port} connection in the capture")
    return last[s.TCP].ack, last[s.TCP].seq


def tcp_tw(pcap):
    """Segments to the DUT's TIME_WAIT socket of 10.77.0.2:40010 <-> 10.77.0.1:8080."""
    rcv_nxt, snd_nxt = last_dut_segment(pcap, 40010, "tcp-tw")   # the DUT's final ACK
    send([tcp_seg(40010, "A", seq=rcv_nxt, ack=snd_nxt),                      # bare in-window ACK: silently taken
          tcp_seg(40010, "PA", seq=rcv_nxt, ack=snd_nxt, payload=b"late\n"),  # data -> ACK from the timewait socket
          tcp_seg(40010, "R", seq=rcv_nxt),                                    # RST kills the timewait socket
          tcp_seg(40010, "A", seq=rcv_nxt, ack=snd_nxt)])                     # now no socket but the listener -> RST


def tcp_seq(pcap):
    """Segments outside the receive window (and RST/SYN inside it) to the DUT's established socket
    of 10.77.0.2:40020 <-> 10.77.0.1:8080, 0.7 s apart (past tcp_invalid_ratelimit, 500 ms) except
    the second bare ACK, which comes 50 ms after the first."""
    rcv_nxt, snd_nxt = last_dut_segment(pcap, 40020, "tcp-seq")  # the DUT's ACK of the peer's data
    far = (rcv_nxt + 0x40000000) & 0xffffffff              # 1 GiB ahead: beyond any window
    old = (rcv_nxt - 100000) & 0xffffffff                  # wholly before the window
    gap = 0.7
    send([tcp_seg(40020, "PA", seq=far, ack=snd_nxt, payload=b"future\n")], gap)   # data beyond the window
    send([tcp_seg(40020, "PA", seq=old, ack=snd_nxt, payload=b"stale\n")], gap)    # data before it
    send([tcp_seg(40020, "A", seq=far, ack=snd_nxt)], 0.05)                        # bare ACK beyond: dupack
    send([tcp_seg(40020, "A", seq=far, ack=snd_nxt)], gap)                         # again at once: rate limited
    send([tcp_seg(40020, "R", seq=far)], gap)                                      # RST beyond the window
    send([tcp_seg(40020, "R", seq=(rcv_nxt + 10) & 0xffffffff)], gap)              # RST in window, not rcv_nxt
    send([tcp_seg(40020, "S", seq=rcv_nxt)], gap)                                  # SYN in window


# ---- socket programs ---------------------------------------------------------------------------

def listener_8080():
    """The DUT's listener on 0.0.0.0:8080 (backlog 8), waiting at most 30 s for a connection."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 8080))
    s.listen(8)
    s.settimeout(30)
    return s


def tcp_server():
    s = listener_8080()
    a, _ = s.accept()                    # connection A: 40010
    a.settimeout(10)
    buf = b""
    while True:
        d = a.recv(1024)
        if not d:
            break
        buf += d
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line == b"bye":
                a.close()                # the DUT closes first -> TIME_WAIT on the DUT
                a = None
                break
            a.sendall(line.replace(b"req", b"resp") + b"\n")
        if a is None:
            break
    b, _ = s.accept()                    # connection B: 40011, reset by the peer
    b.settimeout(10)
    b.recv(1024)
    b.sendall(b"ok-b\n")
    try:
        print("connection B recv:", b.recv(1024))
    except OSError as e:
        print("connection B recv:", e)
    b.close()
    time.sleep(30)                       # keep the listener; killed at the end of the capture


def tcp_sink():
    """(pp-dut) Listener on 0.0.0.0:8080 for s_tcp_seq: one connection, read to EOF, close."""
    s = listener_8080()
    a, _ = s.accept()
    a.settimeout(30)
    while True:
        d = a.recv(1024)
        print("read:", d)
        if not d:
            break
    a.close()
    time.sleep(30)                       # keep the listener; killed at the end of the capture


def tcp_seq_client(secs):
    """(pp-peer) The s_tcp_seq connection from 40020: hello, hold it open SECS s, bye, close."""
    a = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    a.bind((PEER_IP, 40020))
    a.settimeout(5)
    a.connect((DUT_IP, 8080))
    a.sendall(b"hello\n")
    time.sleep(float(secs))
    a.sendall(b"bye\n")
    time.sleep(GAP)
    a.close()
    time.sleep(GAP)


def nft(script):
    subprocess.run(["nft", "-f", "-"], input=script.encode(), check=True)


def tcp_client():
    a = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    a.bind((PEER_IP, 40010))
    a.settimeout(5)
    a.connect((DUT_IP, 8080))
    a.sendall(b"req1\n"); a.recv(100)
    time.sleep(GAP)
    # req2 leaves twice (nft dup in the peer's output hook): the DUT receives a duplicate segment
    nft("table ip pp_dup {\n chain out {\n  type filter hook output priority 0;\n"
        "  tcp dport 8080 tcp flags & psh == psh dup to 10.77.0.1\n }\n}\n")
    a.sendall(b"req2\n")
    time.sleep(0.05)
    nft("delete table ip pp_dup")
    a.recv(100)
    time.sleep(GAP)
    # resp3 is dropped in the peer's input hook: the DUT retransmits it
    nft("table ip pp_loss {\n chain in {\n  type filter hook input priority 0;\n"
        "  tcp sport 8080 tcp flags & psh == psh drop\n }\n}\n")
    a.sendall(b"req3\n")
    time.sleep(0.05)
    nft("delete table ip pp_loss")
    a.recv(100)
    time.sleep(GAP)
    a.sendall(b"bye\n")
    while a.recv(100):
        pass
    a.close()
    time.sleep(GAP)
    b = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    b.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    b.bind((PEER_IP, 40011))
    b.settimeout(5)
    b.connect((DUT_IP, 8080))
    b.sendall(b"hello-b\n"); b.recv(100)
    time.sleep(GAP)
    b.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    b.close()                                         # RST on an established connection
    time.sleep(GAP)


def udp_server(secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 7000))
    mreq = socket.inet_aton("239.1.2.3") + socket.inet_aton(DUT_IP)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    print("udp-server: bound 0.0.0.0:7000, joined 239.1.2.3", flush=True)
    s.settimeout(0.5)
    end = time.time() + float(secs)
    while time.time() < end:
        try:
            d, a = s.recvfrom(2048)
            print("udp-server: from %s:%d %r" % (a[0], a[1], d), flush=True)
        except socket.timeout:
            pass
    s.close()


def udp_connected():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((DUT_IP, 45000))
    s.connect((PEER_IP, 40099))
    s.send(b"anyone on 40099?")
    s.settimeout(2)
    try:
        print("udp-connected: recv", s.recv(100))
    except OSError as e:
        print("udp-connected: recv ->", e)


def nf_client():
    def tcp(port, timeout):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.settimeout(timeout)
        c.bind((PEER_IP, 40000 + port % 1000))
        try:
            c.connect((DUT_IP, port))
            print("nf-client: tcp %d connected?!" % port)
        except OSError as e:
            print("nf-client: tcp %d -> %s" % (port, e))
        c.close()
        time.sleep(GAP)

    def udp(port):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((PEER_IP, 41000 + port % 1000))
        u.sendto(b"udp to %d" % port, (DUT_IP, port))
        time.sleep(GAP)
        u.close()

    tcp(2222, 1.5)        # drop: SYN + one retransmission (after 1 s)
    udp(7002)             # reject with icmp port-unreachable
    tcp(2223, 2)          # reject with tcp reset
    udp(7003)             # no rule, no socket: the stack's own port unreachable
    subprocess.run(["ping", "-n", "-q", "-c", "1", "-W", "1", "-I", PEER_IP2, DUT_IP])   # reply dropped in output
    subprocess.run(["ping", "-n", "-q", "-c", "1", "-W", "1", DUT_IP])                   # accepted


# ---- truth ---------------------------------------------------------------------------------------

def pcap_times(path):
    data = open(path, "rb").read()
    magic = data[:4]
    e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
        out.append(sec * 10**9 + (frac if nano else frac * 1000))
        off += 16 + incl
    return out


def kfree_report(raw, pcap, fmt, kallsyms, offset, dut_inum, *others):
    names = {int(n): r for n, r in re.findall(r'\{ (\d+), "(\w+)" \}', open(fmt).read())}
    syms = []
    for l in open(kallsyms):
        f = l.split()
        if len(f) >= 3 and f[1] in "tT":
            syms.append((int(f[0], 16), f[2]))
    syms.sort()
    addrs = [a for a, _ in syms]

    def sym(a):
        i = bisect.bisect_right(addrs, a) - 1
        if i < 0:
            return hex(a)
        size = (addrs[i + 1] - addrs[i]) if i + 1 < len(addrs) else 0
        return "%s+0x%x/0x%x" % (syms[i][1], a - addrs[i], size)

    ns_name = {int(dut_inum): "pp-dut", 0: "?"}
    for o in others:
        n, i = o.split("=")
        ns_name[int(i)] = n
    times = pcap_times(pcap)
    t0 = times[0] if times else 0
    off = int(offset)
    dut, rest = [], {}
    for l in open(raw):
        f = l.split()
        if not f or f[0] != "K" or len(f) < 8:
            continue
        t, inum, dev, proto, reason, loc = int(f[1]), int(f[2]), f[3], int(f[4]), int(f[5]), int(f[6], 16)
        comm = " ".join(f[7:])
        wall = t + off
        k = bisect.bisect_right(times, wall + 200_000)   # frames up to 0.2 ms after the event count as before it
        where = "before frame 1" if k == 0 else "after frame %d" % k
        line = "%+10.6f  %-26s %-22s netns=%-7s dev=%-10s proto=0x%04x comm=%s  (%s)" % (
            (wall - t0) / 1e9, names.get(reason, str(reason)), sym(loc), ns_name.get(inum, str(inum)), dev,
            proto, comm, where)
        if inum in (int(dut_inum), 0):
            dut.append(line)
        else:
            key = "%s: %s at %s" % (ns_name.get(inum, inum), names.get(reason, reason), sym(loc).split("+")[0])
            rest[key] = rest.get(key, 0) + 1
    print("# skb:kfree_skb events of the DUT (netns pp-dut), kernel %s" % subprocess.run(
        ["uname", "-r"], capture_output=True, text=True).stdout.strip())
    print("# recorded with bpftrace on tracepoint:skb:kfree_skb; the netns is that of skb->dev, else of skb->sk;")
    print("# netns=? : neither set (e.g. queued IP fragments, whose skb->dev is cleared): attributed to the DUT by")
    print("# the scenario (only the DUT reassembles / the line says why). Columns: seconds after frame 1,")
    print("# reason, location (function+offset/size), netns, dev, skb->protocol, task, nearest capture frame.")
    for l in dut:
        print(l)
    if not dut:
        print("# (no drops in pp-dut)")
    print("# events of the other namespaces during the capture (not the DUT), counted:")
    for k in sorted(rest):
        print("#   %-60s x%d" % (k, rest[k]))


def nstat_delta(a_path, b_path, name, netns="pp-dut"):
    def rd(p):
        d = {}
        for l in open(p):
            f = l.split()
            if len(f) >= 2 and not l.startswith("#") and f[1].lstrip("-").isdigit():
                d[f[0]] = int(f[1])
        return d
    a, b = rd(a_path), rd(b_path)
    print(f"# nstat -az delta in netns {netns} across the capture of {name} (non-zero counters only)")
    for k in b:
        if b[k] - a.get(k, 0):
            print(f"{k:<32} {b[k] - a.get(k, 0)}")


def link_delta(a_path, b_path, name, netns):
    """Per device, each rx/tx counter of 'ip -s -s -j link' that changed, as DEV rx_KEY N / tx_KEY N."""
    def rd(p):
        d = {}
        for link in json.load(open(p)):
            for side in ("rx", "tx"):
                for k, v in link.get("stats64", {}).get(side, {}).items():
                    if isinstance(v, int):
                        d[(link["ifname"], f"{side}_{k}")] = v
        return d
    a, b = rd(a_path), rd(b_path)
    kernel = subprocess.run(["uname", "-r"], capture_output=True, text=True).stdout.strip()
    print(f"# ip -s -s -j link delta in netns {netns} across the capture of {name}, Linux {kernel} "
          "(changed counters only; carrier_changes left out)")
    for (dev, k) in b:
        delta = b[(dev, k)] - a.get((dev, k), 0)
        if delta and k != "tx_carrier_changes":
            print(f"{dev:<12} {k:<20} {delta}")


def oracle_scenario(host_json):
    h = json.load(open(host_json))
    ifs = []
    for i, itf in enumerate(h["interfaces"]):
        d = {"name": itf["name"], "ip": itf["addresses"], "mac": itf["mac"], "mtu": itf["mtu"],
             "offload": {"tx": "off", "rx": "off"}}
        nb = [n for n in h.get("neighbours", []) if n.get("dev") == itf["name"]]
        if i > 0 and nb:
            d["peer_mac"] = nb[0]["mac"]   # the root-namespace end stands for that neighbour
        ifs.append(d)
    captured = [i for i, itf in enumerate(h["interfaces"]) if itf.get("captured")][0]
    ifs.insert(0, ifs.pop(captured))   # the oracle injects on the first interface
    socks = h.get("sockets", [])
    sysctl = dict(h.get("sysctl", {}))
    sc = {"interfaces": ifs,
          "listen_tcp": [s["port"] for s in socks if s["proto"] == "tcp" and s.get("state") == "listen"],
          "listen_udp": [s["port"] for s in socks if s["proto"] == "udp" and not s.get("remote")],
          "sysctl": sysctl}
    if "net.ipv4.ip_forward" in sysctl:
        sc["ip_forward"] = sysctl.pop("net.ipv4.ip_forward")
    sc["routes"] = ["%s via %s dev %s" % (r["dst"], r["via"], r["dev"]) for r in h.get("routes", []) if r.get("via")]
    neigh = [{"ip": n["ip"], "mac": n["mac"], "dev": n["dev"], "nud": n["state"]} for n in h.get("neighbours", [])]
    sc["neigh"] = neigh
    sc["auto_neigh"] = False   # neighbours exactly as the host profile has them
    print(json.dumps(sc, indent=1))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    table = {"rp-filter": rp_filter, "martian": martian, "frag": frag,
             "frag-timeout": frag_timeout, "frag-mem": frag_mem, "udp-burst": udp_burst, "udp": udp, "icmp": icmp,
             "ipopts": ipopts, "arp-garp": arp_garp, "tcp-odd": tcp_odd, "tcp-tw": tcp_tw,
             "tcp-seq": tcp_seq, "tcp-sink": tcp_sink, "tcp-seq-client": tcp_seq_client,
             "tcp-server": tcp_server, "tcp-client": tcp_client, "udp-server": udp_server,
             "udp-connected": udp_connected, "nf-client": nf_client, "kfree-report": kfree_report,
             "link-delta": link_delta, "nstat-delta": nstat_delta, "oracle-scenario": oracle_scenario,
             "clock-offset": lambda: print(time.clock_gettime_ns(time.CLOCK_REALTIME)
                                           - time.clock_gettime_ns(time.CLOCK_MONOTONIC))}
    if cmd not in table:
        sys.exit(__doc__)
    table[cmd](*args)
