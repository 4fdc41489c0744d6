#!/usr/bin/env bash
# What a user without Baomi would run over a folder of Office files: docx2txt for each .docx, unzip of the
# shared strings and worksheets for each .xlsx, each piped into a fixed-string grep with the policy's words.
# Two workers (xargs -P 2), one per core of the benchmark machine.
#
#     bench/office_baseline.sh DIR PATTERNS_FILE
#
# Prints one count per file (grep -c), as the baseline would; the benchmark sends it to /dev/null.
set -uo pipefail
dir=$1
export PAT=$2
find "$dir" -type f \( -name '*.docx' -o -name '*.xlsx' \) -print0 |
  xargs -0 -P 2 -n 64 sh -c '
    for f do
      case $f in
        *.docx) docx2txt "$f" - ;;
        *.xlsx) unzip -p "$f" xl/sharedStrings.xml "xl/worksheets/*.xml" ;;
      esac | grep -c -F -f "$PAT"
    done
    true' sh
