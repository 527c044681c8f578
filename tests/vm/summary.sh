#!/bin/bash
# Sum the results of one or more tests/vm/run.sh output directories.
#
# usage: tests/vm/summary.sh DIR...
#
# Prints every FAIL line (prefixed with its directory), then a final line
#   N passed, N failed[, N skipped]
# Exit status 1 if anything failed (a DIR without results.txt counts as a
# failure), else 0.
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: tests/vm/summary.sh DIR..." >&2; exit 2; }
pass=0 fail=0 skip=0
for d in "$@"; do
    r=$d/results.txt
    if [ ! -f "$r" ]; then
        echo "FAIL [$d] no results.txt (did the run happen?)"
        fail=$((fail + 1))
        continue
    fi
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in
            PASS\ *|PASS) pass=$((pass + 1)) ;;
            FAIL\ *|FAIL) fail=$((fail + 1)); echo "FAIL [$d] ${line#FAIL }" ;;
            SKIP\ *|SKIP) skip=$((skip + 1)) ;;
            '') ;;
            *) echo "FAIL [$d] malformed result line: $line"; fail=$((fail + 1)) ;;
        esac
    done < "$r"
done
line="$pass passed, $fail failed"
[ $skip -gt 0 ] && line+=", $skip skipped"
echo "$line"
[ $fail -eq 0 ]
