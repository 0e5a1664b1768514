#!/usr/bin/env python3
"""Writes a classic pcap with the same frames as another and its timestamps spread out: every gap from the
first frame multiplied by FACTOR. A bench-set shape lasts a few seconds; stretched, it lasts minutes, so that
the model's minute-long timers (TIME_WAIT, 60 s) expire while it runs, as on a real server's capture.

    Tools/stretch-capture.py IN.pcap OUT.pcap FACTOR
"""
import struct
import sys


def main() -> None:
    src, dst, factor = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with open(src, "rb") as f, open(dst, "wb") as out:
        header = f.read(24)
        magic = struct.unpack("<I", header[:4])[0]
        if magic not in (0xA1B2C3D4, 0xA1B23C4D):
            sys.exit("stretch-capture: not a little-endian classic pcap")
        unit = 1_000_000_000 if magic == 0xA1B23C4D else 1_000_000
        out.write(header)
        first = None
        while True:
            record = f.read(16)
            if len(record) < 16:
                break
            sec, frac, incl, orig = struct.unpack("<IIII", record)
            data = f.read(incl)
            t = sec * unit + frac
            first = t if first is None else first
            t = first + round((t - first) * factor)
            out.write(struct.pack("<IIII", t // unit, t % unit, incl, orig))
            out.write(data)


if __name__ == "__main__":
    main()
