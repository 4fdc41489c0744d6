#!/usr/bin/env python3
"""A large Excel 97–2003 workbook for issue 3's memory bar ("bounded memory on a 200 MB .xls").

    python3 bench/big_xls.py [--mb 200] [--out bench/corpus/big/big.xls]

LibreOffice cannot make one: BIFF8 sheets stop at 65,536 rows and its CSV import fills one sheet, so the
workbook is written here record by record, as Excel lays it out (MS-XLS): the globals substream (BOF,
CODEPAGE, BOUNDSHEET per sheet, SST with CONTINUE records, EOF), then one substream per sheet of
LABELSST and NUMBER cells, row by row. It is wrapped in a version-3 compound file (512-byte sectors, with
DIFAT sectors for a FAT longer than the header's 109 slots), as Excel writes .xls. Cell A1 of the third sheet holds a
marking (`机密★10年`) that the scan must find.
"""

import argparse
import os
import random
import struct

ROWS = 65_536
COLS = 20


def record(kind, body):
    return struct.pack("<HH", kind, len(body)) + body


def sst_records(strings):
    """SST and CONTINUE records; strings start at record boundaries only (allowed by MS-XLS)."""
    out = []
    body = struct.pack("<II", len(strings) * 4, len(strings))
    kind = 0x00FC
    for s in strings:
        enc = s.encode("utf-16-le")
        item = struct.pack("<HB", len(s), 1) + enc
        if len(body) + len(item) > 8224:
            out.append(record(kind, body))
            body, kind = b"", 0x003C
        body += item
    out.append(record(kind, body))
    return b"".join(out)


def sheet_stream(index, n_strings, rng, marked):
    parts = [record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0))]
    for row in range(ROWS):
        cells = []
        if marked and row == 0:
            # The marking stands alone in A1, as an office puts it on a classified table.
            parts.append(record(0x00FD, struct.pack("<HHHI", row, 0, 0, 0)))
            continue
        for col in range(COLS):
            if col % 3 == 2:
                value = rng.randrange(0, 10_000_000) / 100
                cells.append(record(0x0203, struct.pack("<HHHd", row, col, 0, value)))
            else:
                isst = 1 + rng.randrange(n_strings - 1)
                cells.append(record(0x00FD, struct.pack("<HHHI", row, col, 0, isst)))
        parts.append(b"".join(cells))
    parts.append(record(0x000A, b""))
    return b"".join(parts)


def workbook(target_bytes, rng):
    words = "保密管理 工作部署 档案 科研项目 信息报送 督查督办 财务处 办公室 人事处 统计调查 应急值守 宣传教育".split()
    strings = ["机密★10年"] + ["".join(rng.choice(words) for _ in range(rng.randrange(1, 4))) + str(i)
                              for i in range(1, 50_000)]
    one_sheet = len(sheet_stream(0, len(strings), random.Random(1), False))
    n_sheets = max(1, round(target_bytes / one_sheet))
    names = [f"表{i + 1}" for i in range(n_sheets)]

    def globals_stream(offsets):
        g = [record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0)),
             record(0x0042, struct.pack("<H", 1200))]
        for name, off in zip(names, offsets):
            enc = name.encode("utf-16-le")
            g.append(record(0x0085, struct.pack("<IBBBB", off, 0, 0, len(name), 1) + enc))
        g.append(sst_records(strings))
        g.append(record(0x000A, b""))
        return b"".join(g)

    head_len = len(globals_stream([0] * n_sheets))
    sheets = [sheet_stream(i, len(strings), rng, i == 2 % n_sheets) for i in range(n_sheets)]
    offsets, at = [], head_len
    for s in sheets:
        offsets.append(at)
        at += len(s)
    return globals_stream(offsets) + b"".join(sheets)


def compound_file(stream):
    """A version-3 compound file (512-byte sectors, as Excel writes .xls) holding one stream,
    `Workbook`; a 200 MB stream needs about 3,400 FAT sectors, so DIFAT sectors list those past the
    header's 109."""
    sector = 512
    free, end, fat_mark, difat_mark = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
    data_sectors = (len(stream) + sector - 1) // sector
    per_fat = sector // 4
    per_difat = per_fat - 1
    n_fat = n_difat = 0
    while True:
        total = data_sectors + 1 + n_fat + n_difat
        need_fat = (total + per_fat - 1) // per_fat
        need_difat = max(0, (need_fat - 109 + per_difat - 1) // per_difat)
        if (need_fat, need_difat) == (n_fat, n_difat):
            break
        n_fat, n_difat = need_fat, need_difat
    dir_sector = data_sectors
    fat_first = data_sectors + 1
    difat_first = fat_first + n_fat
    fat = [free] * (n_fat * per_fat)
    for i in range(data_sectors):
        fat[i] = i + 1 if i + 1 < data_sectors else end
    fat[dir_sector] = end
    for i in range(n_fat):
        fat[fat_first + i] = fat_mark
    for i in range(n_difat):
        fat[difat_first + i] = difat_mark
    fat_ids = [fat_first + i for i in range(n_fat)]
    head_ids = fat_ids[:109] + [free] * (109 - min(109, n_fat))
    header = (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, n_fat, dir_sector, 0, 4096, end, 0,
                            difat_first if n_difat else end, n_difat)
              + struct.pack("<109I", *head_ids))
    difat = b""
    rest = fat_ids[109:]
    for k in range(n_difat):
        chunk = rest[k * per_difat:(k + 1) * per_difat]
        chunk += [free] * (per_difat - len(chunk))
        nxt = difat_first + k + 1 if k + 1 < n_difat else end
        difat += struct.pack(f"<{per_fat}I", *chunk, nxt)

    def entry(name, kind, start, size, child=free):
        enc = (name + "\0").encode("utf-16-le")
        return (enc.ljust(64, b"\0") + struct.pack("<HBB", len(enc), kind, 1)
                + struct.pack("<III", free, free, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, end, 0, child=1) + entry("Workbook", 2, 0, len(stream))
    directory = directory.ljust(sector, b"\0")
    body = stream.ljust(data_sectors * sector, b"\0")
    return header + body + directory + struct.pack(f"<{len(fat)}I", *fat) + difat


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=200)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "corpus", "big", "big.xls"))
    args = ap.parse_args()
    rng = random.Random(7)
    stream = workbook(args.mb << 20, rng)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(compound_file(stream))
    print(f"{args.out}: {os.path.getsize(args.out) >> 20} MiB, Workbook stream {len(stream) >> 20} MiB")


if __name__ == "__main__":
    main()
