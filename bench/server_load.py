#!/usr/bin/env python3
"""Issue 5 load: `baomi serve` on PostgreSQL under imports and concurrent readers.

    python3 bench/server_load.py [--computers 50000] [--reports 5000] [--findings 1000]
                                 [--clients 8] [--readers 8] [--requests 400]

1. A fresh schema `baomi_load` in the PostgreSQL at $BAOMI_TEST_POSTGRES (default
   postgres://postgres@127.0.0.1:5432/test); `target/release/baomi serve` on it (built if missing).
2. The computer register (--computers) and the media register (--media, default 20,000) are seeded
   straight into their tables with INSERT … SELECT (generate_series): the API would take as long for
   the same rows and this benchmark is about imports and reads.
3. Import: --reports scan reports of --findings findings each (the fixture report's findings, each made
   distinct), each linked by machine id to a seeded computer, pushed by --clients concurrent clients
   through POST /api/v1/reports. Reported: reports/s and findings/s over the whole import.
4. Reads, under --readers concurrent clients with a signed-in session: the dashboard (/), the findings
   list (/findings, first page and a page 100 pages deep by id), a computer page, the media register
   and a medium's page. Reported: p50 and
   p95 of --requests requests each.

5. Correlation (issue 6): every import recomputes its devices' correlations in its own transaction (so
   the import figures include it); then `baomi correlate --all` recomputes every subject, timed.

Targets (issue 5): import >= 50 reports/s of 1,000 findings; p95 < 150 ms. (Issue 6): an incremental
correlation < 1 s (it is inside each import), a full recompute < 60 s.
"""

import argparse
import concurrent.futures as cf
import copy
import http.cookiejar
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BAOMI = os.path.join(ROOT, "target", "release", "baomi")
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "reports", "hostroot-classified.json")
PG = os.environ.get("BAOMI_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")
SCHEMA = "baomi_load"
PORT = 7899


def psql(sql):
    subprocess.run(["psql", PG, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--computers", type=int, default=50000)
    ap.add_argument("--reports", type=int, default=5000)
    ap.add_argument("--findings", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--readers", type=int, default=8)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--media", type=int, default=20000)
    a = ap.parse_args()

    if not os.path.exists(BAOMI):
        subprocess.run(["cargo", "build", "--release", "-p", "baomi"], cwd=ROOT, check=True)
    psql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
    db = f"{PG}?options=-c%20search_path%3D{SCHEMA}"
    server = subprocess.Popen([BAOMI, "serve", "--db", db, "--listen", f"127.0.0.1:{PORT}"],
                              stderr=subprocess.DEVNULL)
    try:
        run(a, db)
    finally:
        server.terminate()
        server.wait()


def run(a, db):
    base = f"http://127.0.0.1:{PORT}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/login", timeout=1)
            break
        except Exception:
            time.sleep(0.1)
    subprocess.run([BAOMI, "admin", "create", "--db", db, "--username", "load"],
                   input=b"load-test-password\n", check=True, capture_output=True)
    token = subprocess.run([BAOMI, "admin", "token", "--db", db, "--username", "load"],
                           check=True, capture_output=True).stdout.decode().strip()

    t = time.time()
    psql(f"""SET search_path = {SCHEMA};
        INSERT INTO departments (name, created_at) SELECT '部门' || g, 0 FROM generate_series(1, 50) g;
        INSERT INTO computers (asset_no, name, department_id, zone, level, status, machine_id, created_at, updated_at)
        SELECT 'LOAD-' || g, 'PC ' || g, 1 + g % 50,
               (ARRAY['classified','internal','internet'])[1 + g % 3],
               (ARRAY['secret','internal','none'])[1 + g % 3], 'in_use', 'machine-' || g, 0, 0
        FROM generate_series(1, {a.computers}) g;
        INSERT INTO media (number, kind, brand_model, vid, pid, serial, level, department_id, custodian,
                           state, notes, created_at, updated_at)
        SELECT 'U-' || g, (ARRAY['usb_disk','portable_disk','optical_disc'])[1 + g % 3], '', '0781', '5567',
               'SN' || lpad(g::text, 10, '0'), (ARRAY['secret','confidential','internal'])[1 + g % 3],
               1 + g % 50, '', (ARRAY['registered','in_use','lent'])[1 + g % 3], '', 0, 0
        FROM generate_series(1, {a.media}) g;""")
    seed_s = time.time() - t

    fixture = json.load(open(FIXTURE))
    pool = fixture["findings"]

    # One report body is built once and each push only substitutes its numbers (str.replace, in C):
    # a real client (`baomi push`) sends a file it already has, and building 1,000 findings in Python
    # for every report took an eighth of the machine's CPU away from the server being measured.
    template = copy.copy(fixture)
    template["report_id"] = "load-@@R@@"
    template["host"] = dict(fixture["host"], machine_id="machine-@@M@@")
    fs = []
    for k in range(a.findings):
        f = dict(pool[k % len(pool)])
        f["id"] = f"@@R@@-{k}"
        fs.append(f)
    template["findings"] = fs
    # Each computer's sticks are its own (a stick is used on a few computers, not on thousands), so the
    # correlation each import runs reads that stick's few sightings.
    template["artifacts"] = dict(fixture["artifacts"], usb_devices=[
        dict(d, serial=(d.get("serial") or "NOSERIAL") + "M@@M@@")
        for d in fixture["artifacts"]["usb_devices"]])
    template = json.dumps(template, ensure_ascii=False)

    def body(i):
        return template.replace("@@R@@", str(i)).replace("@@M@@", str(1 + i % a.computers)).encode()

    def push(i):
        data = body(i)
        req = urllib.request.Request(base + "/api/v1/reports", data=data, method="POST", headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        t0 = time.time()
        with urllib.request.urlopen(req, timeout=120) as res:
            assert res.status in (200, 201), res.status
        return time.time() - t0

    t = time.time()
    with cf.ThreadPoolExecutor(a.clients) as ex:
        per_report = list(ex.map(push, range(a.reports)))
    import_s = time.time() - t

    t = time.time()
    subprocess.run([BAOMI, "correlate", "--all", "--db", db], check=True, capture_output=True)
    correlate_s = time.time() - t

    # PostgreSQL's autovacuum analyzes a table some time after a bulk load; the reads are measured on
    # the statistics it would have by then, without waiting for it.
    psql(f"SET search_path = {SCHEMA}; ANALYZE")

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/login", data=urllib.parse.urlencode(
        {"username": "load", "password": "load-test-password"}).encode())
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    first = json.loads(urllib.request.urlopen(urllib.request.Request(
        base + "/api/v1/findings?limit=1", headers={"Authorization": f"Bearer {token}"})).read())
    top = first["findings"][0]["id"]
    deep = top - 100 * 50

    def timed_get(path):
        req = urllib.request.Request(base + path, headers={"Cookie": cookie})
        t0 = time.time()
        with urllib.request.urlopen(req, timeout=60) as res:
            res.read()
            assert res.status == 200, (path, res.status)
        return (time.time() - t0) * 1000

    pages = {
        "dashboard /": lambda i: "/",
        "findings, first page": lambda i: "/findings",
        "findings, 100 pages deep": lambda i: f"/findings?before={deep}",
        "findings, filtered (zone, severity)": lambda i: "/findings?zone=classified&severity=info",
        "computer page": lambda i: f"/computers/{1 + (i * 7919) % a.computers}",
        "media register": lambda i: "/media",
        "a medium's page": lambda i: f"/media/{1 + (i * 7919) % a.media}",
        "coverage (computers not inspected)": lambda i: "/coverage",
        "correlations": lambda i: "/correlations",
        "scorecards (this quarter, 6-quarter trend)": lambda i: "/scorecards",
        "rectification tasks": lambda i: "/rectifications",
    }
    # The dashboard and the scorecards are computed once per change and kept: the first view after the
    # imports computes them (what a reader meets right after an import), the loops below read them kept.
    first_views = {name: round(timed_get(pages[name](0)), 1)
                   for name in ("dashboard /", "scorecards (this quarter, 6-quarter trend)")}
    rows = []
    for name, path in pages.items():
        with cf.ThreadPoolExecutor(a.readers) as ex:
            ms = sorted(ex.map(lambda i: timed_get(path(i)), range(a.requests)))
        rows.append((name, statistics.median(ms), ms[int(len(ms) * 0.95) - 1]))

    out = {
        "computers": a.computers, "media": a.media, "reports": a.reports, "findings_per_report": a.findings,
        "findings_total": a.reports * a.findings, "clients": a.clients, "readers": a.readers,
        "seed_registers_s": round(seed_s, 1), "import_s": round(import_s, 1),
        "reports_per_s": round(a.reports / import_s, 1),
        "findings_per_s": round(a.reports * a.findings / import_s),
        "import_latency_p50_ms": round(statistics.median(per_report) * 1000),
        "correlate_all_s": round(correlate_s, 1),
        "reads": [{"page": n, "p50_ms": round(p50, 1), "p95_ms": round(p95, 1)} for n, p50, p95 in rows],
        "first_view_after_imports_ms": first_views,
    }
    print(json.dumps(out, ensure_ascii=False, indent=1))
    print()
    print(f"| Import ({a.clients} clients) | {out['reports_per_s']} reports/s of {a.findings} findings "
          f"({out['findings_per_s']:,} findings/s) | target >= 50 reports/s |")
    print(f"| Correlation, full recompute (baomi correlate --all) | {out['correlate_all_s']} s | target < 60 s |")
    for n, p50, p95 in rows:
        print(f"| {n} ({a.readers} readers) | p50 {p50:.1f} ms | p95 {p95:.1f} ms | target p95 < 150 ms |")
    for n, ms in first_views.items():
        print(f"| {n}, first view after the imports (computed, then kept until the next change) | {ms} ms | |")


if __name__ == "__main__":
    sys.exit(main())
