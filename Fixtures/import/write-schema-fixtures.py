#!/usr/bin/env python3
"""Writes pwru.jsonl and retis.jsonl: the output pwru and retis would give for Fixtures/udp_ports.pcap,
written from their published output schemas, not recorded (neither tool installs from Debian or PyPI
here; PyPI's `retis` holds only the Python bindings that read events files). Fixtures/README.md says
which import fixtures are recordings and which are written.

pwru --output-json --output-meta --output-tuple --output-caller --timestamp current: one object per
function an skb entered (pwru's jsonPrinter: skb, cpu, process, func, caller_func, time, netns, mark,
iface, proto, mtu, len, tuple {saddr, daddr, sport, dport, proto}); a drop is named
kfree_skb_reason(SKB_DROP_REASON_...).
retis collect -o (events file, JSON, one event a line): a startup event (retis_version, cmdline,
clock_monotonic_offset {sec, nsec}, machine {kernel_release, ...}), then events with the sections
common {timestamp, smp_id, task}, kernel {symbol, probe_type[, stack]}, skb-tracking {orig_head,
timestamp, skb}, dev {name, ifindex}, packet {len, capture_len, data (base64, from the Ethernet
header)}, skb-drop {drop_reason}.

The functions are those of the real 6.1 paths of these frames (oracle_udp_ports.function_graph.txt)
that take an skb; the times keep the capture's gaps. Run from this folder: python3 write-schema-fixtures.py
"""
import base64, json, struct

def frames(path):
    d = open(path, 'rb').read()
    off, out = 24, []
    while off + 16 <= len(d):
        s, ns, cl, ol = struct.unpack('<IIII', d[off:off + 16]); off += 16
        out.append((s * 10**9 + ns, d[off:off + cl])); off += cl
    return out

f = frames('../udp_ports.pcap')
MONO0 = 5_022_537_000  # the monotonic clock at frame 1
OFFSET = f[0][0] - MONO0
rx_path = ['veth_xmit', '__dev_forward_skb', '__dev_forward_skb2', 'eth_type_trans', '__netif_rx',
           'netif_rx_internal', 'enqueue_to_backlog', '__netif_receive_skb', '__netif_receive_skb_one_core',
           'ip_rcv', 'ip_rcv_core', 'ip_rcv_finish_core', 'udp_v4_early_demux', 'ip_route_input_noref',
           'ip_route_input_slow', 'fib_validate_source', 'ip_local_deliver', 'ip_local_deliver_finish',
           'ip_protocol_deliver_rcu', 'raw_local_deliver', 'udp_rcv', '__udp4_lib_rcv']
deliver = ['udp_unicast_rcv_skb', 'udp_queue_rcv_skb', 'udp_queue_rcv_one_skb', '__udp_enqueue_schedule_skb']
drop = ['__skb_checksum_complete', '__icmp_send']
tx_path = ['ip_send_skb', 'ip_local_out', '__ip_local_out', 'ip_output', 'ip_finish_output', '__ip_finish_output',
           'ip_finish_output2', 'neigh_resolve_output', '__dev_queue_xmit', 'validate_xmit_skb', 'dev_hard_start_xmit',
           'veth_xmit', '__dev_forward_skb', '__dev_forward_skb2', 'eth_type_trans', '__netif_rx',
           'netif_rx_internal', 'enqueue_to_backlog', '__netif_receive_skb', '__netif_receive_skb_one_core', 'ip_rcv',
           'ip_rcv_core', 'ip_rcv_finish_core', 'ip_local_deliver', 'ip_local_deliver_finish', 'consume_skb']
# (frame, skb address, functions, drop reason and caller or None, length on the wire)
packets = [
    (0, 0xffff88803fde6500, rx_path + deliver, None),
    (1, 0xffff88803fde6700, rx_path + drop + ['kfree_skb_reason'], ('NO_SOCKET', '__udp4_lib_rcv')),
    (2, 0xffff88803fde6900, tx_path, None),
]

def tup(b):
    ip = b[14:]
    t = {'saddr': '.'.join(map(str, ip[12:16])), 'daddr': '.'.join(map(str, ip[16:20])), 'proto': ip[9]}
    if ip[9] in (6, 17):
        ihl = (ip[0] & 15) * 4
        t['sport'], t['dport'] = struct.unpack('>HH', ip[ihl:ihl + 4])
    return t

with open('pwru.jsonl', 'w') as out:
    for n, skb, funcs, dropped in packets:
        t = f[n][0] - OFFSET
        for i, fn in enumerate(funcs):
            on_peer = n == 2 and i > funcs.index('dev_hard_start_xmit')
            pulled = fn not in ('veth_xmit', '__dev_forward_skb', '__dev_forward_skb2', 'eth_type_trans', 'ip_send_skb',
                                'ip_local_out', '__ip_local_out', 'ip_output', 'ip_finish_output', '__ip_finish_output',
                                'ip_finish_output2', 'neigh_resolve_output', '__dev_queue_xmit', 'validate_xmit_skb',
                                'dev_hard_start_xmit')
            length = len(f[n][1]) - (14 if pulled else 0)
            if n == 2 and fn in ('ip_send_skb', 'ip_local_out', '__ip_local_out', 'ip_output', 'ip_finish_output',
                                 '__ip_finish_output', 'ip_finish_output2'):
                length = len(f[n][1]) - 14
            rec = {'skb': hex(skb), 'cpu': 0, 'process': '[inject]:176' if n < 2 else '[inject]:176',
                   'func': fn, 'caller_func': funcs[i - 1] if i else 'packet_sendmsg', 'time': t + i * 1500,
                   'netns': 4026532264 if not on_peer else 4026532200,
                   'iface': '7(veth-dut)' if not on_peer else '6(veth-peer)', 'proto': 2048, 'mtu': 1500,
                   'len': length, 'tuple': tup(f[n][1])}
            if fn == 'kfree_skb_reason' and dropped:
                rec['func'] = 'kfree_skb_reason(SKB_DROP_REASON_%s)' % dropped[0]
                rec['caller_func'] = dropped[1]
            if fn == 'consume_skb':
                rec['caller_func'] = 'icmp_rcv'
            out.write(json.dumps(rec, separators=(',', ':')) + '\n')
        if not dropped and n == 2:
            pass

with open('retis.jsonl', 'w') as out:
    out.write(json.dumps({'common': {'timestamp': 0}, 'startup': {
        'retis_version': '1.5.2', 'cmdline': 'retis collect -c skb,skb-drop,skb-tracking,dev -o',
        'clock_monotonic_offset': {'sec': OFFSET // 10**9, 'nsec': OFFSET % 10**9},
        'machine': {'kernel_release': '6.1.0-57-amd64', 'kernel_version': '#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3',
                    'hardware_name': 'x86_64'}}}, separators=(',', ':')) + '\n')
    for n, skb, funcs, dropped in packets:
        t0 = f[n][0] - OFFSET
        events = [('net:netif_receive_skb' if fn == '__netif_receive_skb' else
                   'net:net_dev_start_xmit' if fn == 'dev_hard_start_xmit' else
                   'skb:kfree_skb' if fn == 'kfree_skb_reason' else
                   'skb:consume_skb' if fn == 'consume_skb' else fn) for fn in funcs]
        for i, sym in enumerate(events):
            on_peer = n == 2 and i > events.index('net:net_dev_start_xmit')
            e = {'common': {'timestamp': t0 + i * 1500, 'smp_id': 0, 'task': {'pid': 176, 'tgid': 176, 'comm': 'inject'}},
                 'kernel': {'symbol': sym, 'probe_type': 'raw_tracepoint' if ':' in sym else 'kprobe'},
                 'skb-tracking': {'orig_head': skb - 0x300, 'timestamp': t0, 'skb': skb},
                 'dev': {'name': 'veth-peer' if on_peer else 'veth-dut', 'ifindex': 6 if on_peer else 7},
                 'packet': {'len': len(f[n][1]), 'capture_len': len(f[n][1]),
                            'data': base64.b64encode(f[n][1]).decode()}}
            if sym == 'skb:kfree_skb':
                e['kernel']['stack'] = ['kfree_skb_reason+0x48', dropped[1] + '+0x2f1', 'ip_protocol_deliver_rcu+0x3a']
                e['skb-drop'] = {'drop_reason': dropped[0]}
            out.write(json.dumps(e, separators=(',', ':')) + '\n')
