#!/usr/bin/env python3
"""Compare the devices usbrip and Baomi found in the same log (bench/usb.sh).

    usb_compare.py EXPECTED USBRIP_LIST_OUTPUT BAOMI_OUTPUT

usbrip lists every USB device ("VID: … PID: … Serial Number: …" blocks of `events history -l`);
Baomi lists storage devices only. Checks: Baomi's set equals the generator's storage set; usbrip's set
holds all of them; what usbrip has beyond them is printed (the keyboards, hubs and phones that are not
storage). Exit 1 on a mismatch.
"""
import sys

def usbrip(path):
    out, cur = set(), {}
    for line in open(path, encoding="utf-8", errors="replace"):
        key, _, val = line.partition(":")
        val = val.strip()
        if key in ("VID", "PID", "Product", "Serial Number"):
            cur[key] = "-" if val in ("∅", "") else val
        if key == "Serial Number":
            out.add((cur.get("VID"), cur.get("PID"), cur.get("Serial Number")))
            names[(cur.get("VID"), cur.get("PID"), cur.get("Serial Number"))] = cur.get("Product")
            cur = {}
    return out

names = {}

def baomi(path):
    out = set()
    for line in open(path, encoding="utf-8"):
        if line.startswith("#"):
            continue
        f = line.split()
        if len(f) >= 3:
            out.add((f[0], f[1], f[2]))
    return out

def main():
    expected = {tuple(l.split()) for l in open(sys.argv[1]) if l.strip()}
    u, b = usbrip(sys.argv[2]), baomi(sys.argv[3])
    ok = True
    print(f"generator: {len(expected)} storage devices; usbrip: {len(u)} USB devices; baomi: {len(b)} storage devices")
    if b != expected:
        ok = False
        print("MISMATCH baomi vs generator: missing", sorted(expected - b), "extra", sorted(b - expected))
    if not b <= u:
        ok = False
        print("MISMATCH: baomi found devices usbrip did not:", sorted(b - u))
    if not expected <= u:
        ok = False
        print("usbrip missed storage devices:", sorted(expected - u))
    for d in sorted(u - b):
        print(f"usbrip only (not storage): {d[0]}:{d[1]} serial {d[2]} {names.get(d, '')}")
    print("same storage devices: yes" if ok else "same storage devices: NO")
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
