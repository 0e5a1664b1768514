"""Reads a little-endian classic pcap (standard library only), for the bench tools that rewrite captures."""

import struct


def read(f):
    """The file's 24-byte header, and an iterator over its records as (seconds, fraction, original length,
    captured bytes). Raises ValueError when the file is not a little-endian classic pcap."""
    header = f.read(24)
    if len(header) < 24 or struct.unpack("<I", header[:4])[0] not in (0xA1B2C3D4, 0xA1B23C4D):
        raise ValueError("not a little-endian classic pcap")

    def records():
        while True:
            record = f.read(16)
            if len(record) < 16:
                return
            sec, frac, incl, orig = struct.unpack("<IIII", record)
            yield sec, frac, orig, f.read(incl)

    return header, records()
