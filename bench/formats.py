#!/usr/bin/env python3
"""Issue 3 quality and speed: Baomi's text extraction against the reference tools, per format.

    python3 bench/formats.py [--n 30] [--out bench/out/formats.md]

1. Corpus (bench/corpus/formats/<fmt>/, reused when present): the first N .docx and N .xlsx of the
   benchmark corpus (bench/gen.py; generated if missing), some with a classification marking at the
   head, converted by LibreOffice headless to .doc, .rtf, .pdf (from .docx) and .xls (from .xlsx), and
   the corpus's .pptx fixtures to .ppt.
2. Quality: for each file, the CJK characters the reference tool extracts (pdftotext -layout, antiword,
   xls2csv, unrtf --text, catppt) and those Baomi extracts (`baomi-extract --example dump`); recovery =
   characters of the reference found in Baomi's text (each counted at most as often as Baomi has it) ÷
   characters of the reference. Markings: the files in which `baomi scan` reports a classification
   marking must be those whose source .docx/.xlsx it reports one in.
3. Speed: the reference tool spawned once per file, one after another, against `baomi scan --threads 1`
   on the same directory (one core each), and Baomi's per-file time for PDF against the same documents
   as .docx (the OOXML path). Baomi's per-file time is its scan's time less the time of the same scan of
   an empty directory (process start, policy, detector: paid once per scan, not per file), divided by
   the number of files; the whole-run ratio, start-up included, is shown beside it.

Needs: soffice, pdftotext (poppler-utils), antiword, catdoc (xls2csv, catppt), unrtf; cargo.
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "bench", "corpus")
FORMATS = os.path.join(CORPUS, "formats")
BAOMI = os.path.join(ROOT, "target", "release", "baomi")
DUMP = os.path.join(ROOT, "target", "release", "examples", "dump")

# format → (source extension, LibreOffice filter, reference command spawned per file)
REFERENCE = {
    "doc": ("docx", "doc", ["antiword", "-m", "UTF-8.txt"]),
    "rtf": ("docx", "rtf", ["unrtf", "--text", "--quiet"]),
    "pdf": ("docx", "pdf", ["pdftotext", "-layout", "-enc", "UTF-8", "{}", "-"]),
    "xls": ("xlsx", "xls", ["xls2csv", "-d", "utf-8"]),
    "ppt": ("pptx", "ppt", ["catppt", "-d", "utf-8"]),
}
# LibreOffice's own reading, as a second reference (unrtf and catppt print CJK as "?"; xls2csv garbles
# strings continued across records): the text it exports, all sheets of a workbook, the text of
# presentations through flat ODF.
LIBREOFFICE = {
    "doc": "txt:Text (encoded):UTF8",
    "rtf": "txt:Text (encoded):UTF8",
    "xls": "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
    "ppt": "fodp",
}


def libreoffice_texts(fmt, paths):
    """File → text as LibreOffice exports it (one soffice run for all files)."""
    if fmt not in LIBREOFFICE:
        return None
    import re
    import tempfile
    out = tempfile.mkdtemp()
    subprocess.run(["soffice", "--headless", "--convert-to", LIBREOFFICE[fmt], "--outdir", out] + paths,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    texts = collections.defaultdict(str)
    for f in os.listdir(out):
        stem = f.split(".")[0].split("-")[0]
        for p in paths:
            if os.path.basename(p).split(".")[0] == stem:
                t = open(os.path.join(out, f), encoding="utf-8", errors="replace").read()
                if fmt == "ppt":
                    t = "\n".join(re.sub(r"<[^>]+>", "", m) for m in re.findall(r"<text:p[^>]*>.*?</text:p>", t, re.S))
                texts[p] += t
    shutil.rmtree(out, ignore_errors=True)
    return texts


def cjk(text):
    return collections.Counter(c for c in text if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf")


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, **kw)


def build():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "baomi"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "baomi-extract", "--example", "dump"], cwd=ROOT, check=True)


def sources(ext, n):
    """N files of the office corpus, a third of them with a classification marking (Baomi's finding on
    the .docx/.xlsx, whose path is tested separately, decides which)."""
    office = os.path.join(CORPUS, "office")
    files = []
    for d, _, fs in sorted(os.walk(office)):
        files += [os.path.join(d, f) for f in sorted(fs) if f.endswith("." + ext)]
    marked = sorted(marked_paths(office))
    marked = [f for f in marked if f.endswith("." + ext)][: n // 3]
    rest = [f for f in files if f not in set(marked)][: n - len(marked)]
    return marked + rest


def marked_paths(directory):
    out = run([BAOMI, "scan", directory, "--no-progress", "--format", "json"]).stdout.decode()
    paths = set()
    for line in out.splitlines():
        f = json.loads(line).get("finding")
        if f and f["rule"] == "content.marking" and f["confidence"] >= 0.7:
            paths.add(f["path"])
    return paths


def slides_from(docx_text, path):
    """A flat-ODF presentation (.fodp) holding a document's lines on three slides, the first line on
    slide 1: LibreOffice turns it into .ppt and .pptx alike."""
    from xml.sax.saxutils import escape
    lines = [l for l in docx_text.splitlines() if l.strip()][:30]
    chunks = [lines[0:6], lines[6:16], lines[16:30]]
    pages = []
    for i, chunk in enumerate(chunks):
        paras = "".join(f"<text:p>{escape(l)}</text:p>" for l in chunk)
        pages.append(
            f'<draw:page draw:name="p{i + 1}" draw:master-page-name="Default"><draw:frame svg:x="1cm" svg:y="1cm" '
            f'svg:width="25cm" svg:height="17cm"><draw:text-box>{paras}</draw:text-box></draw:frame></draw:page>'
        )
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.presentation">'
        '<office:master-styles><style:master-page style:name="Default"/></office:master-styles>'
        f'<office:body><office:presentation>{"".join(pages)}</office:presentation></office:body></office:document>'
    )
    with open(path, "w") as f:
        f.write(doc)


def make_corpus(n):
    # Without a CJK font LibreOffice draws every Chinese character as glyph 1 of a fallback font with
    # an /ActualText span around it: PDFs unlike any an office produces. Refuse rather than measure those.
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    if not fonts.strip():
        sys.exit("formats.py: no Chinese font installed (apt-get install fonts-noto-cjk fonts-wqy-zenhei)")
    if not os.path.isdir(os.path.join(CORPUS, "office")):
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen.py"), "--out", CORPUS], check=True)
    for fmt, (src_ext, lo_filter, _) in REFERENCE.items():
        out = os.path.join(FORMATS, fmt)
        src_dir = os.path.join(FORMATS, "src-" + fmt)
        if os.path.isdir(out) and os.listdir(out):
            continue
        os.makedirs(out, exist_ok=True)
        os.makedirs(src_dir, exist_ok=True)
        if fmt == "ppt":
            docs = sources("docx", n)
            texts = baomi_texts(docs)
            flat = os.path.join(FORMATS, "fodp")
            os.makedirs(flat, exist_ok=True)
            for i, f in enumerate(docs):
                slides_from(texts.get(f, ""), os.path.join(flat, f"{i:03d}.fodp"))
            fodps = sorted(os.path.join(flat, f) for f in os.listdir(flat))
            subprocess.run(["soffice", "--headless", "--convert-to", "pptx", "--outdir", src_dir] + fodps,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        else:
            for i, f in enumerate(sources(src_ext, n)):
                shutil.copy(f, os.path.join(src_dir, f"{i:03d}.{src_ext}"))
        srcs = sorted(os.path.join(src_dir, f) for f in os.listdir(src_dir))
        subprocess.run(["soffice", "--headless", "--convert-to", lo_filter, "--outdir", out] + srcs,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)


def reference_text(fmt, path):
    cmd = REFERENCE[fmt][2]
    cmd = [c.replace("{}", path) for c in cmd] if "{}" in cmd else cmd + [path]
    return run(cmd).stdout.decode("utf-8", "replace")


def baomi_texts(paths):
    """Extracted text per file, from one run of the dump example."""
    out = run([DUMP] + paths).stdout.decode("utf-8", "replace")
    texts = collections.defaultdict(str)
    current = None
    for line in out.split("\n"):
        if line.startswith("== "):
            current = line[3:].split(" | ")[0]
            continue
        if line.startswith("!! "):
            current = None
            continue
        if current is not None:
            texts[current] += line + "\n"
    return texts


def marked_files(directory):
    out = run([BAOMI, "scan", directory, "--no-progress", "--format", "json"]).stdout.decode()
    files = set()
    for line in out.splitlines():
        obj = json.loads(line)
        f = obj.get("finding")
        if f and f["rule"] == "content.marking" and f["confidence"] >= 0.7:
            files.add(os.path.splitext(os.path.basename(f["path"]))[0])
    return files


def timed(cmd_list):
    t = time.perf_counter()
    for cmd in cmd_list:
        run(cmd)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "formats.md"))
    args = ap.parse_args()
    build()
    make_corpus(args.n)
    empty = os.path.join(FORMATS, "empty")
    os.makedirs(empty, exist_ok=True)
    rows = []
    for fmt in REFERENCE:
        d = os.path.join(FORMATS, fmt)
        paths = sorted(os.path.join(d, f) for f in os.listdir(d))
        if not paths:
            continue
        ours = baomi_texts(paths)
        lo = libreoffice_texts(fmt, paths)

        def recovery(reference):
            ref_total = found = 0
            worst = (1.0, "")
            for p in paths:
                ref = cjk(reference(p))
                got = cjk(ours.get(p, ""))
                hit = sum(min(n, got[c]) for c, n in ref.items())
                total = sum(ref.values())
                ref_total += total
                found += hit
                if total and hit / total < worst[0]:
                    worst = (hit / total, os.path.basename(p))
            return ref_total, (found / ref_total if ref_total else None), worst

        ref_total, recovered, worst = recovery(lambda p: reference_text(fmt, p))
        lo_total, lo_recovered, lo_worst = recovery(lambda p: lo.get(p, "")) if lo else (0, None, (1.0, ""))
        src = os.path.join(FORMATS, "src-" + fmt)
        want, got = marked_files(src), marked_files(d)
        # Speed: one core each, warm cache (each side run once before timing).
        ref_cmds = []
        for p in paths:
            cmd = REFERENCE[fmt][2]
            ref_cmds.append([c.replace("{}", p) for c in cmd] if "{}" in cmd else cmd + [p])
        scan = [[BAOMI, "scan", d, "--no-progress", "--format", "json", "--threads", "1"]]
        timed(ref_cmds[:3]), timed(scan)
        t_ref = min(timed(ref_cmds) for _ in range(2))
        t_baomi = min(timed(scan) for _ in range(5))
        t_src = min(timed([[BAOMI, "scan", src, "--no-progress", "--format", "json", "--threads", "1"]]) for _ in range(5))
        t_empty = min(timed([[BAOMI, "scan", empty, "--no-progress", "--format", "json", "--threads", "1"]]) for _ in range(10))
        rows.append({
            "fmt": fmt, "files": len(paths), "tool": " ".join(REFERENCE[fmt][2][:1]),
            "ref_cjk": ref_total, "recovered": recovered, "worst": worst,
            "lo_cjk": lo_total, "lo_recovered": lo_recovered, "lo_worst": lo_worst,
            "marked_src": len(want), "marked": len(got & want), "extra": len(got - want),
            "t_ref": t_ref, "t_baomi": t_baomi, "t_src": t_src, "t_empty": t_empty,
        })
        print(json.dumps(rows[-1], ensure_ascii=False), file=sys.stderr)
    def pct(v):
        return "— (tool gives no CJK)" if v is None else f"{v * 100:.2f} %"

    lines = [
        "| Format | Files | Reference tool: CJK chars, Baomi recovers (worst file) | LibreOffice: CJK chars, Baomi recovers (worst file) | "
        "Markings found / in source (extra) | Reference, spawned per file | Baomi `scan --threads 1` (start-up) | "
        "Whole run | Per file: reference vs Baomi | Speed-up per file | Baomi per file vs same docs as OOXML |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        per = (r["t_baomi"] - r["t_empty"]) / r["files"] * 1000
        per_src = (r["t_src"] - r["t_empty"]) / r["files"] * 1000
        per_ref = r["t_ref"] / r["files"] * 1000
        lo = "—" if r["lo_recovered"] is None and not r["lo_cjk"] else (
            f"{r['lo_cjk']:,}, {pct(r['lo_recovered'])} ({r['lo_worst'][0] * 100:.1f} %)")
        lines.append(
            f"| {r['fmt']} | {r['files']} | `{r['tool']}`: {r['ref_cjk']:,}, {pct(r['recovered'])} "
            f"({r['worst'][0] * 100:.1f} % {r['worst'][1]}) | {lo} | {r['marked']} / {r['marked_src']} ({r['extra']}) | "
            f"{r['t_ref'] * 1000:.1f} ms | {r['t_baomi'] * 1000:.1f} ms ({r['t_empty'] * 1000:.1f} ms) | "
            f"{r['t_ref'] / r['t_baomi']:.1f}× | {per_ref:.2f} ms vs {per:.3f} ms | **{per_ref / per:.1f}×** | "
            f"{per:.3f} ms vs {per_src:.3f} ms ({per / per_src:.1f}×) |"
        )
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
