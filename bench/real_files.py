#!/usr/bin/env python3
"""Files made by other people's office suites, printers and PDF writers: the test data that ships in the
source packages of public document libraries on PyPI (Microsoft Office's .doc/.xls/.ppt/.xlsb and
encrypted files in oletools, PDFs of Microsoft Word, "Microsoft Print to PDF", InDesign, pdfTeX and
scanners in pypdf and ocrmypdf, PowerPoint's and Word's OOXML in python-pptx and python-docx) and, with
--debian, the documents in Debian bookworm's source tarballs of LibreOffice (its import tests: files from
bug reports, made by every version of Microsoft Office, WPS and others, and the "fail" files that once
crashed it), pdf.js (PDFs from its bug reports, many with CJK fonts), pdfminer, libextractor and catdoc.
None of them is committed here; they are fetched into bench/corpus/real/.

    python3 bench/real_files.py [--dump target/release/examples/dump] [--all] [--debian] [--jobs 2]

For each file: what Baomi lists as not read (and why), and, where a reference tool exists (pdftotext,
antiword, xls2csv, catppt, unrtf), the share of the reference's words (Latin words of 3+ letters, case
folded, and CJK characters, each counted at most as often as Baomi has it) that Baomi's text holds.
Files under 97 % are printed with the words missing (all files with --all), then the total.

Needs: pip (PyPI), pdftotext (poppler-utils), antiword, catdoc (xls2csv, catppt), unrtf; cargo.
"""

import argparse
import collections
import concurrent.futures
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.path.join(ROOT, "bench", "corpus", "real")
PACKAGES = ["oletools==0.60.2", "pypdf==7.1.1", "python-docx==1.2.0", "python-pptx==1.0.2",
            "olefile==0.47", "ocrmypdf==17.13.0"]
EXTENSIONS = {".doc", ".xls", ".ppt", ".msg", ".rtf", ".pdf", ".docx", ".xlsx", ".pptx", ".eml", ".odt",
              ".xlsm", ".docm", ".pptm", ".xlsb", ".zip", ".wps", ".et", ".dps", ".ods", ".odp", ".ofd"}
# Debian bookworm source tarballs: path under pool/main, MD5 from dists/bookworm/main/source/Sources.
DEBIAN = [
    ("libr/libreoffice/libreoffice_7.4.7.orig.tar.xz", "94ef5331983b96f6ec7af7bfb8f748a9"),
    ("p/pdf.js/pdf.js_2.14.305+dfsg.orig.tar.xz", "e96fbae3c60439643b2447d6efbbe5db"),
    ("p/pdfminer/pdfminer_20221105+dfsg.orig.tar.xz", "cf6caac3efda9b2a18f240d54856033e"),
    ("libe/libextractor/libextractor_1.11.orig.tar.gz", "934a53749d263c1f5b8a6aae5741ea3f"),
    ("c/catdoc/catdoc_0.95.orig.tar.gz", "f047aff8913d36aada5ab98d3621fb82"),
]
REFERENCE = {
    ".pdf": ["pdftotext", "-enc", "UTF-8", "{}", "-"],
    ".doc": ["antiword", "-m", "UTF-8.txt", "{}"],
    ".xls": ["xls2csv", "-d", "utf-8", "{}"],
    ".ppt": ["catppt", "-d", "utf-8", "{}"],
    ".rtf": ["unrtf", "--text", "--quiet", "{}"],
}


def fetch_debian(files):
    import hashlib
    import urllib.request
    src = os.path.join(REAL, "debian")
    os.makedirs(src, exist_ok=True)
    for pool, md5 in DEBIAN:
        name = os.path.basename(pool)
        path = os.path.join(src, name)
        if not os.path.exists(path):
            urllib.request.urlretrieve("http://deb.debian.org/debian/pool/main/" + pool, path + ".part")
            os.rename(path + ".part", path)
        digest = hashlib.md5()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != md5:
            sys.exit(f"{name}: MD5 {digest.hexdigest()}, Debian's Sources says {md5}")
        done = os.path.join(files, "." + name + ".extracted")
        if os.path.exists(done):
            continue
        # Only the documents: LibreOffice's tarball is 2.6 GB unpacked.
        with tarfile.open(path) as t:
            t.extractall(files, members=[m for m in t if m.isfile() and
                                         os.path.splitext(m.name)[1].lower() in EXTENSIONS], filter="data")
        open(done, "w").close()


def fetch(debian):
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
    if debian:
        fetch_debian(files)
    found = []
    for d, _, names in os.walk(files):
        if not debian and os.path.relpath(d, files).split(os.sep)[0] in DEBIAN_TOPS:
            continue
        for n in names:
            if os.path.splitext(n)[1].lower() in EXTENSIONS:
                found.append(os.path.join(d, n))
    return sorted(found)


DEBIAN_TOPS = {"libreoffice-7.4.7.2", "pdf.js-2.14.305", "pdfminer.six-20221105", "libextractor-1.11",
               "catdoc-0.95"}


def words(text):
    c = collections.Counter()
    for w in re.findall(r"[A-Za-z]{3,}|[\u4e00-\u9fff]", text):
        c[w.lower()] += 1
    return c


SCRATCH = tempfile.mkdtemp(prefix="real_files.")


def run(cmd):
    try:
        # unrtf writes each picture of an RTF into its working directory.
        r = subprocess.run(cmd, capture_output=True, timeout=120, cwd=SCRATCH)
        return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return "timeout", "", ""


def one(p, dump):
    """Baomi's output and, where one exists, the reference tool's, for one file."""
    ext = os.path.splitext(p)[1].lower()
    ours = run([dump, p])
    ref = run([c.replace("{}", p) for c in REFERENCE[ext]]) if ext in REFERENCE else None
    return p, ext, ours, ref


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", default=os.path.join(ROOT, "target", "release", "examples", "dump"))
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--debian", action="store_true", help="also the documents in Debian's source tarballs")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    # Tools run in a scratch directory: the path must not depend on this one.
    args.dump = os.path.abspath(args.dump)
    paths = fetch(args.debian)
    unread = collections.Counter()
    failed = []
    # per extension: files compared, reference words, words held, reference CJK, CJK held
    per = collections.defaultdict(lambda: [0, 0, 0, 0, 0])
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for p, ext, (code, out, err), ref in pool.map(lambda p: one(p, args.dump), paths):
            rel = os.path.relpath(p, REAL)
            if code != 0:
                # A crash or a hang is a bug whatever the file holds.
                failed.append(rel)
                print(f"FAILED ({code}): {rel}: {err[-300:]}")
                continue
            lines = out.split("\n")
            for line in lines:
                if line.startswith("!! "):
                    # `!! path | inner chain | reason | detail`
                    parts = [x.strip() for x in line[3:].split("|")]
                    reason = parts[2] if len(parts) >= 4 else "?"
                    unread[reason] += 1
                    if args.all or reason not in ("Encrypted", "NoTextLayer"):
                        print(f"not read: {rel}: {' | '.join(parts[1:])}")
            if ref is None or ref[0] == "timeout":
                continue
            ours = "\n".join(l for l in lines if not l.startswith(("== ", "!! ")))
            reference = ref[1]
            if ext == ".rtf":
                # unrtf's own notes: "### Drawn Shape (ignored-not implemented yet)", "### invalid font
                # number 0".
                reference = "\n".join(l for l in reference.split("\n") if not l.lstrip().startswith("###"))
            r, b = words(reference), words(ours)
            if ext == ".doc":
                # antiword's placeholder for a picture, "[pic]".
                r.pop("pic", None)
            if ext == ".xls":
                # xls2csv prints ERROR for a formula whose saved result is an error value (#VALUE!…):
                # its word, not the document's.
                r.pop("error", None)
            n = sum(r.values())
            if not n:
                continue
            hit = sum(min(k, b[w]) for w, k in r.items())
            cjk = sum(k for w, k in r.items() if w >= "\u4e00")
            cjk_hit = sum(min(k, b[w]) for w, k in r.items() if w >= "\u4e00")
            for i, v in enumerate((1, n, hit, cjk, cjk_hit)):
                per[ext][i] += v
            if args.all or hit / n < 0.97:
                missing = [w for w, k in r.items() if b[w] < k][:12]
                print(f"{hit / n * 100:6.1f} % {hit}/{n} {rel} missing e.g. {missing}")
    print(f"{len(paths)} files; not read, by reason: {dict(unread)}; crashed or hung: {len(failed)}")
    print("| Format | Files compared | Reference's words held | Reference's CJK characters held |")
    print("|---|---|---|---|")
    total = [0] * 5
    for ext, v in sorted(per.items()):
        total = [a + b for a, b in zip(total, v)]
        cjk = f"{v[4]}/{v[3]} = {v[4] / v[3] * 100:.2f} %" if v[3] else "none in the reference"
        print(f"| {ext} | {v[0]} | {v[2]}/{v[1]} = {v[2] / v[1] * 100:.2f} % | {cjk} |")
    print(f"{total[0]} files with a reference tool's words: Baomi holds {total[2]}/{total[1]} = "
          f"{total[2] / max(total[1], 1) * 100:.2f} %")


if __name__ == "__main__":
    main()
