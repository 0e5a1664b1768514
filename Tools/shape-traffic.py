#!/usr/bin/env python3
"""The traffic of Tools/gen-shapes.sh's captures (standard library only). Runs until it is killed.

Usage: shape-traffic.py ROLE [ARGS]
  lo                          many short TCP connections to 127.0.0.1:8080 (server and client)
  router-server               TCP :8080 and UDP :5353 on IPv4 and IPv6
  router-client V4 V6         short TCP exchanges and UDP queries to the server, IPv4 and IPv6 in turn
  bulk-server [ADDR]          accepts on ADDR:5001 (default 0.0.0.0; :: for IPv6) and reads everything
  bulk-client ADDR            sends to ADDR:5001 (IPv4 or IPv6) without end
  listen PORT                 a TCP listener that never accepts (a SYN flood's target)
  synflood ADDR PORT          SYNs from 10.93.128.0/17 (raw socket, random ports and sequence numbers)
  udp-sink PORT               reads UDP datagrams on PORT
  udp-frag ADDR PORT          4,000-byte UDP datagrams to ADDR:PORT
"""
import random
import socket
import struct
import sys
import threading
import time

RESPONSE = b"HTTP/1.0 200 OK\r\n\r\n" + b"x" * 300
REQUEST = b"GET / HTTP/1.0\r\n\r\n"


def bound(family, kind, address, port):
    """A socket bound to address:port; an IPv6 one for IPv6 only (the IPv4 one binds the same port)."""
    s = socket.socket(family, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((address, port))
    return s


def http_server(family, address, port):
    srv = bound(family, socket.SOCK_STREAM, address, port)
    srv.listen(1024)
    while True:
        conn, _ = srv.accept()
        if conn.recv(4096):
            conn.sendall(RESPONSE)
        conn.close()


def http_get(family, address, port):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.connect((address, port))
    s.sendall(REQUEST)
    while s.recv(4096):
        pass
    s.close()


def udp_echo(family, address, port):
    s = bound(family, socket.SOCK_DGRAM, address, port)
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)


def background(target, *args):
    threading.Thread(target=target, args=args, daemon=True).start()


def checksum(data):
    if len(data) & 1:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def synflood(address, port):
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    dst = socket.inet_aton(address)
    rng = random.Random(13)
    while True:
        src = struct.pack("!I", (10 << 24) | (93 << 16) | 0x8000 | rng.randrange(1, 0x7FFF))
        sport, seq = rng.randrange(1024, 65535), rng.getrandbits(32)
        options = struct.pack("!BBH", 2, 4, 1460)
        tcp = struct.pack("!HHIIBBHHH", sport, port, seq, 0, 6 << 4, 0x02, 64240, 0, 0) + options
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), rng.getrandbits(16), 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        raw.sendto(ip + tcp, (address, 0))


def main():
    role, args = sys.argv[1], sys.argv[2:]
    if role == "lo":
        background(http_server, socket.AF_INET, "127.0.0.1", 8080)
        time.sleep(0.2)
        while True:
            http_get(socket.AF_INET, "127.0.0.1", 8080)
    elif role == "router-server":
        background(http_server, socket.AF_INET6, "::", 8080)
        background(udp_echo, socket.AF_INET, "0.0.0.0", 5353)
        background(udp_echo, socket.AF_INET6, "::", 5353)
        http_server(socket.AF_INET, "0.0.0.0", 8080)
    elif role == "router-client":
        v4, v6 = args
        u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        # Bound now, not at the first query: the host snapshot, taken a second in, then holds them.
        u4.bind(("0.0.0.0", 0))
        u6.bind(("::", 0))
        u4.settimeout(0.2)
        u6.settimeout(0.2)
        n = 0
        while True:
            http_get(socket.AF_INET, v4, 8080)
            http_get(socket.AF_INET6, v6, 8080)
            n += 1
            if n % 4 == 0:
                for sock, addr in ((u4, v4), (u6, v6)):
                    sock.sendto(b"query %d" % n, (addr, 5353))
                    try:
                        sock.recv(2048)
                    except socket.timeout:
                        pass
    elif role == "bulk-server":
        address = args[0] if args else "0.0.0.0"
        srv = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((address, 5001))
        srv.listen(4)
        conn, _ = srv.accept()
        while conn.recv(1 << 20):
            pass
    elif role == "bulk-client":
        s = socket.create_connection((args[0], 5001))
        block = bytes(range(256)) * 1024
        while True:
            s.sendall(block)
    elif role == "listen":
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("0.0.0.0", int(args[0])))
        srv.listen(128)
        while True:
            time.sleep(3600)
    elif role == "synflood":
        synflood(args[0], int(args[1]))
    elif role == "udp-sink":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", int(args[0])))
        while True:
            s.recv(65536)
    elif role == "udp-frag":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        payload = b"f" * 4000
        while True:
            s.sendto(payload, (args[0], int(args[1])))
            time.sleep(0.0005)
    else:
        sys.exit("shape-traffic: unknown role " + role)


if __name__ == "__main__":
    main()
