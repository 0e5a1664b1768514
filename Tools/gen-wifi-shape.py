#!/usr/bin/env python3
"""Writes the 802.11 bench shape: an Ethernet capture of a Wi-Fi station's interface as a monitor
interface beside the station sees the same traffic over the air (standard library only).

Usage: gen-wifi-shape.py IN.pcap HOST.json OUT.pcap OUT.host.json [--bssid MAC]

IN.pcap is what the station recorded on its own interface (Ethernet frames, link type 1; the bench's
generated capture), HOST.json its host profile (one interface, the station). Each frame becomes a QoS
data frame with a minimal radiotap header (link type 127): frames the station sent go to the access
point (ToDS: receiver the AP, transmitter the station, address 3 the Ethernet destination), the others
come from it (FromDS: receiver the Ethernet destination, transmitter the AP, address 3 the Ethernet
source), each with an RFC 1042 header before the payload and a sequence number counting up per
direction. The profile gains `wifi` (the BSS, associated with an open port, no cipher: the frames are
unprotected). The same input always gives the same bytes.
"""

import argparse
import json
import os
import struct

import pcaprecords
import sys

RADIOTAP = bytes([0, 0, 8, 0, 0, 0, 0, 0])   # version 0, length 8, no fields
RFC1042 = bytes([0xAA, 0xAA, 0x03, 0x00, 0x00, 0x00])


def mac_bytes(text):
    return bytes.fromhex(text.replace(":", ""))


def convert(frame, station, bssid, seq):
    """The 802.11 frame of one Ethernet frame, or None for a frame too short to have a header."""
    if len(frame) < 14:
        return None
    dst, src, rest = frame[0:6], frame[6:12], frame[12:]
    if src == station:
        flags, a1, a2, a3 = 0x01, bssid, station, dst
    else:
        flags, a1, a2, a3 = 0x02, dst, bssid, src
    header = bytes([0x88, flags, 0, 0]) + a1 + a2 + a3 + struct.pack("<H", (seq & 0xFFF) << 4) + bytes([0, 0])
    return RADIOTAP + header + RFC1042 + rest


def main(argv):
    parser = argparse.ArgumentParser(description="Writes the 802.11 bench shape (see the module's docstring).")
    for name in ("source", "host_in", "out", "host_out"):
        parser.add_argument(name)
    parser.add_argument("--bssid", default="02:00:00:00:0a:01")
    a = parser.parse_args(argv)
    source, host_in, out, host_out, bssid_text = a.source, a.host_in, a.out, a.host_out, a.bssid
    with open(host_in) as f:
        host = json.load(f)
    station_text = host["interfaces"][0]["mac"]
    host["interfaces"][0]["wifi"] = {"bssid": bssid_text}
    station, bssid = mac_bytes(station_text), mac_bytes(bssid_text)
    with open(source, "rb") as f:
        try:
            head, records = pcaprecords.read(f)
        except ValueError:
            head = None
        if head is None or struct.unpack("<I", head[20:24])[0] != 1:
            sys.stderr.write("gen-wifi-shape: %s is not a little-endian Ethernet pcap\n" % source)
            return 2
        sequence = {True: 0, False: 0}
        with open(out + ".part", "wb") as w:
            w.write(head[:16] + struct.pack("<I", 65535) + struct.pack("<I", 127))
            for sec, frac, _orig, frame in records:
                sent = frame[6:12] == station
                converted = convert(frame, station, bssid, sequence[sent])
                if converted is None:
                    continue
                sequence[sent] += 1
                w.write(struct.pack("<IIII", sec, frac, len(converted), len(converted)) + converted)
    with open(host_out, "w") as f:
        json.dump(host, f)
    os.replace(out + ".part", out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
