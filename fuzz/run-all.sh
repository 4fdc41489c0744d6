#!/usr/bin/env bash
# Run every fuzz target for SECONDS_PER_TARGET (default 180) seconds, one after the other, logging to
# fuzz/logs/<target>.log. When a target stops early on a crash, it is restarted in fork mode
# (-fork=1 -ignore_crashes=1 …) for the rest of its time so one bug does not hide the next.
# Artifacts (crash-*, timeout-*, oom-*) land in fuzz/artifacts/<target>/.
#
#     fuzz/run-all.sh [TARGET…]
set -uo pipefail
cd "$(dirname "$0")"
SECS=${SECONDS_PER_TARGET:-180}
export RUSTC_BOOTSTRAP=1
mkdir -p logs
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
nice -n 10 cargo fuzz build >&2 || exit 2
for t in "${targets[@]}"; do
  start=$(date +%s)
  echo "== $t: plain run, ${SECS}s" | tee logs/"$t".log >&2
  nice -n 10 cargo fuzz run "$t" -- -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 >> logs/"$t".log 2>&1
  rc=$?
  left=$((SECS - ($(date +%s) - start)))
  echo "== $t: exit $rc, ${left}s left" | tee -a logs/"$t".log >&2
  if [ "$rc" -ne 0 ] && [ "$left" -gt 20 ]; then
    nice -n 10 cargo fuzz run "$t" -- -max_total_time="$left" -rss_limit_mb=2048 -timeout=10 \
      -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 >> logs/"$t".log 2>&1
    echo "== $t: fork run exit $?" | tee -a logs/"$t".log >&2
  fi
  ls artifacts/"$t" 2>/dev/null | sed "s/^/   artifact: $t\//" >&2
done
