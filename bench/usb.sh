#!/usr/bin/env bash
# Issue 4: USB history, Baomi against usbrip on the same generated syslog.
#
#   bench/usb.sh                 # MB=300 CONNECTIONS=400 RUNS=3
#   MB=1000 bench/usb.sh
#
# Needs python3 (3.11), hyperfine, cargo. usbrip (GPL-3, not a dependency of Baomi) is installed with
# pip into a venv under /tmp, never into the repository. Output: /tmp/usb-bench/{syslog,*.json,*.md}.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${MB:-300}
CONNECTIONS=${CONNECTIONS:-400}
RUNS=${RUNS:-3}
OUT=${OUT:-/tmp/usb-bench}
VENV=${VENV:-/tmp/usbrip-venv}
mkdir -p "$OUT"

if [ ! -x "$VENV/bin/usbrip" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet usbrip==2.2.2.post1
fi
LOG="$OUT/syslog"
if [ ! -s "$LOG" ] || [ "$(stat -c %s "$LOG")" -lt $((MB * 1000000)) ]; then
    python3 bench/usb_gen.py --out "$LOG" --mb "$MB" --connections "$CONNECTIONS" --seed 7
fi
cargo build --quiet --release -p baomi-host --example usb_history
BAOMI="$PWD/target/release/examples/usb_history"

# Same devices? (usbrip prints a progress bar on stderr; -q drops the banner and the questions.)
"$VENV/bin/usbrip" events history -q -l -f "$LOG" > "$OUT/usbrip.txt" 2>/dev/null
"$BAOMI" --tz Asia/Shanghai "$LOG" > "$OUT/baomi.txt"
python3 bench/usb_compare.py "$LOG.expected" "$OUT/usbrip.txt" "$OUT/baomi.txt"

echo "log: $(du -h "$LOG" | cut -f1), $(wc -l < "$LOG") lines"
hyperfine --warmup 1 --runs "$RUNS" --export-json "$OUT/usb.json" --export-markdown "$OUT/usb.md" \
    -n usbrip "$VENV/bin/usbrip events history -q -l -f $LOG > /dev/null 2>&1" \
    -n baomi "$BAOMI --tz Asia/Shanghai $LOG > /dev/null 2>&1"
python3 - "$OUT/usb.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
u, b = r["usbrip"]["mean"], r["baomi"]["mean"]
print(f"usbrip {u:.2f} s, baomi {b:.3f} s: {u / b:.0f}x faster")
PY
