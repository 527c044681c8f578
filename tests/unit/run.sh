#!/bin/bash
# Run the host unit tests and record one result line per program in
# OUT/results.txt (the format tests/vm/summary.sh sums).
#
# usage: tests/unit/run.sh OUT
set -uo pipefail

out=${1:?usage: tests/unit/run.sh OUT}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$top/build/tests
mkdir -p "$out/logs"
: > "$out/results.txt"

# name, make directory: each `make check` prints "N passed, N failed".
run() {
    local name=$1 dir=$2 log=$out/logs/$1.log counts
    make --no-print-directory -C "$top/tests/$dir" check O="$build/$dir" > "$log" 2>&1
    local rc=$?
    counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ $rc -eq 0 ]; then
        echo "PASS unit.$name ${counts:-ok}" | tee -a "$out/results.txt"
    else
        echo "FAIL unit.$name ${counts:-exit $rc} (see $log)" | tee -a "$out/results.txt"
    fi
}

run jpeg-placeholder unit
run pattern lib
run checker tools
