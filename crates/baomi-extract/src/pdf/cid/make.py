#!/usr/bin/env python3
"""Build the CID → Unicode tables of Adobe's four CJK character collections from Adobe's `cid2code_*.txt`
(CMap Resources, BSD-3-Clause; see LICENSE-Adobe.txt). The files are taken from the `cmaprsrc/` directory
of Debian bookworm's pdfminer source tarball, which bench/real_files.py --debian fetches and checks:

    python3 crates/baomi-extract/src/pdf/cid/make.py [bench/corpus/real/debian/pdfminer_20221105+dfsg.orig.tar.xz]

Each `Adobe-<collection>.bin` is one little-endian u32 per CID, from CID 0: the Unicode scalar of the CID's
column `Uni*-UTF32` (a code marked `v`, the vertical form, only when the CID has no other), 0 when the
collection names none.
"""
import os
import struct
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(HERE)))))
TARBALL = os.path.join(ROOT, "bench", "corpus", "real", "debian", "pdfminer_20221105+dfsg.orig.tar.xz")


def table(text):
    rows = [l.split("\t") for l in text.splitlines() if l and not l.startswith("#")]
    head = rows[0]
    col = next(i for i, h in enumerate(head) if h.startswith("Uni") and h.endswith("-UTF32"))
    out = []
    for r in rows[1:]:
        assert int(r[0]) == len(out), r[0]
        codes = [c for c in r[col].split(",") if c != "*"]
        upright = [c for c in codes if not c.endswith("v")]
        pick = (upright or codes or ["0"])[0].rstrip("v")
        out.append(int(pick, 16))
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else TARBALL
    with tarfile.open(path) as t:
        for m in t:
            name = os.path.basename(m.name)
            if not (name.startswith("cid2code_Adobe_") and name.endswith(".txt")):
                continue
            collection = name[len("cid2code_Adobe_"):-4]
            cids = table(t.extractfile(m).read().decode("ascii"))
            with open(os.path.join(HERE, f"Adobe-{collection}.bin"), "wb") as f:
                f.write(b"".join(struct.pack("<I", u) for u in cids))
            print(f"{collection}: {len(cids)} CIDs, {sum(1 for u in cids if u)} with Unicode")


if __name__ == "__main__":
    main()
