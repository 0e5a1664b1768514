#!/usr/bin/env python3
"""Writes a large, realistic, deterministic Ethernet pcap for `make bench` (standard library only).

Usage: gen-capture.py OUT.pcap [--frames N] [--seed S]

The capture is what the host 10.77.0.1 (MAC 02:00:00:00:0d:00, profile Tools/bench-host.json) would
record on its interface: both directions, its own MAC as the source of the frames it sends. Traffic,
interleaved over ~64 concurrent sessions:
  - TCP to the host's listener :8080 from on-link and off-link peers (handshake, request, response
    segments, delayed ACKs, client-initiated close);
  - TCP from the host to peers' :443/:80 (host closes first), and SYNs to closed ports (host sends RST);
  - UDP to the open port 7000 (host answers) and to closed ports (host sends ICMP port unreachable);
    DNS-like queries from the host to the gateway;
  - ICMP echo both ways, including fragmented echo requests (and fragmented replies) and fragmented
    UDP datagrams to :7000;
  - ARP: the host resolving peers, peers resolving the host, and broadcast requests for other hosts.
Off-link peers (198.51.100.0/24, 203.0.113.0/24) are reached through the gateway 10.77.0.254.
Every IPv4, TCP, UDP and ICMP checksum is correct. Frames are not padded (as captured on veth/wlan).
The same seed always gives the same bytes.
"""
import random
import struct
import sys

HOST_MAC = bytes.fromhex("020000000d00")
GW_MAC = bytes.fromhex("020000000efe")
BCAST = b"\xff" * 6
HOST_IP = (10 << 24) | (77 << 16) | 1
GW_IP = (10 << 24) | (77 << 16) | 254
ETH_IP = b"\x08\x00"
ETH_ARP = b"\x08\x06"
MSS = 1448  # full-sized data segments (as with TCP timestamps on a 1500-byte MTU)

# TCP flags
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

# SYN options: MSS 1460, NOP, window scale 7, NOP, NOP, SACK permitted (12 bytes).
SYN_OPTS = struct.pack("!BBHBBBBBBBB", 2, 4, 1460, 1, 3, 3, 7, 1, 1, 4, 2)


def wsum(b):
    """Sum of the big-endian 16-bit words of b (zero-padded to even length)."""
    if len(b) & 1:
        b = b + b"\x00"
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def csum(b):
    return (~fold(wsum(b))) & 0xFFFF


def ip_bytes(a):
    return struct.pack("!I", a)


def ip_words(a):
    return (a >> 16) + (a & 0xFFFF)


SYN_OPTS_SUM = wsum(SYN_OPTS)


class Payload:
    """A fixed payload and its precomputed checksum contribution."""
    __slots__ = ("data", "sum", "len")

    def __init__(self, data):
        self.data = data
        self.len = len(data)
        self.sum = wsum(data)


def make_payloads(rng):
    def blob(n, seed):
        r = random.Random(seed)
        return bytes(r.getrandbits(8) for _ in range(n))
    http_req = [Payload(("GET /%s HTTP/1.1\r\nHost: 10.77.0.1:8080\r\nUser-Agent: bench/1.0\r\n"
                         "Accept: */*\r\n\r\n" % p).encode()) for p in
                ("", "index.html", "api/v1/items?page=2", "static/app.js", "health")]
    tls_hello = [Payload(blob(n, 100 + n)) for n in (517, 583, 251)]
    full = Payload(blob(MSS, 1))
    tails = [Payload(blob(n, 2 + n)) for n in (1, 87, 310, 733, 1021, 1447)]
    small = [Payload(blob(n, 3 + n)) for n in (16, 32, 64, 100, 180)]
    dns_q, dns_r = [], []
    for i, name in enumerate(("deb.debian.org", "example.com", "api.example.net", "time.example.org")):
        qname = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\x00"
        question = qname + struct.pack("!HH", 1, 1)
        tid = 0x1000 + i
        dns_q.append(Payload(struct.pack("!HHHHHH", tid, 0x0100, 1, 0, 0, 0) + question))
        answers = b"".join(struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + bytes([192, 0, 2, 10 + i + k])
                           for k in range(1 + i % 3))
        dns_r.append(Payload(struct.pack("!HHHHHH", tid, 0x8180, 1, 1 + i % 3, 0, 0) + question + answers))
    return http_req, tls_hello, full, tails, small, dns_q, dns_r


class Peer:
    __slots__ = ("ip", "mac", "ttl", "onlink", "arp_until", "ipid")

    def __init__(self, ip, mac, onlink, ttl, ipid):
        self.ip, self.mac, self.onlink, self.ttl, self.ipid = ip, mac, onlink, ttl, ipid
        self.arp_until = -1.0


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        rng = self.rng
        (self.http_req, self.tls_hello, self.full, self.tails, self.small,
         self.dns_q, self.dns_r) = make_payloads(rng)
        self.now = 1_700_000_000.0
        self.gw = Peer(GW_IP, GW_MAC, True, 64, 1)
        self.onlink = [Peer((10 << 24) | (77 << 16) | i, bytes([2, 0, 0, 0, 0x0e, i]), True, 64,
                            rng.randrange(65536)) for i in range(2, 201)]
        self.offlink = []
        for net in ((198 << 24) | (51 << 16) | (100 << 8), (203 << 24) | (113 << 8)):
            for i in range(1, 101):
                self.offlink.append(Peer(net | i, GW_MAC, False, rng.choice((50, 52, 56, 115, 118)),
                                         rng.randrange(65536)))
        self.host_ipid = rng.randrange(65536)
        self.next_eport = 32768 + rng.randrange(20000)

    # ---- frame builders -------------------------------------------------------------------------
    def tcp(self, peer, tx, sport, dport, seq, ack, flags, pl=None, ipid=0, win=64240, opts=False):
        """A TCP/IPv4 frame; addresses follow the direction (tx: host -> peer)."""
        if tx:
            src, dst, ttl = HOST_IP, peer.ip, 64
            l2 = peer.mac + HOST_MAC + ETH_IP
        else:
            src, dst, ttl = peer.ip, HOST_IP, peer.ttl
            l2 = HOST_MAC + peer.mac + ETH_IP
        plen = pl.len if pl is not None else 0
        hl = 32 if opts else 20
        tcplen = hl + plen
        total = 20 + tcplen
        off_flags = ((hl // 4) << 12) | flags
        # IPv4 header checksum (DF set, proto 6)
        s = 0x4500 + total + ipid + 0x4000 + ((ttl << 8) | 6) + ip_words(src) + ip_words(dst)
        ipck = (~fold(s)) & 0xFFFF
        # TCP checksum: pseudo-header + header + options + payload
        s = (ip_words(src) + ip_words(dst) + 6 + tcplen + sport + dport + (seq >> 16) + (seq & 0xFFFF)
             + (ack >> 16) + (ack & 0xFFFF) + off_flags + win)
        if opts:
            s += SYN_OPTS_SUM
        if pl is not None:
            s += pl.sum
        tck = (~fold(s)) & 0xFFFF
        hdr = struct.pack("!BBHHHBBHIIHHIIHHHH", 0x45, 0, total, ipid, 0x4000, ttl, 6, ipck, src, dst,
                          sport, dport, seq, ack, off_flags, win, tck, 0)
        return l2 + hdr + (SYN_OPTS if opts else b"") + (pl.data if pl is not None else b"")

    def udp(self, peer, tx, sport, dport, pl, ipid=0):
        if tx:
            src, dst, ttl = HOST_IP, peer.ip, 64
            l2 = peer.mac + HOST_MAC + ETH_IP
        else:
            src, dst, ttl = peer.ip, HOST_IP, peer.ttl
            l2 = HOST_MAC + peer.mac + ETH_IP
        ulen = 8 + pl.len
        total = 20 + ulen
        s = 0x4500 + total + ipid + 0x4000 + ((ttl << 8) | 17) + ip_words(src) + ip_words(dst)
        ipck = (~fold(s)) & 0xFFFF
        s = ip_words(src) + ip_words(dst) + 17 + ulen + sport + dport + ulen + pl.sum
        uck = (~fold(s)) & 0xFFFF or 0xFFFF
        return l2 + struct.pack("!BBHHHBBHIIHHHH", 0x45, 0, total, ipid, 0x4000, ttl, 17, ipck, src, dst,
                                sport, dport, ulen, uck) + pl.data

    def ipv4(self, peer, tx, proto, payload, ipid, df=True, frag_off=0, mf=False):
        """A generic IPv4 frame (used for ICMP and fragments, which are rare enough to sum fully)."""
        if tx:
            src, dst, ttl = HOST_IP, peer.ip, 64
            l2 = peer.mac + HOST_MAC + ETH_IP
        else:
            src, dst, ttl = peer.ip, HOST_IP, peer.ttl
            l2 = HOST_MAC + peer.mac + ETH_IP
        flags = (0x4000 if df else 0) | (0x2000 if mf else 0) | (frag_off // 8)
        total = 20 + len(payload)
        h = struct.pack("!BBHHHBBHII", 0x45, 0, total, ipid, flags, ttl, proto, 0, src, dst)
        ck = csum(h)
        return l2 + h[:10] + struct.pack("!H", ck) + h[12:] + payload

    def icmp_msg(self, typ, code, rest, data):
        m = struct.pack("!BBHI", typ, code, 0, rest) + data
        ck = csum(m)
        return m[:2] + struct.pack("!H", ck) + m[4:]

    def fragments(self, peer, tx, proto, datagram, ipid, mtu=1500):
        step = (mtu - 20) // 8 * 8
        out = []
        for off in range(0, len(datagram), step):
            chunk = datagram[off:off + step]
            out.append(self.ipv4(peer, tx, proto, chunk, ipid, df=False, frag_off=off,
                                 mf=off + step < len(datagram)))
        return out

    def arp(self, op, smac, sip, tmac, tip, dst):
        return (dst + smac + ETH_ARP + struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + smac + ip_bytes(sip)
                + tmac + ip_bytes(tip))

    # ---- helpers --------------------------------------------------------------------------------
    def pick_peer(self, offlink_share=0.3):
        rng = self.rng
        if rng.random() < offlink_share:
            return rng.choice(self.offlink)
        return rng.choice(self.onlink)

    def resolve(self, peer, host_asks):
        """ARP exchange before talking to an on-link neighbour whose entry went stale (yields frames)."""
        l2peer = self.gw if not peer.onlink else peer
        if l2peer.arp_until > self.now:
            return []
        l2peer.arp_until = self.now + 30.0 + self.rng.random() * 30.0
        if host_asks:
            return [self.arp(1, HOST_MAC, HOST_IP, b"\x00" * 6, l2peer.ip, BCAST),
                    self.arp(2, l2peer.mac, l2peer.ip, HOST_MAC, HOST_IP, HOST_MAC)]
        return [self.arp(1, l2peer.mac, l2peer.ip, b"\x00" * 6, HOST_IP, BCAST),
                self.arp(2, HOST_MAC, HOST_IP, l2peer.mac, l2peer.ip, l2peer.mac)]

    def eport(self):
        p = self.next_eport
        self.next_eport = 32768 if p >= 60999 else p + 1
        return p

    # ---- sessions (generators of frames) --------------------------------------------------------
    def tcp_inbound(self):
        """A peer connects to the host's :8080, sends a request, reads a response, closes first."""
        rng = self.rng
        peer = self.pick_peer()
        for f in self.resolve(peer, host_asks=False):
            yield f
        sport, dport = rng.randrange(32768, 61000), 8080
        cseq, sseq = rng.getrandbits(32), rng.getrandbits(32)
        cid, sid = rng.randrange(65536), 0
        yield self.tcp(peer, False, sport, dport, cseq, 0, SYN, None, cid, 64240, True)
        yield self.tcp(peer, True, dport, sport, sseq, (cseq + 1) & 0xFFFFFFFF, SYN | ACK, None, sid, 65160, True)
        cseq = (cseq + 1) & 0xFFFFFFFF
        sseq = (sseq + 1) & 0xFFFFFFFF
        cid = (cid + 1) & 0xFFFF
        yield self.tcp(peer, False, sport, dport, cseq, sseq, ACK, None, cid, 502)
        for _ in range(rng.choice((1, 1, 1, 2, 3))):  # keep-alive requests
            req = rng.choice(self.http_req)
            cid = (cid + 1) & 0xFFFF
            yield self.tcp(peer, False, sport, dport, cseq, sseq, PSH | ACK, req, cid, 502)
            cseq = (cseq + req.len) & 0xFFFFFFFF
            sid = (sid + 1) & 0xFFFF
            yield self.tcp(peer, True, dport, sport, sseq, cseq, ACK, None, sid, 507)
            nfull = rng.choice((0, 1, 2, 4, 8, 16, 32, 64)) if rng.random() < 0.8 else rng.randrange(64, 200)
            for i in range(nfull):
                sid = (sid + 1) & 0xFFFF
                yield self.tcp(peer, True, dport, sport, sseq, cseq, ACK, self.full, sid, 507)
                sseq = (sseq + MSS) & 0xFFFFFFFF
                if i & 1:
                    cid = (cid + 1) & 0xFFFF
                    yield self.tcp(peer, False, sport, dport, cseq, sseq, ACK, None, cid, 2048)
            tail = rng.choice(self.tails)
            sid = (sid + 1) & 0xFFFF
            yield self.tcp(peer, True, dport, sport, sseq, cseq, PSH | ACK, tail, sid, 507)
            sseq = (sseq + tail.len) & 0xFFFFFFFF
            cid = (cid + 1) & 0xFFFF
            yield self.tcp(peer, False, sport, dport, cseq, sseq, ACK, None, cid, 2048)
        cid = (cid + 1) & 0xFFFF
        yield self.tcp(peer, False, sport, dport, cseq, sseq, FIN | ACK, None, cid, 2048)
        cseq = (cseq + 1) & 0xFFFFFFFF
        sid = (sid + 1) & 0xFFFF
        yield self.tcp(peer, True, dport, sport, sseq, cseq, FIN | ACK, None, sid, 507)
        sseq = (sseq + 1) & 0xFFFFFFFF
        cid = (cid + 1) & 0xFFFF
        yield self.tcp(peer, False, sport, dport, cseq, sseq, ACK, None, cid, 2048)

    def tcp_outbound(self):
        """The host connects to a peer's :443 or :80, sends a request, downloads, closes first."""
        rng = self.rng
        peer = self.pick_peer(0.6)
        for f in self.resolve(peer, host_asks=True):
            yield f
        sport, dport = self.eport(), rng.choice((443, 443, 80))
        cseq, sseq = rng.getrandbits(32), rng.getrandbits(32)
        hid = rng.randrange(65536)
        pid = peer.ipid
        peer.ipid = (pid + 1000) & 0xFFFF
        yield self.tcp(peer, True, sport, dport, cseq, 0, SYN, None, hid, 64240, True)
        cseq = (cseq + 1) & 0xFFFFFFFF
        yield self.tcp(peer, False, dport, sport, sseq, cseq, SYN | ACK, None, 0, 65160, True)
        sseq = (sseq + 1) & 0xFFFFFFFF
        hid = (hid + 1) & 0xFFFF
        yield self.tcp(peer, True, sport, dport, cseq, sseq, ACK, None, hid, 502)
        req = rng.choice(self.tls_hello) if dport == 443 else rng.choice(self.http_req)
        hid = (hid + 1) & 0xFFFF
        yield self.tcp(peer, True, sport, dport, cseq, sseq, PSH | ACK, req, hid, 502)
        cseq = (cseq + req.len) & 0xFFFFFFFF
        pid = (pid + 1) & 0xFFFF
        yield self.tcp(peer, False, dport, sport, sseq, cseq, ACK, None, pid, 509)
        nfull = rng.choice((1, 2, 3, 6, 10, 20, 40)) if rng.random() < 0.85 else rng.randrange(40, 300)
        for i in range(nfull):
            pid = (pid + 1) & 0xFFFF
            yield self.tcp(peer, False, dport, sport, sseq, cseq, ACK, self.full, pid, 509)
            sseq = (sseq + MSS) & 0xFFFFFFFF
            if i & 1:
                hid = (hid + 1) & 0xFFFF
                yield self.tcp(peer, True, sport, dport, cseq, sseq, ACK, None, hid, 1444)
        tail = rng.choice(self.tails)
        pid = (pid + 1) & 0xFFFF
        yield self.tcp(peer, False, dport, sport, sseq, cseq, PSH | ACK, tail, pid, 509)
        sseq = (sseq + tail.len) & 0xFFFFFFFF
        hid = (hid + 1) & 0xFFFF
        yield self.tcp(peer, True, sport, dport, cseq, sseq, ACK, None, hid, 1444)
        hid = (hid + 1) & 0xFFFF
        yield self.tcp(peer, True, sport, dport, cseq, sseq, FIN | ACK, None, hid, 1444)
        cseq = (cseq + 1) & 0xFFFFFFFF
        pid = (pid + 1) & 0xFFFF
        yield self.tcp(peer, False, dport, sport, sseq, cseq, FIN | ACK, None, pid, 509)
        sseq = (sseq + 1) & 0xFFFFFFFF
        hid = (hid + 1) & 0xFFFF
        yield self.tcp(peer, True, sport, dport, cseq, sseq, ACK, None, hid, 1444)

    def tcp_closed(self):
        """A SYN to a port nobody listens on; the host answers RST/ACK (scanners retry once)."""
        rng = self.rng
        peer = self.pick_peer(0.5)
        for f in self.resolve(peer, host_asks=False):
            yield f
        sport, dport = rng.randrange(32768, 61000), rng.choice((22, 23, 81, 443, 3306, 8443, 9000))
        seq = rng.getrandbits(32)
        for _ in range(rng.choice((1, 1, 2))):
            yield self.tcp(peer, False, sport, dport, seq, 0, SYN, None, rng.randrange(65536), 1024, True)
            yield self.tcp(peer, True, dport, sport, 0, (seq + 1) & 0xFFFFFFFF, RST | ACK, None, 0, 0)

    def udp_open(self):
        """Datagrams to the host's UDP :7000, each answered from :7000."""
        rng = self.rng
        peer = self.pick_peer(0.2)
        for f in self.resolve(peer, host_asks=False):
            yield f
        sport = rng.randrange(32768, 61000)
        pid = peer.ipid
        for _ in range(rng.randrange(1, 9)):
            pid = (pid + 1) & 0xFFFF
            yield self.udp(peer, False, sport, 7000, rng.choice(self.small), pid)
            self.host_ipid = (self.host_ipid + 1) & 0xFFFF
            yield self.udp(peer, True, 7000, sport, rng.choice(self.small), self.host_ipid)
        peer.ipid = pid

    def udp_closed(self):
        """A datagram to a closed UDP port; the host answers ICMP port unreachable."""
        rng = self.rng
        peer = self.pick_peer(0.2)
        for f in self.resolve(peer, host_asks=False):
            yield f
        sport, dport = rng.randrange(32768, 61000), rng.choice((7001, 7002, 9999, 33434, 40000))
        peer.ipid = (peer.ipid + 1) & 0xFFFF
        frame = self.udp(peer, False, sport, dport, rng.choice(self.small), peer.ipid)
        yield frame
        quoted = frame[14:14 + 548]  # as much of the offending datagram as fits in 576 bytes
        self.host_ipid = (self.host_ipid + 1) & 0xFFFF
        icmp = self.icmp_msg(3, 3, 0, quoted)
        yield self.ipv4(peer, True, 1, icmp, self.host_ipid, df=False)

    def dns(self):
        """The host asks the gateway's resolver; one or two queries, each answered."""
        rng = self.rng
        gw = self.gw
        for f in self.resolve(gw, host_asks=True):
            yield f
        for _ in range(rng.choice((1, 2))):
            sport = rng.randrange(32768, 61000)
            self.host_ipid = (self.host_ipid + 1) & 0xFFFF
            k = rng.randrange(len(self.dns_q))
            yield self.udp(gw, True, sport, 53, self.dns_q[k], self.host_ipid)
            gw.ipid = (gw.ipid + 1) & 0xFFFF
            yield self.udp(gw, False, 53, sport, self.dns_r[k], gw.ipid)

    def ping_in(self):
        """A peer pings the host (a few echo requests, each answered); sometimes with 3000-byte payloads
        that arrive as fragments (and are answered in fragments)."""
        rng = self.rng
        peer = self.pick_peer(0.3)
        for f in self.resolve(peer, host_asks=False):
            yield f
        ident = rng.randrange(65536)
        big = rng.random() < 0.15
        size = 2972 if big else 56
        data = bytes((i & 0xFF) for i in range(size))
        for seq in range(1, rng.randrange(2, 6)):
            req = self.icmp_msg(8, 0, (ident << 16) | seq, data)
            rep = self.icmp_msg(0, 0, (ident << 16) | seq, data)
            peer.ipid = (peer.ipid + 1) & 0xFFFF
            self.host_ipid = (self.host_ipid + 1) & 0xFFFF
            if big:
                for f in self.fragments(peer, False, 1, req, peer.ipid):
                    yield f
                for f in self.fragments(peer, True, 1, rep, self.host_ipid):
                    yield f
            else:
                yield self.ipv4(peer, False, 1, req, peer.ipid)
                yield self.ipv4(peer, True, 1, rep, self.host_ipid, df=False)

    def ping_out(self):
        """The host pings a peer."""
        rng = self.rng
        peer = self.pick_peer(0.5)
        for f in self.resolve(peer, host_asks=True):
            yield f
        ident = rng.randrange(65536)
        data = bytes((i & 0xFF) for i in range(56))
        for seq in range(1, rng.randrange(2, 5)):
            self.host_ipid = (self.host_ipid + 1) & 0xFFFF
            peer.ipid = (peer.ipid + 1) & 0xFFFF
            yield self.ipv4(peer, True, 1, self.icmp_msg(8, 0, (ident << 16) | seq, data), self.host_ipid)
            yield self.ipv4(peer, False, 1, self.icmp_msg(0, 0, (ident << 16) | seq, data), peer.ipid, df=False)

    def udp_frag(self):
        """A 4000-byte datagram to :7000 that arrives in three fragments."""
        rng = self.rng
        peer = self.pick_peer(0.2)
        for f in self.resolve(peer, host_asks=False):
            yield f
        sport = rng.randrange(32768, 61000)
        data = bytes(((i * 7) & 0xFF) for i in range(4000))
        ulen = 8 + len(data)
        s = (ip_words(peer.ip) + ip_words(HOST_IP) + 17 + ulen + sport + 7000 + ulen + wsum(data))
        uck = (~fold(s)) & 0xFFFF or 0xFFFF
        dgram = struct.pack("!HHHH", sport, 7000, ulen, uck) + data
        peer.ipid = (peer.ipid + 1) & 0xFFFF
        for f in self.fragments(peer, False, 17, dgram, peer.ipid):
            yield f

    def arp_noise(self):
        """Broadcast ARP requests between other hosts (the host sees them, does not answer)."""
        rng = self.rng
        a, b = rng.sample(self.onlink, 2)
        yield self.arp(1, a.mac, a.ip, b"\x00" * 6, b.ip, BCAST)

    # ---- the capture ----------------------------------------------------------------------------
    def frames(self, count, concurrency=64):
        rng = self.rng
        kinds = [
            (self.tcp_inbound, 30), (self.tcp_outbound, 22), (self.tcp_closed, 10), (self.udp_open, 8),
            (self.udp_closed, 6), (self.dns, 8), (self.ping_in, 6), (self.ping_out, 4),
            (self.udp_frag, 2), (self.arp_noise, 4),
        ]
        table = [k for k, w in kinds for _ in range(w)]
        active = [rng.choice(table)() for _ in range(concurrency)]
        n = 0
        rand, expo = rng.random, rng.expovariate
        while n < count:
            i = int(rand() * concurrency)
            try:
                frame = next(active[i])
            except StopIteration:
                active[i] = rng.choice(table)()
                continue
            self.now += expo(20000.0)  # ~20k frames per second on average
            n += 1
            yield self.now, frame


def write_pcap(path, count, seed):
    gen = Gen(seed)
    pack = struct.Struct("<IIII").pack
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        parts = []
        for n, (t, frame) in enumerate(gen.frames(count), 1):
            sec = int(t)
            ln = len(frame)
            parts.append(pack(sec, int((t - sec) * 1e6), ln, ln))
            parts.append(frame)
            if n % 65536 == 0:
                f.write(b"".join(parts))
                parts.clear()
        f.write(b"".join(parts))


def main(argv):
    args = argv[1:]
    out, count, seed = None, 2_000_000, 5
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--frames":
            count = int(args[i + 1]); i += 2
        elif a == "--seed":
            seed = int(args[i + 1]); i += 2
        elif a.startswith("-"):
            sys.exit(__doc__)
        else:
            out = a; i += 1
    if not out:
        sys.exit(__doc__)
    write_pcap(out, count, seed)


if __name__ == "__main__":
    main(sys.argv)
