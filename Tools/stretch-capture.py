#!/usr/bin/env python3
"""Writes a classic pcap with the same frames as another and its timestamps spread out: every gap from the
first frame multiplied by FACTOR. A bench-set shape lasts a few seconds; stretched, it lasts minutes, so that
the model's minute-long timers (TIME_WAIT, 60 s) expire while it runs, as on a real server's capture.

    Tools/stretch-capture.py IN.pcap OUT.pcap FACTOR
"""
import struct
import sys

import pcaprecords


def main() -> None:
    src, dst, factor = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with open(src, "rb") as f, open(dst, "wb") as out:
        try:
            header, records = pcaprecords.read(f)
        except ValueError as e:
            sys.exit("stretch-capture: %s: %s" % (src, e))
        unit = 1_000_000_000 if header[:4] == struct.pack("<I", 0xA1B23C4D) else 1_000_000
        out.write(header)
        first = None
        for sec, frac, orig, data in records:
            t = sec * unit + frac
            first = t if first is None else first
            t = first + round((t - first) * factor)
            out.write(struct.pack("<IIII", t // unit, t % unit, len(data), orig) + data)


if __name__ == "__main__":
    main()
