#!/usr/bin/env python3
"""Files made by other people's office suites, printers and PDF writers: the test data that ships in the
source packages of public document libraries on PyPI (Microsoft Office's .doc/.xls/.ppt/.xlsb and
encrypted files in oletools, PDFs of Microsoft Word, "Microsoft Print to PDF", InDesign, pdfTeX and
scanners in pypdf and ocrmypdf, PowerPoint's and Word's OOXML in python-pptx and python-docx). None of
them is committed here; the packages are fetched by pip into bench/corpus/real/.

    python3 bench/real_files.py [--dump target/release/examples/dump] [--all]

For each file: what Baomi lists as not read (and why), and, where a reference tool exists (pdftotext,
antiword, xls2csv, catppt, unrtf), the share of the reference's words (Latin words of 3+ letters, case
folded, and CJK characters, each counted at most as often as Baomi has it) that Baomi's text holds.
Files under 97 % are printed with the words missing (all files with --all), then the total.

Needs: pip (PyPI), pdftotext (poppler-utils), antiword, catdoc (xls2csv, catppt), unrtf; cargo.
"""

import argparse
import collections
import os
import re
import subprocess
import sys
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.path.join(ROOT, "bench", "corpus", "real")
PACKAGES = ["oletools==0.60.2", "pypdf==7.1.1", "python-docx==1.2.0", "python-pptx==1.0.2",
            "olefile==0.47", "ocrmypdf==17.13.0"]
EXTENSIONS = {".doc", ".xls", ".ppt", ".msg", ".rtf", ".pdf", ".docx", ".xlsx", ".pptx", ".eml", ".odt",
              ".xlsm", ".docm", ".pptm", ".xlsb", ".zip"}
REFERENCE = {
    ".pdf": ["pdftotext", "-enc", "UTF-8", "{}", "-"],
    ".doc": ["antiword", "-m", "UTF-8.txt", "{}"],
    ".xls": ["xls2csv", "-d", "utf-8", "{}"],
    ".ppt": ["catppt", "-d", "utf-8", "{}"],
    ".rtf": ["unrtf", "--text", "--quiet", "{}"],
}


def fetch():
    src = os.path.join(REAL, "sdist")
    os.makedirs(src, exist_ok=True)
    for p in PACKAGES:
        name = p.split("==")[0].replace("-", "_").lower()
        if any(f.lower().replace("-", "_").startswith(name) for f in os.listdir(src)):
            continue
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                        "-d", src, p], check=True)
    files = os.path.join(REAL, "files")
    os.makedirs(files, exist_ok=True)
    for f in os.listdir(src):
        dest = os.path.join(files, f.split(".tar")[0].split(".zip")[0])
        if os.path.isdir(dest):
            continue
        path = os.path.join(src, f)
        if f.endswith(".zip"):
            zipfile.ZipFile(path).extractall(files)
        else:
            with tarfile.open(path) as t:
                t.extractall(files, filter="data")
    found = []
    for d, _, names in os.walk(files):
        for n in names:
            if os.path.splitext(n)[1].lower() in EXTENSIONS:
                found.append(os.path.join(d, n))
    return sorted(found)


def words(text):
    c = collections.Counter()
    for w in re.findall(r"[A-Za-z]{3,}|[\u4e00-\u9fff]", text):
        c[w.lower()] += 1
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", default=os.path.join(ROOT, "target", "release", "examples", "dump"))
    ap.add_argument("--all", action="store_true")
    args = ap.parse_args()
    paths = fetch()
    unread = collections.Counter()
    total_ref = total_hit = compared = 0
    for p in paths:
        rel = os.path.relpath(p, REAL)
        out = subprocess.run([args.dump, p], capture_output=True, timeout=60).stdout.decode("utf-8", "replace")
        lines = out.split("\n")
        for line in lines:
            if line.startswith("!! "):
                # `!! path | inner chain | reason | detail`
                parts = [x.strip() for x in line[3:].split("|")]
                reason = parts[2] if len(parts) >= 4 else "?"
                unread[reason] += 1
                if args.all or reason not in ("Encrypted", "NoTextLayer"):
                    print(f"not read: {rel}: {' | '.join(parts[1:])}")
        ext = os.path.splitext(p)[1].lower()
        if ext not in REFERENCE:
            continue
        ref = subprocess.run([c.replace("{}", p) for c in REFERENCE[ext]], capture_output=True,
                             timeout=60).stdout.decode("utf-8", "replace")
        ours = "\n".join(l for l in lines if not l.startswith(("== ", "!! ")))
        r, b = words(ref), words(ours)
        n = sum(r.values())
        if not n:
            continue
        hit = sum(min(k, b[w]) for w, k in r.items())
        compared += 1
        total_ref += n
        total_hit += hit
        if args.all or hit / n < 0.97:
            missing = [w for w, k in r.items() if b[w] < k][:12]
            print(f"{hit / n * 100:6.1f} % {hit}/{n} {rel} missing e.g. {missing}")
    print(f"{len(paths)} files; not read, by reason: {dict(unread)}")
    print(f"{compared} files with a reference tool's words: Baomi holds {total_hit}/{total_ref} = "
          f"{total_hit / max(total_ref, 1) * 100:.2f} %")


if __name__ == "__main__":
    main()
