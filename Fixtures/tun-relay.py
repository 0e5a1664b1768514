"""Joins two tun devices in two network namespaces: each side opens its namespace's device, and the
packets one device's program reads are written to the other over a socket pair.

Usage (in the host's namespace): tun-relay.py main HOST_TUN PEER_NAMESPACE PEER_TUN
It starts its own other side in PEER_NAMESPACE (tun-relay.py side PEER_TUN FD) and runs until either
side goes away. Used by make-fixtures-tun.sh and make-fixtures-multi.sh.
"""
import fcntl, os, select, socket, struct, subprocess, sys


def tun(name):
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', name.encode(), 0x0001 | 0x1000))  # TUNSETIFF, IFF_TUN|IFF_NO_PI
    return fd


if sys.argv[1] == 'side':
    t, s = tun(sys.argv[2]), int(sys.argv[3])
else:
    host_tun, peer_ns, peer_tun = sys.argv[2:5]
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    subprocess.Popen(['ip', 'netns', 'exec', peer_ns, sys.executable, sys.argv[0], 'side', peer_tun, str(b.fileno())],
                     pass_fds=[b.fileno()])
    t, s = tun(host_tun), a.fileno()
while True:
    for fd in select.select([t, s], [], [])[0]:
        packet = os.read(fd, 65536)
        if not packet:
            sys.exit(0)  # the other side has gone
        os.write(s if fd == t else t, packet)
